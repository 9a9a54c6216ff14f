"""The consent use cases on fakes: tenant-wide opt-out, one confirmation, the first-contact
reply once, START after STOP, reviews, platform consent and Twilio's 21610."""

from datetime import UTC, datetime
from typing import Any

import pytest

from a2p_optout import domain, service
from a2p_shared.events import (
    ConsentSource,
    Envelope,
    InboundMessageV1,
    MessageFailedV1,
    Purpose,
    RecordConsent,
    RegistrationRequest,
)
from a2p_shared.events.registration import OptOutMode

from services.optout.tests.fakes import Clock, MemoryStore, Published

TENANT = "springfield-il"
PERSON = "+12175550199"
NUMBER_A, NUMBER_B = "+12175550100", "+12175550101"


class Consent:
    def __init__(self, **deps: Any) -> None:
        self.store, self.events = MemoryStore(), Published()
        self.deps = service.Deps(self.store, self.events, Clock(), **deps)
        self.texts = 0

    async def registered(self, document: dict[str, Any], **messaging: str) -> None:
        request = RegistrationRequest.model_validate({**document, "messaging": messaging})
        await service.remember_registration(self.deps, TENANT, request, Clock().now())

    async def text(
        self, body: str, *, to: str = NUMBER_A, tenant: str = TENANT, sid: str | None = None
    ) -> Envelope[InboundMessageV1]:
        self.texts += 1
        sid = sid or f"SM{self.texts:032d}"
        event = Envelope.new(
            InboundMessageV1(
                message_sid=sid,
                from_number=PERSON,
                to_number=to,
                body=body,
                received_at=datetime(2026, 11, 24, 12, self.texts, tzinfo=UTC),
            ),
            tenant_id=tenant,
            correlation_id=sid,
        )
        await service.handle_inbound(self.deps, event)
        return event

    async def state(self, tenant: str = TENANT) -> str:
        return (await self.store.person(tenant, PERSON)).person.state

    def replies(self) -> list[Purpose]:
        return [e.payload.purpose for e in self.events.of("message.requested")]


@pytest.fixture
def consent() -> Consent:
    return Consent()


async def test_stop_to_one_number_opts_out_of_the_tenant_and_is_confirmed_from_it(
    consent: Consent,
) -> None:
    await consent.text("STOP", to=NUMBER_B)

    [change] = consent.events.of("optout.recorded")
    assert (change.payload.phone, change.payload.via_number) == (PERSON, NUMBER_B)
    assert (change.payload.source, change.payload.keyword) == (ConsentSource.KEYWORD, "STOP")
    assert change.tenant_id == TENANT
    [reply] = consent.events.of("message.requested")
    assert reply.payload.purpose is Purpose.OPTOUT_CONFIRMATION
    assert (reply.payload.to, reply.payload.from_number) == (PERSON, NUMBER_B)
    assert await consent.state() == "opted_out"
    assert await consent.state("another-tenant") == "none"


async def test_a_second_stop_changes_nothing_and_gets_no_second_confirmation(
    consent: Consent,
) -> None:
    await consent.text("STOP")
    await consent.text("stop", to=NUMBER_B)

    assert len(consent.events.of("optout.recorded")) == 1
    assert consent.replies() == [Purpose.OPTOUT_CONFIRMATION]


async def test_after_an_opt_out_only_start_is_answered(consent: Consent) -> None:
    await consent.text("STOP")
    await consent.text("HELP")
    await consent.text("hello?")
    await consent.text("START")

    assert consent.replies() == [Purpose.OPTOUT_CONFIRMATION, Purpose.OPTIN_CONFIRMATION]
    assert await consent.state() == "opted_in"
    [opt_in] = consent.events.of("optin.recorded")
    assert opt_in.payload.categories == ["transactional"]


async def test_the_first_text_gets_the_first_contact_reply_once(consent: Consent) -> None:
    await consent.text("Hi, is the pool open today?")
    await consent.text("And tomorrow?")
    await consent.text("HELP")

    assert consent.replies() == [Purpose.FIRST_CONTACT, Purpose.HELP_REPLY]
    [first] = consent.events.of("message.requested")[:1]
    assert first.payload.idempotency_key == f"optout:first_contact:{TENANT}:{PERSON}"


async def test_a_redelivered_text_publishes_the_same_events_and_applies_once(
    consent: Consent,
) -> None:
    event = await consent.text("STOP")
    first = [(e.type, e.event_id) for e in consent.events.events]
    await service.handle_inbound(consent.deps, event)
    assert [(e.type, e.event_id) for e in consent.events.events] == first

    # A crash after publishing and before recording: the same events again, same ids.
    rerun = Consent()
    await service.handle_inbound(rerun.deps, event)
    assert [(e.type, e.event_id) for e in rerun.events.events] == first


async def test_the_tenants_own_replies_and_keywords_are_used(
    consent: Consent, registration_document: dict[str, Any]
) -> None:
    document = {**registration_document}
    document["campaign"] = {
        **document["campaign"],
        "opt_out_keywords": ["STOP", "ARRET"],
        "opt_out_message": "Springfield: you will get no more texts. Reply START to rejoin.",
    }
    await consent.registered(document)

    await consent.text("Arret")

    [change] = consent.events.of("optout.recorded")
    assert (change.payload.source, change.payload.keyword) == (
        ConsentSource.TENANT_KEYWORD,
        "ARRET",
    )
    [reply] = consent.events.of("message.requested")
    assert reply.payload.body == "Springfield: you will get no more texts. Reply START to rejoin."


async def test_reasonable_means_opts_out_in_plain_words_and_sends_unclear_ones_to_staff(
    consent: Consent, registration_document: dict[str, Any]
) -> None:
    await consent.registered(registration_document, opt_out_mode="reasonable_means")

    await consent.text("wrong number")
    [review] = consent.events.of("consent.review_requested")
    assert await consent.state() == "none"
    assert consent.replies() == [Purpose.FIRST_CONTACT]

    await consent.text("please stop texting me")
    [change] = consent.events.of("optout.recorded")
    assert change.payload.source is ConsentSource.REASONABLE_MEANS
    assert change.payload.keyword == "please stop texting me"

    # Staff agree with the first text too: nothing more to change, nothing more to send.
    decision = RecordConsent(
        tenant_id=TENANT,
        phone=PERSON,
        action="opt_out",
        source="staff_review",
        review_id=review.payload.review_id,
        idempotency_key="review:1",
    )
    await service.handle_recorded_consent(consent.deps, decision, "consent:review:1")
    assert len(consent.events.of("optout.recorded")) == 1
    assert (await consent.store.person(TENANT, PERSON)).open_reviews == {}


async def test_a_staff_decision_opts_out_and_confirms_from_the_number_texted(
    consent: Consent, registration_document: dict[str, Any]
) -> None:
    await consent.registered(registration_document, opt_out_mode="reasonable_means")
    await consent.text("not interested", to=NUMBER_B)
    [review] = consent.events.of("consent.review_requested")

    decision = RecordConsent(
        tenant_id=TENANT,
        phone=PERSON,
        action="opt_out",
        source="staff_review",
        review_id=review.payload.review_id,
    )
    await service.handle_recorded_consent(consent.deps, decision, "consent:kafka:t:0:7")

    [change] = consent.events.of("optout.recorded")
    assert (change.payload.source, change.payload.message_sid) == (
        ConsentSource.STAFF_REVIEW,
        review.payload.review_id,
    )
    confirmation = consent.events.of("message.requested")[-1]
    assert confirmation.payload.purpose is Purpose.OPTOUT_CONFIRMATION
    assert confirmation.payload.from_number == NUMBER_B


async def test_platform_consent_merges_categories_and_keeps_the_evidence(
    consent: Consent,
) -> None:
    evidence = {
        "method": "web_form",
        "text": "Text me appointment reminders",
        "collected_at": "2026-11-20T10:00:00Z",
    }
    for key, categories in (("a", ["transactional"]), ("b", ["promotional"])):
        command = RecordConsent.model_validate(
            {
                "tenant_id": TENANT,
                "phone": PERSON,
                "action": "opt_in",
                "categories": categories,
                "evidence": evidence,
            }
        )
        await service.handle_recorded_consent(consent.deps, command, f"consent:{key}")

    changes = consent.events.of("optin.recorded")
    assert [c.payload.categories for c in changes] == [
        ["transactional"],
        ["promotional", "transactional"],
    ]
    assert changes[0].payload.evidence.method == "web_form"
    assert changes[0].payload.source is ConsentSource.PLATFORM
    assert consent.replies() == []


async def test_twilios_21610_becomes_a_tenant_wide_opt_out_once(consent: Consent) -> None:
    failed = Envelope.new(
        MessageFailedV1(
            message_id="m-1",
            to=PERSON,
            twilio_code=21610,
            detail="Attempt to send to unsubscribed recipient",
            from_number=NUMBER_A,
        ),
        tenant_id=TENANT,
        correlation_id="m-1",
    )
    for _ in range(2):
        await service.handle_refused_send(
            consent.deps, failed, phone=PERSON, via_number=NUMBER_A, source_id="21610:m-1"
        )

    [change] = consent.events.of("optout.recorded")
    assert change.payload.source is ConsentSource.CARRIER
    assert consent.replies() == []
    assert await consent.state() == "opted_out"


async def test_twilio_may_answer_its_own_keywords(consent: Consent) -> None:
    consent.deps.twilio_answers_keywords = True

    await consent.text("STOP")
    await consent.text("START")
    await consent.text("HELP")

    assert len(consent.events.of("optout.recorded")) == 1
    assert consent.replies() == []


def test_default_replies_name_the_tenant_and_say_stop_and_help() -> None:
    profile = domain.TenantProfile(name="City of Springfield", mode=OptOutMode.KEYWORD)

    first = profile.reply_text(Purpose.FIRST_CONTACT)
    assert "City of Springfield" in first
    assert "STOP" in first
    assert "HELP" in first
    assert "rates may apply" in first
