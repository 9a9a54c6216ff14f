"""A compliant 311 texting program and its public pages, served locally for system tests.

Residents text the city first (seed 000): the pages carry every disclosure that program needs.
"""

from typing import Any

HOST = "www.shelbyville.example"
NAME = "City of Shelbyville"

_FOOTER = """
<footer>
  <p>City of Shelbyville, 100 Main Street, Shelbyville, IN 46176 &middot; (317) 555-0199 &middot;
  311@shelbyville.example</p>
  <p><a href="/privacy">Privacy Policy</a> | <a href="/terms">Terms of Service</a></p>
</footer>
"""
_NAV = """
<nav><a href="/">Home</a> <a href="/services">Services</a> <a href="/311">311</a>
<a href="/council">City Council</a> <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></nav>
"""

PAGES: dict[str, str] = {
    "/": f"""<!doctype html><html><head><title>City of Shelbyville, Indiana</title></head><body>
<header><h1>City of Shelbyville</h1></header>{_NAV}
<main>
<h2>Welcome to the City of Shelbyville</h2>
<p>The City of Shelbyville serves more than 19,000 residents with public works, parks, permits,
utilities and public safety. Our 311 service takes reports of potholes, missed trash pickups,
broken streetlights and other non-emergency issues, and keeps residents informed until each
request is closed.</p>
<p>Report an issue online, call 311, or text our 311 number at (317) 555-0100. When you text us,
a staff member answers your message and sends updates about your request by text. Reply STOP at
any time to stop receiving texts, or HELP for help. Message and data rates may apply.</p>
<p>City Hall is open Monday to Friday, 8 a.m. to 5 p.m. Council meetings are held on the first
and third Tuesday of each month and are open to the public.</p>
</main>{_FOOTER}</body></html>""",
    "/privacy": f"""<!doctype html><html>
<head><title>Privacy Policy | City of Shelbyville</title></head>
<body>{_NAV}<main><h1>Privacy Policy</h1>
<p>The City of Shelbyville collects only the information needed to provide city services.</p>
<h2>Text messaging (SMS)</h2>
<p>Residents may contact the City of Shelbyville by SMS at our 311 number. If you contact City of
Shelbyville via SMS, we may use your phone number to respond to your inquiry. You may receive
messages related to your request.</p>
<p>You opt in to these messages by sending us the first text message. You can opt out at any
time by replying STOP. For help, reply HELP. Message and data rates may apply.</p>
<p>We use your phone number and the content of your messages only to respond to your request and
to send you updates about it.</p>
<p>No mobile information will be shared with third parties or affiliates for marketing or
promotional purposes. Text messaging originator opt-in data and consent will not be shared with
any third parties, excluding aggregators and providers of the Text Message services.</p>
<h2>Public records</h2>
<p>Requests submitted to 311 may be public records under Indiana law.</p>
</main>{_FOOTER}</body></html>""",
    "/terms": f"""<!doctype html><html>
<head><title>Terms of Service | City of Shelbyville</title></head>
<body>{_NAV}<main><h1>Terms of Service</h1>
<h2>City of Shelbyville 311 text messaging</h2>
<p>By contacting City of Shelbyville via SMS, you consent to receive text message responses and
status updates related to your service request.</p>
<p>You may opt out at any time by replying STOP. For help, reply HELP or email
311@shelbyville.example. Message and data rates may apply. Carriers are not liable for delayed or
undelivered messages.</p>
</main>{_FOOTER}</body></html>""",
}


def registration() -> dict[str, Any]:
    """The registration request for this program (URLs without a port: add it at run time)."""
    site = f"http://{HOST}"
    return {
        "brand": {
            "legal_name": NAME,
            "entity_type": "GOVERNMENT",
            "business_type": "Non-profit Corporation",
            "industry": "GOVERNMENT",
            "ein": "35-6001234",
            "regions": ["USA_AND_CANADA"],
            "website": f"{site}/",
            "address": {
                "street": "100 Main Street",
                "city": "Shelbyville",
                "region": "IN",
                "postal_code": "46176",
                "country": "US",
            },
            "tier": "LOW_VOLUME_STANDARD",
        },
        "representative": {
            "first_name": "Maria",
            "last_name": "Lopez",
            "email": "mlopez@shelbyville.example",
            "phone": "+13175550142",
            "title": "Director of Public Works",
            "job_position": "Director",
        },
        "policies": {
            "privacy_policy_url": f"{site}/privacy",
            "terms_url": f"{site}/terms",
            "attested": True,
        },
        "campaign": {
            "use_case": "CUSTOMER_CARE",
            "categories": ["transactional"],
            "description": (
                "City of Shelbyville 311 texts residents who report non-emergency issues by "
                "texting our 311 number, to confirm their service requests and send status "
                "updates until each request is closed. Messages are conversational replies and "
                "service request notifications."
            ),
            "message_flow": (
                "Residents opt in by texting the City of Shelbyville 311 number first, as listed "
                "on shelbyville.example. The first reply confirms receipt and gives STOP and HELP "
                "instructions; the city never texts anyone who has not texted it first."
            ),
            "opt_in_methods": [{"kind": "inbound_text", "categories": ["transactional"]}],
            "message_samples": [
                "City of Shelbyville 311: We received your pothole report on [street]. "
                "Request #[number] is open. Reply STOP to opt out.",
                "City of Shelbyville 311: Request #[number] is closed; the streetlight was "
                "repaired. Reply HELP for help, STOP to opt out.",
            ],
            "has_embedded_links": False,
            "has_embedded_phone": False,
            "opt_in_keywords": ["START", "UNSTOP", "YES"],
            "opt_out_keywords": [
                "STOP",
                "STOPALL",
                "UNSUBSCRIBE",
                "CANCEL",
                "END",
                "QUIT",
                "REVOKE",
                "OPTOUT",
            ],
            "help_keywords": ["HELP", "INFO"],
            "opt_in_message": (
                "City of Shelbyville 311: You are subscribed to replies about your requests. "
                "Msg & data rates may apply. Reply HELP for help, STOP to opt out."
            ),
            "opt_out_message": (
                "City of Shelbyville 311: You are unsubscribed and will receive no further "
                "messages. Reply START to resubscribe."
            ),
            "help_message": (
                "City of Shelbyville 311: For help call (317) 555-0199 or email "
                "311@shelbyville.example. Reply STOP to opt out."
            ),
            "auto_response": (
                "Thanks for contacting the City of Shelbyville. We've received your message and "
                "will respond soon. Reply STOP to opt out, HELP for help. Msg & data rates may "
                "apply."
            ),
            "expected_daily_segments": 150,
        },
        "numbers": ["+13175550100"],
    }
