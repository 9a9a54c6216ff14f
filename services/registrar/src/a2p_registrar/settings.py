from pydantic import Field
from pydantic_settings import SettingsConfigDict

from a2p_shared.settings import ServiceSettings


class RegistrarSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="REGISTRAR_", extra="ignore", populate_by_name=True
    )

    service_name: str = "registrar"
    http_port: int = Field(default=8082, ge=1, le=65535)
