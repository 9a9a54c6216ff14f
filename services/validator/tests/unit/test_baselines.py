"""The two compliant baselines every rule test starts from really are compliant."""

from a2p_shared.events.policy import Severity
from a2p_shared.events.registration import RegistrationRequest
from a2p_validator.domain.engine import evaluate, urls_to_fetch, verdict

from services.validator.tests.unit.conftest import (
    CITY_PRIVACY,
    CITY_SITE,
    CITY_TERMS,
    SHOP_OPT_IN,
    SHOP_PRIVACY,
    SHOP_SITE,
    SHOP_TERMS,
    Registration,
    findings,
    page,
)


def _by_severity(registration: Registration, severity: Severity) -> dict[str, list[str]]:
    return {
        rule: [f.message for f in found]
        for rule, found in registration.findings().items()
        for f in found
        if f.severity is severity
    }


def test_the_city_baseline_has_no_blocking_finding(city: Registration) -> None:
    assert _by_severity(city, Severity.BLOCK) == {}


def test_the_city_baseline_warns_about_nothing(city: Registration) -> None:
    # The warn-level rules it could trip and does not: BR-06 (one domain), BR-07 (GOVERNMENT),
    # WEB-03 (main site), PP-05 (linked privacy policy), TOS-06 (carrier liability), DESC-02/03,
    # SMP-04/07/08, KW-06, KW-07 (not run: residents text first).
    assert _by_severity(city, Severity.WARN) == {}


def test_the_shop_baseline_has_no_blocking_finding(shop: Registration) -> None:
    assert _by_severity(shop, Severity.BLOCK) == {}


def test_the_shop_baseline_warns_about_nothing(shop: Registration) -> None:
    # Including TOS-06's promotional half ("not a condition of purchase") and KW-07's
    # auto-response, which this baseline configures although nobody texts first.
    assert _by_severity(shop, Severity.WARN) == {}


def test_both_baselines_pass(city: Registration, shop: Registration) -> None:
    for registration in (city, shop):
        request = RegistrationRequest.model_validate(registration.doc)
        assert verdict(evaluate(request, registration.pages)) == "pass"


def test_the_baselines_fetch_exactly_their_pages(city: Registration, shop: Registration) -> None:
    city_request = RegistrationRequest.model_validate(city.doc)
    shop_request = RegistrationRequest.model_validate(shop.doc)
    assert urls_to_fetch(city_request) == [CITY_SITE, CITY_PRIVACY, CITY_TERMS]
    assert urls_to_fetch(shop_request) == [SHOP_SITE, SHOP_PRIVACY, SHOP_TERMS, SHOP_OPT_IN]
    assert set(city.pages) == set(urls_to_fetch(city_request))
    assert set(shop.pages) == set(urls_to_fetch(shop_request))


def test_the_example_document_with_placeholder_texts_fails(registration_document) -> None:
    """The shared example's "…" texts are not compliant; this is why the baselines exist."""
    pages = {
        url: page(url, "…")
        for url in urls_to_fetch(RegistrationRequest.model_validate(registration_document))
    }
    found = findings(registration_document, pages)
    assert {"DESC-07", "SMP-01", "KW-01", "KW-02", "KW-03", "WEB-02", "PP-02", "TOS-01"} <= set(
        found
    )


def test_findings_are_grouped_by_rule_with_blocking_ones_first(city: Registration) -> None:
    city.doc["policies"]["attested"] = False
    city.doc["representative"]["email"] = "dana.reyes@gmail.com"
    request = RegistrationRequest.model_validate(city.doc)

    ordered = evaluate(request, city.pages)
    grouped = city.findings()

    assert [f.rule for f in ordered] == ["BR-09", "BR-06"]
    assert [f.severity for f in ordered] == [Severity.BLOCK, Severity.WARN]
    assert {rule: [f.rule for f in found] for rule, found in grouped.items()} == {
        "BR-09": ["BR-09"],
        "BR-06": ["BR-06"],
    }
    assert verdict(ordered) == "fail"


def test_a_warning_alone_leaves_the_verdict_pass(city: Registration) -> None:
    city.doc["representative"]["email"] = "dana.reyes@gmail.com"
    request = RegistrationRequest.model_validate(city.doc)
    found = evaluate(request, city.pages)
    assert [f.rule for f in found] == ["BR-06"]
    assert verdict(found) == "pass"
