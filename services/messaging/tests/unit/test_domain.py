"""Twilio's webhook forms read as events, the ids that make a redelivery the same event, and
the URL a signature covers."""

from datetime import UTC, datetime

import pytest

from a2p_messaging import domain
from a2p_shared.events import NumberRegisteredV1
from a2p_shared.events.registration import Tier

from services.messaging.tests.fakes import NUMBER_A, PERSON, SID, inbound_form, status_form

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class TestInboundForm:
    def test_a_text_becomes_the_inbound_message_event(self) -> None:
        message = domain.inbound_message(inbound_form(), AT)

        assert message.message_sid == SID
        assert (message.from_number, message.to_number) == (PERSON, NUMBER_A)
        assert message.body == "Is the pothole on Elm St fixed?"
        assert (message.num_media, message.media_urls) == (0, [])
        assert message.messaging_service_sid == "MG" + "1" * 32
        assert message.received_at == AT
        assert message.subject_phone == PERSON

    def test_media_urls_are_kept_in_their_index_order(self) -> None:
        urls = {f"MediaUrl{i}": f"https://api.twilio.com/media/ME{i}" for i in (10, 2, 0, 1)}
        form = inbound_form(NumMedia="4", Body="", **urls)

        message = domain.inbound_message(form, AT)

        assert message.num_media == 4
        assert message.media_urls == [
            "https://api.twilio.com/media/ME0",
            "https://api.twilio.com/media/ME1",
            "https://api.twilio.com/media/ME2",
            "https://api.twilio.com/media/ME10",
        ]
        assert message.body == ""

    def test_numbers_written_with_punctuation_are_normalised(self) -> None:
        message = domain.inbound_message(inbound_form(From="+1 (217) 555-0142"), AT)

        assert message.from_number == PERSON

    def test_a_number_outside_a_messaging_service_has_no_service_sid(self) -> None:
        message = domain.inbound_message(inbound_form(MessagingServiceSid=None), AT)

        assert message.messaging_service_sid is None

    @pytest.mark.parametrize("field", ["MessageSid", "From", "To"])
    @pytest.mark.parametrize("value", [None, ""])
    def test_a_missing_field_twilio_always_sends_is_named(self, field: str, value: None) -> None:
        with pytest.raises(domain.InvalidForm) as raised:
            domain.inbound_message(inbound_form(**{field: value}), AT)

        assert (raised.value.field, raised.value.reason) == (field, "missing")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("From", "+447700900123"),
            ("From", "+1312555014"),
            ("To", "+10175550100"),
            ("To", "not-a-number"),
            ("MessageSid", "SM 123"),
            ("NumMedia", "two"),
            ("Body", "x" * 1601),
        ],
    )
    def test_an_invalid_field_is_named(self, field: str, value: str) -> None:
        with pytest.raises(domain.InvalidForm) as raised:
            domain.inbound_message(inbound_form(**{field: value}), AT)

        assert raised.value.field == field
        assert value not in raised.value.reason, "the reason does not echo a number"

    def test_a_non_us_sender_is_explained(self) -> None:
        with pytest.raises(domain.InvalidForm, match=r"^From: must be a US number"):
            domain.inbound_message(inbound_form(From="+447700900123"), AT)


class TestStatusForm:
    def test_a_status_callback_is_read(self) -> None:
        report = domain.status_report(status_form())

        assert report == domain.StatusReport(
            message_sid=SID, status="delivered", to=PERSON, from_number=NUMBER_A, error_code=None
        )

    def test_a_failure_carries_twilios_error_code(self) -> None:
        report = domain.status_report(status_form(MessageStatus="undelivered", ErrorCode="30003"))

        assert (report.status, report.error_code) == ("undelivered", 30003)

    def test_an_empty_error_code_is_none(self) -> None:
        assert domain.status_report(status_form(ErrorCode="")).error_code is None

    def test_the_event_names_our_message_and_twilios(self) -> None:
        report = domain.status_report(status_form(MessageStatus="failed", ErrorCode="21610"))

        status = domain.message_status(report, "msg_1", AT)

        assert (status.message_id, status.twilio_sid) == ("msg_1", SID)
        assert (status.to, status.from_number) == (PERSON, NUMBER_A)
        assert (status.status, status.error_code, status.reported_at) == ("failed", 21610, AT)
        assert status.subject_phone == PERSON

    @pytest.mark.parametrize("field", ["MessageSid", "MessageStatus", "From", "To"])
    def test_a_missing_field_is_named(self, field: str) -> None:
        with pytest.raises(domain.InvalidForm) as raised:
            domain.status_report(status_form(**{field: None}))

        assert raised.value.field == field

    @pytest.mark.parametrize(
        ("field", "value"),
        [("ErrorCode", "3000x"), ("MessageStatus", "Delivered!"), ("To", "+33612345678")],
    )
    def test_an_invalid_field_is_named(self, field: str, value: str) -> None:
        with pytest.raises(domain.InvalidForm) as raised:
            domain.status_report(status_form(**{field: value}))

        assert raised.value.field == field


class TestEventIds:
    def test_one_text_is_one_event_id_however_often_it_is_delivered(self) -> None:
        assert domain.inbound_event_id(SID) == domain.inbound_event_id(SID)
        assert domain.inbound_event_id(SID) != domain.inbound_event_id("SM" + "0b" * 16)

    def test_each_status_of_a_message_is_its_own_event(self) -> None:
        sent, delivered = (domain.status_event_id(SID, s) for s in ("sent", "delivered"))

        assert sent == domain.status_event_id(SID, "sent")
        assert sent != delivered
        assert domain.inbound_event_id(SID) not in (sent, delivered)

    def test_ids_do_not_change_between_releases(self) -> None:
        # Consumers deduplicate by id: a new namespace would make a redelivery a new event.
        assert str(domain.inbound_event_id(SID)) == "42fd47e6-20e7-518b-ab6c-9b836217f452"


class TestSignedUrl:
    @pytest.mark.parametrize(
        ("public_url", "path", "query", "expected"),
        [
            (
                "https://sms.example.com",
                "/twilio/inbound",
                "",
                "https://sms.example.com/twilio/inbound",
            ),
            (
                "https://sms.example.com/",
                "/twilio/status",
                "",
                "https://sms.example.com/twilio/status",
            ),
            (
                "https://example.com/sms",
                "/twilio/status",
                "",
                "https://example.com/sms/twilio/status",
            ),
            (
                "https://sms.example.com",
                "/twilio/inbound",
                "tenant=a&x=1",
                "https://sms.example.com/twilio/inbound?tenant=a&x=1",
            ),
        ],
    )
    def test_the_public_url_plus_path_and_query(
        self, public_url: str, path: str, query: str, expected: str
    ) -> None:
        assert domain.signed_url(public_url, path, query) == expected


class TestTenantNumber:
    def test_a_registered_number_belongs_to_the_events_tenant(self) -> None:
        registered = NumberRegisteredV1(
            registration_id="reg_1",
            revision=2,
            phone="+1 217 555 0100",
            phone_number_sid="PN" + "3" * 32,
            messaging_service_sid="MG" + "1" * 32,
            campaign_sid="QE" + "2" * 32,
            tier=Tier.LOW_VOLUME_STANDARD,
        )

        number = domain.tenant_number("springfield-il", registered)

        assert (number.phone, number.tenant_id, number.tier) == (
            NUMBER_A,
            "springfield-il",
            Tier.LOW_VOLUME_STANDARD,
        )


def test_a_masked_number_keeps_only_its_ends() -> None:
    assert domain.masked("+12175550142") == "+1217***0142"
    assert domain.masked("+1") == "***"
