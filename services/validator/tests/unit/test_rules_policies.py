"""3.3 The privacy policy and 3.4 the terms, with the seeds' PP-06 and PP-07."""

import pytest

from a2p_shared.events.policy import Severity
from a2p_validator.domain.pages import PageProblem

from services.validator.tests.unit.conftest import (
    CITY_PRIVACY,
    CITY_SITE,
    CITY_TERMS,
    SHOP_OPT_IN,
    SHOP_PRIVACY,
    SHOP_TERMS,
    Registration,
    broken_page,
    link,
)

BLOCK, WARN = Severity.BLOCK, Severity.WARN

NON_SHARING = (
    "No mobile information will be shared with third parties or affiliates for marketing or "
    "promotional purposes. Text messaging originator opt-in data and consent will not be shared "
    "with any third parties, excluding aggregators and providers of the Text Message services."
)
NOT_READABLE = [
    (PageProblem.NOT_FOUND, 404, "HTTP 404"),
    (PageProblem.HTTP_ERROR, 500, "HTTP 500"),
    (PageProblem.UNREACHABLE, None, "connection timed out"),
    (PageProblem.TOO_LARGE, 200, "larger than 2 MB"),
]


def without_non_sharing(registration: Registration, url: str) -> None:
    registration.replace_in_page(url, NON_SHARING, "")


# --- PP-01 the privacy policy loads ---------------------------------------------------------


@pytest.mark.parametrize(("problem", "status", "detail"), NOT_READABLE)
def test_pp01_fires_when_the_privacy_policy_cannot_be_read(
    city: Registration, problem: PageProblem, status: int | None, detail: str
) -> None:
    city.pages[CITY_PRIVACY] = broken_page(CITY_PRIVACY, problem, status, detail)

    [finding] = city.fired("PP-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.privacy_policy_url",
        30908,
    )
    assert finding.message == (
        f"The privacy policy at {CITY_PRIVACY} cannot be read by a reviewer: {detail}."
    )


def test_pp01_fires_when_the_privacy_policy_was_not_fetched(city: Registration) -> None:
    del city.pages[CITY_PRIVACY]
    [finding] = city.fired("PP-01")
    assert finding.message == "The privacy policy was not fetched."


def test_pp01_is_quiet_for_a_live_privacy_policy(city: Registration) -> None:
    assert city.fired("PP-01") == []


def test_pp01_leaves_a_login_wall_to_pp07(city: Registration) -> None:
    city.pages[CITY_PRIVACY] = broken_page(CITY_PRIVACY, PageProblem.LOGIN_WALL, 401, "HTTP 401")
    found = city.findings()
    assert "PP-01" not in found
    assert [f.field for f in found["PP-07"]] == ["policies.privacy_policy_url"]


def test_the_content_rules_are_quiet_when_the_privacy_policy_cannot_be_read(
    city: Registration,
) -> None:
    city.pages[CITY_PRIVACY] = broken_page(CITY_PRIVACY, PageProblem.NOT_FOUND, 404, "HTTP 404")
    found = city.findings()
    assert not {"PP-02", "PP-03", "PP-04", "PP-06"} & set(found)


# --- PP-02 the privacy policy mentions SMS --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We collect your name and email address to answer your questions.",
        "We may send you communications about your requests.",
        "We may contact you by phone or email about your request.",
    ],
)
def test_pp02_fires_when_the_privacy_policy_never_mentions_sms(
    city: Registration, text: str
) -> None:
    city.edit_page(CITY_PRIVACY, text=f"Privacy Policy\nCity of Springfield\n{text}")

    [finding] = city.fired("PP-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.privacy_policy_url",
        30908,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "We may send you text messages about your request.",
        "If you contact us by SMS, we keep a record of the conversation.",
        "We use texts only to answer you.",
        "We store mobile numbers securely.",
        "Your Mobile Phone number is used to reply.",
        "TEXT MESSAGING: replies only.",
        "We send mobile messages about service requests.",
    ],
)
def test_pp02_accepts_any_mention_of_sms(city: Registration, sentence: str) -> None:
    city.edit_page(CITY_PRIVACY, text=f"Privacy Policy\n{sentence}")
    assert city.fired("PP-02") == []


# --- PP-03 non-sharing clause -----------------------------------------------------------------


def test_pp03_fires_without_a_non_sharing_clause(city: Registration) -> None:
    without_non_sharing(city, CITY_PRIVACY)

    [finding] = city.fired("PP-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.privacy_policy_url",
        30919,
    )
    assert "never shared with third parties" in finding.message
    assert (
        "Text messaging originator opt-in data and consent will not be shared with any third "
        "parties" in finding.fix
    )


@pytest.mark.parametrize(
    "sentence",
    [
        # generic data statements that never mention mobile numbers or SMS
        "We never sell your data.",
        "We never sell your data to third parties.",
        "We do not share your personal information with third parties.",
        "Your information is never rented to affiliates.",
        # mobile, but no one it is (not) shared with
        "Your phone number will never be sold.",
        # mobile and third parties, but nothing says it is not shared
        "Mobile numbers may be shared with third parties who help us deliver messages.",
    ],
)
def test_pp03_is_not_satisfied_by_statements_that_do_not_say_it(
    city: Registration, sentence: str
) -> None:
    without_non_sharing(city, CITY_PRIVACY)
    city.replace_in_page(CITY_PRIVACY, "Sharing\n", f"Sharing\n{sentence}\n")
    assert [f.rule for f in city.fired("PP-03")] == ["PP-03"]


def test_pp03_is_not_satisfied_by_a_generic_sentence_about_consent(city: Registration) -> None:
    without_non_sharing(city, CITY_PRIVACY)
    city.replace_in_page(
        CITY_PRIVACY,
        "Sharing\n",
        "Sharing\nWe will never share your personal information with third parties without "
        "your consent.\n",
    )
    assert [f.rule for f in city.fired("PP-03")] == ["PP-03"]


def test_pp03_needs_the_clause_in_one_sentence(city: Registration) -> None:
    without_non_sharing(city, CITY_PRIVACY)
    city.replace_in_page(
        CITY_PRIVACY,
        "Sharing\n",
        "Sharing\nWe keep mobile numbers secure. We never share data with third parties.\n",
    )
    assert [f.rule for f in city.fired("PP-03")] == ["PP-03"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Text messaging originator opt-in data and consent will not be shared with any third "
        "parties, excluding aggregators and providers of the Text Message services.",
        "No mobile information will be shared with third parties/affiliates for "
        "marketing/promotional purposes.",
        "All the above categories exclude text messaging originator opt-in data and consent; "
        "this information will not be shared with any third parties.",
        "NO MOBILE INFORMATION WILL BE SHARED WITH THIRD PARTIES.",
        "We do not sell, rent or share mobile phone numbers with third parties.",
        "SMS opt-in data will never be shared with third-party marketers.",
        "We don\u2019t share your phone number with affiliates or third parties.",
        "Mobile numbers collected for SMS won't be sold to anyone.",
        "Your cell number is never disclosed to third parties.",
    ],
)
def test_pp03_accepts_non_sharing_clauses(city: Registration, sentence: str) -> None:
    without_non_sharing(city, CITY_PRIVACY)
    city.replace_in_page(CITY_PRIVACY, "Sharing\n", f"Sharing\n{sentence}\n")
    assert city.fired("PP-03") == []


# --- PP-04 no sharing for marketing -------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We may share data with partners for marketing.",
        "We sell customer information to third parties for advertising.",
        "We may disclose your information to our affiliates for promotional purposes.",
        "Your data may be shared with third-party advertisers and marketing partners.",
        "We rent our customer lists to other companies for their marketing.",
        "With your consent, we may share your information with partners for marketing purposes.",
    ],
)
def test_pp04_fires_on_sharing_for_marketing_without_a_carve_out(
    city: Registration, sentence: str
) -> None:
    without_non_sharing(city, CITY_PRIVACY)
    city.replace_in_page(CITY_PRIVACY, "Sharing\n", f"Sharing\n{sentence}\n")

    [finding] = city.fired("PP-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.privacy_policy_url",
        30919,
    )
    assert finding.message.startswith("The privacy policy says: ")
    assert sentence.lower().rstrip(".").split(",")[0][:25] in finding.message.lower()


@pytest.mark.parametrize(
    "sentence",
    [
        "We may share your name and phone number with our partners for their marketing.",
        "We may share SMS opt-in information with affiliates for promotional offers.",
    ],
)
def test_pp04_is_never_cured_when_the_sharing_names_mobile_data(
    city: Registration, sentence: str
) -> None:
    city.replace_in_page(CITY_PRIVACY, "Sharing\n", f"Sharing\n{sentence}\n")
    assert NON_SHARING in city.pages[CITY_PRIVACY].text
    assert [f.rule for f in city.fired("PP-04")] == ["PP-04"]


def test_pp04_is_cured_by_a_non_sharing_clause_for_sms_data(city: Registration) -> None:
    city.replace_in_page(
        CITY_PRIVACY,
        "Sharing\n",
        "Sharing\nWe may share data with partners for marketing.\n",
    )
    assert city.fired("PP-04") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "We do not share your information with partners for marketing.",
        "We never sell data to third parties for marketing purposes.",
        "Your information will not be disclosed to affiliates for promotional use.",
        "We share order details with our shipping partners to deliver your orders.",
        "We may share information with partners. They help us run the website.",
    ],
)
def test_pp04_is_quiet_on_negated_or_non_marketing_sharing(
    city: Registration, sentence: str
) -> None:
    without_non_sharing(city, CITY_PRIVACY)
    city.replace_in_page(CITY_PRIVACY, "Sharing\n", f"Sharing\n{sentence}\n")
    assert city.fired("PP-04") == []


def test_pp04_fires_when_a_negation_is_about_something_else(city: Registration) -> None:
    without_non_sharing(city, CITY_PRIVACY)
    city.replace_in_page(
        CITY_PRIVACY,
        "Sharing\n",
        "Sharing\nWe do not sell your personal information, but we may share it with our "
        "partners for marketing purposes.\n",
    )
    assert [f.rule for f in city.fired("PP-04")] == ["PP-04"]


# --- PP-05 privacy policy linked where people opt in ------------------------------------------


def test_pp05_warns_when_the_website_does_not_link_the_privacy_policy(city: Registration) -> None:
    home = city.pages[CITY_SITE]
    city.edit_page(CITY_SITE, links=tuple(x for x in home.links if x.href != CITY_PRIVACY))

    [finding] = city.fired("PP-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "brand.website",
        30909,
    )
    assert finding.message == f"The website has no link to the privacy policy {CITY_PRIVACY}."


def test_pp05_warns_when_the_opt_in_page_does_not_link_the_privacy_policy(
    shop: Registration,
) -> None:
    opt_in = shop.pages[SHOP_OPT_IN]
    shop.edit_page(SHOP_OPT_IN, links=tuple(x for x in opt_in.links if x.href != SHOP_PRIVACY))

    [finding] = shop.fired("PP-05")

    assert finding.field == "campaign.opt_in_methods.0.url"
    assert finding.message == (
        f"The opt-in page {SHOP_OPT_IN} has no link to the privacy policy {SHOP_PRIVACY}."
    )


@pytest.mark.parametrize(
    "href",
    [
        "https://www.springfield.example/privacy/",
        "https://springfield.example/privacy",
        "http://www.springfield.example/Privacy",
    ],
)
def test_pp05_accepts_any_spelling_of_the_link(city: Registration, href: str) -> None:
    home = city.pages[CITY_SITE]
    others = tuple(x for x in home.links if x.href != CITY_PRIVACY)
    city.edit_page(CITY_SITE, links=(*others, link(href, "Privacy", "footer")))
    assert city.fired("PP-05") == []


def test_pp05_does_not_read_links_on_an_image_of_the_form(shop: Registration) -> None:
    shop.edit_page(SHOP_OPT_IN, content_type="image/png", links=(), text="")
    assert [f.field for f in shop.fired("PP-05")] == []


# --- PP-06 disclosures for texting first (seed 000) ---------------------------------------

ORG = "City of Springfield"
SEED_PRIVACY = (
    f"If you contact {ORG} via SMS, we may use your phone number to respond to your inquiry. "
    "You may receive messages related to your request.\n"
    "You can opt out at any time by replying STOP. For help, reply HELP. Message and data "
    "rates may apply."
)
SEED_TERMS = (
    f"By contacting {ORG} via SMS, you consent to receive text message responses related to "
    "your request.\n"
    "You may opt out at any time by replying STOP. For help, reply HELP. Message and data "
    "rates may apply."
)
REST = "You can opt out at any time by replying STOP. For help, reply HELP. Message and data rates may apply."


def set_policies(city: Registration, privacy: str, terms: str) -> None:
    city.edit_page(CITY_PRIVACY, text=f"Privacy Policy\n{ORG}\n{privacy}\n{NON_SHARING}")
    city.edit_page(CITY_TERMS, text=f"Terms of Use\n{ORG}\n{terms}")


def test_pp06_accepts_seed_000_example_language(city: Registration) -> None:
    set_policies(city, SEED_PRIVACY, SEED_TERMS)
    assert city.fired("PP-06") == []


def test_pp06_accepts_the_disclosures_in_the_privacy_policy_alone(city: Registration) -> None:
    set_policies(city, SEED_PRIVACY, "These terms govern the use of the city website.")
    assert city.fired("PP-06") == []


@pytest.mark.parametrize(
    ("policy", "missing"),
    [
        (
            "We may use your phone number to respond to your inquiry. You may receive messages "
            "related to your request. By sending the first message, you consent to receive "
            f"responses. {REST}",
            "that people may contact the organisation by SMS",
        ),
        (
            f"If you contact {ORG} via SMS, we may use your phone number to handle your "
            f"inquiry. By contacting {ORG} via SMS you consent to this. {REST}",
            "that the organisation may respond by SMS",
        ),
        (
            f"Residents may contact {ORG} via SMS. We may respond to your inquiry by text "
            f"message. We use your phone number only to answer your inquiry. {REST}",
            "that sending the first message is how people opt in",
        ),
        (
            SEED_PRIVACY.replace("by replying STOP", "by contacting us"),
            "that replying STOP opts out",
        ),
        (SEED_PRIVACY.replace("reply HELP", "call 311"), "that replying HELP gets help"),
        (
            SEED_PRIVACY.replace("Message and data rates may apply.", ""),
            "that message and data rates may apply",
        ),
        (
            f"Residents may contact {ORG} via SMS and we respond by text. By contacting {ORG} "
            "via SMS, you consent to receive text message responses related to your request. "
            f"{REST}",
            "how data from messaging is used",
        ),
    ],
)
def test_pp06_names_the_one_missing_disclosure(
    city: Registration, policy: str, missing: str
) -> None:
    set_policies(city, policy, "These terms govern the use of the city website.")

    [finding] = city.fired("PP-06")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.privacy_policy_url",
        30908,
    )
    assert finding.message == f"The privacy policy and terms do not say {missing}."


def test_pp06_lists_everything_missing_and_offers_the_seed_language(city: Registration) -> None:
    set_policies(city, "We respect your privacy.", "These terms govern the use of the website.")

    [finding] = city.fired("PP-06")

    assert finding.message.count(";") == 6
    assert f'"If you contact {ORG} via SMS, we may use your phone number' in finding.fix
    assert f'"By contacting {ORG} via SMS, you consent' in finding.fix


def test_pp06_needs_both_pages_readable_to_judge(city: Registration) -> None:
    set_policies(city, "We respect your privacy.", "These terms govern the use of the website.")
    city.pages[CITY_TERMS] = broken_page(CITY_TERMS, PageProblem.NOT_FOUND, 404, "HTTP 404")
    assert city.fired("PP-06") == []


def test_pp06_does_not_apply_when_nobody_texts_first(shop: Registration) -> None:
    assert "via SMS" not in shop.pages[SHOP_PRIVACY].text + shop.pages[SHOP_TERMS].text
    assert shop.fired("PP-06") == []


def test_pp06_applies_when_one_of_several_methods_is_texting_first(shop: Registration) -> None:
    shop.campaign["opt_in_methods"].append(
        {"kind": "inbound_text", "categories": ["transactional"]}
    )
    assert [f.rule for f in shop.fired("PP-06")] == ["PP-06"]


# --- PP-07 policies are public ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field", "what"),
    [
        (CITY_PRIVACY, "policies.privacy_policy_url", "privacy policy"),
        (CITY_TERMS, "policies.terms_url", "terms"),
    ],
)
def test_pp07_fires_when_a_policy_is_behind_a_login(
    city: Registration, url: str, field: str, what: str
) -> None:
    detail = "redirected to a sign-in page at https://www.springfield.example/login"
    city.pages[url] = broken_page(url, PageProblem.LOGIN_WALL, 200, detail)

    [finding] = city.fired("PP-07")

    assert (finding.severity, finding.field, finding.twilio_code) == (BLOCK, field, 30908)
    assert finding.message == f"The {what} at {url} is behind a login: {detail}."


def test_pp07_reports_both_pages(city: Registration) -> None:
    for url in (CITY_PRIVACY, CITY_TERMS):
        city.pages[url] = broken_page(url, PageProblem.LOGIN_WALL, 403, "HTTP 403")
    assert [f.field for f in city.fired("PP-07")] == [
        "policies.privacy_policy_url",
        "policies.terms_url",
    ]


def test_pp07_is_quiet_for_public_pages_and_other_problems(city: Registration) -> None:
    assert city.fired("PP-07") == []
    city.pages[CITY_PRIVACY] = broken_page(CITY_PRIVACY, PageProblem.NOT_FOUND, 404, "HTTP 404")
    assert city.fired("PP-07") == []


# --- TOS-01 the terms describe the SMS program ------------------------------------------------


def test_tos01_fires_when_the_terms_cannot_be_read(city: Registration) -> None:
    city.pages[CITY_TERMS] = broken_page(CITY_TERMS, PageProblem.NOT_FOUND, 404, "HTTP 404")

    [finding] = city.fired("TOS-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.terms_url",
        30882,
    )
    assert finding.message == f"The terms at {CITY_TERMS} cannot be read by a reviewer: HTTP 404."


def test_tos01_leaves_a_login_wall_to_pp07(city: Registration) -> None:
    city.pages[CITY_TERMS] = broken_page(CITY_TERMS, PageProblem.LOGIN_WALL, 403, "HTTP 403")
    found = city.findings()
    assert "TOS-01" not in found
    assert "PP-07" in found


def test_tos01_fires_when_the_terms_do_not_mention_sms(city: Registration) -> None:
    city.edit_page(
        CITY_TERMS,
        text=f"Terms of Use\n{ORG}\nThese terms govern service requests made to the city.",
    )
    [finding] = city.fired("TOS-01")
    assert finding.message == "The terms do not mention SMS or text messages."


def test_tos01_fires_when_the_terms_do_not_name_the_program(city: Registration) -> None:
    city.edit_page(
        CITY_TERMS,
        text="Terms of Use\nWe answer your text messages about service requests. Reply STOP.",
    )
    [finding] = city.fired("TOS-01")
    assert finding.message == (
        "The terms do not mention the program or organisation name (City of Springfield)."
    )


def test_tos01_fires_when_the_terms_do_not_say_what_is_sent(city: Registration) -> None:
    city.edit_page(CITY_TERMS, text=f"Terms of Use\n{ORG} text messaging program.")
    [finding] = city.fired("TOS-01")
    assert finding.message == "The terms do not mention what the messages are about."


def test_tos01_names_every_gap(city: Registration) -> None:
    city.edit_page(CITY_TERMS, text="Terms of Use\nBe nice.")
    [finding] = city.fired("TOS-01")
    assert finding.message == (
        "The terms do not mention SMS or text messages, the program or organisation name (City "
        "of Springfield), what the messages are about."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Springfield 311 sends text message responses to your service requests.",
        "SPRINGFIELD 311 SMS: replies to your requests.",
        "The City of Springfield\u2019s texts are status updates about your request.",
        "Springfield 311 text alerts: <b>service request updates</b>",
    ],
)
def test_tos01_accepts_program_descriptions(city: Registration, text: str) -> None:
    city.edit_page(CITY_TERMS, text=f"Terms of Use\n{text}")
    assert city.fired("TOS-01") == []


# --- TOS-02 frequency, for recurring programs ------------------------------------------------


def test_tos02_fires_when_a_recurring_program_does_not_state_frequency(shop: Registration) -> None:
    shop.replace_in_page(SHOP_TERMS, "Message frequency varies. ", "")

    [finding] = shop.fired("TOS-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.terms_url",
        30558,
    )
    assert "how often" in finding.message


def test_tos02_does_not_apply_when_everyone_texts_first(city: Registration) -> None:
    assert "frequency" not in city.pages[CITY_TERMS].text.lower()
    assert city.fired("TOS-02") == []


def test_tos02_applies_once_a_method_other_than_texting_first_exists(city: Registration) -> None:
    city.campaign["opt_in_methods"].append(
        {
            "kind": "keyword",
            "text": "Text ALERTS to (217) 555-0100 for Springfield 311 street closure alerts.",
            "categories": ["transactional"],
        }
    )
    assert [f.rule for f in city.fired("TOS-02")] == ["TOS-02"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Message frequency varies.",
        "Msg frequency varies.",
        "MESSAGE FREQUENCY MAY VARY.",
        "Frequency will vary.",
        "You will receive texts with varying frequency.",
        "Up to 4 msgs/month.",
        "2 msgs/week.",
        "One message per day.",
        "You will receive recurring messages.",
        "We send up to 6 order updates per month.",
        "Weekly text alerts about new arrivals.",
    ],
)
def test_tos02_accepts_frequency_wording(shop: Registration, sentence: str) -> None:
    shop.replace_in_page(SHOP_TERMS, "Message frequency varies. ", f"{sentence}\n")
    assert shop.fired("TOS-02") == []


# --- TOS-03 rates ---------------------------------------------------------------------


def test_tos03_fires_without_the_rates_phrase(city: Registration) -> None:
    city.replace_in_page(CITY_TERMS, "Message and data rates may apply.", "")

    [finding] = city.fired("TOS-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.terms_url",
        30562,
    )
    assert "Message and data rates may apply" in finding.message


@pytest.mark.parametrize(
    "sentence",
    [
        "Msg & data rates may apply.",
        "Msg&Data Rates May Apply.",
        "Txt and data rates may apply.",
        "Standard message and data rates apply.",
        "Standard text rates may apply.",
        "Message + data rates may apply.",
        "SMS and data rates may apply.",
    ],
)
def test_tos03_accepts_rates_wording(city: Registration, sentence: str) -> None:
    city.replace_in_page(CITY_TERMS, "Message and data rates may apply.", sentence)
    assert city.fired("TOS-03") == []


@pytest.mark.parametrize(
    "sentence", ["Rates may apply.", "Carrier charges may apply.", "Data plans vary."]
)
def test_tos03_does_not_accept_vaguer_wording(city: Registration, sentence: str) -> None:
    city.replace_in_page(CITY_TERMS, "Message and data rates may apply.", sentence)
    assert [f.rule for f in city.fired("TOS-03")] == ["TOS-03"]


# --- TOS-04 support ------------------------------------------------------------------


def test_tos04_fires_without_help_or_a_support_contact(city: Registration) -> None:
    city.edit_page(
        CITY_TERMS,
        text=(
            f"Terms of Use\n{ORG} 311 sends text message responses to your requests. "
            "Reply STOP to opt out. Message and data rates may apply."
        ),
    )

    [finding] = city.fired("TOS-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.terms_url",
        30560,
    )
    assert "HELP" in finding.message


@pytest.mark.parametrize(
    "support",
    [
        "Reply HELP for help.",
        "Text HELP for assistance.",
        "Questions? Email 311@springfield.example.",
        "Questions? Call (217) 555-0100.",
    ],
)
def test_tos04_accepts_help_or_a_contact(city: Registration, support: str) -> None:
    city.edit_page(
        CITY_TERMS,
        text=f"Terms of Use\n{ORG} sends text message responses to your requests. {support}",
    )
    assert city.fired("TOS-04") == []


# --- TOS-05 STOP ----------------------------------------------------------------------


def test_tos05_fires_without_stop_instructions(city: Registration) -> None:
    city.replace_in_page(CITY_TERMS, "You may opt out at any time by replying STOP. ", "")

    [finding] = city.fired("TOS-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.terms_url",
        None,
    )
    assert "STOP" in finding.message


@pytest.mark.parametrize(
    "sentence",
    [
        "You may stop receiving messages at any time.",
        "To stop messages, contact City Hall.",
        "Stop by City Hall if you have questions.",
        "Messages stop when your request is closed.",
    ],
)
def test_tos05_does_not_accept_stop_without_an_instruction(
    city: Registration, sentence: str
) -> None:
    city.replace_in_page(CITY_TERMS, "You may opt out at any time by replying STOP.", sentence)
    assert [f.rule for f in city.fired("TOS-05")] == ["TOS-05"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Reply STOP to cancel.",
        "Text STOP to (217) 555-0100 to opt out.",
        "To unsubscribe, reply \u201cSTOP\u201d.",
        "Reply 'stop' at any time.",
        "Send the word STOP to end messages.",
        "Txt STOP to quit.",
        "You can cancel the SMS service at any time: reply STOP.",
        "Reply HELP for help or STOP to cancel.",
    ],
)
def test_tos05_accepts_stop_instructions(city: Registration, sentence: str) -> None:
    city.replace_in_page(CITY_TERMS, "You may opt out at any time by replying STOP.", sentence)
    assert city.fired("TOS-05") == []


# --- TOS-06 carriers not liable; consent not a condition ------------------------------------


def test_tos06_warns_without_the_carrier_sentence(city: Registration) -> None:
    city.replace_in_page(
        CITY_TERMS, "Carriers are not liable for delayed or undelivered messages.", ""
    )

    [finding] = city.fired("TOS-06")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "policies.terms_url",
        None,
    )
    assert finding.message == (
        "The terms do not say carriers are not liable for delayed or undelivered messages."
    )


def test_tos06_warns_a_promotional_program_without_not_a_condition(shop: Registration) -> None:
    shop.replace_in_page(
        SHOP_TERMS, "Consent to receive marketing text messages is not a condition of purchase.", ""
    )
    [finding] = shop.fired("TOS-06")
    assert "not a condition of purchase" in finding.message


def test_tos06_does_not_ask_a_transactional_program_about_purchases(city: Registration) -> None:
    assert "condition" not in city.pages[CITY_TERMS].text
    assert city.fired("TOS-06") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Carriers are not liable for delayed or undelivered messages.",
        "Wireless carriers are not responsible for delayed or undelivered messages.",
        "Mobile carriers are not liable for late or undelivered messages.",
        "T-Mobile is not liable for delayed or undelivered messages.",
    ],
)
def test_tos06_accepts_carrier_liability_wording(city: Registration, sentence: str) -> None:
    city.replace_in_page(
        CITY_TERMS, "Carriers are not liable for delayed or undelivered messages.", sentence
    )
    assert city.fired("TOS-06") == []
