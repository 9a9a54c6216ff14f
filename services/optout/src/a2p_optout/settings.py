from pydantic import Field
from pydantic_settings import SettingsConfigDict

from a2p_shared.settings import ServiceSettings


class OptoutSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPTOUT_", extra="ignore", populate_by_name=True)

    service_name: str = "optout"
    http_port: int = Field(default=8084, ge=1, le=65535)
    twilio_answers_keywords: bool = Field(
        default=False,
        description="Twilio's own replies to STOP, START and HELP stand (its default keyword "
        "handling); ours go only to what Twilio does not see (tenant keywords, reasonable "
        "means, staff and platform decisions)",
    )
    profile_cache_s: float = Field(
        default=10.0,
        ge=0,
        description="How long an instance reuses a tenant's keywords, replies and mode before "
        "reading them again (a corrected registration takes effect within this time)",
    )
