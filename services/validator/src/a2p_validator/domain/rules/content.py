"""3.10 Content and use-case restrictions, with the seeds' CNT-04."""

import re
from collections.abc import Iterator

from a2p_validator.domain.catalogue import BLOCK, Context, Violation, rule
from a2p_validator.domain.text import normalise

_ALWAYS_BANNED = re.compile(
    r"\b(?:cannabis|marijuana|cbd|thc|dispensar(?:y|ies)|kratom|psilocybin|escort\w*|porn\w*"
    r"|xxx|adult (?:content|entertainment|videos?)|sex(?:ual|y)? (?:content|chat|services?)"
    r"|hate speech|white power)\b"
)
_AGE_GATED = re.compile(
    r"\b(?:alcohol|beer|wine|wines|liquor|spirits|whiskey|vodka|tequila|brewery|winery|happy hour"
    r"|tobacco|cigars?|cigarettes?|vape|vapes|vaping|e-?cig\w*|hookah|firearms?|guns?|ammo"
    r"|ammunition|rifles?|handguns?)\b"
)
_AGE_GATE = re.compile(
    r"\b(?:21|18) ?(?:years of age|years old|or older|and older|\+)|\bdate of birth\b|\bverify (?:your )?age"
    r"|\bage verification\b|\bare you (?:21|18|of legal drinking age)|\blegal drinking age\b"
)
_LENDING = re.compile(
    r"\b(?:loans?|lending|lender|payday|cash advances?|line of credit|credit lines?|financing offers?"
    r"|pre-?approved|refinanc\w*|mortgage offers?)\b"
)
_LEAD_GEN = re.compile(
    r"\b(?:lead generation|lead gen|affiliate marketing|affiliates? program|we sell (?:leads|data)"
    r"|our partners will (?:contact|text|call) you|shared with (?:our )?(?:marketing )?partners)\b"
)
_HIGH_RISK = re.compile(
    r"\b(?:debt (?:relief|consolidation|settlement|forgiveness)|credit repair|get rich"
    r"|work from home (?:opportunity|income)|make \$?\d+[k]? (?:a|per) (?:day|week)|crypto(?:currency)? invest\w*"
    r"|forex|binary options|gift cards? giveaway|free gift card|you(?:'ve| have) won|claim your prize"
    r"|sweepstakes winner)\b"
)


def _texts(ctx: Context, *, with_site: bool = True) -> list[tuple[str, str]]:
    campaign = ctx.request.campaign
    texts = [
        ("campaign.description", campaign.description),
        ("campaign.message_flow", campaign.message_flow),
    ]
    texts += [(f"campaign.message_samples.{i}", s) for i, s in enumerate(campaign.message_samples)]
    website = ctx.website
    if with_site and website is not None and website.ok:
        texts.append(("brand.website", website.text))
    return [(field, normalise(text)) for field, text in texts]


def _first(pattern: re.Pattern[str], texts: list[tuple[str, str]]) -> tuple[str, str] | None:
    for field, text in texts:
        match = pattern.search(text)
        if match:
            return field, match.group(0)
    return None


@rule(
    "CNT-01",
    BLOCK,
    field="campaign.description",
    message="Restricted content (SHAFT: sex, hate, alcohol, firearms, tobacco; cannabis).",
    fix="Remove the restricted content, or for alcohol, tobacco and firearms register an age-gated campaign with an age gate on the website.",
    twilio=30825,
)
def restricted_content(ctx: Context) -> Iterator[Violation]:
    texts = _texts(ctx)
    banned = _first(_ALWAYS_BANNED, texts)
    if banned:
        yield Violation(
            field=banned[0], message=f'"{banned[1]}" is content carriers do not allow on A2P 10DLC.'
        )
        return
    gated = _first(_AGE_GATED, texts)
    if gated is None:
        return
    website = ctx.website
    site_gated = (
        website is not None and website.ok and bool(_AGE_GATE.search(normalise(website.text)))
    )
    if not ctx.request.campaign.age_gated:
        yield Violation(
            field=gated[0],
            message=f'"{gated[1]}" is age-restricted content; the campaign is not marked age_gated.',
            fix="Set campaign.age_gated to true and add an age gate to the website.",
        )
    elif not site_gated:
        yield Violation(
            field="brand.website",
            message=f'"{gated[1]}" is age-restricted content, but the website has no age gate.',
            fix='Add an age gate ("Are you 21 or older?" with date of birth) to the website.',
        )


@rule(
    "CNT-02",
    BLOCK,
    field="campaign.direct_lending",
    message="The lending / lead-generation declarations must be truthful.",
    fix="Set direct_lending truthfully; lead generation and affiliate marketing are not allowed.",
)
def lending_and_lead_gen_declared(ctx: Context) -> Iterator[Violation]:
    texts = _texts(ctx, with_site=False)
    lending = _first(_LENDING, texts)
    if lending and not ctx.request.campaign.direct_lending:
        yield Violation(
            message=f'"{lending[1]}" describes lending, but direct_lending is false.',
            fix="Set campaign.direct_lending to true.",
        )
    lead_gen = _first(_LEAD_GEN, texts)
    if lead_gen:
        yield Violation(
            field=lead_gen[0],
            message=f'"{lead_gen[1]}": lead generation and sharing opt-in data with others is not allowed.',
            fix="Remove lead generation: opt-ins may only be used by the organisation that collected them.",
        )


@rule(
    "CNT-03",
    BLOCK,
    field="campaign.description",
    message="High-risk content: carriers reject it, and such a rejection cannot be resubmitted.",
    fix="Do not register this content on A2P 10DLC.",
    twilio=30885,
)
def high_risk_content(ctx: Context) -> Iterator[Violation]:
    found = _first(_HIGH_RISK, _texts(ctx))
    if found:
        yield Violation(
            field=found[0], message=f'"{found[1]}" is high-risk content (30885, not resubmittable).'
        )


@rule(
    "CNT-04",
    BLOCK,
    field="campaign.categories",
    message="Direct lending, loan arrangement and trading campaigns may send transactional messages only.",
    fix="Remove the promotional category (and promotional samples) from this campaign.",
)
def lending_is_transactional(ctx: Context) -> Iterator[Violation]:
    lending = ctx.request.campaign.direct_lending or _first(_LENDING, _texts(ctx, with_site=False))
    if lending and ctx.promotional:
        yield Violation()
