"""Reading real-world wording: normalisation, sentences, disclosure phrases, names, contacts."""

import re

import pytest

from a2p_validator.domain.text import (
    EMAIL,
    PHONE,
    PHRASES,
    URL,
    any_match,
    has,
    has_contact,
    name_variants,
    names_in,
    normalise,
    sentences,
    sentences_with,
)

# --- normalise ------------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, "", "   ", "<p></p>", "\n\n"])
def test_normalise_of_nothing_is_empty(empty: str | None) -> None:
    assert normalise(empty) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # markup removed, entities decoded, lower-cased
        ("<p>Reply <b>STOP</b> to cancel</p>", "reply stop to cancel"),
        ("Terms&nbsp;&amp;&nbsp;Conditions", "terms and conditions"),
        ("&lt;b&gt;", "<b>"),
        # curly quotes, primes and dashes straightened
        ("Reply \u201cSTOP\u201d", 'reply "stop"'),
        ("Springfield\u2019s", "springfield's"),
        ("opt\u2013out", "opt out"),
        ("9\u20135", "9-5"),
        ("zero\u200bwidth", "zerowidth"),
        # & and + read as "and"
        ("Msg & Data", "message and data"),
        ("Msg&Data", "message and data"),
        ("Msg + data rates", "message and data rates"),
        ("Call +1 217 555 0100", "call +1 217 555 0100"),
        # abbreviations
        ("Msg", "message"),
        ("MSGS", "messages"),
        ("Txt", "text"),
        ("txts", "texts"),
        ("More info", "more information"),
        ("information", "information"),
        ("E-mail us", "email us"),
        ("Opt-Out", "opt out"),
        ("optout", "opt out"),
        ("OPT-IN", "opt in"),
        ("opt-ins", "opt in"),
        ("Sign-up", "sign up"),
        ("signup", "sign up"),
        ("Un-subscribe", "unsubscribe"),
        ("Third-party", "third party"),
        # "msg" inside another word is left alone
        ("msgid", "msgid"),
    ],
)
def test_normalise_reads_variants_as_the_same_words(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_keeps_line_breaks_and_collapses_blanks() -> None:
    assert normalise("  Reply   STOP\t\tto\u00a0cancel.  \r\n\n\n  Msg &  data  ") == (
        "reply stop to cancel.\nmessage and data"
    )


# --- sentences ------------------------------------------------------------------------------


def test_sentences_split_at_end_marks_followed_by_a_blank_and_at_line_breaks() -> None:
    assert sentences("Reply STOP to cancel. Msg & data rates may apply!\nHelp? Reply HELP") == [
        "reply stop to cancel.",
        "message and data rates may apply!",
        "help?",
        "reply help",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Visit springfield.example/311 for details",
        "Rates rose 3.5 percent",
        "Call 217.555.0100 today",
        "Reply STOP.Msg & data rates may apply",
    ],
)
def test_sentences_do_not_split_at_a_dot_without_a_blank(text: str) -> None:
    assert len(sentences(text)) == 1


def test_sentences_split_after_a_closing_quote() -> None:
    first, second = sentences('Text "STOP." Then wait.')
    assert first.startswith('text "stop.')
    assert second == "then wait."


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Message and data. Rates may apply.", "rates"),
        ("Message and data\nrates may apply.", "rates"),
        ("Please reply. STOP messages anytime.", "stop"),
        ("Message frequency! Varies.", "frequency"),
        ("Reply\nHELP", "help"),
    ],
)
def test_a_phrase_split_across_two_sentences_does_not_match(text: str, phrase: str) -> None:
    assert not has(text, phrase)
    assert has(text.replace(". ", " ").replace("! ", " ").replace("\n", " "), phrase)


def test_a_phrase_wrapped_inside_an_html_paragraph_matches() -> None:
    assert has("<p>Message and Data\nRates may apply.</p>", "rates")


def test_sentences_with_requires_every_pattern_in_one_sentence() -> None:
    text = "We never sell data. We share your phone number with partners."
    assert sentences_with(text, re.compile(r"\bnever\b"), re.compile(r"\bpartners\b")) == []
    assert sentences_with(text, re.compile(r"\bshare\b"), re.compile(r"\bpartners\b")) == [
        "we share your phone number with partners."
    ]
    assert sentences_with("Reply STOP to end. Msg & data rates may apply.", "rates") == [
        "message and data rates may apply."
    ]


# --- disclosure phrases -------------------------------------------------------------------

ACCEPTED = {
    "rates": [
        "Message and data rates may apply.",
        "Msg & data rates may apply.",
        "MSG&DATA RATES MAY APPLY",
        "Txt and data rates may apply.",
        "Standard message and data rates apply.",
        "Standard msg rates apply.",
        "Message and Data Rates may apply.",
        "SMS and data rates may apply.",
        "Messaging and data rates may apply.",
        "Msg & data rates might apply.",
    ],
    "frequency": [
        "Message frequency varies.",
        "Msg frequency varies.",
        "Frequency will vary.",
        "Text frequency may vary.",
        "You will receive messages with varying frequency.",
        "Up to 4 messages per month.",
        "2 msgs/week.",
        "One message per day.",
        "No more than three alerts a week.",
        "Recurring messages.",
        "Recurring automated marketing messages.",
        "Weekly text reminders.",
    ],
    "stop": [
        "Reply STOP to opt out.",
        "Reply STOP to opt-out.",
        "Text STOP to cancel.",
        "Send STOP to end.",
        "Replying STOP ends messages.",
        "Reply 'STOP' to unsubscribe.",
        'Reply "stop" to quit.',
        "Reply \u201cSTOP\u201d at any time.",
        "Reply with STOP.",
        "Text back STOP.",
        "Send the word STOP.",
        "Reply HELP for help or STOP to cancel.",
        "<b>Reply STOP</b> to cancel.",
    ],
    "help": [
        "Reply HELP for help.",
        "Text HELP for assistance.",
        "For help, reply HELP.",
        "Reply 'HELP'.",
        "Msg HELP for help.",
        "Reply STOP to opt out, HELP for help.",
    ],
    "sms": [
        "SMS",
        "text messages",
        "a text message",
        "text messaging",
        "texts",
        "txt msgs",
        "mobile messages",
        "text alerts",
        "We will reply via text.",
        "MMS",
    ],
    "purpose": [
        "appointment reminders",
        "service request updates",
        "order confirmations",
        "delivery notifications",
        "promotional offers",
        "account alerts",
        "responses to your inquiries",
        "customer care",
    ],
    "confirmation": [
        "You are subscribed to alerts.",
        "You have been enrolled.",
        "Welcome to Springfield alerts!",
        "Thanks for signing up!",
        "You will receive updates.",
    ],
    "receipt": [
        "We've received your message.",
        "We have received your request.",
        "Thanks for contacting us.",
        "Thank you for your message.",
        "We will respond soon.",
        "We'll get back to you.",
    ],
    "opted_out": [
        "You are unsubscribed.",
        "You have opted out.",
        "You have been removed from our list.",
        "You will no longer receive messages.",
        "Messages stopped.",
    ],
    "no_more": [
        "No further messages will be sent.",
        "You will not receive any more texts.",
        "You won't receive more messages.",
        "We'll no longer send texts.",
    ],
    "promotional": [
        "Spring sale!",
        "20% off jackets",
        "Use promo code SAVE",
        "Limited time only",
        "Buy now",
        "Special offer",
    ],
    "carrier_liability": [
        "Carriers are not liable for delayed or undelivered messages.",
        "Wireless carriers are not responsible for late messages.",
        "We are not liable for delayed or undelivered messages.",
    ],
    "not_condition": [
        "Consent is not a condition of purchase.",
        "Consent is not a condition of any purchase.",
        "Not a condition of service.",
    ],
    "consent_words": [
        "Customers opt in on the form.",
        "Customers opt-in online.",
        "Residents consent by texting.",
        "Customers agree to receive texts.",
        "Customers check a box.",
        "Customers sign up at the counter.",
        "Residents text us first.",
        "People send us the first message.",
        "Members reply YES.",
        "Residents initiate the conversation.",
        "Parents enroll at registration.",
    ],
}

REJECTED = {
    "rates": ["Rates may apply.", "Carrier charges may apply.", "Message rates vary by plan."],
    "frequency": ["Messages are sent.", "We send reminders.", "Frequency: see terms."],
    "stop": [
        "Stop by our office.",
        "Please stop by City Hall.",
        "You may stop messages at any time.",
        "Reply to stop.",
        "Messages stop when the request is closed.",
        "Don't stop exploring.",
    ],
    "help": ["Need help? Call us.", "We are happy to help.", "Help is on the way."],
    "sms": ["communications", "messages", "notifications", "We will contact you.", "textile"],
    "purpose": ["text messages from us", "We will text you."],
    "confirmation": ["Thanks.", "Hello from Harbor Lane."],
    "receipt": ["Hello.", "Our office is closed."],
    "opted_out": ["Thanks for joining.", "Welcome back."],
    "no_more": ["More messages coming soon.", "You will receive more messages."],
    "promotional": ["wholesale order", "Ideal weather", "Your sales tax receipt"],
    "carrier_liability": ["Carriers deliver messages.", "We are liable for nothing else."],
    "not_condition": ["Consent is a condition of purchase.", "Conditions apply."],
    "consent_words": ["We send texts to our customer list.", "Messages go out weekly."],
}


@pytest.mark.parametrize(
    ("phrase", "text"), [(p, t) for p, texts in ACCEPTED.items() for t in texts]
)
def test_phrases_accept_real_world_wording(phrase: str, text: str) -> None:
    assert has(text, phrase)


@pytest.mark.parametrize(
    ("phrase", "text"), [(p, t) for p, texts in REJECTED.items() for t in texts]
)
def test_phrases_are_not_accepted_when_the_text_does_not_say_it(phrase: str, text: str) -> None:
    assert not has(text, phrase)


def test_every_phrase_has_accepted_and_rejected_examples() -> None:
    tested = set(ACCEPTED) & set(REJECTED)
    assert tested | {"placeholder"} == set(PHRASES)


@pytest.mark.parametrize("text", ["Reply STOP PLEASE to unsubscribe.", "Text STOP PLEASE."])
def test_stop_must_be_the_whole_reply(text: str) -> None:
    assert not has(text, "stop")


@pytest.mark.parametrize(
    "text",
    [
        "This site is under construction.",
        "Coming soon!",
        "This domain is for sale.",
        "This domain may be for sale",
        "Welcome to nginx!",
        "Default web page",
    ],
)
def test_the_placeholder_phrase_recognises_placeholder_pages(text: str) -> None:
    assert has(text, "placeholder")


def test_the_placeholder_phrase_is_quiet_on_real_pages() -> None:
    assert not has("Report potholes and broken streetlights to Springfield 311.", "placeholder")


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "variants"),
    [
        ("Harbor Lane Outfitters LLC", ("harbor lane outfitters", "harbor lane outfitters llc")),
        (
            "Harbor Lane Outfitters, L.L.C.",
            ("harbor lane outfitters", "harbor lane outfitters l l c"),
        ),
        ("Acme Widgets, Inc.", ("acme widgets", "acme widgets inc")),
        ("Acme Corp", ("acme", "acme corp")),
        ("Northwind Co", ("northwind", "northwind co")),
        ("City of Springfield", ("city of springfield", "springfield")),
        ("The City of Springfield", ("springfield", "the city of springfield")),
        ("County of Sangamon", ("county of sangamon", "sangamon")),
        ("Village of Oak Park", ("oak park", "village of oak park")),
        ("Smith &amp; Sons LLC", ("smith sons", "smith sons llc")),
    ],
)
def test_name_variants(name: str, variants: tuple[str, ...]) -> None:
    assert name_variants(name) == variants


def test_names_shorter_than_four_letters_are_not_variants() -> None:
    assert name_variants("ABC Inc") == ("abc inc",)
    assert name_variants("Ace") == ()
    assert name_variants("City of Ely") == ("city of ely",)


@pytest.mark.parametrize(
    "text",
    [
        "Springfield 311: your request is closed.",
        "Thanks for contacting springfield city hall.",
        "CITY OF SPRINGFIELD",
        "The City of Springfield's crews",
        "<b>Springfield</b>&nbsp;Public Works",
        "Sent by Springfield.",
    ],
)
def test_names_in_reads_a_city_by_its_place_name(text: str) -> None:
    assert names_in(text, ["City of Springfield"])


@pytest.mark.parametrize(
    "text",
    [
        "Harbor Lane: your order shipped.",
        "HARBOR LANE OUTFITTERS",
        "Harbor Lane Outfitters, LLC",
        "Harbor Lane Outfitters L.L.C.",
        "harbor-lane outfitters",
    ],
)
def test_names_in_reads_legal_name_or_dba_with_or_without_suffix(text: str) -> None:
    assert names_in(text, ["Harbor Lane Outfitters LLC", "Harbor Lane"])


@pytest.mark.parametrize(
    "text",
    [
        "Springfielder news",
        "West-Springfieldia",
        "Harbor news",
        "Lane closures",
        "",
        None,
    ],
)
def test_names_in_needs_the_whole_name(text: str | None) -> None:
    assert not names_in(text, ["City of Springfield", "Harbor Lane", None])


def test_names_in_without_names_is_false() -> None:
    assert not names_in("City of Springfield", [None, ""])


# --- contacts, phones, emails, URLs ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Call (217) 555-0100",
        "Call 217-555-0100",
        "Call 217.555.0100",
        "Call +1 217 555 0100",
        "Call +12175550100",
        "Call 1-217-555-0100",
        "Email 311@springfield.example",
        "City Hall, 800 E Monroe St, Springfield",
        "1120 NW Couch Street",
        "Suite 200, 55 Harbor Way",
    ],
)
def test_has_contact_finds_a_phone_email_or_street(text: str) -> None:
    assert has_contact(text)


@pytest.mark.parametrize(
    "text", [None, "", "Call 311", "Open 8 to 5", "Springfield, IL 62701", "Request #48213"]
)
def test_has_contact_needs_a_real_contact(text: str | None) -> None:
    assert not has_contact(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call (217) 555-0100 now", "(217) 555-0100"),
        ("tel 2175550100.", "2175550100"),
        ("+1 (503) 555-0188", "+1 (503) 555-0188"),
    ],
)
def test_phone_pattern(text: str, expected: str) -> None:
    match = PHONE.search(text)
    assert match is not None
    assert match.group(0) == expected


@pytest.mark.parametrize(
    "text", ["555-0100", "(117) 555-0100", "217-155-0100", "12175550100123", "id 92175550100"]
)
def test_phone_pattern_rejects_non_nanp_numbers(text: str) -> None:
    assert PHONE.search(text) is None


@pytest.mark.parametrize(
    "text", ["311@springfield.example", "dana.reyes+sms@ci.springfield.il.us", "A@B.CO"]
)
def test_email_pattern(text: str) -> None:
    assert EMAIL.search(f"write to {text} today")


@pytest.mark.parametrize("text", ["dana@", "@springfield.example", "dana@localhost"])
def test_email_pattern_needs_a_dotted_domain(text: str) -> None:
    assert EMAIL.search(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Track it at https://www.harborlane.example/orders.",
            "https://www.harborlane.example/orders.",
        ),
        ("see http://x.test/a?b=c", "http://x.test/a?b=c"),
        ("see www.springfield.example/311 now", "www.springfield.example/311"),
        ("see springfield.gov/311 now", "springfield.gov/311"),
        ("short bit.ly/abc", "bit.ly/abc"),
        ("SPRINGFIELD.ORG", "SPRINGFIELD.ORG"),
    ],
)
def test_url_pattern(text: str, expected: str) -> None:
    match = URL.search(text)
    assert match is not None
    assert match.group(0) == expected


@pytest.mark.parametrize(
    "text", ["e.g. this", "3.5 percent", "springfield.example", "Reply STOP", "$123.45"]
)
def test_url_pattern_ignores_non_links(text: str) -> None:
    assert URL.search(text) is None


def test_any_match_skips_missing_texts() -> None:
    assert any_match(PHONE, [None, "", "call (217) 555-0100"])
    assert not any_match(PHONE, [None, "", "call 311"])
