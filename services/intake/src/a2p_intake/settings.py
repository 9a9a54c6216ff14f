from pydantic import Field
from pydantic_settings import SettingsConfigDict

from a2p_shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    service_name: str = "intake"
    http_port: int = Field(default=8080, ge=1, le=65535)
    max_body_bytes: int = Field(
        default=256 * 1024, ge=1024, description="Larger request bodies are refused with 413"
    )
