"""3.3 The privacy policy and 3.4 the terms, with the seeds' PP-06 and PP-07."""

import re
from collections.abc import Iterator

from a2p_shared.events.registration import OptInKind
from a2p_validator.domain.catalogue import (
    BLOCK,
    WARN,
    Check,
    Context,
    Violation,
    page_unusable,
    rule,
)
from a2p_validator.domain.domains import same_page
from a2p_validator.domain.pages import Page, PageProblem
from a2p_validator.domain.text import EMAIL, PHONE, PHRASES, has, names_in, sentences

NON_SHARING_EXAMPLE = (
    "Text messaging originator opt-in data and consent will not be shared with any third "
    "parties, excluding aggregators and providers of the Text Message services."
)

_MOBILE_DATA = re.compile(
    r"\b(?:mobile|phone numbers?|cell(?:ular)? numbers?|sms|text messag\w*|opt in data|originator"
    r"|opt in information)\b"
)
_NEGATION = re.compile(r"\b(?:not|never|no|neither|nor)\b|n't\b")
_SHARE = re.compile(
    r"\b(?:shar\w*|sold|sell\w*|rent\w*|disclos\w*|transfer\w*|provid\w*|trade\w*)\b"
)
_THIRD_PARTIES = re.compile(
    r"\b(?:third part\w*|affiliates?|partners?|other companies|marketers|advertisers|anyone"
    r"|outside parties|any other (?:company|organi[sz]ation|party))\b"
)
_MARKETING = re.compile(r"\b(?:marketing|promotional|promotions?|advertis\w*|offers)\b")
_CLAUSE_BREAK = re.compile(r",? but |; |, however,? |, whereas ")
_CARVE_OUT = re.compile(r"\b(?:exclud\w*|except\w*|do(?:es)? not include)\b")

# PP-06: what a program where people text first must disclose (seed 000, "Required SMS
# Disclosures"), each with the wording that shows it.
_INBOUND_DISCLOSURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "that people may contact the organisation by SMS",
        re.compile(
            r"\b(?:contact|text|message|reach|write to)\w* (?:us|[a-z0-9 ]{2,60}?) (?:via|by|through|using|with) (?:sms|text)"
            r"|\b(?:text|sms|message) (?:us|our)\b|\bif you (?:text|send (?:us )?a text|contact [a-z0-9 ]{2,60}? (?:via|by) (?:sms|text))"
        ),
    ),
    (
        "that the organisation may respond by SMS",
        re.compile(
            r"\b(?:respond|reply|answer|follow up)\w*[^.]{0,80}(?:sms|text)"
            r"|\b(?:text message|sms) (?:responses?|replies)\b|\breceive (?:text )?messages related to your (?:request|inquiry)"
        ),
    ),
    (
        "that sending the first message is how people opt in",
        re.compile(
            r"\bby (?:contacting|texting|messaging|sending)[^.]{0,80}(?:consent|opt in|agree)"
            r"|\b(?:consent|opt in|agree)\w*[^.]{0,80}by (?:contacting|texting|sending|initiating)"
            r"|\binitiat\w+ (?:a |the )?(?:conversation|message|text)"
            r"|\bif you (?:contact|text)[^.]{0,60}(?:we may use your (?:phone )?number|to respond)"
        ),
    ),
    ("that replying STOP opts out", PHRASES["stop"]),
    ("that replying HELP gets help", PHRASES["help"]),
    ("that message and data rates may apply", PHRASES["rates"]),
    (
        "how data from messaging is used",
        re.compile(
            r"\b(?:use|uses|used|using) (?:your |the )?(?:phone number|mobile number|number|information|data|messages?)"
            r"[^.]{0,80}(?:to respond|to reply|to answer|to provide|for|only)"
            r"|\bwe may use your (?:phone )?number"
        ),
    ),
)


def _unusable(page: Page | None, what: str) -> str | None:
    """Unusable for a reason other than a login wall (PP-07 reports those)."""
    if page is not None and page.problem is PageProblem.LOGIN_WALL:
        return None
    return page_unusable(page, what)


def _non_sharing(text: str) -> bool:
    return any(
        _MOBILE_DATA.search(s)
        and _NEGATION.search(s)
        and _SHARE.search(s)
        and _THIRD_PARTIES.search(s)
        for s in sentences(text)
    )


@rule(
    "PP-01",
    BLOCK,
    field="policies.privacy_policy_url",
    message="The privacy policy must load publicly (HTTP 200).",
    fix="Publish the privacy policy at this URL, or give the URL where it is published.",
    twilio=30908,
)
def privacy_is_live(ctx: Context) -> Iterator[Violation]:
    problem = _unusable(ctx.privacy, "privacy policy")
    if problem:
        yield Violation(message=problem)


@rule(
    "PP-02",
    BLOCK,
    field="policies.privacy_policy_url",
    message="The privacy policy does not mention SMS, text messages or mobile numbers.",
    fix="Add an SMS section saying how mobile numbers and text messages are used and protected.",
    twilio=30908,
)
def privacy_mentions_sms(ctx: Context) -> Iterator[Violation]:
    page = ctx.privacy
    if (
        page is not None
        and page.ok
        and not (
            has(page.text, "sms") or re.search(r"\bmobile (?:numbers?|phones?)\b", page.text, re.I)
        )
    ):
        yield Violation()


@rule(
    "PP-03",
    BLOCK,
    field="policies.privacy_policy_url",
    message=(
        "The privacy policy does not say that mobile numbers and SMS opt-in data are never "
        "shared with third parties."
    ),
    fix=f'Add this sentence to the privacy policy: "{NON_SHARING_EXAMPLE}"',
    twilio=30919,
)
def privacy_has_non_sharing_clause(ctx: Context) -> Iterator[Violation]:
    page = ctx.privacy
    if page is not None and page.ok and not _non_sharing(page.text):
        yield Violation()


@rule(
    "PP-04",
    BLOCK,
    field="policies.privacy_policy_url",
    message="The privacy policy says data is shared with third parties for marketing.",
    fix=(
        "Remove the sharing for marketing, or carve SMS data out of it: "
        '"All the above categories exclude text messaging originator opt-in data and consent; '
        'this information will not be shared with any third parties."'
    ),
    twilio=30919,
)
def privacy_does_not_share_for_marketing(ctx: Context) -> Iterator[Violation]:
    page = ctx.privacy
    if page is None or not page.ok:
        return
    carved_out = _non_sharing(page.text)
    clauses = (c for s in sentences(page.text) for c in _CLAUSE_BREAK.split(s) if c.strip())
    for sentence in clauses:
        sharing = (
            _SHARE.search(sentence)
            and _THIRD_PARTIES.search(sentence)
            and _MARKETING.search(sentence)
            and not _NEGATION.search(sentence)
            and not _CARVE_OUT.search(sentence)
        )
        if not sharing:
            continue
        names_mobile = bool(_MOBILE_DATA.search(sentence))
        if names_mobile or not carved_out:
            yield Violation(message=f'The privacy policy says: "{sentence[:300]}"')
            return


@rule(
    "PP-05",
    WARN,
    field="policies.privacy_policy_url",
    message="The privacy policy is not linked where people opt in.",
    fix="Link the privacy policy next to the SMS consent and in the website's footer.",
    twilio=30909,
)
def privacy_is_linked(ctx: Context) -> Iterator[Violation]:
    url = str(ctx.request.policies.privacy_policy_url)
    places = [("website", "brand.website", ctx.website)]
    places += [
        (f"opt-in page {m.url}", f"campaign.opt_in_methods.{i}.url", ctx.page(m.url))
        for i, m in ctx.methods_of(OptInKind.WEB_FORM, OptInKind.BOOKING_LINK)
        if m.url is not None and str(m.url) != str(ctx.request.brand.website)
    ]
    for where, field, page in places:
        if (
            page is not None
            and page.ok
            and not page.is_image
            and not any(same_page(link.href, url) for link in page.links)
        ):
            yield Violation(
                field=field, message=f"The {where} has no link to the privacy policy {url}."
            )


@rule(
    "PP-06",
    BLOCK,
    field="policies.privacy_policy_url",
    message="The privacy policy and terms lack the SMS disclosures a texting-first program needs.",
    fix="Add the SMS disclosures (see the message).",
    twilio=30908,
)
def inbound_disclosures(ctx: Context) -> Iterator[Violation]:
    if not ctx.has_inbound:
        return
    pages = (ctx.privacy, ctx.terms)
    if any(page is None or not page.ok for page in pages):
        return
    said = sentences(ctx.policy_text)
    missing = [
        what for what, pattern in _INBOUND_DISCLOSURES if not any(pattern.search(s) for s in said)
    ]
    if missing:
        name = ctx.display_name
        yield Violation(
            message="The privacy policy and terms do not say " + "; ".join(missing) + ".",
            fix=(
                f'Add to the privacy policy: "If you contact {name} via SMS, we may use your phone '
                "number to respond to your inquiry. You may receive messages related to your "
                "request. You can opt out at any time by replying STOP. For help, reply HELP. "
                f'Message and data rates may apply." and to the terms: "By contacting {name} via '
                "SMS, you consent to receive text message responses related to your request. You "
                "may opt out at any time by replying STOP. For help, reply HELP. Message and data "
                'rates may apply."'
            ),
        )


@rule(
    "PP-07",
    BLOCK,
    field="policies.privacy_policy_url",
    message="The page is behind a login; carriers must read it without an account.",
    fix="Publish the page publicly, without sign-in.",
    twilio=30908,
)
def policies_are_public(ctx: Context) -> Iterator[Violation]:
    for field, what, page in (
        ("policies.privacy_policy_url", "privacy policy", ctx.privacy),
        ("policies.terms_url", "terms", ctx.terms),
    ):
        if page is not None and page.problem is PageProblem.LOGIN_WALL:
            yield Violation(
                field=field,
                message=f"The {what} at {page.url} is behind a login: {page.detail or 'sign-in required'}.",
                fix=f"Publish the {what} publicly, without sign-in, at this URL.",
            )


def _terms_text(ctx: Context) -> str | None:
    page = ctx.terms
    return page.text if page is not None and page.ok else None


@rule(
    "TOS-01",
    BLOCK,
    field="policies.terms_url",
    message="The terms do not describe the SMS program (its name and what it sends).",
    fix="Add an SMS section to the terms naming the program and the kinds of messages it sends.",
    twilio=30882,
)
def terms_describe_program(ctx: Context) -> Iterator[Violation]:
    problem = _unusable(ctx.terms, "terms")
    if problem:
        yield Violation(message=problem)
        return
    text = _terms_text(ctx)
    if text is None:
        return
    missing = [
        what
        for what, ok in (
            ("SMS or text messages", has(text, "sms")),
            (
                f"the program or organisation name ({ctx.display_name})",
                names_in(text, ctx.brand_names),
            ),
            ("what the messages are about", has(text, "purpose")),
        )
        if not ok
    ]
    if missing:
        yield Violation(message="The terms do not mention " + ", ".join(missing) + ".")


def _terms_rule(phrase: str, *, only_recurring: bool = False) -> Check:
    def check(ctx: Context) -> Iterator[Violation]:
        text = _terms_text(ctx)
        if text is None or (only_recurring and ctx.inbound_only):
            return
        if not has(text, phrase):
            yield Violation()

    return check


rule(
    "TOS-02",
    BLOCK,
    field="policies.terms_url",
    message="The terms do not disclose how often messages are sent.",
    fix='Add "Message frequency varies." (or the actual frequency, e.g. "up to 4 messages per month").',
    twilio=30558,
)(_terms_rule("frequency", only_recurring=True))

rule(
    "TOS-03",
    BLOCK,
    field="policies.terms_url",
    message='The terms do not say "Message and data rates may apply".',
    fix='Add "Message and data rates may apply." to the SMS section of the terms.',
    twilio=30562,
)(_terms_rule("rates"))


@rule(
    "TOS-04",
    BLOCK,
    field="policies.terms_url",
    message="The terms give no way to get help (HELP keyword or a support contact).",
    fix='Add "For help, reply HELP or contact us at <support email or phone>."',
    twilio=30560,
)
def terms_give_support(ctx: Context) -> Iterator[Violation]:
    text = _terms_text(ctx)
    if text is not None and not (has(text, "help") or EMAIL.search(text) or PHONE.search(text)):
        yield Violation()


rule(
    "TOS-05",
    BLOCK,
    field="policies.terms_url",
    message="The terms do not say how to opt out (reply STOP).",
    fix='Add "You can cancel the SMS service at any time: reply STOP."',
)(_terms_rule("stop"))


@rule(
    "TOS-06",
    WARN,
    field="policies.terms_url",
    message="The terms lack the standard SMS liability and consent sentences.",
    fix="Add the sentences named in the message.",
)
def terms_liability_and_condition(ctx: Context) -> Iterator[Violation]:
    text = _terms_text(ctx)
    if text is None:
        return
    if not has(text, "carrier_liability"):
        yield Violation(
            message="The terms do not say carriers are not liable for delayed or undelivered messages.",
            fix='Add "Carriers are not liable for delayed or undelivered messages."',
        )
    if ctx.promotional and not has(text, "not_condition"):
        yield Violation(
            message="The terms do not say that consent to promotional texts is not a condition of purchase.",
            fix='Add "Consent to receive marketing text messages is not a condition of purchase."',
        )
