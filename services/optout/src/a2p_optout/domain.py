"""What a person's text means for their consent, and what the tenant owes them in reply. Pure.

Two modes per tenant (`RegistrationRequest.messaging.opt_out_mode`):

- `keyword`: only a text that is one keyword alone counts, as Twilio and the carriers define
  them: case, surrounding blanks and trailing punctuation are ignored, nothing else is.
- `reasonable_means` (FCC 47 CFR 64.1200(a)(10)): also short texts that plainly revoke consent;
  short texts that may revoke it but do not plainly say so go to staff review.
"""

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from a2p_shared.events import ConsentSource, Purpose, RegistrationRequest
from a2p_shared.events.registration import Category, OptOutMode

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})

_TRAILING_PUNCTUATION = ".,!?;:'\"…)"

# Reasonable means. A text is reduced to its core: lower case, apostrophes dropped ("don't" ->
# "dont"), punctuation to blanks, polite and filler words removed. A core in PLAIN_REVOCATIONS
# revokes consent; a short text that still contains a REVOCATION_CUE goes to staff.
FILLER_WORDS = frozenset(
    {
        "please", "pls", "plz", "now", "thanks", "thank", "you", "thx", "ty", "ok", "okay",
        "kindly", "just", "immediately", "asap", "me", "my", "i", "im", "want", "to", "would",
        "like", "id", "all", "these", "those", "the", "your", "this", "from", "anymore", "any",
        "of", "us", "a", "and", "right", "away", "already", "hi", "hello", "hey", "sir", "maam",
    }
)  # fmt: skip
PLAIN_REVOCATIONS = frozenset(
    {
        "stop", "quit", "end", "cancel", "unsubscribe", "revoke", "opt out", "optout",
        "stop texting", "stop texts", "stop text", "stop messaging", "stop messages",
        "stop sending", "stop sending texts", "stop sending messages", "stop contacting",
        "stop text messages", "stop sending text messages", "no more texts", "no more text",
        "no more messages", "no more text messages", "no texts", "dont text", "do not text",
        "dont message", "do not message", "dont contact", "do not contact", "dont send texts",
        "do not send texts", "remove list", "remove", "take off list", "opt out texts",
        "unsubscribe texts", "cancel texts", "end texts", "cancel messages",
        "cancel subscription", "unsubscribe list", "revoke consent",
    }
)  # fmt: skip
REVOCATION_CUES = (
    "stop", "unsubscribe", "opt out", "optout", "remove", "no more", "dont text",
    "do not text", "dont message", "do not message", "wrong number", "not interested",
    "leave alone", "revoke", "block",
)  # fmt: skip
REVIEW_MAX_WORDS = 8


class Intent(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    REVIEW = "review"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class TenantProfile:
    """What the tenant registered: its name, keywords, replies, categories and mode."""

    name: str = ""
    website: str = ""
    mode: OptOutMode = OptOutMode.KEYWORD
    extra_opt_out: frozenset[str] = frozenset()
    extra_opt_in: frozenset[str] = frozenset()
    extra_help: frozenset[str] = frozenset()
    categories: frozenset[Category] = frozenset({Category.TRANSACTIONAL})
    opt_out_message: str | None = None
    opt_in_message: str | None = None
    help_message: str | None = None
    auto_response: str | None = None

    @classmethod
    def of(cls, request: RegistrationRequest) -> "TenantProfile":
        campaign = request.campaign
        return cls(
            name=request.brand.dba_name or request.brand.legal_name,
            website=str(request.brand.website),
            mode=request.messaging.opt_out_mode,
            extra_opt_out=_upper(campaign.opt_out_keywords) - OPT_OUT_KEYWORDS,
            extra_opt_in=_upper(campaign.opt_in_keywords) - OPT_IN_KEYWORDS,
            extra_help=_upper(campaign.help_keywords) - HELP_KEYWORDS,
            categories=frozenset(campaign.categories),
            opt_out_message=campaign.opt_out_message,
            opt_in_message=campaign.opt_in_message,
            help_message=campaign.help_message,
            auto_response=campaign.auto_response,
        )

    def reply_text(self, purpose: Purpose) -> str:
        """The tenant's registered text for a reply, or a compliant default naming the tenant."""
        name = self.name or "This number"
        match purpose:
            case Purpose.OPTOUT_CONFIRMATION:
                return self.opt_out_message or (
                    f"{name}: You are unsubscribed and will receive no more messages. "
                    "Reply START to resubscribe."
                )
            case Purpose.OPTIN_CONFIRMATION:
                return self.opt_in_message or (
                    f"{name}: You are subscribed again. Reply HELP for help, STOP to opt out. "
                    "Msg & data rates may apply."
                )
            case Purpose.HELP_REPLY:
                where = f" visit {self.website} or" if self.website else ""
                return self.help_message or (
                    f"{name}: For help{where} reply to this message. Reply STOP to opt out. "
                    "Msg & data rates may apply."
                )
            case Purpose.FIRST_CONTACT:
                return self.auto_response or (
                    f"Thanks for contacting {name}. We've received your message and will "
                    "respond soon. Reply STOP to opt out, HELP for help. Msg & data rates may "
                    "apply."
                )
        raise ValueError(f"no reply text for {purpose}")


def _upper(words: list[str]) -> frozenset[str]:
    return frozenset(word.strip().upper() for word in words)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a text means: its intent, the keyword or phrase, and where that rule comes from."""

    intent: Intent
    keyword: str | None = None
    source: ConsentSource | None = None
    reason: str | None = None


def keyword_of(body: str) -> str:
    """The text as a keyword: blanks around and punctuation at the end ignored, upper case."""
    return body.strip().rstrip(_TRAILING_PUNCTUATION).strip().upper()


def core_of(body: str) -> list[str]:
    """The text's words without punctuation, apostrophes or polite filler, lower case."""
    text = re.sub(r"['\u2019`]", "", body.lower())
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return [word for word in words if word not in FILLER_WORDS]


def read(body: str, profile: TenantProfile) -> Reading:
    word = keyword_of(body)
    if word in OPT_OUT_KEYWORDS:
        return Reading(Intent.OPT_OUT, word, ConsentSource.KEYWORD)
    if word in OPT_IN_KEYWORDS:
        return Reading(Intent.OPT_IN, word, ConsentSource.KEYWORD)
    if word in HELP_KEYWORDS:
        return Reading(Intent.HELP, word)
    if word in profile.extra_opt_out:
        return Reading(Intent.OPT_OUT, word, ConsentSource.TENANT_KEYWORD)
    if word in profile.extra_opt_in:
        return Reading(Intent.OPT_IN, word, ConsentSource.TENANT_KEYWORD)
    if word in profile.extra_help:
        return Reading(Intent.HELP, word)
    if profile.mode is OptOutMode.REASONABLE_MEANS:
        return _reasonable_means(body)
    return Reading(Intent.OTHER)


def _reasonable_means(body: str) -> Reading:
    core = " ".join(core_of(body))
    if core in PLAIN_REVOCATIONS:
        return Reading(Intent.OPT_OUT, body.strip()[:160], ConsentSource.REASONABLE_MEANS)
    words = len(body.split())
    padded = f" {core} "
    cue = next((cue for cue in REVOCATION_CUES if f" {cue} " in padded), None)
    if cue is not None and words <= REVIEW_MAX_WORDS:
        return Reading(
            Intent.REVIEW,
            reason=f"mentions '{cue}' but is not a plain request to stop all texts",
        )
    return Reading(Intent.OTHER)


# --- what to do ------------------------------------------------------------------------------

ConsentState = Literal["none", "opted_in", "opted_out"]


@dataclass(frozen=True, slots=True)
class Person:
    """One person's consent with one tenant, as the optout service keeps it."""

    state: ConsentState = "none"
    categories: frozenset[Category] = frozenset()
    texted_before: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """The consent change (if any), the replies owed, and whether staff must look."""

    person: Person
    change: Literal["opt_out", "opt_in"] | None = None
    replies: tuple[Purpose, ...] = ()
    review: str | None = None
    notes: list[str] = field(default_factory=list)


def decide(
    reading: Reading,
    person: Person,
    profile: TenantProfile,
    *,
    twilio_answers_keywords: bool = False,
) -> Outcome:
    """A person's text, given their consent so far.

    After an opt-out only START (or a tenant opt-in keyword) gets an answer: the confirmation
    is the last text a person who said STOP receives. A repeated STOP changes nothing and
    gets no second confirmation. The first-contact reply answers a person's first text that
    is not a keyword, once. With `twilio_answers_keywords`, Twilio's own replies to its
    default keywords stand and ours are not sent.
    """
    first_text = not person.texted_before
    person = replace(person, texted_before=True)
    twilio_replied = twilio_answers_keywords and reading.source is ConsentSource.KEYWORD
    match reading.intent:
        case Intent.OPT_OUT:
            if person.state == "opted_out":
                return Outcome(person, notes=["already opted out"])
            confirm = () if twilio_replied else (Purpose.OPTOUT_CONFIRMATION,)
            return Outcome(replace(person, state="opted_out"), "opt_out", confirm)
        case Intent.OPT_IN:
            categories = person.categories | profile.categories
            if person.state == "opted_in" and categories == person.categories:
                return Outcome(person, notes=["already opted in"])
            confirm = () if twilio_replied else (Purpose.OPTIN_CONFIRMATION,)
            return Outcome(
                replace(person, state="opted_in", categories=categories), "opt_in", confirm
            )
        case Intent.HELP:
            if person.state == "opted_out" or twilio_answers_keywords:
                return Outcome(person)
            return Outcome(person, replies=(Purpose.HELP_REPLY,))
        case Intent.REVIEW | Intent.OTHER:
            if person.state == "opted_out":
                return Outcome(person)
            review = reading.reason if reading.intent is Intent.REVIEW else None
            return Outcome(
                person, replies=(Purpose.FIRST_CONTACT,) if first_text else (), review=review
            )
    raise ValueError(f"unknown intent {reading.intent}")


def platform_change(
    person: Person, action: Literal["opt_in", "opt_out"], categories: frozenset[Category]
) -> Outcome:
    """Consent the platform recorded (a form, a call, paper) or staff decided: no keyword."""
    if action == "opt_out":
        if person.state == "opted_out":
            return Outcome(person, notes=["already opted out"])
        return Outcome(replace(person, state="opted_out"), "opt_out")
    merged = person.categories | categories if person.state == "opted_in" else categories
    if person.state == "opted_in" and merged == person.categories:
        return Outcome(person, notes=["already opted in for these categories"])
    return Outcome(replace(person, state="opted_in", categories=merged), "opt_in")
