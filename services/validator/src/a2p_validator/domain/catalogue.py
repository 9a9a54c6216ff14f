"""Rules as data: an id, a severity, the field, a message, a fix, the Twilio code, a check.

A check is a small pure function from the registration (and the pages it points to) to the
violations it finds. A violation may sharpen the rule's field, message, fix or severity (one rule
can concern several URLs, or block in one case and warn in another); the rest comes from the rule.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from a2p_shared.events.policy import Finding, Severity
from a2p_shared.events.registration import Category, OptInKind, OptInMethod, RegistrationRequest
from a2p_validator.domain.pages import Page

BLOCK = Severity.BLOCK
WARN = Severity.WARN


@dataclass(frozen=True, slots=True)
class Violation:
    field: str | None = None
    message: str | None = None
    fix: str | None = None
    severity: Severity | None = None


class Context:
    """What the rules look at: the request, the fetched pages, and names derived from them."""

    def __init__(self, request: RegistrationRequest, pages: Mapping[str, Page]) -> None:
        self.request = request
        self.pages = pages

    def page(self, url: object | None) -> Page | None:
        return self.pages.get(str(url)) if url is not None else None

    @cached_property
    def brand_names(self) -> tuple[str, ...]:
        brand = self.request.brand
        return tuple(name for name in (brand.legal_name, brand.dba_name) if name)

    @cached_property
    def display_name(self) -> str:
        return self.request.brand.dba_name or self.request.brand.legal_name

    @property
    def website(self) -> Page | None:
        return self.page(self.request.brand.website)

    @property
    def privacy(self) -> Page | None:
        return self.page(self.request.policies.privacy_policy_url)

    @property
    def terms(self) -> Page | None:
        return self.page(self.request.policies.terms_url)

    @cached_property
    def methods(self) -> tuple[tuple[int, OptInMethod], ...]:
        return tuple(enumerate(self.request.campaign.opt_in_methods))

    def methods_of(self, *kinds: OptInKind) -> Iterator[tuple[int, OptInMethod]]:
        return ((i, m) for i, m in self.methods if m.kind in kinds)

    @cached_property
    def inbound_only(self) -> bool:
        """Everyone texts first: a conversation, not a recurring program."""
        return all(m.kind is OptInKind.INBOUND_TEXT for _, m in self.methods)

    @cached_property
    def has_inbound(self) -> bool:
        return any(m.kind is OptInKind.INBOUND_TEXT for _, m in self.methods)

    @cached_property
    def promotional(self) -> bool:
        return Category.PROMOTIONAL in self.request.campaign.categories

    def consent_text(self, method: OptInMethod) -> str:
        """The consent language of one opt-in method: its text, and its page when fetched."""
        page = self.page(method.url)
        parts = [method.text or ""]
        if page is not None and page.ok:
            parts.append(page.text)
            parts.extend(box.label for box in page.checkboxes)
        return "\n".join(part for part in parts if part)

    @cached_property
    def policy_text(self) -> str:
        """Privacy policy and terms together (some disclosures may sit in either)."""
        return "\n".join(page.text for page in (self.privacy, self.terms) if page and page.ok)


Check = Callable[[Context], Iterable[Violation]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    field: str
    message: str
    fix: str
    twilio_code: int | None
    check: Check

    @property
    def family(self) -> str:
        return self.id.split("-")[0]

    def findings(self, context: Context) -> list[Finding]:
        return [
            Finding(
                rule=self.id,
                severity=violation.severity or self.severity,
                field=violation.field or self.field,
                message=violation.message or self.message,
                fix=violation.fix or self.fix,
                twilio_code=self.twilio_code,
            )
            for violation in self.check(context)
        ]


RULES: list[Rule] = []


def rule(
    rule_id: str,
    severity: Severity,
    *,
    field: str,
    message: str,
    fix: str,
    twilio: int | None = None,
) -> Callable[[Check], Check]:
    """Register `check` as rule `rule_id` of the catalogue."""

    def register(check: Check) -> Check:
        if any(existing.id == rule_id for existing in RULES):
            raise ValueError(f"rule {rule_id} is defined twice")
        RULES.append(Rule(rule_id, severity, field, message, fix, twilio, check))
        return check

    return register


def page_unusable(page: Page | None, what: str) -> str | None:
    """Why `page` cannot be read, as a sentence; None when it can."""
    if page is None:
        return f"The {what} was not fetched."
    if page.ok:
        return None
    return f"The {what} at {page.url} cannot be read by a reviewer: {page.detail or page.problem}."
