"""3.8 Keyword replies and the first message, with the seeds' KW-08."""

import pytest

from a2p_shared.events.policy import Severity

from services.validator.tests.unit.conftest import CITY_AUTO_RESPONSE, Registration

BLOCK, WARN = Severity.BLOCK, Severity.WARN


# --- KW-01 opt-in confirmation ------------------------------------------------------------


def test_kw01_fires_without_an_opt_in_message(shop: Registration) -> None:
    shop.campaign["opt_in_message"] = None

    [finding] = shop.fired("KW-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_message",
        30540,
    )
    assert finding.message.startswith("There is no opt-in confirmation message")


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        (
            "Harbor Lane: You are subscribed to Harbor Lane text alerts.",
            "You are subscribed to our text alerts.",
            "the brand",
        ),
        (
            "You are subscribed to Harbor Lane text alerts.",
            "Harbor Lane text alerts.",
            "a confirmation of enrolment",
        ),
        (" Msg frequency varies.", "", "the message frequency"),
        (" Msg & data rates may apply.", "", '"Msg & data rates may apply"'),
        (" Reply HELP for help, STOP to opt out.", " Reply STOP to opt out.", "HELP instructions"),
        (" Reply HELP for help, STOP to opt out.", " Reply HELP for help.", "STOP instructions"),
    ],
)
def test_kw01_names_what_the_opt_in_message_lacks(
    shop: Registration, old: str, new: str, missing: str
) -> None:
    shop.replace_in("campaign", "opt_in_message", old, new)

    [finding] = shop.fired("KW-01")

    assert finding.message == f"The opt-in confirmation lacks {missing}."


def test_kw01_fires_on_a_message_too_short(shop: Registration) -> None:
    shop.campaign["opt_in_message"] = "Harbor Lane: joined"
    [finding] = shop.fired("KW-01")
    assert "it has 19 characters (20 to 320 needed)" in finding.message


def test_kw01_does_not_ask_a_texting_first_program_for_a_frequency(city: Registration) -> None:
    assert "frequency" not in city.campaign["opt_in_message"].lower()
    assert city.fired("KW-01") == []


@pytest.mark.parametrize(
    "message",
    [
        "Harbor Lane: You are subscribed to text alerts. Msg frequency varies. Msg & data rates "
        "may apply. Reply HELP for help, STOP to opt out.",
        "Welcome to Harbor Lane text alerts! Up to 4 msgs/month. Msg&data rates may apply. Text "
        "HELP for help. Text STOP to cancel.",
        "HARBOR LANE OUTFITTERS: You have been enrolled in order updates.\nMessage frequency "
        "varies.\nMessage and data rates may apply.\nReply HELP for help.\nReply STOP to quit.",
        "Thanks for subscribing to Harbor Lane alerts! You'll receive recurring messages. Std "
        "msg and data rates may apply. Reply HELP for help or STOP to cancel.",
        "Harbor Lane: You're now opted in to order alerts. Message frequency varies. Standard "
        "message and data rates apply. Reply HELP for help, STOP to unsubscribe.",
    ],
)
def test_kw01_accepts_real_world_confirmations(shop: Registration, message: str) -> None:
    shop.campaign["opt_in_message"] = message
    assert shop.fired("KW-01") == []


def test_kw01_accepts_youre_subscribed(shop: Registration) -> None:
    shop.campaign["opt_in_message"] = (
        "Harbor Lane: You're subscribed! Msg frequency varies. Msg & data rates may apply. "
        "Reply HELP for help, STOP to opt out."
    )
    assert shop.fired("KW-01") == []


# --- KW-02 opt-out confirmation -----------------------------------------------------------


def test_kw02_fires_without_an_opt_out_message(city: Registration) -> None:
    city.campaign["opt_out_message"] = None

    [finding] = city.fired("KW-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_out_message",
        None,
    )
    assert finding.message == "There is no opt-out confirmation message (the one reply to STOP)."


@pytest.mark.parametrize(
    ("message", "missing"),
    [
        (
            "You are unsubscribed and will receive no further messages. Reply START to resubscribe.",
            "the brand",
        ),
        (
            "City of Springfield 311: Thanks! Reply START to resubscribe.",
            "an acknowledgement of the opt-out, that no further messages will be sent",
        ),
        (
            "City of Springfield 311: You are unsubscribed. Reply START to resubscribe.",
            "that no further messages will be sent",
        ),
        (
            "City of Springfield 311: You are unsubscribed. No further action is needed on "
            "your part.",
            "that no further messages will be sent",
        ),
        (
            "Harbor Lane: You are unsubscribed and will receive no further messages. Come back "
            "for 20% off!",
            "no marketing (it contains promotional wording)",
        ),
    ],
)
def test_kw02_names_what_the_opt_out_message_lacks(
    city: Registration, message: str, missing: str
) -> None:
    if message.startswith("Harbor"):
        city.brand["dba_name"] = "Harbor Lane"
    city.campaign["opt_out_message"] = message

    [finding] = city.fired("KW-02")

    assert finding.message == f"The opt-out confirmation lacks {missing}."


@pytest.mark.parametrize(
    "message",
    [
        "City of Springfield 311: You are unsubscribed and will receive no further messages.",
        "Springfield 311: You have opted out and will no longer receive messages. Reply START "
        "to rejoin.",
        "SPRINGFIELD 311: You've been removed from our list. You won't receive any more texts.",
        "City of Springfield: you have been unsubscribed. No more messages will be sent.",
        "City of Springfield 311: You are unsubscribed and will receive no further text messages.",
        "City of Springfield 311: You have been unsubscribed; no more 311 status alerts.",
    ],
)
def test_kw02_accepts_real_world_opt_out_replies(city: Registration, message: str) -> None:
    city.campaign["opt_out_message"] = message
    assert city.fired("KW-02") == []


def test_kw02_accepts_youll_no_longer_receive(city: Registration) -> None:
    city.campaign["opt_out_message"] = (
        "City of Springfield 311: You'll no longer receive messages from us. Reply START to rejoin."
    )
    assert city.fired("KW-02") == []


# --- KW-03 HELP reply ----------------------------------------------------------------------


def test_kw03_fires_without_a_help_message(city: Registration) -> None:
    city.campaign["help_message"] = None

    [finding] = city.fired("KW-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.help_message",
        None,
    )
    assert finding.message == "There is no HELP reply."


@pytest.mark.parametrize(
    ("message", "missing"),
    [
        ("For help call (217) 555-0100. Reply STOP to opt out.", "the brand"),
        (
            "City of Springfield 311: We are here to help. Reply STOP to opt out.",
            "a support contact (phone, email or URL)",
        ),
        ("City of Springfield 311: For help call (217) 555-0100.", "STOP instructions"),
    ],
)
def test_kw03_names_what_the_help_reply_lacks(
    city: Registration, message: str, missing: str
) -> None:
    city.campaign["help_message"] = message
    [finding] = city.fired("KW-03")
    assert finding.message == f"The HELP reply lacks {missing}."


@pytest.mark.parametrize(
    "contact",
    [
        "call (217) 555-0100",
        "call 217-555-0100",
        "email 311@springfield.example",
        "visit springfield.gov/311",
        "visit www.springfield.example/311",
        "visit https://www.springfield.example/help",
    ],
)
def test_kw03_accepts_any_support_contact(city: Registration, contact: str) -> None:
    city.campaign["help_message"] = (
        f"City of Springfield 311: For help {contact}. Reply STOP to opt out."
    )
    assert city.fired("KW-03") == []


# --- KW-04 opt-out keywords -----------------------------------------------------------------


def test_kw04_fires_when_standard_opt_out_keywords_are_missing(city: Registration) -> None:
    city.campaign["opt_out_keywords"] = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]

    [finding] = city.fired("KW-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_out_keywords",
        None,
    )
    assert finding.message == "The opt-out keywords lack REVOKE, OPTOUT."
    assert finding.fix == "Add REVOKE, OPTOUT."


def test_kw04_fires_with_only_stop(city: Registration) -> None:
    city.campaign["opt_out_keywords"] = ["STOP"]
    [finding] = city.fired("KW-04")
    assert finding.message == (
        "The opt-out keywords lack STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT."
    )


def test_kw04_is_case_insensitive_and_allows_extra_keywords(city: Registration) -> None:
    city.campaign["opt_out_keywords"] = [
        *("stop", "StopAll", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"),
        *("REMOVE", "UNSUB"),
    ]
    assert city.fired("KW-04") == []


def test_kw04_fires_when_a_keyword_list_is_longer_than_255_characters(city: Registration) -> None:
    city.campaign["opt_in_keywords"] = ["START", "UNSTOP", "YES"] + [
        f"JOIN{i:06d}" for i in range(25)
    ]

    [finding] = city.fired("KW-04")

    assert finding.field == "campaign.opt_in_keywords"
    assert finding.message == "The opt_in_keywords list is longer than 255 characters."


# --- KW-05 opt-in and help keywords ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "keywords", "message"),
    [
        ("opt_in_keywords", ["START"], "The opt in keywords lack UNSTOP, YES."),
        ("opt_in_keywords", ["UNSTOP", "YES"], "The opt in keywords lack START."),
        ("help_keywords", ["HELP"], "The help keywords lack INFO."),
    ],
)
def test_kw05_fires_when_standard_keywords_are_missing(
    city: Registration, field: str, keywords: list[str], message: str
) -> None:
    city.campaign[field] = keywords

    [finding] = city.fired("KW-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        f"campaign.{field}",
        None,
    )
    assert finding.message == message


def test_kw05_is_case_insensitive(city: Registration) -> None:
    city.campaign["opt_in_keywords"] = ["start", "Unstop", "yes", "JOIN"]
    city.campaign["help_keywords"] = ["help", "info", "SUPPORT"]
    assert city.fired("KW-05") == []


# --- KW-06 reserved keywords are not workflow answers ---------------------------------------------


def test_kw06_warns_when_a_keyword_is_in_two_lists(city: Registration) -> None:
    city.campaign["help_keywords"] = ["HELP", "INFO", "START"]

    [finding] = city.fired("KW-06")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "campaign.help_keywords",
        None,
    )
    assert finding.message == "START is in both opt_in_keywords and help_keywords."


@pytest.mark.parametrize(
    ("ask", "keyword"),
    [
        ("Reply YES to confirm your appointment.", "YES"),
        ("Reply yes to confirm your appointment.", "YES"),
        ("Text START to begin your survey.", "START"),
        ('Reply "INFO" for the crew\'s schedule tomorrow.', "INFO"),
        ("Reply END if the pothole has been fixed.", "END"),
        ("Respond with YES to book the slot.", "YES"),
    ],
)
def test_kw06_warns_when_a_sample_asks_for_a_reserved_keyword(
    city: Registration, ask: str, keyword: str
) -> None:
    city.campaign["message_samples"][1] = f"City of Springfield 311: {ask} Reply STOP to opt out."

    [finding] = city.fired("KW-06")

    assert finding.field == "campaign.message_samples.1"
    assert f'asks people to answer "{keyword}", a reserved keyword' in finding.message


def test_kw06_reads_curly_quoted_keywords(city: Registration) -> None:
    city.campaign["message_samples"][1] = (
        "City of Springfield 311: Reply \u201cYES\u201d to confirm your appointment. Reply STOP."
    )
    assert [f.field for f in city.fired("KW-06")] == ["campaign.message_samples.1"]


@pytest.mark.parametrize(
    "ask",
    [
        "Reply STOP to opt out.",
        "Reply STOP to unsubscribe.",
        "Reply HELP for help.",
        "Reply HELP for more info.",
        "Reply START to resubscribe.",
        "Reply C to confirm your appointment.",
        "Reply 1 to confirm or 2 to reschedule.",
        "Yes, your crew is on the way.",
    ],
)
def test_kw06_accepts_standard_keyword_instructions(city: Registration, ask: str) -> None:
    city.campaign["message_samples"][1] = f"City of Springfield 311: {ask}"
    assert city.fired("KW-06") == []


# --- KW-07 a first message to someone who did not text first ---------------------------------


@pytest.mark.parametrize(
    "auto_response",
    [
        "Thanks for your message. Our team will reply during store hours. Reply STOP to opt out.",
        "Harbor Lane: Thanks for your message. Our team will reply during store hours.",
        "Harbor Lane: Thanks! Stop by our store anytime.",
    ],
)
def test_kw07_warns_when_the_auto_response_lacks_brand_or_stop(
    shop: Registration, auto_response: str
) -> None:
    shop.campaign["auto_response"] = auto_response

    [finding] = shop.fired("KW-07")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "campaign.auto_response",
        None,
    )


def test_kw07_is_quiet_without_an_auto_response(shop: Registration) -> None:
    shop.campaign["auto_response"] = None
    assert shop.fired("KW-07") == []


def test_kw07_leaves_texting_first_programs_to_kw08(city: Registration) -> None:
    city.campaign["auto_response"] = "Thanks for your message."
    found = city.findings()
    assert "KW-07" not in found
    assert "KW-08" in found


# --- KW-08 auto-response for people who text first (seed 000) ----------------------------------


def test_kw08_fires_without_an_auto_response(city: Registration) -> None:
    city.campaign["auto_response"] = None

    [finding] = city.fired("KW-08")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.auto_response",
        None,
    )
    assert finding.message == "People text this number first, but no auto-response is configured."
    assert "Thanks for contacting <Organisation>" in finding.fix


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        (
            "Thanks for contacting the City of Springfield. We've received your message and will respond soon.",
            "City of Springfield.",
            "a confirmation that the message was received",
        ),
        ("the City of Springfield", "us", "the organisation's name"),
        (" Reply STOP to opt out, HELP for help.", " Reply HELP for help.", "STOP instructions"),
        (" Reply STOP to opt out, HELP for help.", " Reply STOP to opt out.", "HELP instructions"),
        (" Msg & data rates may apply.", "", '"Msg & data rates may apply"'),
    ],
)
def test_kw08_names_what_the_auto_response_lacks(
    city: Registration, old: str, new: str, missing: str
) -> None:
    city.replace_in("campaign", "auto_response", old, new)
    [finding] = city.fired("KW-08")
    assert finding.message == f"The auto-response lacks {missing}."


def test_kw08_accepts_the_seed_000_example(city: Registration) -> None:
    assert city.campaign["auto_response"] == CITY_AUTO_RESPONSE
    assert city.fired("KW-08") == []


@pytest.mark.parametrize(
    "auto_response",
    [
        "Springfield 311: We got your message and will reply soon. Reply HELP for help, STOP "
        "to opt out. Msg&data rates may apply.",
        "Thank you for texting City of Springfield 311! We have received your request.\nText "
        "HELP for help.\nText STOP to opt out.\nMessage and data rates may apply.",
        "THANKS FOR CONTACTING SPRINGFIELD 311. WE'LL RESPOND SOON. REPLY STOP TO CANCEL, HELP "
        "FOR HELP. MSG & DATA RATES MAY APPLY.",
    ],
)
def test_kw08_accepts_real_world_auto_responses(city: Registration, auto_response: str) -> None:
    city.campaign["auto_response"] = auto_response
    assert city.fired("KW-08") == []


def test_kw08_does_not_apply_when_nobody_texts_first(shop: Registration) -> None:
    shop.campaign["auto_response"] = None
    assert shop.fired("KW-08") == []
