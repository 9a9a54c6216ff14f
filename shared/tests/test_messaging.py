"""`a2p_shared.events.messaging`: sends, their outcomes, delivery statuses and inbound texts."""

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from a2p_shared.events import (
    BlockReason,
    InboundMessageV1,
    MessageBlockedV1,
    MessageRequestedV1,
    MessageSentV1,
    Purpose,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
REQUEST: dict[str, Any] = {
    "message_id": "m1",
    "to": "+12175550142",
    "idempotency_key": "k1",
    "body": "Your pothole report #311 was resolved. Reply STOP to opt out.",
    "category": "transactional",
}


def _locations(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.value.errors()]


class TestMessageRequested:
    def test_a_request_defaults_to_a_campaign_message_from_the_pool(self) -> None:
        event = MessageRequestedV1.model_validate({**REQUEST, "to": "(217) 555-0142"})

        assert event.purpose is Purpose.CAMPAIGN
        assert event.from_number is None
        assert event.to == "+12175550142"
        assert event.subject_phone == "+12175550142"

    @pytest.mark.parametrize(
        ("change", "location"),
        [
            pytest.param({"body": ""}, "body", id="empty-body"),
            pytest.param({"body": "x" * 1601}, "body", id="body-1601"),
            pytest.param({"idempotency_key": ""}, "idempotency_key", id="empty-idempotency-key"),
            pytest.param({"category": "marketing"}, "category", id="unknown-category"),
            pytest.param({"purpose": "reminder"}, "purpose", id="unknown-purpose"),
            pytest.param({"to": "+442071838750"}, "to", id="foreign-recipient"),
            pytest.param({"media_url": "ftp://x.example/a.png"}, "media_url", id="ftp-media"),
        ],
    )
    def test_a_malformed_request_is_refused_at_the_field(
        self, change: dict[str, Any], location: str
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            MessageRequestedV1.model_validate({**REQUEST, **change})

        assert _locations(exc) == [location]

    def test_a_body_of_1600_characters_is_accepted(self) -> None:
        assert len(MessageRequestedV1.model_validate({**REQUEST, "body": "x" * 1600}).body) == 1600


class TestMessageOutcomes:
    def test_a_sent_message_needs_a_known_encoding(self) -> None:
        with pytest.raises(ValidationError) as exc:
            MessageSentV1(
                message_id="m1",
                to="+12175550142",
                twilio_sid="SM1",
                from_number="+12175550100",
                segments=1,
                encoding="UTF-8",
            )  # type: ignore[arg-type]

        assert _locations(exc) == ["encoding"]

    def test_a_sent_message_has_at_least_one_segment(self) -> None:
        with pytest.raises(ValidationError) as exc:
            MessageSentV1(
                message_id="m1",
                to="+12175550142",
                twilio_sid="SM1",
                from_number="+12175550100",
                segments=0,
                encoding="GSM-7",
            )

        assert _locations(exc) == ["segments"]

    def test_a_block_carries_its_reason(self) -> None:
        event = MessageBlockedV1(
            message_id="m1",
            to="+12175550142",
            reason="opted_out",  # type: ignore[arg-type]
            detail="STOP received",
        )

        assert event.reason is BlockReason.OPTED_OUT


class TestInboundMessage:
    def test_the_subject_is_the_sender(self) -> None:
        event = InboundMessageV1(
            message_sid="SM1",
            from_number="217.555.0142",
            to_number="+12175550100",
            body="STOP",
            received_at=NOW,
        )

        assert event.subject_phone == "+12175550142"
        assert event.num_media == 0
        assert event.media_urls == []

    def test_a_negative_media_count_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            InboundMessageV1(
                message_sid="SM1",
                from_number="+12175550142",
                to_number="+12175550100",
                body="",
                num_media=-1,
                received_at=NOW,
            )

        assert _locations(exc) == ["num_media"]
