"""Where the emulator listens, which account it is, and how long Twilio's reviews take."""

from typing import Annotated

from pydantic import Field, SecretStr, StringConstraints, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The same literal values as `a2p_shared.twilio.LOCAL_ACCOUNT_SID` / `LOCAL_AUTH_TOKEN`: the
# emulator stands in for Twilio and imports none of our code, so they are repeated here.
LOCAL_ACCOUNT_SID = "AC" + "a2" * 16
# Not a secret: the well-known token of the local account, never of a real one.
LOCAL_AUTH_TOKEN = "local-emulator-auth-token"  # noqa: S105
PRIMARY_CUSTOMER_PROFILE_SID = "BU" + "a2" * 16


class EmulatorSettings(BaseSettings):
    """`EMULATOR_*` variables, plus the account's `TWILIO_ACCOUNT_SID` / `TWILIO_AUTH_TOKEN`."""

    model_config = SettingsConfigDict(
        env_prefix="EMULATOR_", extra="ignore", frozen=True, populate_by_name=True
    )

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8089, ge=0, le=65535)
    account_sid: str = Field(
        default=LOCAL_ACCOUNT_SID,
        pattern=r"^AC[0-9a-fA-F]{32}$",
        validation_alias="TWILIO_ACCOUNT_SID",
    )
    auth_token: SecretStr = Field(
        default=SecretStr(LOCAL_AUTH_TOKEN),
        validation_alias="TWILIO_AUTH_TOKEN",
        description="HTTP Basic password of the account, and the key webhooks are signed with",
    )
    primary_customer_profile_sid: str = Field(
        default=PRIMARY_CUSTOMER_PROFILE_SID,
        pattern=r"^BU[0-9a-fA-F]{32}$",
        description="The ISV's own primary customer profile; exists at start-up, twilio-approved",
    )
    owned_numbers: Annotated[
        tuple[Annotated[str, StringConstraints(pattern=r"^\+1[2-9]\d{2}[2-9]\d{6}$")], ...],
        NoDecode,
    ] = Field(
        default=(),
        description="US numbers the account owns from the start (comma-separated E.164), as if "
        "bought in Console; a reset keeps them",
    )
    review_delay_s: float = Field(
        default=2.0,
        ge=0,
        description="Default time a profile, trust product, brand or campaign spends in review",
    )
    message_latency_s: float = Field(
        default=0.1, ge=0, description="Default time between two status changes of a message"
    )
    webhook_timeout_s: float = Field(
        default=5.0, gt=0, description="How long a webhook or status callback may take to answer"
    )

    @field_validator("owned_numbers", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value
