"""3.6 The campaign description and use case, with the seeds' DESC-07."""

import re
from collections.abc import Iterator

from a2p_shared.events.registration import EntityType, Tier, UseCase
from a2p_validator.domain.catalogue import BLOCK, WARN, Context, Violation, rule
from a2p_validator.domain.text import PHRASES, names_in, normalise

MIN_DESCRIPTION = 40
MAX_DESCRIPTION = 4096

_RECIPIENTS = re.compile(
    r"\b(?:customers?|clients?|residents?|citizens?|constituents?|patients?|members?|students?"
    r"|parents?|families|guardians?|users?|subscribers?|donors?|volunteers?|employees?|staff"
    r"|guests?|tenants?|buyers?|sellers?|leads?|prospects?|homeowners?|applicants?|borrowers?"
    r"|account ?holders?|people who|those who|anyone who|individuals?|diners?|shoppers?|callers?"
    r"|requesters?|the public|community)\b"
)
_WHY = re.compile(
    r"\b(?:to (?:notify|remind|confirm|update|respond|answer|send|share|provide|coordinate|schedule"
    r"|alert|inform|follow up|let|keep|help|announce|promote|deliver)|so (?:that )?|in order to"
    r"|regarding|about|related to|concerning|for (?:their|your)|when (?:they|a|an|their|you))\b"
)
_PLATFORM = re.compile(
    r"\b(?:our (?:platform|software|saas|app|application|api|tool|product|system|crm)"
    r"|(?:our|the) customers use|crm|api|software platform|messaging platform|sms platform"
    r"|businesses (?:use|send)|lets businesses|allows (?:businesses|companies|users) to)\b"
)
_P2P = re.compile(
    r"\b(?:friends and family|friends & family|forward this|refer a friend|share with (?:your )?friends"
    r"|peer[- ]to[- ]peer|p2p|personal use|personal messages|chain (?:text|message)|viral)\b"
)


@rule(
    "DESC-01",
    BLOCK,
    field="campaign.description",
    message=f"The campaign description must be {MIN_DESCRIPTION} to {MAX_DESCRIPTION} characters.",
    fix="Describe who sends, whom you text, why, and which kinds of messages, in a few sentences.",
)
def description_length(ctx: Context) -> Iterator[Violation]:
    length = len(ctx.request.campaign.description)
    if not MIN_DESCRIPTION <= length <= MAX_DESCRIPTION:
        yield Violation(
            message=f"The description has {length} characters; it needs {MIN_DESCRIPTION} to {MAX_DESCRIPTION}."
        )


def _parts_missing(ctx: Context) -> list[str]:
    text = ctx.request.campaign.description
    plain = normalise(text)
    return [
        what
        for what, ok in (
            (f"who sends ({ctx.display_name})", names_in(text, ctx.brand_names)),
            ("whom it texts", bool(_RECIPIENTS.search(plain))),
            ("why it texts them", bool(_WHY.search(plain))),
            ("which kinds of messages", bool(PHRASES["purpose"].search(plain))),
        )
        if not ok
    ]


@rule(
    "DESC-02",
    WARN,
    field="campaign.description",
    message="The description should name the sender, the recipients and the purpose.",
    fix='Write it like: "<Brand> texts <whom> who <opted in how> to <why>. Messages include <kinds>."',
    twilio=30886,
)
def description_is_specific(ctx: Context) -> Iterator[Violation]:
    text = ctx.request.campaign.description
    plain = normalise(text)
    missing = [
        what
        for what, ok in (
            (f"who sends ({ctx.display_name})", names_in(text, ctx.brand_names)),
            ("whom it texts", bool(_RECIPIENTS.search(plain))),
            (
                "what the messages are for",
                bool(_WHY.search(plain) or PHRASES["purpose"].search(plain)),
            ),
        )
        if not ok
    ]
    if missing:
        yield Violation(message="The description does not say " + ", ".join(missing) + ".")


@rule(
    "DESC-03",
    WARN,
    field="campaign.description",
    message="The description describes the software platform, not the tenant's own SMS program.",
    fix="Describe the tenant's program: who it texts, why and what it sends, not the platform used to send.",
    twilio=30886,
)
def description_is_about_tenant(ctx: Context) -> Iterator[Violation]:
    plain = normalise(ctx.request.campaign.description)
    match = _PLATFORM.search(plain)
    if match:
        yield Violation(message=f'The description talks about the platform ("{match.group(0)}").')


@rule(
    "DESC-04",
    BLOCK,
    field="campaign.use_case",
    message="A MIXED or LOW_VOLUME campaign must describe several kinds of messages with a sample of each.",
    fix="List at least two kinds of messages in the description and give at least two samples.",
)
def mixed_has_several_uses(ctx: Context) -> Iterator[Violation]:
    campaign = ctx.request.campaign
    if campaign.use_case not in (UseCase.MIXED, UseCase.LOW_VOLUME):
        return
    kinds = {m.group(0) for m in PHRASES["purpose"].finditer(normalise(campaign.description))}
    if len(kinds) < 2 or len(campaign.message_samples) < 2:
        yield Violation(
            message=(
                f"A {campaign.use_case.value} campaign names {len(kinds)} kind(s) of messages in "
                f"its description and gives {len(campaign.message_samples)} sample(s); it needs "
                "two or more of each."
            )
        )


@rule(
    "DESC-05",
    BLOCK,
    field="campaign.description",
    message="Personal, peer-to-peer or viral messaging is not allowed on A2P 10DLC.",
    fix="Register only the organisation's own messages to people who opted in.",
    twilio=30532,
)
def not_personal_or_viral(ctx: Context) -> Iterator[Violation]:
    campaign = ctx.request.campaign
    for field, text in [("campaign.description", campaign.description)] + [
        (f"campaign.message_samples.{i}", s) for i, s in enumerate(campaign.message_samples)
    ]:
        match = _P2P.search(normalise(text))
        if match:
            yield Violation(
                field=field, message=f'"{match.group(0)}" describes personal or viral messaging.'
            )
            return


@rule(
    "DESC-06",
    BLOCK,
    field="campaign.use_case",
    message="This use case is not one the brand can register.",
    fix="Choose a use case the brand qualifies for.",
)
def use_case_fits_brand(ctx: Context) -> Iterator[Violation]:
    brand, use_case = ctx.request.brand, ctx.request.campaign.use_case
    sole = brand.tier is Tier.SOLE_PROPRIETOR
    if sole != (use_case is UseCase.SOLE_PROPRIETOR):
        yield Violation(
            message=(
                "The SOLE_PROPRIETOR use case is for sole-proprietor brands only, and they can "
                f"register no other; this is a {brand.tier.value} brand with {use_case.value}."
            ),
            fix="Use SOLE_PROPRIETOR for a sole-proprietor brand and a standard use case otherwise.",
        )
    if use_case is UseCase.CHARITY and brand.entity_type is not EntityType.NON_PROFIT:
        yield Violation(
            message="The CHARITY use case is for registered non-profits (501(c)(3)) only."
        )
    if use_case is UseCase.POLITICAL:
        yield Violation(
            message=(
                "The POLITICAL use case needs a Campaign Verify token, which this registration "
                "cannot carry; register it through the political vetting path."
            )
        )


@rule(
    "DESC-07",
    BLOCK,
    field="campaign.description",
    message="The description is too vague: it must say who sends, whom, why and which messages.",
    fix=(
        'Be specific, e.g. "City of Springfield 311 texts residents who report issues by text, to '
        'confirm their requests and send status updates until each request is closed."'
    ),
)
def description_is_not_vague(ctx: Context) -> Iterator[Violation]:
    missing = _parts_missing(ctx)
    if len(missing) >= 2:
        yield Violation(message="The description does not say " + ", ".join(missing) + ".")
