"""`a2p_shared.events.consent`: opt-outs and opt-ins on the compacted consent topic."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from a2p_shared.events import ConsentEvidence, ConsentSource, OptInRecordedV1, OptOutRecordedV1

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _locations(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.value.errors()]


class TestOptOutRecorded:
    def test_the_numbers_are_normalised_and_the_subject_is_the_person(self) -> None:
        event = OptOutRecordedV1(
            phone="217-555-0142",
            source=ConsentSource.KEYWORD,
            keyword="STOP",
            via_number="(217) 555-0100",
            recorded_at=NOW,
        )

        assert event.phone == "+12175550142"
        assert event.via_number == "+12175550100"
        assert event.subject_phone == "+12175550142"

    def test_an_unknown_source_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            OptOutRecordedV1(phone="+12175550142", source="email", recorded_at=NOW)  # type: ignore[arg-type]

        assert _locations(exc) == ["source"]

    def test_a_foreign_number_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            OptOutRecordedV1(phone="+442071838750", source="keyword", recorded_at=NOW)  # type: ignore[arg-type]

        assert _locations(exc) == ["phone"]


class TestOptInRecorded:
    def test_it_needs_at_least_one_category(self) -> None:
        with pytest.raises(ValidationError) as exc:
            OptInRecordedV1(
                phone="+12175550142",
                source="platform",
                recorded_at=NOW,  # type: ignore[arg-type]
                categories=[],
            )

        assert _locations(exc) == ["categories"]

    def test_it_shares_the_consent_event_version_with_opt_outs(self) -> None:
        assert (OptInRecordedV1.event_type, OptInRecordedV1.event_version) == ("optin.recorded", 1)
        assert OptOutRecordedV1.event_type == "optout.recorded"


class TestConsentEvidence:
    def test_evidence_keeps_the_consent_text_and_where_it_was_shown(self) -> None:
        evidence = ConsentEvidence(
            method="web_form",
            text="I agree to receive texts.",
            text_version="v3",
            url="https://www.springfield.example/sms",
            collected_at=NOW,
        )

        assert evidence.url == "https://www.springfield.example/sms"

    def test_a_naive_collection_time_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            ConsentEvidence(method="paper", collected_at=datetime(2025, 3, 1, 12))  # noqa: DTZ001

        assert _locations(exc) == ["collected_at"]

    def test_a_non_web_url_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            ConsentEvidence(method="web_form", url="javascript:alert(1)", collected_at=NOW)

        assert _locations(exc) == ["url"]
