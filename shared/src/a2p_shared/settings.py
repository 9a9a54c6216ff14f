"""Typed settings every service shares; each service subclasses with its own `env_prefix`."""

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from the environment once, at `create_app`; invalid values fail at start-up.

    Infrastructure addresses use the unprefixed names every tool in the stack shares;
    service-specific settings carry the service's prefix (`INTAKE_HTTP_PORT`…).
    Telemetry is configured with the standard `OTEL_*` variables.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    service_name: str
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    mongodb_url: str = Field(
        default="mongodb://127.0.0.1:27018/",
        validation_alias=AliasChoices("MONGODB_URL", "mongodb_url"),
    )
    mongodb_database: str = Field(
        default="a2p", validation_alias=AliasChoices("MONGODB_DATABASE", "mongodb_database")
    )
    topic_suffix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9_-]*$",
        validation_alias=AliasChoices("A2P_TOPIC_SUFFIX", "topic_suffix"),
        description="Appended to every topic and consumer group (isolated test or side-by-side "
        "stacks); empty in production",
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(ge=1, le=65535)
    consumer_retry_backoff_max_s: float = Field(
        default=5.0,
        gt=0,
        description="Longest pause before a record whose processing failed for a transient "
        "reason (database or broker down) is tried again",
    )

    @property
    def group_id(self) -> str:
        group = f"a2p-{self.service_name}"
        return f"{group}.{self.topic_suffix}" if self.topic_suffix else group
