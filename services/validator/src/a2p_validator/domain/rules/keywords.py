"""3.8 Keyword replies and the first message, with the seeds' KW-08."""

import re
from collections.abc import Iterator

from a2p_validator.domain.catalogue import BLOCK, WARN, Context, Violation, rule
from a2p_validator.domain.text import EMAIL, PHONE, URL, has, names_in, normalise

MIN_REPLY, MAX_REPLY = 20, 320
OPT_OUT_KEYWORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT")
OPT_IN_KEYWORDS = ("START", "UNSTOP", "YES")
HELP_KEYWORDS = ("HELP", "INFO")
RESERVED = frozenset(OPT_OUT_KEYWORDS + OPT_IN_KEYWORDS + HELP_KEYWORDS)
MAX_KEYWORD_LIST = 255
_WORKFLOW_ANSWER = re.compile(
    r"\b(?:reply|text|respond)(?: with)? [\"']?("
    + "|".join(sorted(RESERVED))
    + r")[\"']? (?:to|if|for) (?!(?:opt|stop|unsubscribe|cancel|end|help|get help|more info|information|assistance|resubscribe|subscribe|start|re-?subscribe|receive))",
    re.I,
)


def _length(text: str) -> str | None:
    if not MIN_REPLY <= len(text) <= MAX_REPLY:
        return f"it has {len(text)} characters ({MIN_REPLY} to {MAX_REPLY} needed)"
    return None


@rule(
    "KW-01",
    BLOCK,
    field="campaign.opt_in_message",
    message="The opt-in confirmation is missing or incomplete.",
    fix=(
        'Use e.g. "<Brand>: You are subscribed to <program> alerts. Msg frequency varies. '
        'Msg & data rates may apply. Reply HELP for help, STOP to opt out."'
    ),
    twilio=30540,
)
def opt_in_confirmation(ctx: Context) -> Iterator[Violation]:
    text = ctx.request.campaign.opt_in_message
    if not text:
        yield Violation(
            message="There is no opt-in confirmation message (the reply to START or the first message after opt-in)."
        )
        return
    missing = [
        what
        for what, ok in (
            ("the brand", names_in(text, ctx.brand_names)),
            ("a confirmation of enrolment", has(text, "confirmation")),
            ("the message frequency", ctx.inbound_only or has(text, "frequency")),
            ('"Msg & data rates may apply"', has(text, "rates")),
            ("HELP instructions", has(text, "help")),
            ("STOP instructions", has(text, "stop")),
        )
        if not ok
    ]
    too = _length(text)
    if too:
        missing.append(too)
    if missing:
        yield Violation(message="The opt-in confirmation lacks " + ", ".join(missing) + ".")


@rule(
    "KW-02",
    BLOCK,
    field="campaign.opt_out_message",
    message="The opt-out confirmation is missing or incomplete.",
    fix='Use e.g. "<Brand>: You are unsubscribed and will receive no further messages. Reply START to resubscribe."',
)
def opt_out_confirmation(ctx: Context) -> Iterator[Violation]:
    text = ctx.request.campaign.opt_out_message
    if not text:
        yield Violation(message="There is no opt-out confirmation message (the one reply to STOP).")
        return
    missing = [
        what
        for what, ok in (
            ("the brand", names_in(text, ctx.brand_names)),
            ("an acknowledgement of the opt-out", has(text, "opted_out")),
            ("that no further messages will be sent", has(text, "no_more")),
        )
        if not ok
    ]
    if has(text, "promotional"):
        missing.append("no marketing (it contains promotional wording)")
    too = _length(text)
    if too:
        missing.append(too)
    if missing:
        yield Violation(message="The opt-out confirmation lacks " + ", ".join(missing) + ".")


@rule(
    "KW-03",
    BLOCK,
    field="campaign.help_message",
    message="The HELP reply is missing or incomplete.",
    fix='Use e.g. "<Brand>: For help call 217-555-0100 or email help@<domain>. Reply STOP to opt out."',
)
def help_reply(ctx: Context) -> Iterator[Violation]:
    text = ctx.request.campaign.help_message
    if not text:
        yield Violation(message="There is no HELP reply.")
        return
    missing = [
        what
        for what, ok in (
            ("the brand", names_in(text, ctx.brand_names)),
            (
                "a support contact (phone, email or URL)",
                bool(PHONE.search(text) or EMAIL.search(text) or URL.search(text)),
            ),
            ("STOP instructions", has(text, "stop")),
        )
        if not ok
    ]
    too = _length(text)
    if too:
        missing.append(too)
    if missing:
        yield Violation(message="The HELP reply lacks " + ", ".join(missing) + ".")


@rule(
    "KW-04",
    BLOCK,
    field="campaign.opt_out_keywords",
    message="The opt-out keywords must include every standard keyword.",
    fix="Declare STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE and OPTOUT.",
)
def opt_out_keywords(ctx: Context) -> Iterator[Violation]:
    declared = {k.upper() for k in ctx.request.campaign.opt_out_keywords}
    missing = [k for k in OPT_OUT_KEYWORDS if k not in declared]
    if missing:
        yield Violation(
            message="The opt-out keywords lack " + ", ".join(missing) + ".",
            fix="Add " + ", ".join(missing) + ".",
        )
    for field in ("opt_out_keywords", "opt_in_keywords", "help_keywords"):
        keywords = getattr(ctx.request.campaign, field)
        if len(",".join(keywords)) > MAX_KEYWORD_LIST:
            yield Violation(
                field=f"campaign.{field}",
                message=f"The {field} list is longer than {MAX_KEYWORD_LIST} characters.",
                fix="Shorten the list.",
            )


@rule(
    "KW-05",
    BLOCK,
    field="campaign.opt_in_keywords",
    message="The opt-in and help keywords must include the standard ones.",
    fix="Declare START, UNSTOP and YES as opt-in keywords and HELP and INFO as help keywords.",
)
def opt_in_and_help_keywords(ctx: Context) -> Iterator[Violation]:
    campaign = ctx.request.campaign
    for field, required in (("opt_in_keywords", OPT_IN_KEYWORDS), ("help_keywords", HELP_KEYWORDS)):
        declared = {k.upper() for k in getattr(campaign, field)}
        missing = [k for k in required if k not in declared]
        if missing:
            yield Violation(
                field=f"campaign.{field}",
                message=f"The {field.replace('_', ' ')} lack " + ", ".join(missing) + ".",
                fix="Add " + ", ".join(missing) + ".",
            )


@rule(
    "KW-06",
    WARN,
    field="campaign.message_samples",
    message="A reserved keyword is also used for something else.",
    fix="Keep STOP, START, YES, HELP and their kin out of workflow answers; use other words (e.g. Reply 1 to confirm).",
)
def keywords_not_routed_into_workflows(ctx: Context) -> Iterator[Violation]:
    campaign = ctx.request.campaign
    lists = {
        "opt_out_keywords": {k.upper() for k in campaign.opt_out_keywords},
        "opt_in_keywords": {k.upper() for k in campaign.opt_in_keywords},
        "help_keywords": {k.upper() for k in campaign.help_keywords},
    }
    names = list(lists)
    for a_index, a in enumerate(names):
        for b in names[a_index + 1 :]:
            shared = sorted(lists[a] & lists[b])
            if shared:
                yield Violation(
                    field=f"campaign.{b}", message=f"{', '.join(shared)} is in both {a} and {b}."
                )
    for i, sample in enumerate(campaign.message_samples):
        # Normalised text straightens quotes; the raw one keeps INFO (normalised to 'information').
        match = _WORKFLOW_ANSWER.search(sample) or _WORKFLOW_ANSWER.search(normalise(sample))
        if match:
            yield Violation(
                field=f"campaign.message_samples.{i}",
                message=f'Sample {i + 1} asks people to answer "{match.group(1).upper()}", a reserved keyword that opts them in, out or asks for help.',
            )


@rule(
    "KW-07",
    WARN,
    field="campaign.auto_response",
    message="The first message someone receives should name the brand and say how to opt out.",
    fix='Add the brand and "Reply STOP to opt out." to the auto-response.',
)
def first_message_identifies_brand(ctx: Context) -> Iterator[Violation]:
    text = ctx.request.campaign.auto_response
    if ctx.has_inbound or not text:
        return
    if not names_in(text, ctx.brand_names) or not has(text, "stop"):
        yield Violation()


@rule(
    "KW-08",
    BLOCK,
    field="campaign.auto_response",
    message="People who text first must get an auto-response with the standard disclosures.",
    fix=(
        "Configure e.g. \"Thanks for contacting <Organisation>. We've received your message and "
        'will respond soon. Reply STOP to opt out, HELP for help. Msg & data rates may apply."'
    ),
)
def auto_response_for_inbound(ctx: Context) -> Iterator[Violation]:
    if not ctx.has_inbound:
        return
    text = ctx.request.campaign.auto_response
    if not text:
        yield Violation(
            message="People text this number first, but no auto-response is configured."
        )
        return
    missing = [
        what
        for what, ok in (
            ("a confirmation that the message was received", has(text, "receipt")),
            ("the organisation's name", names_in(text, ctx.brand_names)),
            ("STOP instructions", has(text, "stop")),
            ("HELP instructions", has(text, "help")),
            ('"Msg & data rates may apply"', has(text, "rates")),
        )
        if not ok
    ]
    if missing:
        yield Violation(message="The auto-response lacks " + ", ".join(missing) + ".")
