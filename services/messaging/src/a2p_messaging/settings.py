from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from a2p_shared.events.registration import Tier
from a2p_shared.settings import ServiceSettings


class MessagingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="MESSAGING_", extra="ignore", populate_by_name=True
    )

    service_name: str = "messaging"
    http_port: int = Field(default=8083, ge=1, le=65535)
    public_url: str = Field(
        default="http://127.0.0.1:8083",
        description="The base URL Twilio calls, as configured on every messaging service (the "
        "registrar's REGISTRAR_WEBHOOK_BASE_URL): webhook signatures are checked against it plus "
        "the request's path, not against the address this process sees behind a proxy",
    )
    publish_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="How long a webhook waits for Kafka to acknowledge its event before it "
        "answers 503 (Twilio gives up on a webhook after 15 s)",
    )

    daily_cap_low_volume: int = Field(
        default=6_000, ge=0, description="Segments a day for a low-volume standard brand"
    )
    daily_cap_standard: int = Field(
        default=200_000, ge=0, description="Segments a day for a standard brand"
    )
    daily_cap_sole_proprietor: int = Field(
        default=1_000, ge=0, description="Segments a day for a sole-proprietor brand"
    )
    batch_max: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="Most requests decided together (one consent catch-up per batch)",
    )
    batch_wait_ms: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="How long an idle instance waits for requests before it looks again "
        "(FastStream sleeps as long again after an empty poll): the pickup delay when quiet",
    )
    consent_wait_s: float = Field(
        default=10.0,
        gt=0,
        description="How long a batch waits for the consent table to reach the consent topic's "
        "end before it is retried (never decided on a stale table)",
    )

    @property
    def status_callback_url(self) -> str:
        return f"{self.public_url}/twilio/status"

    def caps(self) -> dict[Tier, int]:
        return {
            Tier.LOW_VOLUME_STANDARD: self.daily_cap_low_volume,
            Tier.STANDARD: self.daily_cap_standard,
            Tier.SOLE_PROPRIETOR: self.daily_cap_sole_proprietor,
        }

    @field_validator("public_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
            raise ValueError("must be an http(s) base URL without query or fragment")
        return value.rstrip("/")
