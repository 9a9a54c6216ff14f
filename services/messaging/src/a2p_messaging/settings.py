from pydantic import Field
from pydantic_settings import SettingsConfigDict

from a2p_shared.settings import ServiceSettings


class MessagingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="MESSAGING_", extra="ignore", populate_by_name=True
    )

    service_name: str = "messaging"
    http_port: int = Field(default=8083, ge=1, le=65535)
