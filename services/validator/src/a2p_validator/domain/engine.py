"""Run the catalogue over a registration and the pages it points to: findings and a verdict."""

from collections.abc import Mapping
from typing import Literal

from a2p_shared.events.policy import Finding, Severity
from a2p_shared.events.registration import RegistrationRequest
from a2p_validator.domain import rules as _rules  # noqa: F401 (registers every rule)
from a2p_validator.domain.catalogue import RULES, Context, Rule
from a2p_validator.domain.pages import Page

Verdict = Literal["pass", "fail"]


def urls_to_fetch(request: RegistrationRequest) -> list[str]:
    """Every page a reviewer will open, each once: website, policies, opt-in pages."""
    urls = [
        str(request.brand.website),
        str(request.policies.privacy_policy_url),
        str(request.policies.terms_url),
        *(str(m.url) for m in request.campaign.opt_in_methods if m.url is not None),
    ]
    return list(dict.fromkeys(urls))


def evaluate(
    request: RegistrationRequest, pages: Mapping[str, Page], rules: list[Rule] | None = None
) -> list[Finding]:
    """Findings of every rule, blocking ones first, in catalogue order within a severity."""
    context = Context(request, pages)
    findings = [finding for rule in rules or RULES for finding in rule.findings(context)]
    return sorted(findings, key=lambda f: f.severity is not Severity.BLOCK)


def verdict(findings: list[Finding]) -> Verdict:
    return "fail" if any(f.severity is Severity.BLOCK for f in findings) else "pass"


def rule_ids() -> list[str]:
    return [rule.id for rule in RULES]
