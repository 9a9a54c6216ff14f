"""What the send pipeline decides before Twilio is called. Pure.

For each `message.requested`, in this order: is the sender registered to the tenant's verified
campaign; has the person not opted out (of this tenant, from any number); is there the consent
the category needs; how many segments it is (for the daily cap); which number sends it.
"""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from a2p_messaging.domain import TenantNumber
from a2p_shared.events import BlockReason, MessageRequestedV1, Purpose
from a2p_shared.events.registration import Category, TransactionalConsent

# GSM 03.38: the basic set (one septet each) and the extension table (escape + one septet).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")

Encoding = Literal["GSM-7", "UCS-2"]

# Carriers reset the daily caps at midnight Pacific (Twilio error 30023).
CAP_DAY_ZONE = ZoneInfo("America/Los_Angeles")


@dataclass(frozen=True, slots=True)
class Segments:
    count: int
    encoding: Encoding


def segments(body: str) -> Segments:
    """How many SMS segments `body` is, as carriers count and bill them."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in body):
        septets = sum(2 if ch in GSM_EXTENDED else 1 for ch in body)
        count = 1 if septets <= 160 else math.ceil(septets / 153)
        return Segments(count, "GSM-7")
    units = len(body.encode("utf-16-le")) // 2  # an emoji is two UTF-16 units
    return Segments(1 if units <= 70 else math.ceil(units / 67), "UCS-2")


def cap_day(now: datetime) -> str:
    return now.astimezone(CAP_DAY_ZONE).date().isoformat()


@dataclass(frozen=True, slots=True)
class ConsentView:
    """A person's latest record on the consent topic, as the messaging instance holds it."""

    state: Literal["opted_in", "opted_out"]
    categories: frozenset[Category] = frozenset()


@dataclass(frozen=True, slots=True)
class Blocked:
    reason: BlockReason
    detail: str


@dataclass(frozen=True, slots=True)
class Send:
    sender: TenantNumber
    segments: Segments


@dataclass(frozen=True, slots=True)
class TenantRules:
    """What the tenant's registration says about consent for transactional texts."""

    transactional_consent: TransactionalConsent = TransactionalConsent.OPT_IN_OR_CONVERSATION


@dataclass(frozen=True, slots=True)
class Facts:
    """What a decision needs to know about one request."""

    pool: list[TenantNumber]
    consent: ConsentView | None
    texted_us: bool = False
    rules: TenantRules = field(default_factory=TenantRules)


def decide(request: MessageRequestedV1, facts: Facts) -> Send | Blocked:
    sender = choose_sender(request, facts.pool)
    if sender is None:
        if request.from_number:
            detail = f"{request.from_number} is not a number of this tenant on a verified campaign"
        else:
            detail = "the tenant has no number on a verified campaign"
        return Blocked(BlockReason.NOT_REGISTERED, detail)
    blocked = consent_block(request, facts)
    if blocked is not None:
        return blocked
    return Send(sender, segments(request.body))


def consent_block(request: MessageRequestedV1, facts: Facts) -> Blocked | None:
    consent = facts.consent
    if consent is not None and consent.state == "opted_out":
        # The confirmation of the opt-out itself is the one text allowed after it; the optout
        # service asks for it once (its idempotency key makes it one send).
        if request.purpose is Purpose.OPTOUT_CONFIRMATION:
            return None
        return Blocked(BlockReason.OPTED_OUT, "the person opted out of this tenant's texts")
    if request.purpose is not Purpose.CAMPAIGN:
        return None  # a reply to the person's own text (HELP, START, first contact)
    opted_in = consent is not None and consent.state == "opted_in"
    if request.category is Category.PROMOTIONAL:
        if opted_in and Category.PROMOTIONAL in consent.categories:  # type: ignore[union-attr]
            return None
        return Blocked(
            BlockReason.NO_CONSENT, "promotional texts need promotional consent on record"
        )
    if opted_in:
        return None
    conversation = facts.rules.transactional_consent is TransactionalConsent.OPT_IN_OR_CONVERSATION
    if conversation and facts.texted_us:
        return None
    needed = "a recorded opt-in or a text from the person" if conversation else "a recorded opt-in"
    return Blocked(BlockReason.NO_CONSENT, f"transactional texts to this person need {needed}")


def choose_sender(request: MessageRequestedV1, pool: list[TenantNumber]) -> TenantNumber | None:
    """The requested number if it is the tenant's, else one of the pool, the same for a person
    every time (rendezvous hashing: adding a number moves only the people it wins)."""
    if request.from_number:
        return next((n for n in pool if n.phone == request.from_number), None)
    if not pool:
        return None
    return max(pool, key=lambda number: _weight(number.phone, request.to))


def _weight(sender: str, recipient: str) -> bytes:
    return hashlib.blake2b(f"{sender}|{recipient}".encode(), digest_size=8).digest()
