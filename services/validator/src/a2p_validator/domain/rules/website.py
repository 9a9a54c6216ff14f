"""3.2 The website, and the seeds' WEB-05."""

from collections.abc import Iterator

from a2p_shared.events.registration import OptInKind
from a2p_validator.domain.catalogue import BLOCK, WARN, Context, Violation, page_unusable, rule
from a2p_validator.domain.domains import host_of, registrable_domain, same_page, same_site
from a2p_validator.domain.text import PHRASES, has_contact, names_in, sentences

MIN_OWN_LINKS = 3
MIN_WORDS = 100
_FORM_HOSTS = (
    "docs.google.com",
    "forms.gle",
    "typeform.com",
    "jotform.com",
    "linktr.ee",
    "calendly.com",
    "forms.office.com",
    "surveymonkey.com",
    "wufoo.com",
    "formstack.com",
    "carrd.co",
    "bit.ly",
)


@rule(
    "WEB-01",
    BLOCK,
    field="brand.website",
    message="The website must load publicly (HTTP 200, no login) and be a real site.",
    fix="Publish the organisation's website at this URL, without login, VPN or IP allow-list.",
    twilio=30919,
)
def website_is_live(ctx: Context) -> Iterator[Violation]:
    page = ctx.website
    problem = page_unusable(page, "website")
    if problem:
        yield Violation(message=problem)
    elif page is not None and any(
        PHRASES["placeholder"].search(s) for s in sentences(page.text + "\n" + page.title)
    ):
        yield Violation(
            message=f"The website at {page.url} is a placeholder (under construction, coming soon or parked).",
            fix="Publish the real website before registering; reviewers reject placeholder sites.",
        )


@rule(
    "WEB-02",
    BLOCK,
    field="brand.website",
    message="The homepage must name the organisation and show a way to contact it.",
    fix="Show the organisation's name and its phone number, email or address on the homepage (a footer is fine).",
    twilio=30919,
)
def website_names_brand_and_contact(ctx: Context) -> Iterator[Violation]:
    page = ctx.website
    if page is None or not page.ok:
        return
    text = "\n".join((page.title, page.text))
    missing = []
    if not names_in(text, ctx.brand_names):
        missing.append(f"the organisation's name ({ctx.display_name})")
    if not has_contact(page.text):
        missing.append("a phone number, email or street address")
    if missing:
        yield Violation(message=f"The homepage at {page.url} does not show {' or '.join(missing)}.")


@rule(
    "WEB-03",
    WARN,
    field="brand.website",
    message="The website URL looks like a standalone form or landing page, not the organisation's main site.",
    fix="Give the organisation's main website (its homepage) as brand.website.",
    twilio=30920,
)
def website_is_main_site(ctx: Context) -> Iterator[Violation]:
    page = ctx.website
    if page is None or not page.ok:
        return
    host = host_of(page.final_url)
    if any(host == h or host.endswith("." + h) for h in _FORM_HOSTS):
        yield Violation(message=f"{page.url} is on {host}, a form or link-page service.")
        return
    own_links = {link.href for link in page.links if same_site(link.href, page.final_url)}
    words = len(page.text.split())
    if len(own_links) < MIN_OWN_LINKS or words < MIN_WORDS:
        yield Violation(
            message=(
                f"{page.url} has {len(own_links)} links to its own site and {words} words; a "
                "main website has navigation and content."
            )
        )


@rule(
    "WEB-04",
    BLOCK,
    field="campaign.opt_in_methods",
    message="The opt-in page on the website must be linked from the homepage and load without a login.",
    fix="Link the SMS sign-up page from the homepage's navigation or footer, and make it public.",
    twilio=30920,
)
def opt_in_page_is_reachable_from_site(ctx: Context) -> Iterator[Violation]:
    website = ctx.website
    if website is None or not website.ok:
        return
    for i, method in ctx.methods_of(OptInKind.WEB_FORM, OptInKind.BOOKING_LINK):
        if method.url is None or not same_site(str(method.url), website.final_url):
            continue
        page = ctx.page(method.url)
        if page is None or not page.ok:
            continue  # CTA-16 reports an opt-in page nobody can read
        field = f"campaign.opt_in_methods.{i}.url"
        linked = same_page(str(method.url), website.final_url) or any(
            same_page(link.href, str(method.url)) for link in website.links
        )
        if not linked:
            yield Violation(
                field=field,
                message=f"The homepage {website.url} has no link to the opt-in page {method.url}.",
            )


@rule(
    "WEB-05",
    BLOCK,
    field="policies.terms_url",
    message="The website, privacy policy and terms must be on the same domain.",
    fix="Publish the privacy policy and terms on the organisation's own website.",
)
def policies_on_website_domain(ctx: Context) -> Iterator[Violation]:
    policies = ctx.request.policies
    site = registrable_domain(str(ctx.request.brand.website))
    for field, url in (
        ("policies.privacy_policy_url", policies.privacy_policy_url),
        ("policies.terms_url", policies.terms_url),
    ):
        if registrable_domain(str(url)) != site:
            yield Violation(
                field=field,
                message=f"{url} is on {registrable_domain(str(url))}, not on the website's domain {site}.",
                fix=f"Publish it on {site} and give that URL.",
            )
