from pydantic import Field
from pydantic_settings import SettingsConfigDict

from a2p_shared.settings import ServiceSettings


class OptoutSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPTOUT_", extra="ignore", populate_by_name=True)

    service_name: str = "optout"
    http_port: int = Field(default=8084, ge=1, le=65535)
