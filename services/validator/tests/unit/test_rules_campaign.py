"""3.6 The campaign description and use case, with the seeds' DESC-07."""

import pytest

from a2p_shared.events.policy import Severity

from services.validator.tests.unit.conftest import Registration

BLOCK, WARN = Severity.BLOCK, Severity.WARN


# --- DESC-01 length ----------------------------------------------------------------------


@pytest.mark.parametrize("description", ["We send reminders.", "x" * 39])
def test_desc01_fires_on_a_short_description(city: Registration, description: str) -> None:
    city.campaign["description"] = description

    [finding] = city.fired("DESC-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.description",
        None,
    )
    assert finding.message == (
        f"The description has {len(description)} characters; it needs 40 to 4096."
    )


@pytest.mark.parametrize("length", [40, 4096])
def test_desc01_accepts_40_to_4096_characters(city: Registration, length: int) -> None:
    city.campaign["description"] = ("City of Springfield 311 texts residents. " * 103)[:length]
    assert city.fired("DESC-01") == []


# --- DESC-02 sender, recipients, purpose (one part missing: warn) ----------------------------


@pytest.mark.parametrize(
    ("description", "missing", "vague"),
    [
        (
            "We text residents who report issues by text, to confirm their service requests "
            "and send status updates until each request is closed.",
            "who sends (City of Springfield)",
            [],
        ),
        (
            "City of Springfield 311 sends text messages to confirm service requests and send "
            "status updates until each request is closed.",
            "whom it texts",
            [],
        ),
        (
            "City of Springfield 311 texts residents who report potholes and broken streetlights.",
            "what the messages are for",
            ["DESC-07"],
        ),
    ],
)
def test_desc02_warns_when_one_part_is_missing(
    city: Registration, description: str, missing: str, vague: list[str]
) -> None:
    city.campaign["description"] = description

    [finding] = city.fired("DESC-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "campaign.description",
        30886,
    )
    assert finding.message == f"The description does not say {missing}."
    assert [f.rule for f in city.fired("DESC-07")] == vague


@pytest.mark.parametrize(
    "description",
    [
        "The City of Springfield texts residents to confirm their 311 requests and send "
        "status updates.",
        "SPRINGFIELD 311 TEXTS RESIDENTS TO CONFIRM SERVICE REQUESTS AND SEND UPDATES.",
        "Springfield 311 replies to callers who text us about potholes, so that each request "
        "gets a confirmation.",
        "City of Springfield: residents who opt in receive alerts about street closures when "
        "a closure affects their block.",
    ],
)
def test_desc02_accepts_specific_descriptions(city: Registration, description: str) -> None:
    city.campaign["description"] = description
    assert city.fired("DESC-02") == []
    assert city.fired("DESC-07") == []


# --- DESC-03 the tenant's program, not the platform ---------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "quoted"),
    [
        ("Our platform lets businesses send text messages.", "our platform"),
        ("Our software sends texts for our customers.", "our software"),
        ("Messages are sent from our CRM.", "our crm"),
        ("Every request is logged in the CRM.", "crm"),
        ("Requests arrive through our API.", "our api"),
        ("The SMS platform sends appointment reminders.", "sms platform"),
    ],
)
def test_desc03_warns_when_the_description_is_about_the_platform(
    city: Registration, phrase: str, quoted: str
) -> None:
    city.campaign["description"] += f" {phrase}"

    [finding] = city.fired("DESC-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "campaign.description",
        30886,
    )
    assert finding.message == f'The description talks about the platform ("{quoted}").'


@pytest.mark.parametrize(
    "phrase",
    [
        "Messages go to the phone number the resident texted from.",
        "Residents can apply for permits online.",
        "Crews are dispatched by the public works department.",
    ],
)
def test_desc03_is_quiet_for_words_that_only_look_technical(
    city: Registration, phrase: str
) -> None:
    city.campaign["description"] += f" {phrase}"
    assert city.fired("DESC-03") == []


# --- DESC-04 MIXED and LOW_VOLUME describe several kinds ---------------------------------------


@pytest.mark.parametrize("use_case", ["MIXED", "LOW_VOLUME"])
def test_desc04_fires_when_a_mixed_campaign_names_one_kind(
    shop: Registration, use_case: str
) -> None:
    shop.campaign["use_case"] = use_case
    shop.campaign["description"] = (
        "Harbor Lane Outfitters texts customers who opt in on our website, to notify them "
        "when their orders ship."
    )

    [finding] = shop.fired("DESC-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.use_case",
        None,
    )
    assert finding.message == (
        f"A {use_case} campaign names 1 kind(s) of messages in its description and gives 3 "
        "sample(s); it needs two or more of each."
    )


def test_desc04_fires_when_a_mixed_campaign_gives_one_sample(shop: Registration) -> None:
    shop.campaign["message_samples"] = shop.campaign["message_samples"][:1]
    [finding] = shop.fired("DESC-04")
    assert "gives 1 sample(s)" in finding.message


def test_desc04_accepts_a_mixed_campaign_with_several_kinds(shop: Registration) -> None:
    assert shop.campaign["use_case"] == "MIXED"
    assert shop.fired("DESC-04") == []


def test_desc04_does_not_apply_to_other_use_cases(city: Registration) -> None:
    city.campaign["message_samples"] = city.campaign["message_samples"][:1]
    assert city.campaign["use_case"] == "CUSTOMER_CARE"
    assert city.fired("DESC-04") == []


# --- DESC-05 not personal, peer-to-peer or viral -------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "Residents can also text friends and family through the service.",
        "Residents can also text friends & family through the service.",
        "Please forward this to your neighbours.",
        "Refer a friend for a free recycling bin.",
        "The line supports peer-to-peer messaging.",
        "Staff may also use it for personal use.",
    ],
)
def test_desc05_fires_on_personal_or_viral_use_in_the_description(
    city: Registration, phrase: str
) -> None:
    city.campaign["description"] += f" {phrase}"

    [finding] = city.fired("DESC-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.description",
        30532,
    )
    assert "describes personal or viral messaging" in finding.message


def test_desc05_fires_on_a_viral_sample(shop: Registration) -> None:
    shop.campaign["message_samples"][2] = (
        "Harbor Lane: Refer a friend and you both get 10% off. Reply STOP to opt out."
    )
    [finding] = shop.fired("DESC-05")
    assert finding.field == "campaign.message_samples.2"
    assert finding.message == '"refer a friend" describes personal or viral messaging.'


def test_desc05_is_quiet_for_an_organisations_own_messages(city: Registration) -> None:
    city.campaign["description"] += " Family members may report issues on a resident's behalf."
    assert city.fired("DESC-05") == []


# --- DESC-06 a use case the brand can hold -------------------------------------------------------


def test_desc06_fires_for_charity_without_a_non_profit(shop: Registration) -> None:
    shop.campaign["use_case"] = "CHARITY"

    [finding] = shop.fired("DESC-06")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.use_case",
        None,
    )
    assert "non-profits" in finding.message


def test_desc06_accepts_charity_for_a_non_profit(shop: Registration) -> None:
    shop.brand.update(entity_type="NON_PROFIT", business_type="Non-profit Corporation")
    shop.campaign["use_case"] = "CHARITY"
    assert shop.fired("DESC-06") == []


def test_desc06_fires_for_political_campaigns(shop: Registration) -> None:
    shop.campaign["use_case"] = "POLITICAL"
    [finding] = shop.fired("DESC-06")
    assert "Campaign Verify token" in finding.message


def test_desc06_fires_for_the_sole_proprietor_use_case_on_another_tier(
    shop: Registration,
) -> None:
    shop.campaign["use_case"] = "SOLE_PROPRIETOR"
    [finding] = shop.fired("DESC-06")
    assert "LOW_VOLUME_STANDARD brand with SOLE_PROPRIETOR" in finding.message


def test_desc06_fires_for_a_sole_proprietor_with_another_use_case(shop: Registration) -> None:
    shop.brand.update(entity_type="SOLE_PROPRIETOR", tier="SOLE_PROPRIETOR", ein=None)
    [finding] = shop.fired("DESC-06")
    assert "SOLE_PROPRIETOR brand with MIXED" in finding.message


def test_desc06_accepts_a_sole_proprietor_with_its_use_case(shop: Registration) -> None:
    shop.brand.update(entity_type="SOLE_PROPRIETOR", tier="SOLE_PROPRIETOR", ein=None)
    shop.campaign["use_case"] = "SOLE_PROPRIETOR"
    assert shop.fired("DESC-06") == []


@pytest.mark.parametrize("use_case", ["CUSTOMER_CARE", "ACCOUNT_NOTIFICATION", "MIXED"])
def test_desc06_accepts_standard_use_cases(shop: Registration, use_case: str) -> None:
    shop.campaign["use_case"] = use_case
    assert shop.fired("DESC-06") == []


# --- DESC-07 not vague (two or more parts missing: block) --------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "We send reminders to keep everything running smoothly for everyone.",
        "We send text messages from time to time with useful information.",
        "Our organization uses SMS to communicate important information.",
    ],
)
def test_desc07_blocks_vague_descriptions(city: Registration, description: str) -> None:
    city.campaign["description"] = description

    [finding] = city.fired("DESC-07")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.description",
        None,
    )
    assert finding.message.startswith(
        "The description does not say who sends (City of Springfield)"
    )
    assert [f.rule for f in city.fired("DESC-02")] == ["DESC-02"]


def test_desc07_lists_every_missing_part(city: Registration) -> None:
    city.campaign["description"] = (
        "We send text messages from time to time with useful information."
    )
    [finding] = city.fired("DESC-07")
    assert finding.message == (
        "The description does not say who sends (City of Springfield), whom it texts, why it "
        "texts them, which kinds of messages."
    )


def test_desc07_accepts_the_seed_example(shop: Registration) -> None:
    shop.campaign["description"] = (
        "Harbor Lane Outfitters uses SMS to communicate with customers who have opted in. "
        "Messages include order confirmations, shipping updates and replies to questions, to "
        "keep customers informed about their orders."
    )
    assert shop.fired("DESC-07") == []
    assert shop.fired("DESC-02") == []
