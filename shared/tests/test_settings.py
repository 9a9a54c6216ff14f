"""`a2p_shared.settings`: the settings every service shares, read from the environment."""

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from a2p_shared.settings import ServiceSettings

SHARED_VARIABLES = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "MONGODB_URL",
    "MONGODB_DATABASE",
    "A2P_TOPIC_SUFFIX",
    "UNITSVC_KAFKA_BOOTSTRAP_SERVERS",
    "UNITSVC_HTTP_PORT",
    "UNITSVC_SERVICE_NAME",
)


class UnitSettings(ServiceSettings):
    """A service's settings as services declare them: its own prefix and name.

    `http_port` keeps the base class's declaration (and its 1-65535 bounds); it comes from
    `UNITSVC_HTTP_PORT`.
    """

    model_config = SettingsConfigDict(env_prefix="UNITSVC_")

    service_name: str = "unitsvc"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SHARED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UNITSVC_HTTP_PORT", "8099")


class TestInfrastructureAddresses:
    def test_they_are_read_from_the_unprefixed_variables(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
        monkeypatch.setenv("MONGODB_URL", "mongodb://mongo:27017/")
        monkeypatch.setenv("MONGODB_DATABASE", "a2p_test")
        monkeypatch.setenv("A2P_TOPIC_SUFFIX", "run42")

        settings = UnitSettings()

        assert settings.kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"
        assert settings.mongodb_url == "mongodb://mongo:27017/"
        assert settings.mongodb_database == "a2p_test"
        assert settings.topic_suffix == "run42"

    def test_the_unprefixed_variable_wins_over_a_prefixed_one(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "shared:9092")
        monkeypatch.setenv("UNITSVC_KAFKA_BOOTSTRAP_SERVERS", "prefixed:9092")

        assert UnitSettings().kafka_bootstrap_servers == "shared:9092"

    def test_without_variables_the_local_defaults_apply(self) -> None:
        settings = UnitSettings()

        assert settings.kafka_bootstrap_servers == "127.0.0.1:19092"
        assert settings.mongodb_url == "mongodb://127.0.0.1:27018/"
        assert settings.mongodb_database == "a2p"
        assert settings.topic_suffix == ""

    def test_they_can_be_given_by_field_name(self) -> None:
        settings = UnitSettings(kafka_bootstrap_servers="k:1", mongodb_database="db")

        assert (settings.kafka_bootstrap_servers, settings.mongodb_database) == ("k:1", "db")


class TestServiceSpecificSettings:
    def test_they_are_read_with_the_service_prefix(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("UNITSVC_HTTP_PORT", "9123")

        assert UnitSettings().http_port == 9123

    def test_an_out_of_range_port_fails_at_construction(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("UNITSVC_HTTP_PORT", "70000")

        with pytest.raises(ValidationError) as exc:
            UnitSettings()

        assert [e["loc"] for e in exc.value.errors()] == [("http_port",)]

    def test_a_missing_port_fails_at_construction(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("UNITSVC_HTTP_PORT")

        with pytest.raises(ValidationError) as exc:
            UnitSettings()

        assert [(e["loc"], e["type"]) for e in exc.value.errors()] == [(("http_port",), "missing")]


class TestGroupId:
    def test_it_is_the_service_name_without_a_suffix(self) -> None:
        assert UnitSettings().group_id == "a2p-unitsvc"

    def test_it_includes_the_suffix(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("A2P_TOPIC_SUFFIX", "t1a2b3")

        assert UnitSettings().group_id == "a2p-unitsvc.t1a2b3"


class TestTopicSuffix:
    @pytest.mark.parametrize("suffix", ["a b", "a.b", "a/b", "ü"])
    def test_an_invalid_suffix_fails_at_construction(
        self, monkeypatch: pytest.MonkeyPatch, suffix: str
    ) -> None:
        monkeypatch.setenv("A2P_TOPIC_SUFFIX", suffix)

        with pytest.raises(ValidationError) as exc:
            UnitSettings()

        errors = exc.value.errors(include_url=False)
        assert [e["loc"] for e in errors] == [("A2P_TOPIC_SUFFIX",)]
        assert "String should match pattern" in errors[0]["msg"]

    def test_letters_digits_dash_and_underscore_are_accepted(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("A2P_TOPIC_SUFFIX", "Run_42-b")

        assert UnitSettings().topic_suffix == "Run_42-b"


class TestImmutability:
    def test_settings_cannot_be_changed_after_start_up(self) -> None:
        settings = UnitSettings()

        with pytest.raises(ValidationError) as exc:
            settings.topic_suffix = "other"  # type: ignore[misc]

        assert exc.value.errors()[0]["type"] == "frozen_instance"
