"""Which site a URL belongs to: hosts and registrable domains, offline."""

import pytest

from a2p_validator.domain.domains import host_of, registrable_domain, same_page, same_site


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.springfield.test/privacy", "springfield.test"),
        ("https://WWW.Springfield.Example:8443/x?y=1#z", "springfield.example"),
        ("http://ci.springfield.il.us", "ci.springfield.il.us"),
        ("springfield.example/privacy", "springfield.example"),
        ("www.harborlane.example", "harborlane.example"),
        ("harborlane.example:8080", "harborlane.example"),
        ("  https://harborlane.example  ", "harborlane.example"),
        ("", ""),
    ],
)
def test_host_of_drops_scheme_www_port_and_path(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        # suffixes the public-suffix list does not know fall back to the last two labels
        ("https://www.springfield.test/privacy", "springfield.test"),
        ("https://legal.springfield.test/terms", "springfield.test"),
        ("https://www.springfield.example", "springfield.example"),
        ("svc.corp.internal", "corp.internal"),
        ("localhost", "localhost"),
        # US localities under <state>.us
        ("https://ci.springfield.il.us/311", "springfield.il.us"),
        ("https://www.springfield.il.us", "springfield.il.us"),
        ("springfield.il.us", "springfield.il.us"),
        # multi-label public suffixes
        ("https://www.harborlane.co.uk/sms", "harborlane.co.uk"),
        ("shop.example.co.uk", "example.co.uk"),
        ("a.co.uk", "a.co.uk"),
        # ordinary suffixes
        ("https://www.springfield.gov/privacy", "springfield.gov"),
        ("portal.cityofx.gov", "cityofx.gov"),
        ("https://shop.harborlane.com/jackets", "harborlane.com"),
    ],
)
def test_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.springfield.test", "https://springfield.test/privacy"),
        ("https://ci.springfield.il.us", "https://www.springfield.il.us/terms"),
        ("https://shop.harborlane.co.uk", "http://harborlane.co.uk"),
        ("https://www.springfield.example", ["dreyes", "springfield.example"][1]),
    ],
)
def test_same_site(a: str, b: str) -> None:
    assert same_site(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://a.co.uk", "https://b.co.uk"),
        ("https://springfield.il.us", "https://shelbyville.il.us"),
        ("https://springfield.test", "https://springfield.example"),
        ("https://springfield.gov", "https://springfield-il.gov"),
    ],
)
def test_different_sites(a: str, b: str) -> None:
    assert not same_site(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.harborlane.example/sms", "https://harborlane.example/sms/"),
        ("http://harborlane.example/sms", "https://www.harborlane.example/sms"),
        ("https://harborlane.example/SMS", "https://harborlane.example/sms"),
        ("https://harborlane.example/sms?utm=x", "https://harborlane.example/sms"),
        ("https://harborlane.example", "https://harborlane.example/"),
    ],
)
def test_same_page_ignores_www_scheme_case_query_and_trailing_slash(a: str, b: str) -> None:
    assert same_page(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://harborlane.example/sms", "https://harborlane.example/sms/join"),
        ("https://harborlane.example/sms", "https://shop.harborlane.example/sms"),
        ("https://harborlane.example/privacy", "https://harborlane.example/terms"),
    ],
)
def test_different_pages(a: str, b: str) -> None:
    assert not same_page(a, b)
