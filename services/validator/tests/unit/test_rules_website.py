"""3.2 The website, and the seeds' WEB-05."""

import pytest

from a2p_shared.events.policy import Severity
from a2p_validator.domain.pages import PageProblem

from services.validator.tests.unit.conftest import (
    CITY_SITE,
    SHOP_OPT_IN,
    SHOP_SITE,
    Registration,
    broken_page,
    link,
    page,
)

BLOCK, WARN = Severity.BLOCK, Severity.WARN

UNREADABLE = [
    (PageProblem.NOT_FOUND, 404, "HTTP 404"),
    (PageProblem.HTTP_ERROR, 503, "HTTP 503"),
    (PageProblem.LOGIN_WALL, 403, "HTTP 403"),
    (PageProblem.LOGIN_WALL, 200, "redirected to a sign-in page at https://login.example/sso"),
    (PageProblem.UNREACHABLE, None, "DNS lookup failed"),
    (PageProblem.REFUSED, None, "resolves to a private address"),
    (PageProblem.TOO_MANY_REDIRECTS, 302, "more than 5 redirects"),
]


# --- WEB-01 the website is live and real ------------------------------------------------------


@pytest.mark.parametrize(("problem", "status", "detail"), UNREADABLE)
def test_web01_fires_when_the_website_cannot_be_read(
    city: Registration, problem: PageProblem, status: int | None, detail: str
) -> None:
    city.pages[CITY_SITE] = broken_page(CITY_SITE, problem, status, detail)

    [finding] = city.fired("WEB-01")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "brand.website",
        30919,
    )
    assert f"The website at {CITY_SITE} cannot be read by a reviewer: {detail}." == (
        finding.message
    )


def test_web01_fires_when_the_website_was_not_fetched(city: Registration) -> None:
    del city.pages[CITY_SITE]
    [finding] = city.fired("WEB-01")
    assert finding.message == "The website was not fetched."


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Springfield", "This site is under construction. Please check back later."),
        ("Springfield", "UNDER CONSTRUCTION"),
        ("Springfield", "Coming Soon!"),
        ("Coming soon", "City of Springfield"),
        ("springfield.example", "This domain is for sale. Make an offer."),
        ("springfield.example", "This domain may be for sale!"),
        ("Parked domain", "springfield.example is parked free, courtesy of the registrar."),
        ("Welcome to nginx!", "If you see this page, the nginx web server is working."),
        ("Default Web Page", "This is the default web page for this server."),
    ],
)
def test_web01_fires_on_placeholder_sites(city: Registration, title: str, text: str) -> None:
    city.edit_page(CITY_SITE, title=title, text=text)

    [finding] = city.fired("WEB-01")

    assert "is a placeholder" in finding.message
    assert CITY_SITE in finding.message


def test_web01_is_quiet_for_a_real_site(city: Registration) -> None:
    assert city.fired("WEB-01") == []


def test_web01_a_real_city_homepage_may_talk_about_parked_cars(city: Registration) -> None:
    city.replace_in_page(
        CITY_SITE,
        "City services\n",
        "City services\nSnow emergency: vehicles parked on snow routes will be towed.\n",
    )
    assert city.fired("WEB-01") == []


# --- WEB-02 homepage names the brand and a contact ---------------------------------------------


def test_web02_fires_when_the_homepage_does_not_name_the_organisation(city: Registration) -> None:
    city.edit_page(
        CITY_SITE,
        title="Welcome",
        text="Report potholes and broken streetlights.\nCall (217) 555-0100.",
    )

    [finding] = city.fired("WEB-02")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "brand.website",
        30919,
    )
    assert finding.message == (
        f"The homepage at {CITY_SITE} does not show the organisation's name (City of Springfield)."
    )


def test_web02_fires_when_the_homepage_shows_no_contact(city: Registration) -> None:
    city.edit_page(
        CITY_SITE, text="City of Springfield\nReport potholes and broken streetlights to 311."
    )
    [finding] = city.fired("WEB-02")
    assert finding.message.endswith("does not show a phone number, email or street address.")


def test_web02_names_both_gaps_at_once(city: Registration) -> None:
    city.edit_page(CITY_SITE, title="Welcome", text="Welcome to our website.")
    [finding] = city.fired("WEB-02")
    assert "(City of Springfield) or a phone number, email or street address" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "Springfield City Hall\nPhone: (217) 555-0100",
        "SPRINGFIELD 311\nEmail us: 311@springfield.example",
        "Welcome to the City of Springfield's website\n800 E Monroe St, Springfield, IL 62701",
        "city of springfield\nCall 217.555.0100",
        "Springfield&nbsp;311 &amp; City Hall\n+1 217 555 0100",
    ],
)
def test_web02_accepts_name_variants_and_any_contact(city: Registration, text: str) -> None:
    city.edit_page(CITY_SITE, title="Home", text=text)
    assert city.fired("WEB-02") == []


def test_web02_reads_the_name_from_the_title(city: Registration) -> None:
    city.edit_page(
        CITY_SITE, title="City of Springfield", text="Report an issue: call (217) 555-0100."
    )
    assert city.fired("WEB-02") == []


def test_web02_accepts_the_dba(shop: Registration) -> None:
    shop.edit_page(SHOP_SITE, title="Shop", text="Harbor Lane\nCall (503) 555-0188")
    assert shop.fired("WEB-02") == []


def test_web02_leaves_an_unreadable_homepage_to_web01(city: Registration) -> None:
    city.pages[CITY_SITE] = broken_page(CITY_SITE, PageProblem.NOT_FOUND, 404, "HTTP 404")
    found = city.findings()
    assert "WEB-01" in found
    assert "WEB-02" not in found


# --- WEB-03 the URL is the main site ---------------------------------------------------------


@pytest.mark.parametrize(
    "website",
    [
        "https://docs.google.com/forms/d/e/1FAIpQL/viewform",
        "https://forms.gle/a1b2c3",
        "https://harborlane.typeform.com/to/abc123",
        "https://form.jotform.com/230001",
        "https://linktr.ee/harborlane",
        "https://calendly.com/harborlane/fitting",
    ],
)
def test_web03_warns_when_the_website_is_a_form_service(shop: Registration, website: str) -> None:
    home = shop.pages[SHOP_SITE]
    shop.brand["website"] = website
    shop.pages[website] = page(website, home.text, title=home.title, links=home.links)

    [finding] = shop.fired("WEB-03")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        WARN,
        "brand.website",
        30920,
    )
    assert "a form or link-page service" in finding.message


def test_web03_warns_when_the_homepage_has_few_links_to_its_own_site(shop: Registration) -> None:
    shop.edit_page(
        SHOP_SITE,
        links=(
            link(f"{SHOP_SITE}/shop"),
            link(f"{SHOP_SITE}/shop"),  # the same page twice counts once
            link(SHOP_OPT_IN),
            link("https://www.instagram.com/harborlane"),
            link("https://maps.example/harbor-lane"),
        ),
    )

    [finding] = shop.fired("WEB-03")

    assert "has 2 links to its own site" in finding.message


def test_web03_warns_when_the_homepage_has_few_words(shop: Registration) -> None:
    shop.edit_page(SHOP_SITE, text="Harbor Lane Outfitters\nSign up for texts.\n(503) 555-0188")
    [finding] = shop.fired("WEB-03")
    assert "has 6 links to its own site and 9 words" in finding.message


@pytest.mark.parametrize(("words", "warns"), [(99, True), (100, False)])
def test_web03_needs_100_words(shop: Registration, words: int, warns: bool) -> None:
    shop.edit_page(SHOP_SITE, text=" ".join(["Harbor"] * words))
    assert bool(shop.fired("WEB-03")) is warns


def test_web03_counts_sub_domains_as_the_own_site(shop: Registration) -> None:
    shop.edit_page(
        SHOP_SITE,
        links=(
            link("https://shop.harborlane.example/jackets"),
            link("http://harborlane.example/repairs"),
            link(SHOP_OPT_IN),
        ),
    )
    assert shop.fired("WEB-03") == []


def test_web03_is_quiet_for_a_main_site(city: Registration, shop: Registration) -> None:
    assert city.fired("WEB-03") == []
    assert shop.fired("WEB-03") == []


# --- WEB-04 the opt-in page is linked from the homepage ---------------------------------------


def test_web04_fires_when_the_homepage_does_not_link_the_opt_in_page(shop: Registration) -> None:
    home = shop.pages[SHOP_SITE]
    shop.edit_page(SHOP_SITE, links=tuple(x for x in home.links if x.href != SHOP_OPT_IN))

    [finding] = shop.fired("WEB-04")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "campaign.opt_in_methods.0.url",
        30920,
    )
    assert finding.message == (
        f"The homepage {SHOP_SITE} has no link to the opt-in page {SHOP_OPT_IN}."
    )


@pytest.mark.parametrize(
    "href",
    [
        "https://www.harborlane.example/sms",
        "https://www.harborlane.example/sms/",
        "https://harborlane.example/sms",
        "http://www.harborlane.example/sms",
        "https://www.harborlane.example/SMS",
    ],
)
def test_web04_accepts_any_spelling_of_the_link(shop: Registration, href: str) -> None:
    home = shop.pages[SHOP_SITE]
    others = tuple(x for x in home.links if x.href != SHOP_OPT_IN)
    shop.edit_page(SHOP_SITE, links=(*others, link(href, "Text alerts", "footer")))
    assert shop.fired("WEB-04") == []


def test_web04_ignores_opt_in_pages_on_other_sites(shop: Registration) -> None:
    booking = "https://calendly.com/harborlane/fitting"
    shop.method().update(kind="booking_link", url=booking)
    shop.pages[booking] = shop.pages.pop(SHOP_OPT_IN)
    home = shop.pages[SHOP_SITE]
    shop.edit_page(SHOP_SITE, links=tuple(x for x in home.links if x.href != SHOP_OPT_IN))
    assert shop.fired("WEB-04") == []


def test_web04_leaves_an_unreadable_opt_in_page_to_cta16(shop: Registration) -> None:
    shop.pages[SHOP_OPT_IN] = broken_page(SHOP_OPT_IN, PageProblem.NOT_FOUND, 404, "HTTP 404")
    home = shop.pages[SHOP_SITE]
    shop.edit_page(SHOP_SITE, links=tuple(x for x in home.links if x.href != SHOP_OPT_IN))
    found = shop.findings()
    assert "WEB-04" not in found
    assert "CTA-16" in found


def test_web04_accepts_a_form_on_the_homepage_itself(shop: Registration) -> None:
    shop.method()["url"] = SHOP_SITE
    shop.replace_in("campaign", "message_flow", SHOP_OPT_IN, SHOP_SITE)
    assert shop.fired("WEB-04") == []


def test_web04_does_not_apply_to_texting_first(city: Registration) -> None:
    city.edit_page(CITY_SITE, links=())
    assert city.fired("WEB-04") == []


# --- WEB-05 policies on the website's domain ---------------------------------------------------


def test_web05_fires_when_the_privacy_policy_is_on_another_domain(city: Registration) -> None:
    elsewhere = "https://springfield.policyhost.example/privacy"
    city.doc["policies"]["privacy_policy_url"] = elsewhere
    city.pages[elsewhere] = city.pages.pop(f"{CITY_SITE}/privacy")

    [finding] = city.fired("WEB-05")

    assert (finding.severity, finding.field, finding.twilio_code) == (
        BLOCK,
        "policies.privacy_policy_url",
        None,
    )
    assert finding.message == (
        f"{elsewhere} is on policyhost.example, not on the website's domain springfield.example."
    )
    assert "springfield.example" in finding.fix


def test_web05_fires_for_the_terms_too(city: Registration) -> None:
    elsewhere = "https://www.springfield-il.example/terms"
    city.doc["policies"]["terms_url"] = elsewhere
    city.pages[elsewhere] = city.pages.pop(f"{CITY_SITE}/terms")
    assert [f.field for f in city.fired("WEB-05")] == ["policies.terms_url"]


def test_web05_reports_each_policy_on_another_domain(city: Registration) -> None:
    city.brand["website"] = "https://www.springfieldil.example"
    city.pages["https://www.springfieldil.example"] = city.pages.pop(CITY_SITE)
    assert [f.field for f in city.fired("WEB-05")] == [
        "policies.privacy_policy_url",
        "policies.terms_url",
    ]


@pytest.mark.parametrize(
    "privacy_url",
    [
        "https://springfield.example/privacy",
        "http://www.springfield.example/privacy",
        "https://legal.springfield.example/privacy",
        "https://WWW.SPRINGFIELD.EXAMPLE/privacy",
    ],
)
def test_web05_accepts_www_scheme_case_and_sub_domains(
    city: Registration, privacy_url: str
) -> None:
    city.doc["policies"]["privacy_policy_url"] = privacy_url
    city.pages[privacy_url] = city.pages.pop(f"{CITY_SITE}/privacy")
    assert city.fired("WEB-05") == []
