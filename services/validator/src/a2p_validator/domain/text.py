"""Reading real-world wording: normalisation, sentences, disclosure phrases, names, contacts.

Tenants write "Msg & data rates may apply", "Txt and data rates may apply" or "Message and Data
Rates may apply." across two lines of HTML; a reviewer reads them all as the same sentence, and
so must we. Everything is matched on normalised text, one sentence at a time, so a phrase is only
found where a sentence actually says it.
"""

import html
import re
from collections.abc import Iterable, Sequence
from functools import cache

_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(
    r"<(?:br|/?(?:p|div|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|blockquote|label))\b[^>]*>",
    re.IGNORECASE,
)
_CHARACTERS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u200b": "",
    }
)
# Abbreviations and spellings that mean the same word to a reviewer.
_SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\s*&\s*|\s+\+\s+", " and "),
        (r"\bmsgs\b", "messages"),
        (r"\bfreq\b", "frequency"),
        (r"\bmsg\b", "message"),
        (r"\btxts\b", "texts"),
        (r"\btxt\b", "text"),
        (r"\binfo\b", "information"),
        (r"\be-mail", "email"),
        (r"\bopt[- ]?outs?\b", "opt out"),
        (r"\bopt[- ]?ins?\b", "opt in"),
        (r"\bsign[- ]?up\b", "sign up"),
        (r"\bun-?subscribe", "unsubscribe"),
        (r"\bthird-part", "third part"),
    )
)
_BLANKS = re.compile(r"[ \t\r\f\v]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")


def normalise(text: str | None) -> str:
    """Lower-cased plain text with markup, entities, quotes, dashes and synonyms unified.

    Line breaks are kept (they end sentences); runs of other blanks become one space.
    """
    if not text:
        return ""
    if _TAG.search(text):
        # In markup a raw line break is a blank; block elements are what end a line.
        text = _BLOCK_TAG.sub("\n", text.replace("\r", " ").replace("\n", " "))
    plain = html.unescape(_TAG.sub(" ", text)).translate(_CHARACTERS).lower()
    for pattern, replacement in _SYNONYMS:
        plain = pattern.sub(replacement, plain)
    lines = (_BLANKS.sub(" ", line).strip() for line in plain.splitlines())
    return "\n".join(line for line in lines if line)


def sentences(text: str | None) -> list[str]:
    """Normalised sentences: split at . ! ? followed by a blank, and at line breaks."""
    return [part.strip() for part in _SENTENCE_END.split(normalise(text)) if part.strip()]


_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)"
_PERIOD = r"(?:day|week|month|year|wk|mo)"
_REPLY = r"(?:reply|replying|text|texting|send|sending|respond|responding|txt)(?: back)?(?: with)?(?: the word)?"

PHRASES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "rates": (
            r"\b(?:message|text|sms|messaging)s?,? and data rates (?:may|might|will|can|could) apply"
            r"|\bstandard (?:message|text|sms|messaging)s?(?: and data)? rates (?:may |will )?apply"
            r"|\b(?:message|text|sms)s? and data rates apply"
            r"|\bdata rates may apply"
        ),
        "frequency": (
            r"\b(?:message|text|sms)? ?frequency (?:varies|may vary|will vary|depends|is variable)"
            r"|\bvarying frequency|\bvariable frequency|\bfrequency of (?:messages|texts) (?:varies|may vary|will vary)"
            rf"|\b(?:up to |about |approximately |no more than |at most )?{_NUMBER} "
            rf"(?:\w+ )?(?:messages?|texts?|alerts?|reminders?|notifications?|updates?|sms)"
            rf" ?(?:per|a|each|every|/) ?{_PERIOD}"
            r"|\b(?:daily|weekly|monthly) (?:text |sms )?(?:messages|alerts|reminders|updates|texts|notifications)"
            r"|\brecurring (?:automated )?(?:\w+ )?(?:messages|texts|alerts|sms)"
        ),
        "stop": (
            rf"\b{_REPLY} [\"']?stop\b(?![\"']? please\b)"
            r"|\bstop to (?:cancel|end|opt out|unsubscribe|quit|stop)"
        ),
        "help": (
            rf"\b{_REPLY} [\"']?help\b|\bhelp (?:to|for) (?:help|assistance|more information)"
        ),
        "sms": (
            r"\b(?:sms|mms|texts|text messages?|text messaging|text alerts?|text notifications?"
            r"|text reminders?|text updates?|mobile messages?|mobile messaging|text message responses?)\b"
            r"|\bvia text\b|\bby text\b|\bthrough text\b"
        ),
        "purpose": (
            r"\b(?:alerts?|reminders?|notifications?|updates?|confirmations?|responses?|replies"
            r"|offers?|promotions?|promotional|marketing|appointments?|orders?|account"
            r"|service requests?|deliver(?:y|ies)|scheduling|follow[- ]?ups?|news|newsletters?"
            r"|announcements?|deals?|coupons?|events?|status|inquir(?:y|ies)|requests?|receipts?"
            r"|billing|payments?|listings?|showings?|bookings?|reservations?|closures?"
            r"|emergenc(?:y|ies)|outages?|customer (?:care|service|support))\b"
        ),
        "confirmation": (
            r"\b(?:you(?: are| have been|'re| were) (?:now )?(?:subscribed|enrolled|signed up|opted in|registered)"
            r"|(?:subscribed|enrolled|signed up|opted in) (?:to|for)|welcome to|thanks? (?:you )?for (?:subscribing|signing up|opting in|joining|enrolling)"
            r"|you will (?:now )?receive|you'll (?:now )?receive|your subscription|you have (?:successfully )?(?:joined|subscribed))"
        ),
        "receipt": (
            r"\b(?:we(?:'ve| have)? received|we got|received your (?:message|text|request)"
            r"|thanks? (?:you )?for (?:contacting|your message|your text|reaching out|texting|writing)"
            r"|we will (?:respond|reply|get back)|we'll (?:respond|reply|get back))"
        ),
        "opted_out": (
            r"\b(?:unsubscribed|opted out|you(?: will|'ll) (?:not|no longer) (?:receive|get)"
            r"|no (?:further|more) (?:\w+ ){0,3}?(?:messages|texts|alerts|notifications)"
            r"|removed from|will not receive (?:any )?(?:further|more)"
            r"|you have been removed|stopped)\b"
        ),
        "no_more": (
            r"\b(?:no (?:further|more) (?:\w+ ){0,3}?(?:messages|texts|alerts|notifications)"
            r"|(?:will|'ll) (?:not|no longer) (?:receive|get|send)"
            r"|won't (?:receive|get|send)|not (?:receive|get) any (?:more|further))"
        ),
        "promotional": (
            r"\b(?:sale|\d+ ?% off|percent off|discount|deal|deals|coupon|promo|promo code|limited time"
            r"|buy now|shop now|special offer|exclusive offer|free shipping|flash sale|bogo|order now)\b"
        ),
        "placeholder": (
            r"under construction|coming soon|domain (?:is )?parked|parked (?:domain|free|by)|domain parking|domain (?:is )?for sale|this domain may be for sale"
            r"|default web page|welcome to nginx|it works!|site is being built|website coming"
        ),
        "carrier_liability": (
            r"\bcarriers? (?:are|is) not (?:liable|responsible)|not (?:liable|responsible) for (?:delayed|undelivered)"
        ),
        "not_condition": r"\bnot (?:a|as a) condition of (?:any )?(?:purchase|service|buying)",
        "consent_words": (
            r"\b(?:opt in|opts in|opted in|consent|consents|agree|agrees|check(?:s|ing)? (?:a|the) box"
            r"|sign up|signs up|subscribe|subscribes|text(?:s|ing)? (?:us|our|the|in)|send(?:s|ing)? (?:us )?(?:a|the first) (?:text|message)"
            r"|reply(?:ing)? yes|initiat\w+|enroll\w*|request(?:s|ing)? (?:to receive|texts|messages))\b"
        ),
    }.items()
}


def has(text: str | None, phrase: str) -> bool:
    """Does any sentence of `text` say `phrase` (a key of PHRASES)?"""
    pattern = PHRASES[phrase]
    return any(pattern.search(sentence) for sentence in sentences(text))


def sentences_with(text: str | None, *patterns: re.Pattern[str] | str) -> list[str]:
    """Sentences of `text` matching every pattern (regexes or PHRASES keys)."""
    compiled = [PHRASES[p] if isinstance(p, str) else p for p in patterns]
    return [s for s in sentences(text) if all(p.search(s) for p in compiled)]


_SUFFIXES = (
    "incorporated|inc|corporation|corp|company|co|limited|ltd|llc|l l c|lp|llp|pllc|pc|plc|pbc|na"
)
_SUFFIX = re.compile(rf"(?:\s(?:{_SUFFIXES}))+$")
_PUBLIC_BODY = re.compile(
    r"^(?:the )?(?:city|county|town|village|borough|township|parish) of (.+)$"
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _flat(text: str) -> str:
    return " " + _NON_ALNUM.sub(" ", text.lower()).strip() + " "


@cache
def name_variants(name: str) -> tuple[str, ...]:
    """Ways a text may name an organisation: in full, without its suffix, by its place name."""
    full = _flat(html.unescape(name)).strip()
    variants = {full, _SUFFIX.sub("", full).strip()}
    public_body = _PUBLIC_BODY.match(full)
    if public_body:
        variants.add(public_body.group(1).strip())
    return tuple(sorted(v for v in variants if len(v.replace(" ", "")) >= 4))


def names_in(text: str | None, names: Iterable[str | None]) -> bool:
    """Does `text` name the organisation by any of `names` (legal name, DBA...)?"""
    if not text:
        return False
    flat = _flat(html.unescape(_TAG.sub(" ", text)))
    return any(f" {variant} " in flat for name in names if name for variant in name_variants(name))


PHONE = re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?[2-9]\d{2}[\s.-]?\d{4}(?!\d)")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
URL = re.compile(
    r"\bhttps?://[^\s\"'<>]+"
    r"|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s\"'<>]*"
    r"|\b[a-z0-9-]+\.(?:com|org|net|gov|us|io|co|info|biz|edu|ly|gl|me|app|site|link|to|gd|at|cc)"
    r"(?:/[^\s\"'<>]*)?\b",
    re.IGNORECASE,
)
STREET = re.compile(
    r"\b\d{1,6}\s+[a-z0-9 .'-]{2,40}?\b(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr"
    r"|lane|ln|way|court|ct|place|pl|suite|ste|highway|hwy|parkway|pkwy|circle|cir|square|sq"
    r"|trail|plaza|terrace)\b",
    re.IGNORECASE,
)


def has_contact(text: str | None) -> bool:
    """A phone number, an email address or a street address."""
    if not text:
        return False
    return bool(PHONE.search(text) or EMAIL.search(text) or STREET.search(text))


def any_match(pattern: re.Pattern[str], texts: Sequence[str | None]) -> bool:
    return any(text and pattern.search(text) for text in texts)
