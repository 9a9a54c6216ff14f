from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import SettingsConfigDict

from a2p_shared.fees import FeeTable, load_fee_table
from a2p_shared.settings import ServiceSettings


class RegistrarSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="REGISTRAR_", extra="ignore", populate_by_name=True
    )

    service_name: str = "registrar"
    http_port: int = Field(default=8082, ge=1, le=65535)
    primary_profile_sid: str = Field(
        default="BU" + "a2" * 16,
        pattern=r"^BU[0-9a-fA-F]{32}$",
        description="The ISV's own twilio-approved primary customer profile (made in Console)",
    )
    isv_email: str = Field(
        default="compliance@platform.example",
        description="The ISV's address Twilio writes to about profiles and trust products",
    )
    webhook_base_url: str = Field(
        default="http://127.0.0.1:8083",
        description="The messaging service's public URL; its /twilio/inbound and /twilio/status "
        "become each messaging service's webhooks",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8082",
        description="The registrar's own public URL: Twilio posts customer profile and trust "
        "product status callbacks to <it>/twilio/trusthub-status",
    )
    poll_interval_s: float = Field(
        default=1.0, gt=0, description="How often the registrar looks for due onboarding steps"
    )
    review_poll_first_s: float = Field(
        default=5.0, gt=0, description="First wait before asking Twilio about a review again"
    )
    review_poll_cap_s: float = Field(
        default=600.0, gt=0, description="Longest wait between two questions about a review"
    )
    a2p_call_interval_s: float = Field(
        default=1.0, ge=0, description="Brand and campaign calls are spaced this far apart"
    )
    lease_s: float = Field(
        default=30.0,
        gt=0,
        description="How long one worker owns an onboarding step; a crashed worker's step is "
        "taken over after this (a stopped one hands it back at once)",
    )
    fees_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("A2P_FEES_FILE", "fees_file"),
        description="JSON fee table overriding the seed's default amounts (as the validator's)",
    )

    @field_validator("fees_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    def fee_table(self) -> FeeTable:
        return load_fee_table(self.fees_file)

    @property
    def inbound_url(self) -> str:
        return self.webhook_base_url.rstrip("/") + "/twilio/inbound"

    @property
    def trusthub_callback_url(self) -> str:
        return self.public_url.rstrip("/") + "/twilio/trusthub-status"

    @property
    def status_callback_url(self) -> str:
        return self.webhook_base_url.rstrip("/") + "/twilio/status"
