from pydantic import Field
from pydantic_settings import SettingsConfigDict

from a2p_shared.settings import ServiceSettings


class ValidatorSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="VALIDATOR_", extra="ignore", populate_by_name=True
    )

    service_name: str = "validator"
    http_port: int = Field(default=8081, ge=1, le=65535)
