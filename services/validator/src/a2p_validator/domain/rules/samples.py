"""3.7 Sample messages."""

import re
from collections.abc import Iterator

from a2p_shared.events.registration import UseCase
from a2p_validator.domain.catalogue import BLOCK, WARN, Context, Violation, rule
from a2p_validator.domain.text import PHONE, URL, has, names_in, normalise

MIN_SAMPLES, MAX_SAMPLES = 2, 5
MIN_SAMPLE, MAX_SAMPLE = 20, 1024
SHORTENERS = (
    "bit.ly",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "t.co",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "t.ly",
    "bl.ink",
    "shorte.st",
)
_SHORTENER = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:" + "|".join(re.escape(s) for s in SHORTENERS) + r")/", re.I
)
_BAD_VARIABLE = re.compile(
    r"\{\{[^}]*\}\}|\{[a-z_ ]+\}|<[a-z_ ]+>|_{3,}|\bx{3,}\b|\btest message\b|\blorem ipsum\b", re.I
)
# Samples often end "...STOP to opt out" or "STOP=end": the capitalised keyword is the
# instruction, while "stop by our office" is not.
_STOP_KEYWORD = re.compile(r"\bSTOP\b")
_CONFIRMATION_ONLY = re.compile(
    r"\b(?:you are (?:now )?subscribed|you have been unsubscribed|you have opted (?:in|out)|unsubscribed|opted out)\b"
)


def _samples(ctx: Context) -> list[str]:
    return list(ctx.request.campaign.message_samples)


@rule(
    "SMP-01",
    BLOCK,
    field="campaign.message_samples",
    message=f"Give {MIN_SAMPLES} to {MAX_SAMPLES} samples of {MIN_SAMPLE} to {MAX_SAMPLE} characters.",
    fix="Add realistic samples of the messages you will send, one per kind of message.",
)
def sample_count_and_length(ctx: Context) -> Iterator[Violation]:
    samples = _samples(ctx)
    if not MIN_SAMPLES <= len(samples) <= MAX_SAMPLES:
        yield Violation(
            message=f"There are {len(samples)} samples; give {MIN_SAMPLES} to {MAX_SAMPLES}."
        )
    for i, sample in enumerate(samples):
        if not MIN_SAMPLE <= len(sample) <= MAX_SAMPLE:
            yield Violation(
                field=f"campaign.message_samples.{i}",
                message=f"Sample {i + 1} has {len(sample)} characters; samples need {MIN_SAMPLE} to {MAX_SAMPLE}.",
            )


@rule(
    "SMP-02",
    BLOCK,
    field="campaign.message_samples",
    message="No sample names the brand.",
    fix='Start samples with the brand, e.g. "City of Springfield 311: ..."',
    twilio=30893,
)
def samples_name_brand(ctx: Context) -> Iterator[Violation]:
    if not any(names_in(sample, ctx.brand_names) for sample in _samples(ctx)):
        yield Violation(
            message=f"No sample names {ctx.display_name}; recipients must know who is texting."
        )


@rule(
    "SMP-03",
    BLOCK,
    field="campaign.message_samples",
    message="No sample tells people how to opt out.",
    fix='End at least one sample (ideally all) with "Reply STOP to opt out."',
    twilio=30893,
)
def samples_have_opt_out(ctx: Context) -> Iterator[Violation]:
    if not any(has(sample, "stop") or _STOP_KEYWORD.search(sample) for sample in _samples(ctx)):
        yield Violation()


@rule(
    "SMP-04",
    WARN,
    field="campaign.message_samples",
    message="A sample has an unfilled template variable or test text.",
    fix="Write variables in brackets, like [name] or [date], and use real wording.",
    twilio=30893,
)
def samples_use_bracket_variables(ctx: Context) -> Iterator[Violation]:
    for i, sample in enumerate(_samples(ctx)):
        match = _BAD_VARIABLE.search(sample)
        if match:
            yield Violation(
                field=f"campaign.message_samples.{i}",
                message=f'Sample {i + 1} contains "{match.group(0)}".',
            )


@rule(
    "SMP-05",
    BLOCK,
    field="campaign.has_embedded_links",
    message="The embedded link / phone flags do not match the samples.",
    fix="Set has_embedded_links and has_embedded_phone to what the samples contain.",
    twilio=30889,
)
def flags_match_samples(ctx: Context) -> Iterator[Violation]:
    campaign = ctx.request.campaign
    samples = _samples(ctx)
    links = any(URL.search(s) for s in samples)
    phones = any(PHONE.search(s) for s in samples)
    if links != campaign.has_embedded_links:
        yield Violation(
            message=f"has_embedded_links is {str(campaign.has_embedded_links).lower()}, but {'a sample contains' if links else 'no sample contains'} a link.",
            fix=f"Set has_embedded_links to {str(links).lower()}.",
        )
    if phones != campaign.has_embedded_phone:
        yield Violation(
            field="campaign.has_embedded_phone",
            message=f"has_embedded_phone is {str(campaign.has_embedded_phone).lower()}, but {'a sample contains' if phones else 'no sample contains'} a phone number.",
            fix=f"Set has_embedded_phone to {str(phones).lower()}.",
        )


@rule(
    "SMP-06",
    BLOCK,
    field="campaign.message_samples",
    message="Public URL shorteners are filtered by carriers.",
    fix="Use full links on the organisation's own domain (or a branded short domain).",
)
def no_public_shorteners(ctx: Context) -> Iterator[Violation]:
    campaign = ctx.request.campaign
    texts = [(f"campaign.message_samples.{i}", s) for i, s in enumerate(campaign.message_samples)]
    texts += [
        (f"campaign.{name}", getattr(campaign, name))
        for name in ("opt_in_message", "opt_out_message", "help_message", "auto_response")
    ]
    for field, text in texts:
        match = _SHORTENER.search(text or "")
        if match:
            yield Violation(field=field, message=f'"{match.group(0)}" is a public URL shortener.')


@rule(
    "SMP-07",
    WARN,
    field="campaign.message_samples",
    message="Every sample is an opt-in or opt-out confirmation; reviewers need the program's real messages.",
    fix="Give samples of the actual messages the program sends.",
)
def samples_are_program_messages(ctx: Context) -> Iterator[Violation]:
    samples = _samples(ctx)
    if samples and all(_CONFIRMATION_ONLY.search(normalise(s)) for s in samples):
        yield Violation()


@rule(
    "SMP-08",
    WARN,
    field="campaign.message_samples",
    message="The samples do not fit the declared use case or categories.",
    fix="Make the samples match the use case and categories (or declare the promotional category).",
    twilio=30893,
)
def samples_fit_use_case(ctx: Context) -> Iterator[Violation]:
    promotional_samples = [i for i, s in enumerate(_samples(ctx)) if has(s, "promotional")]
    if promotional_samples and not ctx.promotional:
        i = promotional_samples[0]
        yield Violation(
            field=f"campaign.message_samples.{i}",
            message=f"Sample {i + 1} is promotional, but the campaign declares no promotional category.",
        )
    if ctx.request.campaign.use_case is UseCase.MARKETING and not promotional_samples:
        yield Violation(message="A MARKETING campaign gives no promotional sample.")
