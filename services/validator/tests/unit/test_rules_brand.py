"""3.1 Brand data and the seeds' BR-08 to BR-10: each rule fires on one mutation of a compliant
baseline, and stays quiet on realistic variants."""

import dataclasses

import pytest

from a2p_shared.events.policy import Severity
from a2p_shared.events.registration import RegistrationRequest
from a2p_validator.domain.engine import evaluate

from services.validator.tests.unit.conftest import Registration, page

BLOCK, WARN = Severity.BLOCK, Severity.WARN


# --- BR-01 legal name is the IRS name -------------------------------------------------------


@pytest.mark.parametrize(
    "legal_name",
    [
        "Harbor Lane Outfitters LLC DBA Harbor Lane",
        "Harbor Lane Outfitters LLC dba Harbor Lane",
        "Harbor Lane Outfitters LLC d/b/a Harbor Lane",
        "Harbor Lane Outfitters LLC D / B / A Harbor Lane",
        "Harbor Lane Outfitters LLC doing business as Harbor Lane",
    ],
)
def test_br01_fires_when_the_legal_name_holds_a_dba(shop: Registration, legal_name: str) -> None:
    shop.brand["legal_name"] = legal_name

    [finding] = shop.fired("BR-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "brand.legal_name",
        None,
    )
    assert legal_name in finding.message
    assert "DBA" in finding.message
    assert "dba_name" in finding.fix


@pytest.mark.parametrize(
    ("business_type", "expected_suffix"),
    [("Limited Liability Corporation", "LLC"), ("Corporation", "Inc., Corp. or Co.")],
)
def test_br01_fires_when_a_company_has_no_suffix(
    shop: Registration, business_type: str, expected_suffix: str
) -> None:
    shop.brand.update(legal_name="Harbor Lane Outfitters", business_type=business_type)

    [finding] = shop.fired("BR-01")

    assert "'Harbor Lane Outfitters' has no company suffix" in finding.message
    assert expected_suffix in finding.message
    assert "CP-575" in finding.message


@pytest.mark.parametrize(
    ("business_type", "legal_name"),
    [
        ("Limited Liability Corporation", "Harbor Lane Outfitters LLC"),
        ("Limited Liability Corporation", "Harbor Lane Outfitters, LLC"),
        ("Limited Liability Corporation", "Harbor Lane Outfitters, L.L.C."),
        ("Limited Liability Corporation", "harbor lane outfitters llc"),
        ("Corporation", "Harbor Lane Outfitters, Inc."),
        ("Corporation", "Harbor Lane Outfitters Incorporated"),
        ("Corporation", "Harbor Lane Outfitters Corp."),
        ("Corporation", "Harbor Lane Outfitters Corporation"),
        ("Corporation", "Harbor Lane Outfitters Company"),
        ("Corporation", "Harbor Lane Outfitters Co."),
        ("Corporation", "Harbor Lane Outfitters Ltd."),
        # "dba" inside a word is not a trade name
        ("Limited Liability Corporation", "Sandbar Goods LLC"),
    ],
)
def test_br01_accepts_suffixed_irs_names(
    shop: Registration, business_type: str, legal_name: str
) -> None:
    shop.brand.update(legal_name=legal_name, business_type=business_type)
    assert shop.fired("BR-01") == []


@pytest.mark.parametrize("business_type", ["Non-profit Corporation", "Partnership", "Co-operative"])
def test_br01_needs_no_suffix_for_other_business_types(
    shop: Registration, business_type: str
) -> None:
    shop.brand.update(legal_name="Harbor Lane Outfitters", business_type=business_type)
    assert shop.fired("BR-01") == []


def test_br01_accepts_a_city_name(city: Registration) -> None:
    assert city.brand["legal_name"] == "City of Springfield"
    assert city.fired("BR-01") == []


# --- BR-02 EIN the IRS issues ---------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["00", "07", "08", "09", "17", "19", "28", "29", "49", "69"])
def test_br02_fires_on_prefixes_the_irs_never_assigned(shop: Registration, prefix: str) -> None:
    shop.brand["ein"] = f"{prefix}-2317765"

    [finding] = shop.fired("BR-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (BLOCK, "brand.ein", None)
    assert f"starts with {prefix}" in finding.message
    assert f"{prefix}-2317765" in finding.message


@pytest.mark.parametrize("prefix", ["70", "78", "79", "89", "96", "97"])
def test_br02_fires_on_the_higher_unassigned_prefixes(shop: Registration, prefix: str) -> None:
    shop.brand["ein"] = f"{prefix}-2317765"
    assert [f.rule for f in shop.fired("BR-02")] == ["BR-02"]


@pytest.mark.parametrize("ein", ["11-1111111", "222222222", "99-9999999"])
def test_br02_fires_on_placeholder_eins(shop: Registration, ein: str) -> None:
    shop.brand["ein"] = ein
    [finding] = shop.fired("BR-02")
    assert "placeholder" in finding.message


@pytest.mark.parametrize(
    "ein", ["84-2317765", "842317765", "12-3456789", "27-0000001", "98-7654321"]
)
def test_br02_accepts_issued_eins(shop: Registration, ein: str) -> None:
    shop.brand["ein"] = ein
    assert shop.fired("BR-02") == []


def test_br02_does_not_apply_without_an_ein(shop: Registration) -> None:
    shop.brand.update(ein=None, entity_type="SOLE_PROPRIETOR", tier="SOLE_PROPRIETOR")
    assert shop.fired("BR-02") == []


# --- BR-03 ZIP code belongs to the state ----------------------------------------------------


def test_br03_fires_when_the_zip_is_in_another_state(city: Registration) -> None:
    city.brand["address"]["postal_code"] = "97209"  # Portland, OR; the address says IL

    [finding] = city.fired("BR-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "brand.address.postal_code",
        None,
    )
    assert "ZIP 97209 is not a IL ZIP code" in finding.message
    assert "USPS" in finding.message


@pytest.mark.parametrize(
    ("region", "postal_code"),
    [("IL", "62701"), ("IL", "62701-1234"), ("OR", "97209"), ("ny", "10001"), ("TX", "88510")],
)
def test_br03_accepts_a_zip_of_the_state(city: Registration, region: str, postal_code: str) -> None:
    city.brand["address"].update(region=region, postal_code=postal_code)
    assert city.fired("BR-03") == []


def test_br03_does_not_judge_shared_military_prefixes(city: Registration) -> None:
    city.brand["address"].update(region="CA", postal_code="96201")
    assert city.fired("BR-03") == []


# --- BR-04 dialable representative phone, real email domain ---------------------------------


@pytest.mark.parametrize("phone", ["+12115550142", "+14115550142", "+19115550142"])
def test_br04_fires_on_n11_area_codes(city: Registration, phone: str) -> None:
    city.doc["representative"]["phone"] = phone

    [finding] = city.fired("BR-04")

    assert (finding.severity, finding.field) == (BLOCK, "representative.phone")
    assert f"{phone} is not a dialable North American number" in finding.message


@pytest.mark.parametrize("phone", ["+12175550142", "(217) 555-0142", "+1 503 555 0188"])
def test_br04_accepts_dialable_numbers(city: Registration, phone: str) -> None:
    city.doc["representative"]["phone"] = phone
    assert city.fired("BR-04") == []


def test_br04_fires_on_an_email_without_a_domain(city: Registration) -> None:
    # The schema refuses such an address at intake; the rule still guards the domain model.
    request = RegistrationRequest.model_validate(city.doc)
    representative = request.representative.model_copy(update={"email": "dreyes@localhost"})
    request = request.model_copy(update={"representative": representative})

    found = [f for f in evaluate(request, city.pages) if f.rule == "BR-04"]

    assert [(f.field, f.message) for f in found] == [
        ("representative.email", "The email dreyes@localhost has no real domain.")
    ]


# --- BR-05 public companies ---------------------------------------------------------------


@pytest.fixture
def public_company(shop: Registration) -> Registration:
    shop.brand.update(
        legal_name="Harbor Lane Outfitters Inc.",
        business_type="Corporation",
        entity_type="PUBLIC_PROFIT",
        stock_symbol="HRBL",
        stock_exchange="NASDAQ",
    )
    return shop


def test_br05_accepts_a_listed_company_with_a_personal_mailbox(public_company) -> None:
    assert public_company.fired("BR-05") == []


@pytest.mark.parametrize("missing", ["stock_symbol", "stock_exchange"])
def test_br05_fires_without_stock_symbol_or_exchange(public_company, missing: str) -> None:
    public_company.brand[missing] = None

    [finding] = public_company.fired("BR-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "brand.stock_symbol",
        30900,
    )
    assert "stock symbol and the exchange" in finding.message


@pytest.mark.parametrize(
    "email", ["maya.chen@gmail.com", "maya.chen@outlook.com", "maya@harborlane-goods.example"]
)
def test_br05_fires_when_the_mailbox_is_not_at_the_company_domain(
    public_company, email: str
) -> None:
    public_company.doc["representative"]["email"] = email

    [finding] = public_company.fired("BR-05")

    assert (finding.field, finding.twilio_code) == ("representative.email", 30900)
    assert f"{email} is not at the company's own domain" in finding.message
    assert "harborlane.example" in finding.fix


@pytest.mark.parametrize("local", ["info", "sales", "support", "admin", "team", "contact", "hello"])
def test_br05_fires_on_distribution_lists(public_company, local: str) -> None:
    public_company.doc["representative"]["email"] = f"{local}@harborlane.example"

    [finding] = public_company.fired("BR-05")

    assert finding.field == "representative.email"
    assert "shared mailbox" in finding.message


@pytest.mark.parametrize("local", ["office", "noreply", "INFO"])
def test_br05_distribution_lists_are_case_insensitive(public_company, local: str) -> None:
    public_company.doc["representative"]["email"] = f"{local}@harborlane.example"
    assert [f.field for f in public_company.fired("BR-05")] == ["representative.email"]


def test_br05_does_not_apply_to_private_companies(shop: Registration) -> None:
    shop.doc["representative"]["email"] = "info@gmail.com"
    assert shop.fired("BR-05") == []


# --- BR-06 one domain everywhere ------------------------------------------------------------


@pytest.mark.parametrize("email", ["dana.reyes@gmail.com", "dreyes@springfield-il.example"])
def test_br06_warns_when_the_email_is_not_at_the_website_domain(
    city: Registration, email: str
) -> None:
    city.doc["representative"]["email"] = email

    [finding] = city.fired("BR-06")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "representative.email",
        None,
    )
    domain = email.split("@")[1]
    assert f"email is at {domain}, but the website is at springfield.example" in finding.message


@pytest.mark.parametrize(
    "email",
    ["dreyes@springfield.example", "DReyes@Springfield.Example", "dreyes@ci.springfield.example"],
)
def test_br06_accepts_the_website_domain_and_its_sub_domains(
    city: Registration, email: str
) -> None:
    city.doc["representative"]["email"] = email
    assert city.fired("BR-06") == []


@pytest.mark.parametrize("policy", ["privacy_policy_url", "terms_url"])
def test_br06_warns_when_a_policy_is_on_another_domain(city: Registration, policy: str) -> None:
    own = city.doc["policies"][policy]
    elsewhere = "https://docs.hostedpolicies.example/springfield/" + policy
    city.pages[elsewhere] = dataclasses.replace(city.pages[own], url=elsewhere)
    city.doc["policies"][policy] = elsewhere

    [finding] = city.fired("BR-06")

    assert (finding.severity, finding.field) == (WARN, f"policies.{policy}")
    assert finding.message == (
        "The page is at hostedpolicies.example, but the website is at springfield.example."
    )


def test_br06_accepts_policies_on_a_sub_domain_of_the_website(city: Registration) -> None:
    elsewhere = "https://legal.springfield.example/privacy"
    city.pages[elsewhere] = dataclasses.replace(city.pages[city.privacy_url], url=elsewhere)
    city.doc["policies"]["privacy_policy_url"] = elsewhere
    assert city.fired("BR-06") == []


# --- BR-07 public bodies register as GOVERNMENT -----------------------------------------


def test_br07_warns_when_a_city_registers_as_a_non_profit(city: Registration) -> None:
    city.brand["entity_type"] = "NON_PROFIT"

    [finding] = city.fired("BR-07")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "brand.entity_type",
        None,
    )
    assert "City of Springfield looks like a public body" in finding.message
    assert "NON_PROFIT in GOVERNMENT" in finding.message


def test_br07_warns_when_the_industry_is_not_government(city: Registration) -> None:
    city.brand["industry"] = "NOT_FOR_PROFIT"
    [finding] = city.fired("BR-07")
    assert "GOVERNMENT in NOT_FOR_PROFIT" in finding.message


@pytest.mark.parametrize(
    "legal_name",
    [
        "County of Sangamon",
        "Sangamon County",
        "Town of Normal",
        "Village of Oak Park",
        "Springfield Township",
        "Borough of State College",
        "Parish of Jefferson",
        "Springfield 311",
        "the city of Springfield",
    ],
)
def test_br07_recognises_public_body_names(city: Registration, legal_name: str) -> None:
    city.brand.update(legal_name=legal_name, entity_type="NON_PROFIT")
    assert [f.rule for f in city.fired("BR-07")] == ["BR-07"]


@pytest.mark.parametrize("legal_name", ["Orleans Parish", "State College Borough"])
def test_br07_recognises_parish_and_borough_without_of(city: Registration, legal_name: str) -> None:
    city.brand.update(legal_name=legal_name, entity_type="NON_PROFIT")
    assert [f.rule for f in city.fired("BR-07")] == ["BR-07"]


@pytest.mark.parametrize(
    "website", ["https://www.springfield.gov", "https://www.ci.springfield.il.us"]
)
def test_br07_recognises_a_locality_website(city: Registration, website: str) -> None:
    city.brand.update(legal_name="Springfield Public Works", entity_type="NON_PROFIT")
    city.brand["website"] = website
    city.pages[website] = page(website, "Springfield Public Works")

    [finding] = city.fired("BR-07")

    assert "Springfield Public Works looks like a public body" in finding.message


def test_br07_is_quiet_for_a_government_city(city: Registration) -> None:
    assert (city.brand["entity_type"], city.brand["industry"]) == ("GOVERNMENT", "GOVERNMENT")
    assert city.fired("BR-07") == []


def test_br07_is_quiet_for_a_business(shop: Registration) -> None:
    assert shop.fired("BR-07") == []


# --- BR-08 authorised representative ---------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Assistant Director",
        "Executive Assistant",
        "Assistant to the City Manager",
        "Communications Coordinator",
        "SMS Specialist",
        "Data Analyst",
        "Associate",
        "Customer Service Representative",
        "Sales Rep",
        "Agent",
        "Intern",
        "Receptionist",
        "Office Manager",
        "Web Developer",
    ],
)
def test_br08_fires_on_titles_that_cannot_bind_the_organisation(
    city: Registration, title: str
) -> None:
    city.doc["representative"]["title"] = title

    [finding] = city.fired("BR-08")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "representative.title",
        None,
    )
    assert f"{title!r} is not an authorised representative's title" in finding.message
    assert "Director" in finding.fix


@pytest.mark.parametrize(
    "title",
    [
        "Director",
        "director",
        "Director of Public Works",
        "311 Director",
        "General Manager",
        "Vice President",
        "Vice-President, Operations",
        "VP of Marketing",
        "President",
        "CEO",
        "CFO",
        "Chief Information Officer",
        "General Counsel",
        "Owner",
        "Co-Founder",
        "Managing Partner",
        "Managing Director",
        "Executive Director",
        "City Manager",
        "County Administrator",
        "Mayor",
        "Commissioner",
        "Superintendent",
        "City Clerk",
        "Department Head",
        "Principal",
    ],
)
def test_br08_accepts_authorised_titles(city: Registration, title: str) -> None:
    city.doc["representative"]["title"] = title
    assert city.fired("BR-08") == []


# --- BR-09 attestation --------------------------------------------------------------------


def test_br09_fires_when_policies_are_not_attested(city: Registration) -> None:
    city.doc["policies"]["attested"] = False

    [finding] = city.fired("BR-09")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.attested",
        None,
    )
    assert "publicly accessible and include SMS-related disclosures" in finding.fix


def test_br09_is_quiet_when_attested(city: Registration) -> None:
    assert city.doc["policies"]["attested"] is True
    assert city.fired("BR-09") == []


# --- BR-10 tier fits volume ---------------------------------------------------------------


def test_br10_blocks_low_volume_above_6000_a_day(shop: Registration) -> None:
    shop.campaign["expected_daily_segments"] = 6001

    [finding] = shop.fired("BR-10")

    assert (finding.severity, finding.field) == (BLOCK, "campaign.expected_daily_segments")
    assert "up to 6,000 segments a day; this campaign expects 6,001" in finding.message
    assert "STANDARD" in finding.fix


def test_br10_allows_low_volume_at_exactly_6000(shop: Registration) -> None:
    shop.campaign["expected_daily_segments"] = 6000
    assert shop.fired("BR-10") == []


@pytest.mark.parametrize("daily", [0, 1500, 6000])
def test_br10_warns_a_standard_brand_expecting_low_volume(shop: Registration, daily: int) -> None:
    shop.brand["tier"] = "STANDARD"
    shop.campaign["expected_daily_segments"] = daily

    [finding] = shop.fired("BR-10")

    assert (finding.severity, finding.field) == (WARN, "campaign.expected_daily_segments")
    assert f"only {daily:,} segments a day" in finding.message


def test_br10_accepts_a_standard_brand_above_6000(shop: Registration) -> None:
    shop.brand["tier"] = "STANDARD"
    shop.campaign["expected_daily_segments"] = 6001
    assert shop.fired("BR-10") == []


def test_br10_warns_a_sole_proprietor_with_an_ein(shop: Registration) -> None:
    shop.brand.update(entity_type="SOLE_PROPRIETOR", tier="SOLE_PROPRIETOR")
    assert shop.brand["ein"]

    [finding] = shop.fired("BR-10")

    assert (finding.severity, finding.field) == (WARN, "brand.ein")
    assert "has an EIN" in finding.message


def test_br10_accepts_a_sole_proprietor_without_an_ein(shop: Registration) -> None:
    shop.brand.update(entity_type="SOLE_PROPRIETOR", tier="SOLE_PROPRIETOR", ein=None)
    assert shop.fired("BR-10") == []


@pytest.mark.parametrize(
    ("entity_type", "tier"),
    [("PRIVATE_PROFIT", "SOLE_PROPRIETOR"), ("SOLE_PROPRIETOR", "LOW_VOLUME_STANDARD")],
)
def test_br10_blocks_a_sole_proprietor_tier_or_entity_without_the_other(
    shop: Registration, entity_type: str, tier: str
) -> None:
    shop.brand.update(entity_type=entity_type, tier=tier)

    blocking = [f for f in shop.fired("BR-10") if f.severity is BLOCK]

    assert [f.field for f in blocking] == ["brand.tier"]
    assert f"tier {tier} and entity type {entity_type}" in blocking[0].message
