"""Compliant registrations, the pages they point to, and a way to lint them.

Two baselines pass every blocking rule, so a rule test mutates exactly one thing and watches
one rule fire:

* `city`: City of Springfield 311, a public body where residents text first (`inbound_text`),
  written with the language of seed 000 ("Conversations SMS Provision and Registration").
* `shop`: Harbor Lane Outfitters LLC, a shop whose web form collects transactional and
  promotional consent with two unchecked checkboxes, written with seed 002's language.

Pages are `Page` objects built here (no network): `text` is the visible text the HTML parser
would give, one block element per line.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from a2p_shared.events.policy import Finding
from a2p_shared.events.registration import RegistrationRequest
from a2p_shared.testing.examples import example_registration
from a2p_validator.domain.engine import evaluate
from a2p_validator.domain.pages import Checkbox, FormField, Link, Page, PageProblem, Region

# --- building pages -------------------------------------------------------------------------


def link(href: str, text: str = "", region: Region = "main") -> Link:
    return Link(href=href, text=text or href, region=region)


def page(
    url: str,
    text: str = "",
    *,
    title: str = "",
    links: tuple[Link, ...] = (),
    checkboxes: tuple[Checkbox, ...] = (),
    fields: tuple[FormField, ...] = (),
    status: int | None = 200,
    problem: PageProblem | None = None,
    detail: str = "",
    final_url: str | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> Page:
    """A fetched page as the fetcher adapter would hand it to the rules."""
    return Page(
        url=url,
        final_url=final_url or url,
        status=status,
        problem=problem,
        detail=detail,
        content_type=content_type,
        title=title,
        text=text.strip(),
        links=links,
        checkboxes=checkboxes,
        fields=fields,
    )


def broken_page(url: str, problem: PageProblem, status: int | None, detail: str) -> Page:
    """A page a reviewer cannot read (404, 5xx, login wall, DNS failure...)."""
    return page(url, status=status, problem=problem, detail=detail)


# --- running the catalogue ------------------------------------------------------------------


def findings(doc: Mapping[str, Any], pages: Mapping[str, Page]) -> dict[str, list[Finding]]:
    """Every finding of every rule for `doc` (validated as intake would), by rule id."""
    request = RegistrationRequest.model_validate(doc)
    by_rule: dict[str, list[Finding]] = {}
    for finding in evaluate(request, pages):
        by_rule.setdefault(finding.rule, []).append(finding)
    return by_rule


@dataclass
class Registration:
    """A registration document and its fetched pages, both freely mutable by a test."""

    doc: dict[str, Any]
    pages: dict[str, Page]

    @property
    def brand(self) -> dict[str, Any]:
        return self.doc["brand"]

    @property
    def campaign(self) -> dict[str, Any]:
        return self.doc["campaign"]

    @property
    def website_url(self) -> str:
        return self.doc["brand"]["website"]

    @property
    def privacy_url(self) -> str:
        return self.doc["policies"]["privacy_policy_url"]

    @property
    def terms_url(self) -> str:
        return self.doc["policies"]["terms_url"]

    def method(self, index: int = 0) -> dict[str, Any]:
        return self.campaign["opt_in_methods"][index]

    def edit_page(self, url: str, **changes: Any) -> None:
        """Replace fields of the fetched page at `url` (text, links, checkboxes, problem...)."""
        self.pages[url] = dataclasses.replace(self.pages[url], **changes)

    def replace_in_page(self, url: str, old: str, new: str) -> None:
        """Rewrite one passage of a page; fails loudly if the passage is not there."""
        text = self.pages[url].text
        assert old in text, f"{old!r} is not on {url}"
        self.edit_page(url, text=text.replace(old, new))

    def replace_in(self, section: str, key: str, old: str, new: str) -> None:
        """Rewrite one passage of a text field of the document; fails if it is not there."""
        text = self.doc[section][key]
        assert old in text, f"{old!r} is not in {section}.{key}"
        self.doc[section][key] = text.replace(old, new)

    def findings(self) -> dict[str, list[Finding]]:
        return findings(self.doc, self.pages)

    def fired(self, rule_id: str) -> list[Finding]:
        """The findings of one rule (empty when it does not fire)."""
        return self.findings().get(rule_id, [])


# --- baseline 1: City of Springfield 311, residents text first (seed 000) ---------------------

CITY_SITE = "https://www.springfield.example"
CITY_PRIVACY = "https://www.springfield.example/privacy"
CITY_TERMS = "https://www.springfield.example/terms"

CITY_AUTO_RESPONSE = (
    "Thanks for contacting the City of Springfield. We've received your message and will "
    "respond soon. Reply STOP to opt out, HELP for help. Msg & data rates may apply."
)

CITY_HOME_TEXT = """
City of Springfield, Illinois
Springfield 311: report it, track it, get it fixed
Report potholes, broken streetlights, missed trash pickups, graffiti and other non-emergency issues to Springfield 311. Call 311 from inside city limits, call (217) 555-0100 from anywhere, use the online service request form, or send a text message to (217) 555-0100.
Text us about a problem
Residents can text Springfield 311 at (217) 555-0100 to report an issue or ask a question. A city staff member reads every message and replies by text during business hours. Reply STOP to opt out, HELP for help. Msg & data rates may apply. See our SMS Terms and our Privacy Policy.
City services
Trash and recycling schedules, water billing, building permits, park reservations and city council meeting agendas are available from the departments listed on this site.
Contact the City
Springfield City Hall, 800 E Monroe St, Springfield, IL 62701
Phone: (217) 555-0100. Email: 311@springfield.example
Hours: Monday to Friday, 8:00 a.m. to 5:00 p.m.
(c) 2026 City of Springfield. Privacy Policy. Terms of Use. Accessibility.
"""

CITY_PRIVACY_TEXT = """
Privacy Policy
City of Springfield
Last updated: January 5, 2026
This policy explains how the City of Springfield collects, uses and protects information when you use the city website, contact Springfield 311 or use city services.
Information we collect
We collect the information you give us when you report an issue, such as your name, street address, email address, phone number and the details of your request.
Text messaging (SMS)
If you contact the City of Springfield via SMS, we may use your phone number to respond to your inquiry. You may receive messages related to your request.
We use the phone number and the content of your text messages only to answer your request, to send updates about it and to keep the records of service requests that state law requires.
You can opt out at any time by replying STOP. For help, reply HELP. Message and data rates may apply.
Sharing
No mobile information will be shared with third parties or affiliates for marketing or promotional purposes. Text messaging originator opt-in data and consent will not be shared with any third parties, excluding aggregators and providers of the Text Message services.
We give service request details to city contractors only to resolve the issue you reported.
Contact
Questions about this policy: 311@springfield.example or (217) 555-0100.
"""

CITY_TERMS_TEXT = """
Terms of Use
City of Springfield
These terms apply to the City of Springfield website and to Springfield 311 services.
Springfield 311 text messaging
Springfield 311 is the City of Springfield's service for non-emergency requests. Residents may text (217) 555-0100 to report an issue, ask a question or follow a service request; city staff answer by text.
By contacting the City of Springfield via SMS, you consent to receive text message responses related to your request.
You may opt out at any time by replying STOP. For help, reply HELP. Message and data rates may apply.
Carriers are not liable for delayed or undelivered messages.
Do not use text messages to report emergencies. In an emergency, call 911.
Contact: 311@springfield.example, (217) 555-0100, 800 E Monroe St, Springfield, IL 62701.
"""


def city_registration() -> dict[str, Any]:
    """A compliant registration for a city 311 program where residents text first."""
    doc = example_registration()
    doc["campaign"].update(
        use_case="CUSTOMER_CARE",
        categories=["transactional"],
        description=(
            "City of Springfield 311 texts residents who contact 311 by text message about "
            "non-emergency issues such as potholes, streetlights and missed trash pickups. We "
            "reply to their questions, confirm each service request and send status updates "
            "until the request is closed. Messages are transactional: request confirmations, "
            "answers to questions and service request updates."
        ),
        message_flow=(
            "Residents opt in by texting the Springfield 311 number, (217) 555-0100, first: "
            "sending the first message is their consent to receive replies about their request. "
            "The number is published on springfield.example and on city flyers. Our first reply "
            f'is an automatic response: "{CITY_AUTO_RESPONSE}"'
        ),
        opt_in_methods=[
            {
                "kind": "inbound_text",
                "text": None,
                "url": None,
                "checkbox_prechecked": False,
                "categories": ["transactional"],
            }
        ],
        message_samples=[
            "City of Springfield 311: We received your request #[request_id] about a pothole "
            "on [street]. We'll text you when a crew is scheduled. Reply STOP to opt out.",
            "Springfield 311: Your streetlight repair request #[request_id] is now closed. "
            "Thank you for reporting it. Reply HELP for help, STOP to opt out.",
        ],
        has_embedded_links=False,
        has_embedded_phone=False,
        opt_in_keywords=["START", "UNSTOP", "YES"],
        opt_out_keywords=[
            "STOP",
            "STOPALL",
            "UNSUBSCRIBE",
            "CANCEL",
            "END",
            "QUIT",
            "REVOKE",
            "OPTOUT",
        ],
        help_keywords=["HELP", "INFO"],
        opt_in_message=(
            "City of Springfield 311: You are subscribed to replies about your service "
            "requests. Msg & data rates may apply. Reply HELP for help, STOP to opt out."
        ),
        opt_out_message=(
            "City of Springfield 311: You are unsubscribed and will receive no further "
            "messages. Reply START to resubscribe."
        ),
        help_message=(
            "City of Springfield 311: For help call (217) 555-0100 or email "
            "311@springfield.example. Reply STOP to opt out."
        ),
        auto_response=CITY_AUTO_RESPONSE,
        expected_daily_segments=400,
    )
    doc["representative"].update(title="Director", job_position="Director")
    doc["policies"].update(privacy_policy_url=CITY_PRIVACY, terms_url=CITY_TERMS, attested=True)
    doc["brand"]["website"] = CITY_SITE
    return doc


def city_pages() -> dict[str, Page]:
    """The city's website, privacy policy and terms, linked to one another."""
    footer = (
        link(CITY_PRIVACY, "Privacy Policy", "footer"),
        link(CITY_TERMS, "Terms of Use", "footer"),
        link(f"{CITY_SITE}/accessibility", "Accessibility", "footer"),
    )
    return {
        CITY_SITE: page(
            CITY_SITE,
            CITY_HOME_TEXT,
            title="City of Springfield, Illinois | Official Website",
            links=(
                link(f"{CITY_SITE}/311", "Springfield 311", "nav"),
                link(f"{CITY_SITE}/services", "City services", "nav"),
                link(f"{CITY_SITE}/departments", "Departments", "nav"),
                link(f"{CITY_SITE}/contact", "Contact", "nav"),
                link(CITY_TERMS, "SMS Terms"),
                link(CITY_PRIVACY, "Privacy Policy"),
                *footer,
            ),
        ),
        CITY_PRIVACY: page(
            CITY_PRIVACY,
            CITY_PRIVACY_TEXT,
            title="Privacy Policy | City of Springfield",
            links=(link(CITY_SITE, "Home", "header"), *footer),
        ),
        CITY_TERMS: page(
            CITY_TERMS,
            CITY_TERMS_TEXT,
            title="Terms of Use | City of Springfield",
            links=(link(CITY_SITE, "Home", "header"), *footer),
        ),
    }


# --- baseline 2: Harbor Lane Outfitters LLC, a web form for two kinds of messages (seed 002) ---

SHOP_SITE = "https://www.harborlane.example"
SHOP_PRIVACY = "https://www.harborlane.example/privacy"
SHOP_TERMS = "https://www.harborlane.example/terms"
SHOP_OPT_IN = "https://www.harborlane.example/sms"

SHOP_TRANSACTIONAL_LABEL = (
    "I consent to receive customer care and order notification text messages from Harbor Lane."
)
SHOP_PROMOTIONAL_LABEL = (
    "I consent to receive marketing and promotional text messages from Harbor Lane. "
    "Consent is not a condition of purchase."
)
SHOP_AUTHORIZATION = (
    "By selecting the following options, you authorize Harbor Lane Outfitters to send text "
    "messages with offers and other information, possibly using automated technology, to the "
    "number you provided."
)
SHOP_DISCLOSURE = (
    "Message frequency will vary. Msg & data rates may apply. Reply HELP for help or STOP to "
    "cancel."
)
SHOP_CONSENT_TEXT = "\n".join(
    (
        SHOP_AUTHORIZATION,
        f"\u2610 {SHOP_TRANSACTIONAL_LABEL}",
        f"\u2610 {SHOP_PROMOTIONAL_LABEL}",
        f"{SHOP_DISCLOSURE} Click for Privacy Policy and Terms and Conditions.",
    )
)

SHOP_HOME_TEXT = """
Harbor Lane Outfitters
Rain gear, outdoor clothing and repairs in Portland since 1998.
Shop rain jackets, boots, packs and camp gear online or at our store in the Pearl District. Every jacket we sell comes with free repairs for as long as you own it, and our staff hike, paddle and camp around the Columbia River Gorge every weekend, so ask us anything before your next trip.
New this season
Waterproof shell jackets, merino base layers, trail runners and lightweight tents from small makers in the Pacific Northwest.
Get order updates and offers by text
Sign up for Harbor Lane text messages on our SMS sign-up page: order and pickup notifications, customer care replies and, only if you choose, promotional offers. Message frequency varies. Msg & data rates may apply. Reply STOP to cancel, HELP for help.
Visit us
Harbor Lane Outfitters, 1120 NW Couch St, Portland, OR 97209
Call (503) 555-0188 or email support@harborlane.example
Open daily from 10 a.m. to 7 p.m.
Privacy Policy. Terms of Service. Text Alerts.
"""

SHOP_OPT_IN_TEXT = f"""
Harbor Lane text alerts
Get order updates and offers from Harbor Lane Outfitters by text message.
Name
Mobile phone number
{SHOP_AUTHORIZATION}
{SHOP_TRANSACTIONAL_LABEL}
{SHOP_PROMOTIONAL_LABEL}
{SHOP_DISCLOSURE} See our Privacy Policy and Terms of Service.
Join
"""

SHOP_PRIVACY_TEXT = """
Privacy Policy
Harbor Lane Outfitters LLC
Effective March 1, 2026
Harbor Lane Outfitters LLC ("Harbor Lane", "we") respects your privacy. This policy describes what we collect when you shop with us online or in our store, and how we use it.
What we collect
Your name, email address, shipping address, mobile phone number and order history, and how you use our website.
How we use it
We use your information to process and deliver orders, to answer customer care questions and, with your permission, to send you offers.
Text messages (SMS)
If you sign up for Harbor Lane text messages, we use your mobile number to send the messages you chose: order notifications and customer care replies, and promotional offers if you opted in to them. You can opt out at any time by replying STOP, or get help by replying HELP. Message and data rates may apply.
Sharing
We share order details with our shipping carriers and our payment processor only to deliver and bill your orders.
No mobile information will be shared with third parties or affiliates for marketing or promotional purposes. Text messaging originator opt-in data and consent will not be shared with any third parties, excluding aggregators and providers of the Text Message services.
Your choices
You can unsubscribe from emails with the link in each email, and from texts by replying STOP.
Contact: privacy@harborlane.example, (503) 555-0188, 1120 NW Couch St, Portland, OR 97209.
"""

SHOP_TERMS_TEXT = """
Terms of Service
Harbor Lane Outfitters LLC
These terms apply to purchases from Harbor Lane Outfitters LLC online and in our store.
Orders and returns
Unworn items may be returned within 60 days with a receipt.
Harbor Lane Text Alerts (SMS terms)
Harbor Lane Outfitters sends order and pickup notifications, customer care replies and, to customers who separately opt in, promotional offers by text message.
You opt in on our SMS sign-up page by checking the box for each kind of message you want. Consent to receive marketing text messages is not a condition of purchase.
Message frequency varies. Message and data rates may apply.
For help, reply HELP or contact support@harborlane.example or (503) 555-0188.
You can cancel the SMS service at any time: reply STOP. After you send STOP we will send one message to confirm that you have been unsubscribed.
Carriers are not liable for delayed or undelivered messages.
"""


def shop_registration() -> dict[str, Any]:
    """A compliant registration for a shop with a web form for service and marketing texts."""
    doc = city_registration()
    doc["brand"].update(
        legal_name="Harbor Lane Outfitters LLC",
        dba_name="Harbor Lane",
        entity_type="PRIVATE_PROFIT",
        business_type="Limited Liability Corporation",
        industry="RETAIL",
        ein="84-2317765",
        website=SHOP_SITE,
        address={
            "street": "1120 NW Couch St",
            "city": "Portland",
            "region": "OR",
            "postal_code": "97209",
            "country": "US",
        },
        tier="LOW_VOLUME_STANDARD",
    )
    doc["representative"] = {
        "first_name": "Maya",
        "last_name": "Chen",
        "email": "maya.chen@harborlane.example",
        "phone": "+15035550188",
        "title": "General Manager",
        "job_position": "GM",
    }
    doc["policies"] = {
        "privacy_policy_url": SHOP_PRIVACY,
        "terms_url": SHOP_TERMS,
        "attested": True,
    }
    doc["campaign"].update(
        use_case="MIXED",
        categories=["transactional", "promotional"],
        description=(
            "Harbor Lane Outfitters texts customers who opt in on our website, to confirm their "
            "orders, send shipping and pickup updates and answer customer care questions. "
            "Customers who separately agree also receive promotional offers about seasonal "
            "sales and new products."
        ),
        message_flow=(
            f"Customers opt in on the web form at {SHOP_OPT_IN}, linked from every page of our "
            "website. They enter their mobile number and check one or both unchecked boxes: one "
            "for order and customer care text messages, one for marketing text messages. The "
            "form shows the full disclosure and links to our Privacy Policy and Terms. We then "
            "send a confirmation text."
        ),
        opt_in_methods=[
            {
                "kind": "web_form",
                "text": SHOP_CONSENT_TEXT,
                "url": SHOP_OPT_IN,
                "checkbox_prechecked": False,
                "categories": ["transactional", "promotional"],
            }
        ],
        message_samples=[
            "Harbor Lane: Your order #[order_number] has shipped and should arrive by [date]. "
            "Track it at https://www.harborlane.example/orders. Reply STOP to opt out.",
            "Harbor Lane: Hi [first_name], our customer care team answered your question about "
            "[product]. Reply to this text or call (503) 555-0188. Reply STOP to opt out.",
            "Harbor Lane: Our spring sale starts Friday: 20% off rain jackets in store and "
            "online. Reply STOP to opt out.",
        ],
        has_embedded_links=True,
        has_embedded_phone=True,
        opt_in_message=(
            "Harbor Lane: You are subscribed to Harbor Lane text alerts. Msg frequency varies. "
            "Msg & data rates may apply. Reply HELP for help, STOP to opt out."
        ),
        opt_out_message=(
            "Harbor Lane: You are unsubscribed and will receive no further messages. Reply "
            "START to resubscribe."
        ),
        help_message=(
            "Harbor Lane Outfitters: For help call (503) 555-0188 or email "
            "support@harborlane.example. Reply STOP to opt out."
        ),
        auto_response=(
            "Harbor Lane Outfitters: Thanks for your message. Our customer care team will reply "
            "during store hours. Reply STOP to opt out."
        ),
        expected_daily_segments=1500,
    )
    doc["numbers"] = ["+15035550188"]
    return doc


def shop_pages() -> dict[str, Page]:
    """The shop's website, SMS sign-up page, privacy policy and terms."""
    footer = (
        link(SHOP_PRIVACY, "Privacy Policy", "footer"),
        link(SHOP_TERMS, "Terms of Service", "footer"),
        link(SHOP_OPT_IN, "Text Alerts", "footer"),
    )
    return {
        SHOP_SITE: page(
            SHOP_SITE,
            SHOP_HOME_TEXT,
            title="Harbor Lane Outfitters | Rain gear and outdoor clothing, Portland",
            links=(
                link(f"{SHOP_SITE}/shop", "Shop", "nav"),
                link(f"{SHOP_SITE}/repairs", "Repairs", "nav"),
                link(f"{SHOP_SITE}/about", "About us", "nav"),
                link(SHOP_OPT_IN, "SMS sign-up page"),
                *footer,
            ),
        ),
        SHOP_OPT_IN: page(
            SHOP_OPT_IN,
            SHOP_OPT_IN_TEXT,
            title="Text alerts | Harbor Lane Outfitters",
            links=(
                link(SHOP_SITE, "Harbor Lane Outfitters", "header"),
                link(SHOP_PRIVACY, "Privacy Policy"),
                link(SHOP_TERMS, "Terms of Service"),
                *footer,
            ),
            checkboxes=(
                Checkbox("sms_transactional", SHOP_TRANSACTIONAL_LABEL, False, False),
                Checkbox("sms_promotional", SHOP_PROMOTIONAL_LABEL, False, False),
            ),
            fields=(
                FormField("text", "name", "Name", True),
                FormField("tel", "phone", "Mobile phone number", True),
            ),
        ),
        SHOP_PRIVACY: page(
            SHOP_PRIVACY,
            SHOP_PRIVACY_TEXT,
            title="Privacy Policy | Harbor Lane Outfitters",
            links=(link(SHOP_SITE, "Home", "header"), *footer),
        ),
        SHOP_TERMS: page(
            SHOP_TERMS,
            SHOP_TERMS_TEXT,
            title="Terms of Service | Harbor Lane Outfitters",
            links=(link(SHOP_SITE, "Home", "header"), *footer),
        ),
    }


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def city() -> Registration:
    """City of Springfield 311 (inbound_text), compliant, with its pages; fresh for each test."""
    return Registration(city_registration(), city_pages())


@pytest.fixture
def shop() -> Registration:
    """Harbor Lane Outfitters (web form, transactional + promotional), compliant; fresh."""
    return Registration(shop_registration(), shop_pages())
