"""3.5 The call to action and opt-in flows, checked per `opt_in_methods` entry, with the seeds'
CTA-19 and CTA-20."""

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from a2p_shared.events.registration import Category, OptInKind, OptInMethod
from a2p_validator.domain.catalogue import BLOCK, Context, Violation, rule
from a2p_validator.domain.domains import host_of, same_page
from a2p_validator.domain.pages import Checkbox
from a2p_validator.domain.text import PHRASES, has, names_in, normalise, sentences, sentences_with

WEB = (OptInKind.WEB_FORM, OptInKind.BOOKING_LINK)
ASKING = (
    OptInKind.WEB_FORM,
    OptInKind.BOOKING_LINK,
    OptInKind.VERBAL,
    OptInKind.KEYWORD,
    OptInKind.PAPER,
)
"""Kinds with consent language of their own (a person who texts first has none)."""

MIN_FLOW = 40

_ACCEPT_POLICIES = re.compile(
    r"\b(?:agree|accept|consent|acknowledge)\w*\s+(?:to\s+)?(?:(?:our|the|all|its)\s+)?"
    r"(?:terms|privacy policy|conditions|terms of (?:service|use))"
)
_OTHER_CHANNELS = re.compile(
    r"\b(?:emails?|phone calls?|calls|voice(?:mail)?s?|newsletters?|postal mail|direct mail)\b"
)
_CONSENTS = re.compile(r"\b(?:consent|agree|authori[sz]e|opt in|sign up|subscribe|yes)\w*\b")
_MARKETING = re.compile(
    r"\b(?:marketing|promotional|promotions?|offers?|deals?|discounts?|advertis\w*)\b"
)
_FORCED = re.compile(
    r"\b(?:required|must|mandatory|obligat\w*)\b[^.]{0,40}\b(?:consent|agree|accept|opt in|receive)\w*[^.]{0,60}\b(?:texts?|sms|text messages?)\b"
    r"|\b(?:texts?|sms|text messag\w*)\b[^.]{0,60}\b(?:consent|agreement|opt in)\b[^.]{0,20}\bis (?:required|mandatory)"
    r"|\b(?:consent|agreement|opt in)\b[^.]{0,60}\b(?:texts?|sms|text messages?)\b[^.]{0,30}\b(?:is|are) (?:required|mandatory)"
    r"|\bby (?:using|creating|submitting|signing up|placing|completing|registering|continuing|booking|scheduling|providing)"
    r"[^.]{0,80}\byou (?:agree|consent|authori[sz]e)\w*[^.]{0,60}\b(?:texts?|sms|text messages?)\b"
)
# "example.com:443/sms" names the same page as "example.com/sms".
_PORT = re.compile(r"(\.[a-z]{2,63}):\d{1,5}\b")
_PHONE_FIELD = re.compile(r"\b(?:phone|mobile|cell)\b", re.I)
_KIND_WORDS: dict[OptInKind, re.Pattern[str]] = {
    OptInKind.WEB_FORM: re.compile(
        r"\b(?:web ?site|web form|online form|form|sign up page|signup|online|https?://|www\.)"
    ),
    OptInKind.BOOKING_LINK: re.compile(
        r"\b(?:book\w*|schedul\w*|calendly|appointment link|reservation)"
    ),
    OptInKind.VERBAL: re.compile(
        r"\b(?:verbal\w*|phone call|over the phone|by phone|call|calls|spoken|script|in person)"
    ),
    OptInKind.KEYWORD: re.compile(
        r"\b(?:keyword|text(?:s|ing)? (?:the word )?[\"']?[a-z0-9]+[\"']? to|send(?:s|ing)? [\"']?[a-z0-9]+[\"']? to|short ?code)"
    ),
    OptInKind.INBOUND_TEXT: re.compile(
        r"\b(?:text(?:s|ing)? (?:us|our|the|a|\d)|send(?:s|ing)? (?:us )?(?:a|the first) (?:text|message)"
        r"|initiat\w+|first message|texting|message us|contact us (?:via|by) (?:sms|text))"
    ),
    OptInKind.PAPER: re.compile(
        r"\b(?:paper|written|printed|sign(?:s|ed)? (?:a |the )?form|intake form|enrollment form|in person|clipboard)"
    ),
}


def _address(url: str) -> str:
    """`https://www.x.test/sms-signup/` -> `x.test/sms-signup`, normalised like the flow text."""
    return normalise(host_of(url) + urlsplit(url).path.rstrip("/"))


def _field(i: int, part: str = "text") -> str:
    return f"campaign.opt_in_methods.{i}.{part}"


def _consent_boxes(boxes: tuple[Checkbox, ...]) -> list[Checkbox]:
    return [box for box in boxes if has(box.label, "sms") or _CONSENTS.search(normalise(box.label))]


def _asking(ctx: Context) -> Iterator[tuple[int, OptInMethod, str]]:
    """Each method with consent language of its own, and that language (may be empty)."""
    for i, method in ctx.methods_of(*ASKING):
        yield i, method, ctx.consent_text(method)


def _phrase_rule(
    phrase_check: Callable[[Context, str], bool], what: str
) -> Callable[[Context], Iterator[Violation]]:
    def check(ctx: Context) -> Iterator[Violation]:
        for i, method, text in _asking(ctx):
            if not text:
                continue
            if not phrase_check(ctx, text):
                yield Violation(
                    field=_field(i),
                    message=f"The {method.kind.value} consent language does not {what}.",
                )

    return check


@rule(
    "CTA-01",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The consent language must name the channel: SMS or text messages.",
    fix='Say "text messages" (or SMS) in the consent language; "communications" alone is not enough.',
    twilio=30551,
)
def names_channel(ctx: Context) -> Iterator[Violation]:
    for i, method, text in _asking(ctx):
        if not text:
            if method.url is None or method.kind not in WEB:
                yield Violation(
                    field=_field(i),
                    message=f"The {method.kind.value} opt-in gives no consent language to review.",
                    fix="Give the exact consent language people see or hear in `text`.",
                )
        elif not has(text, "sms"):
            yield Violation(
                field=_field(i),
                message=f"The {method.kind.value} consent language never says SMS or text messages.",
            )


rule(
    "CTA-02",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The consent language must name the brand or program.",
    fix='Name the organisation in the consent language (e.g. "... text messages from City of Springfield 311").',
)(
    _phrase_rule(
        lambda ctx, t: names_in(t, ctx.brand_names),
        "name the organisation",
    )
)

rule(
    "CTA-03",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The consent language must say what the messages are about.",
    twilio=30544,
    fix='Say what people will receive, e.g. "appointment reminders and service updates".',
)(
    _phrase_rule(
        lambda ctx, t: has(t, "purpose"),
        "say what the messages are about",
    )
)

rule(
    "CTA-04",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The consent language must disclose the message frequency.",
    twilio=30545,
    fix='Add "Message frequency varies." (or e.g. "up to 4 messages per month").',
)(
    _phrase_rule(
        lambda ctx, t: has(t, "frequency"),
        "disclose how often messages are sent",
    )
)

rule(
    "CTA-05",
    BLOCK,
    field="campaign.opt_in_methods",
    message='The consent language must say "Message and data rates may apply".',
    twilio=30569,
    fix='Add "Msg & data rates may apply." to the consent language itself (the terms alone are not enough).',
)(
    _phrase_rule(
        lambda ctx, t: has(t, "rates"),
        'say "Message and data rates may apply"',
    )
)

rule(
    "CTA-06",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The consent language must say how to get help (reply HELP).",
    twilio=30570,
    fix='Add "Reply HELP for help."',
)(
    _phrase_rule(
        lambda ctx, t: has(t, "help"),
        "say how to get help (reply HELP)",
    )
)

rule(
    "CTA-07",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The consent language must say how to opt out (reply STOP).",
    twilio=30909,
    fix='Add "Reply STOP to opt out."',
)(
    _phrase_rule(
        lambda ctx, t: has(t, "stop"),
        "say how to opt out (reply STOP)",
    )
)


@rule(
    "CTA-08",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The privacy policy and terms must be linked (or named) where people consent.",
    fix="Link the privacy policy and the terms right next to the SMS consent.",
    twilio=30909,
)
def policies_at_point_of_consent(ctx: Context) -> Iterator[Violation]:
    policies = ctx.request.policies
    for i, method in ctx.methods_of(*WEB, OptInKind.VERBAL, OptInKind.PAPER):
        text = normalise(ctx.consent_text(method))
        if not text:
            continue
        page = ctx.page(method.url)
        links = page.links if page is not None and page.ok else ()
        linked = {
            "privacy policy": any(
                same_page(link.href, str(policies.privacy_policy_url)) for link in links
            )
            or "privacy" in text,
            "terms": any(same_page(link.href, str(policies.terms_url)) for link in links)
            or bool(re.search(r"\bterms\b|\bconditions\b", text)),
        }
        missing = [what for what, ok in linked.items() if not ok]
        if missing:
            yield Violation(
                field=_field(i),
                message=f"The {method.kind.value} opt-in does not show the {' or the '.join(missing)}.",
            )


@rule(
    "CTA-09",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The SMS consent checkbox is checked by default.",
    fix="Leave the SMS consent checkbox unchecked; people must tick it themselves.",
    twilio=30475,
)
def checkbox_unchecked(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(*WEB):
        page = ctx.page(method.url)
        boxes = _consent_boxes(page.checkboxes) if page is not None and page.ok else []
        prechecked = [box for box in boxes if box.checked]
        if method.checkbox_prechecked:
            yield Violation(field=_field(i, "checkbox_prechecked"))
        elif prechecked:
            yield Violation(
                field=_field(i, "url"),
                message=f'The checkbox "{prechecked[0].label[:120]}" on {method.url} is checked by default.',
            )


def _bundled(ctx: Context, other: re.Pattern[str], method: OptInMethod) -> str | None:
    page = ctx.page(method.url)
    labels = [box.label for box in page.checkboxes] if page is not None and page.ok else []
    texts = [
        method.text or "",
        *(page.text.splitlines() if page is not None and page.ok else []),
        *labels,
    ]
    # A checkbox label is one act of consent however many sentences it has.
    units = [normalise(label) for label in labels]
    for unit in units:
        if PHRASES["sms"].search(unit) and _CONSENTS.search(unit) and other.search(unit):
            return unit
    for text in texts:
        for sentence in sentences(text):
            if (
                PHRASES["sms"].search(sentence)
                and _CONSENTS.search(sentence)
                and other.search(sentence)
            ):
                return sentence
    return None


@rule(
    "CTA-10",
    BLOCK,
    field="campaign.opt_in_methods",
    message="SMS consent is bundled with accepting the terms or privacy policy.",
    fix="Ask for SMS consent with its own statement and checkbox, separate from accepting the terms.",
    twilio=30841,
)
def separate_from_terms(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(*ASKING):
        sentence = _bundled(ctx, _ACCEPT_POLICIES, method)
        if sentence:
            yield Violation(
                field=_field(i),
                message=f'SMS consent and accepting the terms are one statement: "{sentence[:200]}"',
            )


@rule(
    "CTA-11",
    BLOCK,
    field="campaign.opt_in_methods",
    message="SMS consent is bundled with email or phone-call consent.",
    fix="Ask for SMS consent separately from email, call or newsletter consent.",
    twilio=30556,
)
def separate_from_other_channels(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(*ASKING):
        sentence = _bundled(ctx, _OTHER_CHANNELS, method)
        if sentence:
            yield Violation(
                field=_field(i),
                message=f'SMS consent is bundled with other channels: "{sentence[:200]}"',
            )


def _separate_consents(text: str) -> bool:
    """At least one consent statement about marketing and another about the rest."""
    consents = [
        s for s in sentences(text) if _CONSENTS.search(s) and not PHRASES["not_condition"].search(s)
    ]
    marketing = [s for s in consents if _MARKETING.search(s)]
    other = [s for s in consents if not _MARKETING.search(s)]
    return bool(marketing) and bool(other)


def _both_categories(method: OptInMethod) -> bool:
    return set(method.categories) == {Category.TRANSACTIONAL, Category.PROMOTIONAL}


@rule(
    "CTA-12",
    BLOCK,
    field="campaign.opt_in_methods",
    message="Transactional and promotional messages need separate consent.",
    fix="Ask separately: one consent for service messages, another for marketing messages.",
    twilio=30548,
)
def separate_consent_per_category(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(OptInKind.VERBAL, OptInKind.PAPER, OptInKind.KEYWORD):
        if _both_categories(method) and not _separate_consents(ctx.consent_text(method)):
            yield Violation(field=_field(i))


@rule(
    "CTA-13",
    BLOCK,
    field="campaign.opt_in_methods",
    message="SMS consent is made a condition of using the service.",
    fix="Make SMS consent optional: remove the requirement, and do not mark the checkbox required.",
    twilio=30475,
)
def consent_is_optional(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(*ASKING):
        forced = sentences_with(ctx.consent_text(method), _FORCED)
        page = ctx.page(method.url)
        required_box = (
            next(
                (b for b in _consent_boxes(page.checkboxes) if b.required and has(b.label, "sms")),
                None,
            )
            if page is not None and page.ok
            else None
        )
        if forced:
            yield Violation(
                field=_field(i),
                message=f'The consent language makes texts a requirement: "{forced[0][:200]}"',
            )
        elif required_box is not None:
            yield Violation(
                field=_field(i, "url"),
                message=f'The SMS checkbox "{required_box.label[:120]}" is required to submit the form.',
            )


@rule(
    "CTA-14",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The form requires a phone number but has no separate SMS consent checkbox.",
    fix="Add an unchecked SMS consent checkbox, or make the phone field optional with the full disclosure.",
)
def phone_field_has_consent_box(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(*WEB):
        page = ctx.page(method.url)
        if page is None or not page.ok:
            continue
        phone_required = any(
            f.required and (f.kind == "tel" or _PHONE_FIELD.search(f"{f.name} {f.label}"))
            for f in page.fields
        )
        sms_box = any(has(box.label, "sms") for box in page.checkboxes)
        if phone_required and not sms_box:
            yield Violation(
                field=_field(i, "url"),
                message=f"{method.url} requires a phone number and has no SMS consent checkbox.",
            )


@rule(
    "CTA-15",
    BLOCK,
    field="campaign.message_flow",
    message="The message flow must describe every way people opt in.",
    fix="Describe each opt-in method in message_flow, as a reviewer would see it, with its URL.",
    twilio=30909,
)
def flow_lists_every_method(ctx: Context) -> Iterator[Violation]:
    flow = ctx.request.campaign.message_flow
    if len(flow) < MIN_FLOW:
        yield Violation(
            message=f"The message flow has {len(flow)} characters; it needs at least {MIN_FLOW} that describe how people opt in."
        )
        return
    text = _PORT.sub(r"\1", normalise(flow).replace("www.", ""))
    missing = []
    for _, method in ctx.methods:
        if not _KIND_WORDS[method.kind].search(text):
            missing.append(method.kind.value.replace("_", " "))
        elif (
            method.kind in WEB and method.url is not None and _address(str(method.url)) not in text
        ):
            missing.append(f"the {method.kind.value.replace('_', ' ')} URL {method.url}")
    if missing:
        yield Violation(
            message="The message flow does not mention " + ", ".join(dict.fromkeys(missing)) + "."
        )


@rule(
    "CTA-16",
    BLOCK,
    field="campaign.opt_in_methods",
    message="A public opt-in must be shown by a live URL that loads without a login.",
    fix="Give the public URL of the sign-up form; for a paper form, a hosted image of it.",
    twilio=30543,
)
def opt_in_is_visible(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(*WEB, OptInKind.PAPER):
        page = ctx.page(method.url)
        if method.url is None:
            what = (
                "a hosted image of the paper form"
                if method.kind is OptInKind.PAPER
                else "the URL of the public form"
            )
            yield Violation(
                field=_field(i, "url"),
                message=f"The {method.kind.value} opt-in has no URL; reviewers need {what}.",
            )
        elif page is not None and not page.ok:
            yield Violation(
                field=_field(i, "url"),
                message=f"The opt-in page {method.url} cannot be read by a reviewer: {page.detail or page.problem}.",
            )


@rule(
    "CTA-17",
    BLOCK,
    field="campaign.message_flow",
    message="The message flow must show that people consent before the first message.",
    fix='Say how people give consent before anything is sent, e.g. "Residents opt in by texting our 311 number first."',
    twilio=30555,
)
def flow_shows_consent_first(ctx: Context) -> Iterator[Violation]:
    flow = ctx.request.campaign.message_flow
    if len(flow) >= MIN_FLOW and not has(flow, "consent_words"):
        yield Violation()


@rule(
    "CTA-18",
    BLOCK,
    field="campaign.opt_in_methods",
    message="Marketing messages need express written consent wording.",
    fix=(
        'Say that the messages are marketing and that consent is not required: "I consent to '
        'receive marketing text messages from <brand>. Consent is not a condition of purchase."'
    ),
    twilio=30831,
)
def express_consent_for_marketing(ctx: Context) -> Iterator[Violation]:
    if not ctx.promotional:
        return
    covering = [(i, m) for i, m in ctx.methods_of(*ASKING) if Category.PROMOTIONAL in m.categories]
    if not covering and not any(Category.PROMOTIONAL in m.categories for _, m in ctx.methods):
        yield Violation(
            field="campaign.categories",
            message="The campaign sends promotional messages, but no opt-in method collects promotional consent.",
        )
    for i, method in covering:
        text = ctx.consent_text(method)
        if not text:
            continue
        if not (sentences_with(text, _MARKETING) and has(text, "not_condition")):
            yield Violation(field=_field(i))


@rule(
    "CTA-19",
    BLOCK,
    field="campaign.opt_in_methods",
    message="Verbal opt-in covers transactional messages only; promotional messages need a web form or booking link.",
    fix="Collect promotional consent with a web form or booking link, and limit the verbal opt-in to transactional.",
)
def verbal_is_transactional(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(OptInKind.VERBAL):
        if Category.PROMOTIONAL in method.categories:
            yield Violation(field=_field(i, "categories"))


@rule(
    "CTA-20",
    BLOCK,
    field="campaign.opt_in_methods",
    message="A form collecting both kinds of consent needs two separate, unchecked checkboxes.",
    fix=(
        'Use two unchecked checkboxes: "I consent to receive [customer care, notifications] text '
        'messages." and "I consent to receive [marketing, promotional] text messages. Consent is '
        'not a condition of purchase."'
    ),
)
def two_checkboxes(ctx: Context) -> Iterator[Violation]:
    for i, method in ctx.methods_of(*WEB):
        if not _both_categories(method):
            continue
        page = ctx.page(method.url)
        if page is not None and page.ok and page.checkboxes:
            boxes = [b for b in _consent_boxes(page.checkboxes) if has(b.label, "sms")]
            if len(boxes) < 2:
                yield Violation(
                    field=_field(i, "url"),
                    message=f"{method.url} has {len(boxes)} SMS consent checkbox(es); it needs one per kind of message.",
                )
        elif not _separate_consents(ctx.consent_text(method)):
            yield Violation(field=_field(i))
