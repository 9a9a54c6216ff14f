"""3.1 Brand data, and the seeds' BR-08 to BR-10."""

import re
from collections.abc import Iterator

from a2p_shared.events.registration import BusinessType, EntityType, Tier
from a2p_validator.domain.catalogue import BLOCK, WARN, Context, Violation, rule
from a2p_validator.domain.domains import host_of, registrable_domain, same_site
from a2p_validator.domain.zips import zip_matches_state

LOW_VOLUME_DAILY_LIMIT = 6000

_DBA = re.compile(
    r"\b(?:d\s*/\s*b\s*/\s*a|dba|doing business as|a\.k\.a\.?|aka|t/a|trading as)\b", re.I
)
_COMPANY_SUFFIX = re.compile(
    r"\b(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l\.l\.c|plc|pllc|lp|llp|pc|pbc|na|n\.a)\.?$",
    re.I,
)
# Prefixes the IRS has never assigned (irs.gov, "How EINs are assigned and valid EIN prefixes").
_INVALID_EIN_PREFIXES = frozenset(
    {
        "00",
        "07",
        "08",
        "09",
        "17",
        "18",
        "19",
        "28",
        "29",
        "49",
        "69",
        "70",
        "78",
        "79",
        "89",
        "96",
        "97",
    }
)
_FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "comcast.net",
        "att.net",
        "verizon.net",
        "sbcglobal.net",
    }
)
_DISTRIBUTION_LISTS = frozenset(
    {
        "info",
        "sales",
        "support",
        "admin",
        "team",
        "contact",
        "hello",
        "office",
        "noreply",
        "no-reply",
        "marketing",
        "billing",
        "help",
        "service",
        "enquiries",
        "inquiries",
        "hr",
        "jobs",
        "careers",
        "webmaster",
        "accounts",
        "all",
        "staff",
    }
)
_PUBLIC_BODY = re.compile(
    r"\b(?:city|county|town|village|borough|township|parish) of\b|\b(?:township|borough|parish)\b|\b311\b"
    r"|\bcounty\b|\bmunicipal",
    re.I,
)
_LOCALITY_SITE = re.compile(r"\.(?:gov|[a-z]{2}\.us)$")
_AUTHORISED_TITLE = re.compile(
    r"\b(?:director|general manager|gm|vice[- ]president|vp|svp|evp|president|ceo|cfo|coo|cto|cio"
    r"|chief [a-z ]*officer|general counsel|owner|co-owner|founder|co-founder|partner|principal"
    r"|managing (?:director|partner|member)|executive director|proprietor"
    r"|(?:city|county|town|village|borough) (?:manager|administrator|clerk|attorney)"
    r"|mayor|commissioner|superintendent|department head|head of [a-z ]+|chief|treasurer|secretary)\b",
    re.I,
)
_JUNIOR_TITLE = re.compile(
    r"\b(?:assistant|intern|coordinator|specialist|analyst|associate|representative|rep|agent"
    r"|clerk typist|trainee|volunteer|contractor|consultant|receptionist)\b",
    re.I,
)
_ASSISTANT_TO = re.compile(r"\b(?:assistant|associate|deputy assistant) (?:to|of)\b", re.I)


@rule(
    "BR-01",
    BLOCK,
    field="brand.legal_name",
    message=(
        "The legal name must be exactly the name on the IRS record for this EIN, including its "
        "suffix. We cannot see the IRS record; compare it with the CP-575 or 147C letter."
    ),
    fix="Copy the legal name character for character from the IRS CP-575 or 147C letter.",
)
def legal_name_is_the_irs_name(ctx: Context) -> Iterator[Violation]:
    brand = ctx.request.brand
    if _DBA.search(brand.legal_name):
        yield Violation(
            message=(
                f"The legal name {brand.legal_name!r} contains a trade name (DBA). Carriers "
                "compare the legal name with the IRS record for the EIN, which never holds a DBA."
            ),
            fix="Put the IRS legal name in legal_name and the trade name in dba_name.",
        )
    elif brand.business_type in (BusinessType.CORPORATION, BusinessType.LLC) and not (
        _COMPANY_SUFFIX.search(brand.legal_name.strip(" ,."))
    ):
        expected = "LLC" if brand.business_type is BusinessType.LLC else "Inc., Corp. or Co."
        yield Violation(
            message=(
                f"The legal name {brand.legal_name!r} has no company suffix, but a "
                f"{brand.business_type.value} is registered with the IRS under a name that "
                f"carries one ({expected}). We cannot see the IRS record; check the CP-575 letter."
            ),
            fix=f"Use the full IRS name, suffix included (for example {brand.legal_name}, {expected.split()[0].rstrip(',')}).",
        )


@rule(
    "BR-02",
    BLOCK,
    field="brand.ein",
    message="The EIN is not one the IRS issues.",
    fix="Copy the EIN from the IRS CP-575 or 147C letter.",
)
def ein_is_issuable(ctx: Context) -> Iterator[Violation]:
    ein = ctx.request.brand.ein
    if ein is None:
        return
    digits = ein.replace("-", "")
    if digits[:2] in _INVALID_EIN_PREFIXES:
        yield Violation(
            message=f"The EIN {ein} starts with {digits[:2]}, a prefix the IRS has never assigned."
        )
    elif len(set(digits)) == 1:
        yield Violation(message=f"The EIN {ein} is a placeholder, not a real EIN.")


@rule(
    "BR-03",
    BLOCK,
    field="brand.address.postal_code",
    message="The ZIP code does not belong to the state of the address.",
    fix="Use the address registered for the EIN, exactly as on the IRS record.",
)
def zip_belongs_to_state(ctx: Context) -> Iterator[Violation]:
    address = ctx.request.brand.address
    if zip_matches_state(address.postal_code, address.region) is False:
        yield Violation(
            message=(
                f"ZIP {address.postal_code} is not a {address.region} ZIP code, so the address "
                "cannot match the IRS record. (The street itself cannot be verified with USPS "
                "offline.)"
            )
        )


@rule(
    "BR-04",
    BLOCK,
    field="representative.phone",
    message="The representative's phone number cannot be dialled (twilio 21736 family).",
    fix="Give the representative's direct, dialable US phone number.",
)
def representative_contact_is_valid(ctx: Context) -> Iterator[Violation]:
    rep = ctx.request.representative
    national = rep.phone.removeprefix("+1")
    area, exchange = national[:3], national[3:6]
    if area[0] in "01" or area[1:] == "11" or exchange[0] in "01":
        yield Violation(message=f"{rep.phone} is not a dialable North American number.")
    host = rep.email.rsplit("@", 1)[-1]
    if "." not in host.strip("."):
        yield Violation(
            field="representative.email",
            message=f"The email {rep.email} has no real domain.",
            fix="Give the representative's email at the organisation's domain.",
        )


@rule(
    "BR-05",
    BLOCK,
    field="brand.stock_symbol",
    message="A public company needs its stock symbol and exchange, and a personal mailbox at its domain.",
    fix="Add stock_symbol and stock_exchange, and use the representative's own email at the company's domain.",
    twilio=30900,
)
def public_company_details(ctx: Context) -> Iterator[Violation]:
    brand, rep = ctx.request.brand, ctx.request.representative
    if brand.entity_type is not EntityType.PUBLIC_PROFIT:
        return
    if not brand.stock_symbol or not brand.stock_exchange:
        yield Violation(
            message="A PUBLIC_PROFIT brand must give its stock symbol and the exchange it trades on.",
            fix="Add stock_symbol (e.g. ACME) and stock_exchange (e.g. NASDAQ or NYSE).",
        )
    local, _, domain = rep.email.lower().partition("@")
    if domain in _FREE_MAIL or not same_site(domain, str(brand.website)):
        yield Violation(
            field="representative.email",
            message=(
                f"{rep.email} is not at the company's own domain; public companies verify the "
                "brand through a two-factor email to a mailbox at their domain (Authentication+)."
            ),
            fix=f"Use the representative's own mailbox at {registrable_domain(str(brand.website))}.",
        )
    elif local in _DISTRIBUTION_LISTS:
        yield Violation(
            field="representative.email",
            message=(
                f"{rep.email} is a shared mailbox; the Authentication+ verification email must "
                "reach one person."
            ),
            fix="Use the representative's personal mailbox at the company's domain.",
        )


@rule(
    "BR-06",
    WARN,
    field="representative.email",
    message="The website, the representative's email, the privacy policy and the terms are on different domains.",
    fix="Use one domain for the website, the policies and the representative's email.",
)
def one_domain_everywhere(ctx: Context) -> Iterator[Violation]:
    request = ctx.request
    website = registrable_domain(str(request.brand.website))
    email_domain = request.representative.email.rsplit("@", 1)[-1].lower()
    if email_domain in _FREE_MAIL or registrable_domain(email_domain) != website:
        yield Violation(
            message=(
                f"The representative's email is at {email_domain}, but the website is at "
                f"{website}; reviewers expect the organisation's own domain."
            ),
            fix=f"Give the representative's email at {website}.",
        )
    for field, url in (
        ("policies.privacy_policy_url", request.policies.privacy_policy_url),
        ("policies.terms_url", request.policies.terms_url),
    ):
        domain = registrable_domain(str(url))
        if domain != website:
            yield Violation(
                field=field,
                message=f"The page is at {domain}, but the website is at {website}.",
                fix=f"Publish it on {website}, the site the brand registers.",
            )


@rule(
    "BR-07",
    WARN,
    field="brand.entity_type",
    message="A public body should be registered as GOVERNMENT with the GOVERNMENT industry.",
    fix="Set entity_type to GOVERNMENT and industry to GOVERNMENT.",
)
def public_bodies_are_government(ctx: Context) -> Iterator[Violation]:
    brand = ctx.request.brand
    public_body = bool(_PUBLIC_BODY.search(brand.legal_name)) or bool(
        _LOCALITY_SITE.search(host_of(str(brand.website)))
    )
    if public_body and (
        brand.entity_type is not EntityType.GOVERNMENT or brand.industry.value != "GOVERNMENT"
    ):
        yield Violation(
            message=(
                f"{brand.legal_name} looks like a public body, but it is registered as "
                f"{brand.entity_type.value} in {brand.industry.value}."
            )
        )


@rule(
    "BR-08",
    BLOCK,
    field="representative.title",
    message="The contact must be an authorised representative of the organisation.",
    fix=(
        "Name a Director, General Manager, Vice President, CEO, CFO, General Counsel or similar "
        "officer as the representative."
    ),
)
def representative_is_authorised(ctx: Context) -> Iterator[Violation]:
    title = ctx.request.representative.title
    junior = _JUNIOR_TITLE.search(title) or _ASSISTANT_TO.search(title)
    if junior or not _AUTHORISED_TITLE.search(title):
        yield Violation(
            message=(
                f"{title!r} is not an authorised representative's title; carriers require an "
                "officer or director who can bind the organisation."
            )
        )


@rule(
    "BR-09",
    BLOCK,
    field="policies.attested",
    message=(
        "The organisation has not confirmed that its privacy policy and terms are public and "
        "carry SMS disclosures that match its practice."
    ),
    fix=(
        "Confirm: \"Our organization's Privacy Policy and Terms of Service are publicly "
        "accessible and include SMS-related disclosures that accurately reflect our messaging "
        'practices." and set attested to true.'
    ),
)
def policies_attested(ctx: Context) -> Iterator[Violation]:
    if not ctx.request.policies.attested:
        yield Violation()


@rule(
    "BR-10",
    BLOCK,
    field="brand.tier",
    message="The brand tier does not fit the expected volume.",
    fix="Choose the tier that fits the expected daily segments.",
)
def tier_fits_volume(ctx: Context) -> Iterator[Violation]:
    brand = ctx.request.brand
    daily = ctx.request.campaign.expected_daily_segments
    sole_tier = brand.tier is Tier.SOLE_PROPRIETOR
    sole_entity = brand.entity_type is EntityType.SOLE_PROPRIETOR
    if sole_tier != sole_entity:
        yield Violation(
            message=(
                "The SOLE_PROPRIETOR tier and the SOLE_PROPRIETOR entity type go together: this "
                f"brand has tier {brand.tier.value} and entity type {brand.entity_type.value}."
            ),
            fix="Use both (a person without an EIN) or neither (an organisation with an EIN).",
        )
    if brand.tier is Tier.LOW_VOLUME_STANDARD and daily > LOW_VOLUME_DAILY_LIMIT:
        yield Violation(
            field="campaign.expected_daily_segments",
            message=(
                f"A low-volume standard brand can send up to {LOW_VOLUME_DAILY_LIMIT:,} segments "
                f"a day; this campaign expects {daily:,}."
            ),
            fix="Register a STANDARD brand (it includes secondary vetting), or lower the expected volume.",
        )
    elif brand.tier is Tier.STANDARD and daily <= LOW_VOLUME_DAILY_LIMIT:
        yield Violation(
            severity=WARN,
            field="campaign.expected_daily_segments",
            message=(
                f"A STANDARD brand pays the higher registration fee, but this campaign expects "
                f"only {daily:,} segments a day (low-volume standard allows {LOW_VOLUME_DAILY_LIMIT:,})."
            ),
            fix="Register a LOW_VOLUME_STANDARD brand unless volume will grow past 6,000 a day.",
        )
    if sole_tier and brand.ein:
        yield Violation(
            severity=WARN,
            field="brand.ein",
            message="A sole proprietor brand is for people without an EIN; this one has an EIN.",
            fix="Register a LOW_VOLUME_STANDARD brand with the EIN instead.",
        )
