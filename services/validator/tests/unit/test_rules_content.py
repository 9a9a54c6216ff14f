"""3.10 Content and use-case restrictions, with the seeds' CNT-04."""

import pytest

from a2p_shared.events.policy import Severity

from services.validator.tests.unit.conftest import SHOP_SITE, Registration

BLOCK = Severity.BLOCK

WINE_SAMPLE = "Harbor Lane: Our wine tasting starts Friday at 6 pm. Reply STOP to opt out."


# --- CNT-01 restricted content -----------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "quoted"),
    [
        ("We also sell CBD oils.", "cbd"),
        ("We also sell cannabis edibles.", "cannabis"),
        ("Our marijuana dispensary opens soon.", "marijuana"),
        ("Visit our dispensary.", "dispensary"),
        ("Kratom is back in stock.", "kratom"),
        ("THC gummies are back.", "thc"),
        ("Escort services available.", "escort"),
        ("Adult content for members.", "adult content"),
    ],
)
def test_cnt01_blocks_content_that_is_never_allowed(
    shop: Registration, phrase: str, quoted: str
) -> None:
    shop.campaign["description"] += f" {phrase}"

    [finding] = shop.fired("CNT-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.description",
        30825,
    )
    assert finding.message == f'"{quoted}" is content carriers do not allow on A2P 10DLC.'


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("sample", "campaign.message_samples.1"),
        ("flow", "campaign.message_flow"),
        ("website", "brand.website"),
    ],
)
def test_cnt01_names_where_the_content_is(shop: Registration, where: str, field: str) -> None:
    if where == "sample":
        shop.campaign["message_samples"][1] = "Harbor Lane: New CBD balm in store. Reply STOP."
    elif where == "flow":
        shop.campaign["message_flow"] += " The form also offers CBD samples."
    else:
        shop.replace_in_page(SHOP_SITE, "New this season\n", "New this season\nCBD balm.\n")

    [finding] = shop.fired("CNT-01")

    assert finding.field == field


@pytest.mark.parametrize("word", ["wine", "beer", "Tobacco", "vape", "firearms", "ammunition"])
def test_cnt01_blocks_age_restricted_content_without_age_gating(
    shop: Registration, word: str
) -> None:
    shop.campaign["message_samples"][1] = f"Harbor Lane: New {word} in stock Friday. Reply STOP."

    [finding] = shop.fired("CNT-01")

    assert finding.field == "campaign.message_samples.1"
    assert finding.message == (
        f'"{word.lower()}" is age-restricted content; the campaign is not marked age_gated.'
    )
    assert "age_gated" in finding.fix


def test_cnt01_needs_an_age_gate_on_the_website_too(shop: Registration) -> None:
    shop.campaign["message_samples"][1] = WINE_SAMPLE
    shop.campaign["age_gated"] = True

    [finding] = shop.fired("CNT-01")

    assert finding.field == "brand.website"
    assert finding.message == '"wine" is age-restricted content, but the website has no age gate.'


@pytest.mark.parametrize(
    "gate",
    [
        "Are you 21 or older?",
        "You must be 21 years of age to enter.",
        "You must be 18 years old to buy tobacco.",
        "Please enter your date of birth.",
        "Verify your age to continue.",
        "Age verification required.",
        "Are you of legal drinking age?",
    ],
)
def test_cnt01_accepts_age_gated_content_with_a_site_gate(shop: Registration, gate: str) -> None:
    shop.campaign["message_samples"][1] = WINE_SAMPLE
    shop.campaign["age_gated"] = True
    shop.replace_in_page(SHOP_SITE, "New this season\n", f"{gate}\nNew this season\n")
    assert shop.fired("CNT-01") == []


def test_cnt01_accepts_a_21_plus_age_gate(shop: Registration) -> None:
    shop.campaign["message_samples"][1] = WINE_SAMPLE
    shop.campaign["age_gated"] = True
    shop.replace_in_page(
        SHOP_SITE, "New this season\n", "You must be 21+ to enter this site.\nNew this season\n"
    )
    assert shop.fired("CNT-01") == []


@pytest.mark.parametrize(
    "text",
    [
        "Our winter jackets are in.",
        "Essex County residents welcome.",
        "Hate waiting? Order ahead.",
        "Swine flu clinic schedule.",
        "Our school spirit week starts Monday.",
    ],
)
def test_cnt01_is_quiet_for_ordinary_words(shop: Registration, text: str) -> None:
    shop.campaign["description"] += f" {text}"
    assert shop.fired("CNT-01") == []


# --- CNT-02 lending and lead generation -----------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "quoted"),
    [
        ("We also offer payday loans.", "payday"),
        ("Ask about a cash advance.", "cash advance"),
        ("Apply for a line of credit.", "line of credit"),
        ("See our financing offers.", "financing offers"),
        ("Our lending partners can help.", "lending"),
    ],
)
def test_cnt02_blocks_lending_wording_without_direct_lending(
    shop: Registration, phrase: str, quoted: str
) -> None:
    shop.campaign["categories"] = ["transactional"]
    shop.method()["categories"] = ["transactional"]
    shop.campaign["description"] += f" {phrase}"

    [finding] = shop.fired("CNT-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.direct_lending",
        None,
    )
    assert finding.message == f'"{quoted}" describes lending, but direct_lending is false.'


def test_cnt02_accepts_lending_declared_as_direct_lending(shop: Registration) -> None:
    shop.campaign.update(categories=["transactional"], direct_lending=True)
    shop.method()["categories"] = ["transactional"]
    shop.campaign["description"] += " Customers may pay with store financing offers."
    assert shop.fired("CNT-02") == []


@pytest.mark.parametrize(
    ("phrase", "quoted"),
    [
        ("We do lead generation for contractors.", "lead generation"),
        ("Part of our affiliate marketing program.", "affiliate marketing"),
        ("We sell leads to installers.", "we sell leads"),
        ("Our partners will contact you with quotes.", "our partners will contact you"),
        (
            "Your number is shared with our marketing partners.",
            "shared with our marketing partners",
        ),
    ],
)
def test_cnt02_blocks_lead_generation(shop: Registration, phrase: str, quoted: str) -> None:
    shop.campaign["description"] += f" {phrase}"

    [finding] = shop.fired("CNT-02")

    assert finding.field == "campaign.description"
    assert finding.message.startswith(f'"{quoted}": lead generation')


def test_cnt02_is_quiet_for_the_baselines(city: Registration, shop: Registration) -> None:
    assert city.fired("CNT-02") == []
    assert shop.fired("CNT-02") == []


def test_cnt02_does_not_read_the_website(shop: Registration) -> None:
    shop.replace_in_page(SHOP_SITE, "New this season\n", "Ask about our payday loans.\n")
    assert shop.fired("CNT-02") == []


# --- CNT-03 high-risk content that cannot be resubmitted ------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "quoted"),
    [
        ("We help with debt relief.", "debt relief"),
        ("Debt consolidation made easy.", "debt consolidation"),
        ("Fast credit repair.", "credit repair"),
        ("Get rich with our system.", "get rich"),
        ("Work from home opportunity!", "work from home opportunity"),
        ("Learn crypto investing.", "crypto investing"),
        ("Forex signals daily.", "forex"),
        ("You've won a free gift card!", "you've won"),
        ("Enter to get a free gift card.", "free gift card"),
        ("Claim your prize today.", "claim your prize"),
    ],
)
def test_cnt03_blocks_high_risk_content(shop: Registration, phrase: str, quoted: str) -> None:
    shop.campaign["message_samples"][2] = f"Harbor Lane: {phrase} Reply STOP to opt out."

    [finding] = shop.fired("CNT-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.message_samples.2",
        30885,
    )
    assert finding.message == f'"{quoted}" is high-risk content (30885, not resubmittable).'


@pytest.mark.parametrize(
    "text",
    [
        "Your credit card payment was received.",
        "Your store credit is ready.",
        "We won the best outdoor shop award!",
    ],
)
def test_cnt03_is_quiet_for_ordinary_wording(shop: Registration, text: str) -> None:
    shop.campaign["message_samples"][2] = f"Harbor Lane: {text} Reply STOP to opt out."
    assert shop.fired("CNT-03") == []


# --- CNT-04 lending is transactional only ----------------------------------------------------


def test_cnt04_blocks_direct_lending_with_a_promotional_category(shop: Registration) -> None:
    shop.campaign["direct_lending"] = True
    assert "promotional" in shop.campaign["categories"]

    [finding] = shop.fired("CNT-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.categories",
        None,
    )
    assert "transactional messages only" in finding.message


def test_cnt04_blocks_lending_wording_with_a_promotional_category(shop: Registration) -> None:
    shop.campaign["description"] += " We also arrange loans for bikes."
    assert [f.rule for f in shop.fired("CNT-04")] == ["CNT-04"]


def test_cnt04_accepts_transactional_lending(shop: Registration) -> None:
    shop.campaign.update(direct_lending=True, categories=["transactional"])
    shop.method()["categories"] = ["transactional"]
    assert shop.fired("CNT-04") == []


def test_cnt04_is_quiet_for_promotional_campaigns_that_do_not_lend(shop: Registration) -> None:
    assert shop.fired("CNT-04") == []
