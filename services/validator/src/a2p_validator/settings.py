from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import SettingsConfigDict

from a2p_shared.fees import FeeTable, load_fee_table
from a2p_shared.settings import ServiceSettings


class ValidatorSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="VALIDATOR_", extra="ignore", populate_by_name=True
    )

    service_name: str = "validator"
    http_port: int = Field(default=8081, ge=1, le=65535)
    allow_private_network: bool = Field(
        default=False,
        description="Let the page fetcher reach loopback, private and link-local addresses "
        "(local runs and tests only: user-given URLs could otherwise reach internal services)",
    )
    fetch_timeout_s: float = Field(default=10.0, gt=0, le=120)
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    fetch_max_bytes: int = Field(default=2_000_000, ge=10_000)
    fees_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("A2P_FEES_FILE", "fees_file"),
        description="JSON fee table overriding the seed's default amounts; the registrar reads "
        "the same variable, so the preview and the fees charged agree",
    )

    @field_validator("fees_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    def fee_table(self) -> FeeTable:
        return load_fee_table(self.fees_file)
