"""3.7 Sample messages."""

import pytest

from a2p_shared.events.policy import Severity

from services.validator.tests.unit.conftest import Registration

BLOCK, WARN = Severity.BLOCK, Severity.WARN

CLOSED = (
    "Springfield 311: Your streetlight repair request #[request_id] is now closed. Thank you for "
    "reporting it. Reply HELP for help, STOP to opt out."
)


# --- SMP-01 2-5 samples of 20-1024 characters -------------------------------------------------


def test_smp01_fires_with_a_single_sample(city: Registration) -> None:
    city.campaign["message_samples"] = [CLOSED]

    [finding] = city.fired("SMP-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.message_samples",
        None,
    )
    assert finding.message == "There are 1 samples; give 2 to 5."


def test_smp01_fires_on_a_sample_that_is_too_short(city: Registration) -> None:
    city.campaign["message_samples"].append("Springfield 311: ok")

    [finding] = city.fired("SMP-01")

    assert finding.field == "campaign.message_samples.2"
    assert finding.message == "Sample 3 has 19 characters; samples need 20 to 1024."


@pytest.mark.parametrize("count", [2, 5])
def test_smp01_accepts_two_to_five_samples(city: Registration, count: int) -> None:
    city.campaign["message_samples"] = [CLOSED] * count
    assert city.fired("SMP-01") == []


@pytest.mark.parametrize("length", [20, 1024])
def test_smp01_accepts_20_to_1024_characters(city: Registration, length: int) -> None:
    city.campaign["message_samples"].append(("Springfield 311: STOP " * 50)[:length])
    assert city.fired("SMP-01") == []


# --- SMP-02 a sample names the brand -----------------------------------------------------------


def test_smp02_fires_when_no_sample_names_the_brand(city: Registration) -> None:
    city.campaign["message_samples"] = [
        "We received your request #[request_id]. Reply STOP to opt out.",
        "Your request #[request_id] is now closed. Reply STOP to opt out.",
    ]

    [finding] = city.fired("SMP-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.message_samples",
        30893,
    )
    assert finding.message == (
        "No sample names City of Springfield; recipients must know who is texting."
    )


@pytest.mark.parametrize(
    "sample",
    [
        "Springfield 311: your request is closed. Reply STOP to opt out.",
        "CITY OF SPRINGFIELD: your request is closed. Reply STOP to opt out.",
        "Your request is closed. Thanks, the City of Springfield. Reply STOP to opt out.",
        "Springfield\u2019s 311 team closed your request. Reply STOP to opt out.",
    ],
)
def test_smp02_accepts_the_name_anywhere(city: Registration, sample: str) -> None:
    city.campaign["message_samples"] = [sample, "Your request #[id] was received. Reply STOP."]
    assert city.fired("SMP-02") == []


def test_smp02_accepts_the_dba(shop: Registration) -> None:
    assert all(s.startswith("Harbor Lane:") for s in shop.campaign["message_samples"])
    assert shop.fired("SMP-02") == []


# --- SMP-03 a sample has opt-out language ----------------------------------------------------


def test_smp03_fires_when_no_sample_says_stop(city: Registration) -> None:
    city.campaign["message_samples"] = [
        "City of Springfield 311: We received your request #[request_id].",
        "City of Springfield 311: Your request #[request_id] is now closed.",
    ]

    [finding] = city.fired("SMP-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.message_samples",
        30893,
    )
    assert "opt out" in finding.message


@pytest.mark.parametrize(
    "opt_out",
    [
        "Reply STOP to opt out.",
        "Txt STOP to end.",
        "reply stop to cancel",
        "Reply \u201cSTOP\u201d.",
    ],
)
def test_smp03_accepts_stop_in_one_sample(city: Registration, opt_out: str) -> None:
    city.campaign["message_samples"] = [
        "City of Springfield 311: We received your request #[request_id].",
        f"City of Springfield 311: Your request #[request_id] is now closed. {opt_out}",
    ]
    assert city.fired("SMP-03") == []


def test_smp03_does_not_accept_stop_by_our_office(city: Registration) -> None:
    city.campaign["message_samples"] = [
        "City of Springfield 311: Your permit is ready. Stop by our office to pick it up.",
        "City of Springfield 311: Your request #[request_id] is now closed.",
    ]
    assert [f.rule for f in city.fired("SMP-03")] == ["SMP-03"]


# --- SMP-04 bracketed variables, no test text ----------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "quoted"),
    [
        ("Hi {{first_name}},", "{{first_name}}"),
        ("Hi {first_name},", "{first_name}"),
        ("Hi <first name>,", "<first name>"),
        ("Hi ____,", "____"),
        ("Request #XXXX:", "XXXX"),
        ("This is a test message.", "test message"),
        ("Lorem ipsum dolor sit amet.", "Lorem ipsum"),
    ],
)
def test_smp04_warns_on_raw_variables_and_test_text(
    city: Registration, fragment: str, quoted: str
) -> None:
    city.campaign["message_samples"][1] = f"Springfield 311: {fragment} Reply STOP to opt out."

    [finding] = city.fired("SMP-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "campaign.message_samples.1",
        30893,
    )
    assert finding.message == f'Sample 2 contains "{quoted}".'


@pytest.mark.parametrize(
    "fragment",
    ["Hi [first_name],", "Hi [First Name],", "Your appointment on [date] at [time]:", "Hi there,"],
)
def test_smp04_accepts_bracketed_variables(city: Registration, fragment: str) -> None:
    city.campaign["message_samples"][1] = f"Springfield 311: {fragment} Reply STOP to opt out."
    assert city.fired("SMP-04") == []


def test_smp04_reports_each_sample(city: Registration) -> None:
    city.campaign["message_samples"] = [
        "Springfield 311: Hi {{name}}, reply STOP to opt out.",
        "Springfield 311: Hi {{name}}, your request is closed.",
    ]
    assert [f.field for f in city.fired("SMP-04")] == [
        "campaign.message_samples.0",
        "campaign.message_samples.1",
    ]


# --- SMP-05 embedded link / phone flags match the samples ------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "https://www.springfield.example/311",
        "http://springfield.example/311/track",
        "www.springfield.example/311",
        "springfield.gov/311",
        "SPRINGFIELD.ORG",
    ],
)
def test_smp05_fires_when_a_link_is_not_declared(city: Registration, link: str) -> None:
    city.campaign["message_samples"][1] = f"Springfield 311: Track it at {link} . Reply STOP."

    [finding] = city.fired("SMP-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.has_embedded_links",
        30889,
    )
    assert finding.message == "has_embedded_links is false, but a sample contains a link."
    assert finding.fix == "Set has_embedded_links to true."


def test_smp05_fires_when_a_declared_link_is_in_no_sample(shop: Registration) -> None:
    samples = shop.campaign["message_samples"]
    samples[0] = samples[0].replace(" Track it at https://www.harborlane.example/orders.", "")

    [finding] = shop.fired("SMP-05")

    assert finding.message == "has_embedded_links is true, but no sample contains a link."
    assert finding.fix == "Set has_embedded_links to false."


@pytest.mark.parametrize(
    "phone", ["(217) 555-0100", "217-555-0100", "217.555.0100", "+1 217 555 0100", "2175550100"]
)
def test_smp05_fires_when_a_phone_number_is_not_declared(city: Registration, phone: str) -> None:
    city.campaign["message_samples"][1] = f"Springfield 311: Questions? Call {phone}. Reply STOP."

    [finding] = city.fired("SMP-05")

    assert finding.field == "campaign.has_embedded_phone"
    assert finding.message == "has_embedded_phone is false, but a sample contains a phone number."


def test_smp05_fires_when_a_declared_phone_is_in_no_sample(shop: Registration) -> None:
    samples = shop.campaign["message_samples"]
    samples[1] = samples[1].replace(" or call (503) 555-0188", "")

    [finding] = shop.fired("SMP-05")

    assert finding.field == "campaign.has_embedded_phone"
    assert finding.fix == "Set has_embedded_phone to false."


@pytest.mark.parametrize(
    "text",
    [
        "Call 311 from inside city limits.",
        "Request #[request_id] is closed.",
        "Request 48213 is closed.",
        "Hours are 8:00-5:00, Monday to Friday.",
        "Your bill of $123.45 is due on 4/15/2026.",
    ],
)
def test_smp05_does_not_mistake_numbers_for_phones_or_links(city: Registration, text: str) -> None:
    city.campaign["message_samples"][1] = f"Springfield 311: {text} Reply STOP to opt out."
    assert city.fired("SMP-05") == []


def test_smp05_is_quiet_when_flags_match(shop: Registration) -> None:
    assert (shop.campaign["has_embedded_links"], shop.campaign["has_embedded_phone"]) == (
        True,
        True,
    )
    assert shop.fired("SMP-05") == []


# --- SMP-06 no public URL shorteners -----------------------------------------------------


@pytest.mark.parametrize(
    ("link", "quoted"),
    [
        ("https://bit.ly/3xYz", "https://bit.ly/"),
        ("bit.ly/3xYz", "bit.ly/"),
        ("https://tinyurl.com/springfield311", "https://tinyurl.com/"),
        ("http://goo.gl/abc", "http://goo.gl/"),
        ("https://t.co/abc", "https://t.co/"),
        ("HTTPS://RB.GY/ABC", "HTTPS://RB.GY/"),
    ],
)
def test_smp06_fires_on_public_shorteners_in_samples(
    shop: Registration, link: str, quoted: str
) -> None:
    shop.campaign["message_samples"][0] = f"Harbor Lane: Track your order at {link}. Reply STOP."

    [finding] = shop.fired("SMP-06")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.message_samples.0",
        None,
    )
    assert finding.message == f'"{quoted}" is a public URL shortener.'


@pytest.mark.parametrize(
    "field", ["opt_in_message", "opt_out_message", "help_message", "auto_response"]
)
def test_smp06_fires_on_shorteners_in_replies(shop: Registration, field: str) -> None:
    shop.campaign[field] = f"{shop.campaign[field][:200]} bit.ly/hl"
    assert [f.field for f in shop.fired("SMP-06")] == [f"campaign.{field}"]


@pytest.mark.parametrize(
    "link",
    [
        "https://www.harborlane.example/s/abc",
        "https://hl.example/abc",
        "https://www.microsoft.com/store",
        "https://www.about.com/x",
    ],
)
def test_smp06_accepts_branded_and_full_links(shop: Registration, link: str) -> None:
    shop.campaign["message_samples"][0] = f"Harbor Lane: Track your order at {link}. Reply STOP."
    assert shop.fired("SMP-06") == []


# --- SMP-07 not only confirmations -------------------------------------------------------


def test_smp07_warns_when_every_sample_is_a_confirmation(city: Registration) -> None:
    city.campaign["message_samples"] = [
        "City of Springfield 311: You are now subscribed to updates. Reply STOP to opt out.",
        "City of Springfield 311: You have been unsubscribed and will receive no more messages.",
    ]

    [finding] = city.fired("SMP-07")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "campaign.message_samples",
        None,
    )


def test_smp07_is_quiet_when_one_sample_is_a_program_message(city: Registration) -> None:
    city.campaign["message_samples"][0] = (
        "City of Springfield 311: You are now subscribed to updates. Reply STOP to opt out."
    )
    assert city.fired("SMP-07") == []


# --- SMP-08 samples fit the declared use ----------------------------------------------------


@pytest.mark.parametrize(
    "promotion",
    [
        "Spring sale: 20% off all rain barrels!",
        "Use promo code PARKS for a discount on pool passes.",
        "Limited time: buy now and save.",
        "Get a coupon for the farmers market.",
        "Special offer on compost bins this week.",
        "50 percent off recycling bins.",
    ],
)
def test_smp08_warns_on_a_promotional_sample_without_the_category(
    city: Registration, promotion: str
) -> None:
    city.campaign["message_samples"].append(f"City of Springfield: {promotion} Reply STOP.")

    [finding] = city.fired("SMP-08")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "campaign.message_samples.2",
        30893,
    )
    assert finding.message == (
        "Sample 3 is promotional, but the campaign declares no promotional category."
    )


def test_smp08_warns_a_marketing_campaign_without_a_promotional_sample(
    shop: Registration,
) -> None:
    shop.campaign["use_case"] = "MARKETING"
    shop.campaign["message_samples"].pop()  # the sale

    [finding] = shop.fired("SMP-08")

    assert finding.field == "campaign.message_samples"
    assert finding.message == "A MARKETING campaign gives no promotional sample."


def test_smp08_accepts_promotional_samples_with_the_category(shop: Registration) -> None:
    shop.campaign["use_case"] = "MARKETING"
    assert "20% off" in shop.campaign["message_samples"][2]
    assert shop.fired("SMP-08") == []


@pytest.mark.parametrize(
    "text",
    [
        "Your wholesale order has shipped.",
        "Sales tax is now included on receipts.",
        "Ideal weather.",
    ],
)
def test_smp08_is_quiet_for_words_containing_promotional_ones(
    city: Registration, text: str
) -> None:
    city.campaign["message_samples"].append(f"City of Springfield: {text} Reply STOP.")
    assert city.fired("SMP-08") == []
