"""3.5 The call to action and opt-in flows, per `opt_in_methods` entry, with CTA-19 and CTA-20.

The phrase rules (CTA-01 to CTA-07) are exercised on a keyword opt-in whose consent language is
exactly its `text` (no page), so a test controls every word a reviewer reads; the form rules on
the shop's web form, whose consent language is its text, its page and its checkbox labels.
"""

import pytest

from a2p_shared.events.policy import Severity
from a2p_validator.domain.pages import Checkbox, FormField, PageProblem
from a2p_validator.domain.text import normalise

from services.validator.tests.unit.conftest import (
    SHOP_AUTHORIZATION,
    SHOP_CONSENT_TEXT,
    SHOP_DISCLOSURE,
    SHOP_OPT_IN,
    SHOP_PRIVACY,
    SHOP_PROMOTIONAL_LABEL,
    SHOP_TERMS,
    SHOP_TRANSACTIONAL_LABEL,
    Registration,
    broken_page,
    link,
    page,
)

BLOCK = Severity.BLOCK
CTA_01_TO_07 = ("CTA-01", "CTA-02", "CTA-03", "CTA-04", "CTA-05", "CTA-06", "CTA-07")

KEYWORD_CTA = (
    "Text JOIN to (503) 555-0188 to receive order updates and customer care text messages "
    "from Harbor Lane. Message frequency varies. Msg & data rates may apply. Reply HELP for "
    "help, STOP to cancel. Privacy Policy and Terms: harborlane.example/privacy and "
    "harborlane.example/terms."
)
KEYWORD_FLOW = (
    "Customers opt in by texting the keyword JOIN to (503) 555-0188, as advertised on signs in "
    "our store. The sign shows the full disclosure. We reply with a confirmation text."
)


@pytest.fixture
def keyword(shop: Registration) -> Registration:
    """The shop, opting people in by keyword only, for transactional messages only."""
    shop.campaign.update(
        categories=["transactional"],
        message_flow=KEYWORD_FLOW,
        opt_in_methods=[{"kind": "keyword", "text": KEYWORD_CTA, "categories": ["transactional"]}],
    )
    shop.campaign["message_samples"].pop()  # the promotional one
    return shop


def cta_findings(registration: Registration) -> dict[str, list[str]]:
    return {
        rule: [f.message for f in found]
        for rule, found in registration.findings().items()
        if rule.startswith("CTA-")
    }


def set_keyword_text(registration: Registration, old: str, new: str) -> None:
    method = registration.method()
    assert old in method["text"], f"{old!r} is not in the consent language"
    method["text"] = method["text"].replace(old, new)


def test_the_keyword_variant_is_compliant(keyword: Registration) -> None:
    assert cta_findings(keyword) == {}


def test_texting_first_has_no_consent_language_to_check(city: Registration) -> None:
    assert city.method()["kind"] == "inbound_text"
    assert cta_findings(city) == {}


def test_a_web_form_may_show_its_disclosure_on_the_page_only(shop: Registration) -> None:
    shop.method()["text"] = None
    assert cta_findings(shop) == {}


# --- CTA-01 the channel: SMS / text messages ------------------------------------------


@pytest.mark.parametrize("channel", ["communications", "messages", "notifications", "updates"])
def test_cta01_fires_when_the_channel_is_not_named(keyword: Registration, channel: str) -> None:
    set_keyword_text(keyword, "customer care text messages", f"customer care {channel}")

    [finding] = keyword.fired("CTA-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30551,
    )
    assert finding.message == "The keyword consent language never says SMS or text messages."


@pytest.mark.parametrize(
    "channel",
    [
        "SMS",
        "sms messages",
        "text messages",
        "Text Message",
        "texts",
        "txt msgs",
        "text alerts",
        "mobile messages",
        "<b>text messages</b>",
    ],
)
def test_cta01_accepts_names_of_the_channel(keyword: Registration, channel: str) -> None:
    set_keyword_text(keyword, "customer care text messages", f"customer care {channel}")
    assert keyword.fired("CTA-01") == []


def test_the_phrase_rules_read_sentences_split_by_line_breaks(keyword: Registration) -> None:
    keyword.method()["text"] = KEYWORD_CTA.replace(". ", ".\n").replace(", STOP", "\nSTOP")
    assert "\n" in keyword.method()["text"]
    assert not set(cta_findings(keyword)) & set(CTA_01_TO_07)


def test_the_phrase_rules_read_html_consent_language(keyword: Registration) -> None:
    keyword.method()["text"] = (
        "<p>Text <b>JOIN</b> to (503) 555-0188 to receive order updates and customer care "
        "text messages from <strong>Harbor Lane</strong>.</p><p>Message frequency varies. "
        "Msg &amp; data rates may apply.<br><b>Reply HELP</b> for help, <b>STOP</b> to "
        "cancel.</p><p><a href='/privacy'>Privacy Policy</a> and <a href='/terms'>Terms</a></p>"
    )
    assert not set(cta_findings(keyword)) & set(CTA_01_TO_07)


def test_cta01_fires_when_a_method_gives_no_consent_language(keyword: Registration) -> None:
    keyword.method()["text"] = None

    [finding] = keyword.fired("CTA-01")

    assert finding.message == "The keyword opt-in gives no consent language to review."
    assert "`text`" in finding.fix


def test_cta01_does_not_ask_a_web_form_with_a_page_for_text(shop: Registration) -> None:
    shop.method()["text"] = None
    assert shop.fired("CTA-01") == []


# --- CTA-02 the brand -----------------------------------------------------------------


def test_cta02_fires_when_the_brand_is_not_named(keyword: Registration) -> None:
    set_keyword_text(keyword, "from Harbor Lane.", "from us.")

    [finding] = keyword.fired("CTA-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        None,
    )
    assert finding.message == "The keyword consent language does not name the organisation."


@pytest.mark.parametrize(
    "name",
    [
        "HARBOR LANE",
        "Harbor Lane Outfitters",
        "Harbor Lane Outfitters, LLC",
        "Harbor Lane Outfitters L.L.C.",
        "Harbor Lane\u2019s store",
        "<strong>Harbor Lane</strong>",
    ],
)
def test_cta02_accepts_the_legal_name_or_dba_in_any_form(keyword: Registration, name: str) -> None:
    set_keyword_text(keyword, "from Harbor Lane.", f"from {name}.")
    assert keyword.fired("CTA-02") == []


def test_cta02_needs_the_whole_name(keyword: Registration) -> None:
    set_keyword_text(keyword, "from Harbor Lane.", "from Harbor.")
    assert [f.rule for f in keyword.fired("CTA-02")] == ["CTA-02"]


# --- CTA-03 the purpose ----------------------------------------------------------------


def test_cta03_fires_when_the_purpose_is_not_stated(keyword: Registration) -> None:
    set_keyword_text(keyword, "order updates and customer care text messages", "text messages")

    [finding] = keyword.fired("CTA-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30544,
    )
    assert (
        finding.message == "The keyword consent language does not say what the messages are about."
    )


@pytest.mark.parametrize(
    "purpose",
    [
        "appointment reminders",
        "service request updates",
        "order confirmations",
        "delivery notifications",
        "promotional offers",
        "account alerts",
        "Follow-ups",
    ],
)
def test_cta03_accepts_named_kinds_of_messages(keyword: Registration, purpose: str) -> None:
    set_keyword_text(
        keyword, "order updates and customer care text messages", f"{purpose} by text message"
    )
    assert keyword.fired("CTA-03") == []


# --- CTA-04 the frequency ------------------------------------------------------------------


def test_cta04_fires_without_a_frequency(keyword: Registration) -> None:
    set_keyword_text(keyword, "Message frequency varies. ", "")

    [finding] = keyword.fired("CTA-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30545,
    )
    assert (
        finding.message
        == "The keyword consent language does not disclose how often messages are sent."
    )


@pytest.mark.parametrize(
    "frequency",
    [
        "Message frequency varies.",
        "Msg frequency varies.",
        "Message Frequency Will Vary.",
        "Msg frequency may vary.",
        "Up to 4 msgs/month.",
        "Up to 4 messages per month.",
        "2 msgs/week.",
        "One message per day.",
        "Recurring automated messages.",
        "Messages with varying frequency.",
    ],
)
def test_cta04_accepts_frequency_wording(keyword: Registration, frequency: str) -> None:
    set_keyword_text(keyword, "Message frequency varies.", frequency)
    assert keyword.fired("CTA-04") == []


def test_cta04_accepts_the_abbreviation_freq(keyword: Registration) -> None:
    set_keyword_text(keyword, "Message frequency varies.", "Msg freq varies.")
    assert keyword.fired("CTA-04") == []


def test_cta04_does_not_read_a_frequency_across_two_sentences(keyword: Registration) -> None:
    set_keyword_text(keyword, "Message frequency varies.", "Message frequency. Varies by season.")
    assert [f.rule for f in keyword.fired("CTA-04")] == ["CTA-04"]


# --- CTA-05 rates, in the consent language itself ---------------------------------------------


def test_cta05_fires_without_the_rates_phrase(keyword: Registration) -> None:
    set_keyword_text(keyword, "Msg & data rates may apply. ", "")

    [finding] = keyword.fired("CTA-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30569,
    )
    assert "Message and data rates may apply" in finding.message
    assert "consent language itself" in finding.fix


def test_cta05_is_not_satisfied_by_the_terms_alone(shop: Registration) -> None:
    shop.method()["text"] = SHOP_CONSENT_TEXT.replace("Msg & data rates may apply. ", "")
    shop.replace_in_page(SHOP_OPT_IN, "Msg & data rates may apply. ", "")
    assert "Message and data rates may apply." in shop.pages[SHOP_TERMS].text

    [finding] = shop.fired("CTA-05")

    assert finding.field == "campaign.opt_in_methods.0.text"
    assert finding.message.startswith("The web_form consent language does not say")


@pytest.mark.parametrize(
    "rates",
    [
        "Msg & data rates may apply.",
        "Msg&Data Rates May Apply.",
        "Message and data rates may apply.",
        "MESSAGE AND DATA RATES MAY APPLY",
        "Txt and data rates may apply.",
        "Standard message and data rates apply.",
        "Msg &amp; data rates may apply.",
        "Msg\u00a0&\u00a0data rates may apply.",
    ],
)
def test_cta05_accepts_rates_wording(keyword: Registration, rates: str) -> None:
    set_keyword_text(keyword, "Msg & data rates may apply.", rates)
    assert keyword.fired("CTA-05") == []


# --- CTA-06 HELP ----------------------------------------------------------------------------


def test_cta06_fires_without_help_instructions(keyword: Registration) -> None:
    set_keyword_text(keyword, "Reply HELP for help, STOP to cancel.", "Reply STOP to cancel.")

    [finding] = keyword.fired("CTA-06")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30570,
    )
    assert (
        finding.message == "The keyword consent language does not say how to get help (reply HELP)."
    )


@pytest.mark.parametrize(
    "help_text",
    [
        "Reply HELP for help.",
        "Text HELP for assistance.",
        "For help, reply HELP.",
        "Reply \u201cHELP\u201d.",
        "Msg HELP for help.",
        "<b>Reply HELP</b> for help.",
    ],
)
def test_cta06_accepts_help_instructions(keyword: Registration, help_text: str) -> None:
    set_keyword_text(
        keyword, "Reply HELP for help, STOP to cancel.", f"{help_text} Reply STOP to cancel."
    )
    assert keyword.fired("CTA-06") == []


@pytest.mark.parametrize(
    "help_text", ["Need help? Visit our store.", "We are happy to help.", "Help is available."]
)
def test_cta06_does_not_accept_help_without_an_instruction(
    keyword: Registration, help_text: str
) -> None:
    set_keyword_text(
        keyword, "Reply HELP for help, STOP to cancel.", f"{help_text} Reply STOP to cancel."
    )
    assert [f.rule for f in keyword.fired("CTA-06")] == ["CTA-06"]


# --- CTA-07 STOP ----------------------------------------------------------------------------


def test_cta07_fires_without_stop_instructions(keyword: Registration) -> None:
    set_keyword_text(keyword, "Reply HELP for help, STOP to cancel.", "Reply HELP for help.")

    [finding] = keyword.fired("CTA-07")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30909,
    )
    assert (
        finding.message == "The keyword consent language does not say how to opt out (reply STOP)."
    )


@pytest.mark.parametrize(
    "stop_text",
    [
        "Reply STOP to opt out.",
        "Reply STOP to opt-out.",
        "Text STOP to cancel.",
        "reply stop to unsubscribe",
        "Reply 'STOP' to end.",
        "Reply \u201cSTOP\u201d at any time.",
        "Replying STOP ends all messages.",
        "Send STOP to quit.",
        "Txt STOP 2 end.",
        "<b>Reply STOP</b> to cancel.",
        "Reply HELP for help or STOP to cancel.",
    ],
)
def test_cta07_accepts_stop_instructions(keyword: Registration, stop_text: str) -> None:
    set_keyword_text(
        keyword, "Reply HELP for help, STOP to cancel.", f"Reply HELP for help. {stop_text}"
    )
    assert keyword.fired("CTA-07") == []


@pytest.mark.parametrize(
    "stop_text",
    [
        "Stop by our store to sign up in person.",
        "You can stop messages at any time.",
        "Never stop exploring.",
        "Reply to stop.",
    ],
)
def test_cta07_does_not_accept_stop_without_an_instruction(
    keyword: Registration, stop_text: str
) -> None:
    set_keyword_text(
        keyword, "Reply HELP for help, STOP to cancel.", f"Reply HELP for help. {stop_text}"
    )
    assert [f.rule for f in keyword.fired("CTA-07")] == ["CTA-07"]


# --- CTA-08 privacy policy and terms at the point of consent --------------------------------


def _strip_policies_from_form(shop: Registration) -> None:
    shop.method()["text"] = SHOP_CONSENT_TEXT.replace(
        " Click for Privacy Policy and Terms and Conditions.", ""
    )
    shop.replace_in_page(SHOP_OPT_IN, " See our Privacy Policy and Terms of Service.", "")
    opt_in = shop.pages[SHOP_OPT_IN]
    shop.edit_page(
        SHOP_OPT_IN,
        links=tuple(x for x in opt_in.links if x.href not in (SHOP_PRIVACY, SHOP_TERMS)),
    )


def test_cta08_fires_when_the_form_shows_neither_policy(shop: Registration) -> None:
    _strip_policies_from_form(shop)

    [finding] = shop.fired("CTA-08")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30909,
    )
    assert finding.message == "The web_form opt-in does not show the privacy policy or the terms."


def test_cta08_names_the_one_missing_policy(shop: Registration) -> None:
    _strip_policies_from_form(shop)
    opt_in = shop.pages[SHOP_OPT_IN]
    shop.edit_page(SHOP_OPT_IN, links=(*opt_in.links, link(f"{SHOP_TERMS}/", "Terms")))

    [finding] = shop.fired("CTA-08")

    assert finding.message == "The web_form opt-in does not show the privacy policy."


def test_cta08_accepts_links_on_the_form_page(shop: Registration) -> None:
    _strip_policies_from_form(shop)
    opt_in = shop.pages[SHOP_OPT_IN]
    shop.edit_page(
        SHOP_OPT_IN,
        links=(*opt_in.links, link("https://harborlane.example/privacy/"), link(SHOP_TERMS)),
    )
    assert shop.fired("CTA-08") == []


@pytest.mark.parametrize(
    "mention",
    [
        "Privacy Policy: harborlane.example/privacy. Terms: harborlane.example/terms.",
        "See our privacy notice and our Terms & Conditions.",
        "PRIVACY POLICY and TERMS OF SERVICE are linked below.",
    ],
)
def test_cta08_accepts_policies_named_in_a_verbal_script(
    keyword: Registration, mention: str
) -> None:
    method = keyword.method()
    method.update(
        kind="verbal",
        text=KEYWORD_CTA.replace(
            "Privacy Policy and Terms: harborlane.example/privacy and harborlane.example/terms.",
            mention,
        ),
    )
    assert keyword.fired("CTA-08") == []


def test_cta08_fires_for_a_verbal_script_without_them(keyword: Registration) -> None:
    keyword.method().update(
        kind="verbal",
        text=KEYWORD_CTA.replace(
            " Privacy Policy and Terms: harborlane.example/privacy and harborlane.example/terms.",
            "",
        ),
    )
    [finding] = keyword.fired("CTA-08")
    assert finding.message == "The verbal opt-in does not show the privacy policy or the terms."


def test_cta08_does_not_apply_to_keywords(keyword: Registration) -> None:
    set_keyword_text(
        keyword,
        " Privacy Policy and Terms: harborlane.example/privacy and harborlane.example/terms.",
        "",
    )
    assert keyword.fired("CTA-08") == []


# --- CTA-09 unchecked by default --------------------------------------------------------------


def test_cta09_fires_when_the_checkbox_is_declared_prechecked(shop: Registration) -> None:
    shop.method()["checkbox_prechecked"] = True

    [finding] = shop.fired("CTA-09")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.checkbox_prechecked",
        30475,
    )


def test_cta09_fires_when_the_page_prechecks_an_sms_box(shop: Registration) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(
            Checkbox("sms_transactional", SHOP_TRANSACTIONAL_LABEL, True, False),
            Checkbox("sms_promotional", SHOP_PROMOTIONAL_LABEL, False, False),
        ),
    )

    [finding] = shop.fired("CTA-09")

    assert finding.field == "campaign.opt_in_methods.0.url"
    assert finding.message == (
        f'The checkbox "{SHOP_TRANSACTIONAL_LABEL}" on {SHOP_OPT_IN} is checked by default.'
    )


def test_cta09_ignores_prechecked_boxes_that_are_not_consent(shop: Registration) -> None:
    opt_in = shop.pages[SHOP_OPT_IN]
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(*opt_in.checkboxes, Checkbox("remember", "Remember my details", True, False)),
    )
    assert shop.fired("CTA-09") == []


# --- CTA-10 not bundled with the terms ----------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "I agree to the Terms of Service and Privacy Policy and to receive text messages from "
        "Harbor Lane.",
        "I accept the terms & conditions and consent to receive SMS updates.",
        "I agree to receive text messages from Harbor Lane and accept the Terms of Service.",
        "By checking this box I acknowledge the Privacy Policy and agree to receive texts.",
    ],
)
def test_cta10_fires_when_consent_and_terms_share_a_statement(
    shop: Registration, label: str
) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(Checkbox("sms", label, False, False), *shop.pages[SHOP_OPT_IN].checkboxes),
    )

    [finding] = shop.fired("CTA-10")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30841,
    )
    assert finding.message.startswith("SMS consent and accepting the terms are one statement: ")
    assert normalise(label)[:30] in finding.message


def test_cta10_reads_the_consent_text_too(keyword: Registration) -> None:
    set_keyword_text(
        keyword,
        "Text JOIN to (503) 555-0188 to receive",
        "By texting JOIN you agree to our Terms of Service and to receive",
    )
    assert [f.rule for f in keyword.fired("CTA-10")] == ["CTA-10"]


def test_cta10_accepts_seed_002_language(shop: Registration) -> None:
    assert "Click for Privacy Policy and Terms and Conditions." in shop.method()["text"]
    assert shop.fired("CTA-10") == []


def test_cta10_fires_when_one_checkbox_label_also_accepts_the_terms(shop: Registration) -> None:
    label = "I agree to receive text messages from Harbor Lane. I accept the Terms of Service."
    shop.edit_page(SHOP_OPT_IN, checkboxes=(Checkbox("sms", label, False, False),))
    assert [f.rule for f in shop.fired("CTA-10")] == ["CTA-10"]


# --- CTA-11 not bundled with email or calls -----------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "I consent to receive text messages and emails from Harbor Lane.",
        "I agree to receive calls and text messages from Harbor Lane.",
        "Sign up for our newsletter and SMS alerts.",
        "I consent to phone calls, texts and email from Harbor Lane.",
    ],
)
def test_cta11_fires_when_sms_consent_includes_other_channels(
    shop: Registration, label: str
) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(Checkbox("sms", label, False, False), *shop.pages[SHOP_OPT_IN].checkboxes),
    )

    [finding] = shop.fired("CTA-11")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30556,
    )
    assert finding.message.startswith("SMS consent is bundled with other channels: ")


def test_cta11_accepts_separate_statements(shop: Registration) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(
            *shop.pages[SHOP_OPT_IN].checkboxes,
            Checkbox("email", "I agree to receive the Harbor Lane email newsletter.", False, False),
        ),
    )
    assert shop.fired("CTA-11") == []


def test_cta11_accepts_an_email_address_for_help(keyword: Registration) -> None:
    set_keyword_text(
        keyword,
        "Reply HELP for help, STOP to cancel.",
        "Reply HELP for help or email support@harborlane.example. Reply STOP to cancel.",
    )
    assert keyword.fired("CTA-11") == []


def test_cta11_fires_when_one_checkbox_label_also_covers_email(shop: Registration) -> None:
    label = "I consent to receive text messages from Harbor Lane. I also consent to receive emails."
    shop.edit_page(SHOP_OPT_IN, checkboxes=(Checkbox("sms", label, False, False),))
    assert [f.rule for f in shop.fired("CTA-11")] == ["CTA-11"]


# --- CTA-12 separate consent per category (verbal, paper, keyword) --------------------------

PAPER_FORM = "https://www.harborlane.example/forms/sms-signup.pdf"


@pytest.fixture
def paper(keyword: Registration) -> Registration:
    """The keyword variant turned into a paper form covering both kinds of messages."""
    keyword.campaign["categories"] = ["transactional", "promotional"]
    keyword.method().update(
        kind="paper", url=PAPER_FORM, categories=["transactional", "promotional"]
    )
    keyword.pages[PAPER_FORM] = page(PAPER_FORM, content_type="application/pdf")
    return keyword


ONE_CONSENT_FOR_BOTH = (
    "I agree to receive order updates and promotional offers by text message from Harbor Lane."
)
PAPER_DISCLOSURE = (
    "Message frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel. "
    "Privacy Policy and Terms at harborlane.example."
)


def test_cta12_fires_when_one_statement_covers_both_categories(paper: Registration) -> None:
    paper.method()["text"] = f"{ONE_CONSENT_FOR_BOTH} {PAPER_DISCLOSURE}"

    [finding] = paper.fired("CTA-12")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30548,
    )


def test_cta12_is_not_cured_by_the_not_a_condition_disclaimer(paper: Registration) -> None:
    paper.method()["text"] = (
        f"{ONE_CONSENT_FOR_BOTH} Consent is not a condition of purchase. {PAPER_DISCLOSURE}"
    )
    assert [f.rule for f in paper.fired("CTA-12")] == ["CTA-12"]


def test_cta12_accepts_two_consent_statements(paper: Registration) -> None:
    paper.method()["text"] = (
        "\u2610 I agree to receive order updates by text message from Harbor Lane.\n"
        "\u2610 I agree to receive marketing text messages from Harbor Lane. Consent is not a "
        "condition of purchase.\n"
        "Message frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to "
        "cancel. Privacy Policy and Terms at harborlane.example."
    )
    assert paper.fired("CTA-12") == []


def test_cta12_does_not_apply_to_one_category(keyword: Registration) -> None:
    assert keyword.method()["categories"] == ["transactional"]
    assert keyword.fired("CTA-12") == []


# --- CTA-13 consent is optional -----------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "You must agree to receive text messages to use our service.",
        "By submitting this form, you agree to receive text messages from Harbor Lane.",
        "By creating an account you consent to receive texts.",
        "By placing an order you authorize Harbor Lane to send you SMS.",
        "SMS consent is required.",
        "SMS opt-in is mandatory.",
        "You are required to consent to text messages.",
    ],
)
def test_cta13_fires_when_consent_is_a_requirement(keyword: Registration, sentence: str) -> None:
    set_keyword_text(keyword, "Message frequency varies.", f"{sentence} Message frequency varies.")

    [finding] = keyword.fired("CTA-13")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30475,
    )
    assert finding.message.startswith("The consent language makes texts a requirement: ")


def test_cta13_fires_on_consent_to_texts_is_required(keyword: Registration) -> None:
    set_keyword_text(
        keyword,
        "Message frequency varies.",
        "Consent to receive text messages is required. Message frequency varies.",
    )
    assert [f.rule for f in keyword.fired("CTA-13")] == ["CTA-13"]


def test_cta13_fires_when_the_sms_checkbox_is_required(shop: Registration) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(
            Checkbox("sms_transactional", SHOP_TRANSACTIONAL_LABEL, False, True),
            Checkbox("sms_promotional", SHOP_PROMOTIONAL_LABEL, False, False),
        ),
    )

    [finding] = shop.fired("CTA-13")

    assert finding.field == "campaign.opt_in_methods.0.url"
    assert finding.message == (
        f'The SMS checkbox "{SHOP_TRANSACTIONAL_LABEL}" is required to submit the form.'
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Consent is not a condition of purchase.",
        "By checking this box, you agree to receive text messages from Harbor Lane.",
        "Checking this box is optional.",
        "A phone number is required for delivery.",
    ],
)
def test_cta13_accepts_optional_consent(keyword: Registration, sentence: str) -> None:
    set_keyword_text(keyword, "Message frequency varies.", f"{sentence} Message frequency varies.")
    assert keyword.fired("CTA-13") == []


def test_cta13_accepts_a_required_box_that_is_not_about_sms(shop: Registration) -> None:
    opt_in = shop.pages[SHOP_OPT_IN]
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(
            *opt_in.checkboxes,
            Checkbox("age", "I confirm I am at least 13 years old.", False, True),
        ),
    )
    assert shop.fired("CTA-13") == []


# --- CTA-14 a required phone field needs its own SMS checkbox ----------------------------------


@pytest.mark.parametrize(
    "phone_field",
    [
        FormField("tel", "phone", "Phone", True),
        FormField("text", "mobile", "Mobile number", True),
        FormField("text", "contact", "Cell phone", True),
    ],
)
def test_cta14_fires_for_a_required_phone_without_an_sms_checkbox(
    shop: Registration, phone_field: FormField
) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(Checkbox("terms", "I accept the Terms of Service", False, True),),
        fields=(FormField("text", "name", "Name", True), phone_field),
    )

    [finding] = shop.fired("CTA-14")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.url",
        None,
    )
    assert finding.message == (
        f"{SHOP_OPT_IN} requires a phone number and has no SMS consent checkbox."
    )


def test_cta14_accepts_an_optional_phone_field(shop: Registration) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(),
        fields=(FormField("tel", "phone", "Mobile phone number (optional)", False),),
    )
    assert shop.fired("CTA-14") == []


def test_cta14_accepts_a_required_phone_with_an_sms_checkbox(shop: Registration) -> None:
    assert any(f.required and f.kind == "tel" for f in shop.pages[SHOP_OPT_IN].fields)
    assert shop.fired("CTA-14") == []


# --- CTA-15 the message flow names every method --------------------------------------------


def test_cta15_fires_when_the_flow_is_too_short(shop: Registration) -> None:
    shop.campaign["message_flow"] = "Customers opt in on our website."

    [finding] = shop.fired("CTA-15")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.message_flow",
        30909,
    )
    assert finding.message.startswith("The message flow has 32 characters; it needs at least 40")


def test_cta15_fires_when_the_flow_omits_the_form_url(shop: Registration) -> None:
    shop.replace_in("campaign", "message_flow", f"the web form at {SHOP_OPT_IN}", "our web form")
    [finding] = shop.fired("CTA-15")
    assert finding.message == (f"The message flow does not mention the web form URL {SHOP_OPT_IN}.")


def test_cta15_fires_when_the_flow_omits_a_method(shop: Registration) -> None:
    shop.campaign["opt_in_methods"].append(
        {
            "kind": "verbal",
            "text": "Would you like Harbor Lane order updates by text message?",
            "categories": ["transactional"],
        }
    )
    [finding] = shop.fired("CTA-15")
    assert finding.message == "The message flow does not mention verbal."


@pytest.mark.parametrize(
    "address",
    [
        "https://www.harborlane.example/sms",
        "https://harborlane.example/sms/",
        "www.harborlane.example/sms",
        "HARBORLANE.EXAMPLE/SMS",
        "https://www.harborlane.example:443/sms",
    ],
)
def test_cta15_accepts_any_spelling_of_the_url(shop: Registration, address: str) -> None:
    shop.replace_in("campaign", "message_flow", SHOP_OPT_IN, address)
    assert shop.fired("CTA-15") == []


@pytest.mark.parametrize(
    ("kind", "flow"),
    [
        ("keyword", "Customers text the keyword JOIN to our number to opt in to order updates."),
        ("keyword", "Customers opt in by texting JOIN to (503) 555-0188 from their phone."),
        ("verbal", "Staff ask customers over the phone whether they agree to receive texts."),
        ("paper", "Customers sign a paper form at the counter to opt in to order texts."),
        ("inbound_text", "Residents opt in by sending us the first message about their request."),
    ],
)
def test_cta15_recognises_each_kind_of_method(keyword: Registration, kind: str, flow: str) -> None:
    keyword.method()["kind"] = kind
    keyword.campaign["message_flow"] = flow
    assert keyword.fired("CTA-15") == []


def test_cta15_recognises_texting_first_in_the_city_flow(city: Registration) -> None:
    assert city.fired("CTA-15") == []
    city.campaign["message_flow"] = "Residents receive replies about their service requests."
    assert [f.rule for f in city.fired("CTA-15")] == ["CTA-15"]


# --- CTA-16 a live URL for a public opt-in --------------------------------------------------


def test_cta16_fires_when_a_web_form_has_no_url(shop: Registration) -> None:
    shop.method()["url"] = None

    [finding] = shop.fired("CTA-16")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.url",
        30543,
    )
    assert finding.message == (
        "The web_form opt-in has no URL; reviewers need the URL of the public form."
    )


def test_cta16_asks_a_paper_form_for_a_hosted_image(paper: Registration) -> None:
    paper.method()["url"] = None
    [finding] = paper.fired("CTA-16")
    assert "a hosted image of the paper form" in finding.message


@pytest.mark.parametrize(
    ("problem", "status", "detail"),
    [
        (PageProblem.NOT_FOUND, 404, "HTTP 404"),
        (PageProblem.LOGIN_WALL, 200, "a sign-in form"),
        (PageProblem.UNREACHABLE, None, "connection refused"),
    ],
)
def test_cta16_fires_when_the_form_cannot_be_read(
    shop: Registration, problem: PageProblem, status: int | None, detail: str
) -> None:
    shop.pages[SHOP_OPT_IN] = broken_page(SHOP_OPT_IN, problem, status, detail)
    [finding] = shop.fired("CTA-16")
    assert finding.message == (
        f"The opt-in page {SHOP_OPT_IN} cannot be read by a reviewer: {detail}."
    )


def test_cta16_accepts_a_hosted_image_of_a_paper_form(paper: Registration) -> None:
    image = "https://www.harborlane.example/forms/sms-signup.png"
    paper.method()["url"] = image
    paper.pages[image] = page(image, content_type="image/png")
    assert paper.fired("CTA-16") == []


def test_cta16_is_quiet_for_a_live_form(shop: Registration) -> None:
    assert shop.fired("CTA-16") == []


# --- CTA-17 consent before the first message ------------------------------------------------


def test_cta17_fires_when_the_flow_never_says_how_consent_is_given(shop: Registration) -> None:
    shop.campaign["message_flow"] = (
        f"We send order texts to everyone in our customer database. Web form: {SHOP_OPT_IN}."
    )

    [finding] = shop.fired("CTA-17")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.message_flow",
        30555,
    )


@pytest.mark.parametrize(
    "how",
    [
        "Customers opt in on the web form",
        "Customers opt-in on the web form",
        "Customers give consent on the web form",
        "Customers agree on the web form",
        "Customers check a box on the web form",
        "Customers sign up on the web form",
        "Customers sign-up on the web form",
        "Customers reply YES after using the web form",
        "Customers subscribe on the web form",
    ],
)
def test_cta17_accepts_ways_of_consenting(shop: Registration, how: str) -> None:
    shop.campaign["message_flow"] = f"{how} at {SHOP_OPT_IN} before we send any text."
    assert shop.fired("CTA-17") == []


# --- CTA-18 express written consent for marketing --------------------------------------------


def _without_not_a_condition(shop: Registration) -> None:
    sentence = " Consent is not a condition of purchase."
    label = SHOP_PROMOTIONAL_LABEL.replace(sentence, "")
    shop.method()["text"] = SHOP_CONSENT_TEXT.replace(sentence, "")
    shop.replace_in_page(SHOP_OPT_IN, sentence, "")
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(
            Checkbox("sms_transactional", SHOP_TRANSACTIONAL_LABEL, False, False),
            Checkbox("sms_promotional", label, False, False),
        ),
    )


def test_cta18_fires_when_marketing_consent_lacks_not_a_condition(shop: Registration) -> None:
    _without_not_a_condition(shop)

    [finding] = shop.fired("CTA-18")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.text",
        30831,
    )
    assert "not a condition of purchase" in finding.fix


def test_cta18_fires_when_the_wording_never_says_marketing(keyword: Registration) -> None:
    keyword.campaign["categories"] = ["transactional", "promotional"]
    keyword.method()["categories"] = ["promotional"]
    set_keyword_text(
        keyword, "Privacy Policy", "Consent is not a condition of purchase. Privacy Policy"
    )
    assert [f.field for f in keyword.fired("CTA-18")] == ["campaign.opt_in_methods.0.text"]


def test_cta18_fires_when_no_method_collects_promotional_consent(shop: Registration) -> None:
    shop.method()["categories"] = ["transactional"]
    [finding] = shop.fired("CTA-18")
    assert finding.field == "campaign.categories"
    assert "no opt-in method collects promotional consent" in finding.message


@pytest.mark.parametrize(
    "wording",
    [
        "I agree to receive marketing text messages. Consent is not a condition of purchase.",
        "I agree to receive promotional offers by text. Consent is not a condition of any purchase.",
        "Send me deals by SMS. My consent is not a condition of purchase.",
    ],
)
def test_cta18_accepts_express_consent_wording(keyword: Registration, wording: str) -> None:
    keyword.campaign["categories"] = ["transactional", "promotional"]
    keyword.method()["categories"] = ["promotional"]
    set_keyword_text(keyword, "Privacy Policy", f"{wording} Privacy Policy")
    assert keyword.fired("CTA-18") == []


def test_cta18_does_not_apply_to_transactional_campaigns(city: Registration) -> None:
    assert city.campaign["categories"] == ["transactional"]
    assert city.fired("CTA-18") == []


# --- CTA-19 verbal opt-in is transactional only ---------------------------------------------


def test_cta19_fires_for_a_verbal_opt_in_covering_promotional(keyword: Registration) -> None:
    keyword.campaign["categories"] = ["transactional", "promotional"]
    keyword.method().update(kind="verbal", categories=["promotional"])

    [finding] = keyword.fired("CTA-19")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.categories",
        None,
    )
    assert "web form or booking link" in finding.message


def test_cta19_accepts_a_transactional_verbal_opt_in(keyword: Registration) -> None:
    keyword.method()["kind"] = "verbal"
    assert keyword.fired("CTA-19") == []


def test_cta19_does_not_apply_to_web_forms(shop: Registration) -> None:
    assert "promotional" in shop.method()["categories"]
    assert shop.fired("CTA-19") == []


# --- CTA-20 two unchecked checkboxes for two categories ----------------------------------------


def test_cta20_fires_when_one_checkbox_covers_both_categories(shop: Registration) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(
            Checkbox(
                "sms",
                "I consent to receive order updates and promotional text messages from Harbor "
                "Lane. Consent is not a condition of purchase.",
                False,
                False,
            ),
        ),
    )

    [finding] = shop.fired("CTA-20")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.url",
        None,
    )
    assert finding.message == (
        f"{SHOP_OPT_IN} has 1 SMS consent checkbox(es); it needs one per kind of message."
    )


def test_cta20_does_not_count_a_non_sms_checkbox(shop: Registration) -> None:
    shop.edit_page(
        SHOP_OPT_IN,
        checkboxes=(
            Checkbox("sms", SHOP_TRANSACTIONAL_LABEL, False, False),
            Checkbox("email", "I agree to receive the email newsletter.", False, False),
        ),
    )
    assert [f.field for f in shop.fired("CTA-20")] == ["campaign.opt_in_methods.0.url"]


def test_cta20_reads_two_statements_in_the_text_when_the_page_has_no_checkboxes(
    shop: Registration,
) -> None:
    shop.edit_page(SHOP_OPT_IN, checkboxes=())
    assert shop.fired("CTA-20") == []


def test_cta20_fires_when_the_text_holds_one_statement_and_the_page_no_checkboxes(
    shop: Registration,
) -> None:
    shop.edit_page(SHOP_OPT_IN, checkboxes=(), text="Harbor Lane text alerts")
    shop.method()["text"] = f"{SHOP_AUTHORIZATION}\n{SHOP_DISCLOSURE}"
    [finding] = shop.fired("CTA-20")
    assert finding.field == "campaign.opt_in_methods.0.text"


def test_cta20_does_not_apply_to_one_category(shop: Registration) -> None:
    shop.campaign["categories"] = ["transactional"]
    shop.method()["categories"] = ["transactional"]
    shop.edit_page(
        SHOP_OPT_IN, checkboxes=(Checkbox("sms", SHOP_TRANSACTIONAL_LABEL, False, False),)
    )
    assert shop.fired("CTA-20") == []
