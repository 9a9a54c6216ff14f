"""The send pipeline's rules: segments, the registration and consent checks, the sender."""

import pytest

from a2p_messaging import sending
from a2p_messaging.domain import TenantNumber
from a2p_messaging.sending import ConsentView, Facts, TenantRules
from a2p_shared.events import BlockReason, MessageRequestedV1, Purpose
from a2p_shared.events.registration import Category, Tier, TransactionalConsent

SEGMENT_TABLE = [
    ("Hello from Springfield 311. Reply STOP to opt out.", 1, "GSM-7"),
    ("a" * 160, 1, "GSM-7"),
    ("a" * 161, 2, "GSM-7"),
    ("a" * 306, 2, "GSM-7"),
    ("a" * 307, 3, "GSM-7"),
    ("@£$¥èéùìò" * 10, 1, "GSM-7"),
    ("€" * 80, 1, "GSM-7"),
    ("€" * 81, 2, "GSM-7"),
    ("[braces] {and} ~tilde~ " * 7, 2, "GSM-7"),
    ("ç" * 70, 1, "UCS-2"),
    ("ç" * 71, 2, "UCS-2"),
    ("ç" * 134, 2, "UCS-2"),
    ("ç" * 135, 3, "UCS-2"),
    ("We\u2019re on our way", 1, "UCS-2"),
    ("😀" * 35, 1, "UCS-2"),
    ("😀" * 36, 2, "UCS-2"),
    ("Your code is 1234 " + "ü" * 10, 1, "GSM-7"),
    ("Привет", 1, "UCS-2"),
]


@pytest.mark.parametrize(("body", "count", "encoding"), SEGMENT_TABLE)
def test_segments_are_counted_as_carriers_count_them(body: str, count: int, encoding: str) -> None:
    assert sending.segments(body) == sending.Segments(count, encoding)  # type: ignore[arg-type]


TENANT = "springfield-il"
A, B = "+12175550100", "+12175550101"
PERSON = "+12175550142"


def number(phone: str) -> TenantNumber:
    return TenantNumber(
        phone=phone,
        tenant_id=TENANT,
        registration_id="reg-1",
        messaging_service_sid="MG" + "0" * 32,
        campaign_sid="QE" + "0" * 32,
        tier=Tier.STANDARD,
        phone_number_sid="PN" + "0" * 32,
    )


POOL = [number(A), number(B)]


def request(**changes: object) -> MessageRequestedV1:
    fields: dict[str, object] = {
        "message_id": "m-1",
        "to": PERSON,
        "idempotency_key": "k-1",
        "body": "Your permit is ready.",
        "category": Category.TRANSACTIONAL,
        **changes,
    }
    return MessageRequestedV1.model_validate(fields)


OPTED_IN = ConsentView("opted_in", frozenset({Category.TRANSACTIONAL}))
OPTED_OUT = ConsentView("opted_out")


def test_a_sender_that_is_not_the_tenants_is_not_registered() -> None:
    decision = sending.decide(request(from_number="+13125550100"), Facts(POOL, OPTED_IN))

    assert isinstance(decision, sending.Blocked)
    assert decision.reason is BlockReason.NOT_REGISTERED


def test_a_tenant_without_live_numbers_is_not_registered() -> None:
    decision = sending.decide(request(), Facts([], OPTED_IN))

    assert isinstance(decision, sending.Blocked)
    assert decision.reason is BlockReason.NOT_REGISTERED


def test_an_opted_out_person_gets_only_the_confirmation() -> None:
    for purpose in (Purpose.CAMPAIGN, Purpose.HELP_REPLY, Purpose.FIRST_CONTACT):
        decision = sending.decide(request(purpose=purpose), Facts(POOL, OPTED_OUT))
        assert isinstance(decision, sending.Blocked)
        assert decision.reason is BlockReason.OPTED_OUT
    confirmation = request(purpose=Purpose.OPTOUT_CONFIRMATION, from_number=B)
    decision = sending.decide(confirmation, Facts(POOL, OPTED_OUT))
    assert isinstance(decision, sending.Send)
    assert decision.sender.phone == B


@pytest.mark.parametrize(
    ("consent", "texted_us", "rule", "sent"),
    [
        (OPTED_IN, False, TransactionalConsent.OPT_IN, True),
        (None, True, TransactionalConsent.OPT_IN_OR_CONVERSATION, True),
        (None, True, TransactionalConsent.OPT_IN, False),
        (None, False, TransactionalConsent.OPT_IN_OR_CONVERSATION, False),
    ],
)
def test_transactional_texts_need_an_opt_in_or_by_the_tenants_rule_a_conversation(
    consent: ConsentView | None, texted_us: bool, rule: TransactionalConsent, sent: bool
) -> None:
    facts = Facts(POOL, consent, texted_us=texted_us, rules=TenantRules(rule))

    decision = sending.decide(request(), facts)

    assert isinstance(decision, sending.Send) is sent
    if not sent:
        assert decision.reason is BlockReason.NO_CONSENT  # type: ignore[union-attr]


def test_promotional_texts_need_promotional_consent() -> None:
    promotional = request(category=Category.PROMOTIONAL)
    both = ConsentView("opted_in", frozenset({Category.TRANSACTIONAL, Category.PROMOTIONAL}))

    assert isinstance(
        sending.decide(promotional, Facts(POOL, OPTED_IN, texted_us=True)), sending.Blocked
    )
    assert isinstance(sending.decide(promotional, Facts(POOL, both)), sending.Send)


def test_the_sender_is_sticky_per_person_and_spreads_people_over_the_pool() -> None:
    people = [f"+1312555{n:04d}" for n in range(200)]
    chosen = {p: sending.choose_sender(request(to=p), POOL) for p in people}

    assert all(sending.choose_sender(request(to=p), POOL) == chosen[p] for p in people)
    share = sum(1 for n in chosen.values() if n is not None and n.phone == A) / len(people)
    assert 0.35 < share < 0.65
    # A third number takes people only for itself: nobody moves between A and B.
    bigger = [*POOL, number("+12175550102")]
    for person, before in chosen.items():
        after = sending.choose_sender(request(to=person), bigger)
        assert after is not None
        assert after.phone in (before.phone if before else None, "+12175550102")
