"""What the rules know about a fetched web page: pure data, built by the fetcher adapter.

A page that could not be fetched is still a `Page`, with `problem` saying why, so a rule turns
it into a finding instead of the service crashing.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class PageProblem(StrEnum):
    REFUSED = "refused"
    """The host resolves to a loopback, private or link-local address (server-side request
    forgery guard), or the URL is not http(s)."""
    UNREACHABLE = "unreachable"
    """DNS failure, connection refused or reset, TLS failure, timeout."""
    NOT_FOUND = "not_found"
    """HTTP 404 or 410."""
    HTTP_ERROR = "http_error"
    """Any other non-2xx final status (5xx, 400, 405, 429...)."""
    LOGIN_WALL = "login_wall"
    """401/403, a redirect to a sign-in page, or a page that is essentially a sign-in form."""
    TOO_MANY_REDIRECTS = "too_many_redirects"
    TOO_LARGE = "too_large"
    """The body exceeded the size cap."""


Region = Literal["nav", "header", "footer", "main"]


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    """Absolute URL (resolved against the page's final URL), fragment removed."""
    text: str
    region: Region
    """Where on the page the link sits: inside <nav>, <header>, <footer>, or anywhere else."""


@dataclass(frozen=True, slots=True)
class Checkbox:
    name: str
    label: str
    """Visible text of its <label> (for= or wrapping), else the text right after it."""
    checked: bool
    """Checked by default (the `checked` attribute)."""
    required: bool


@dataclass(frozen=True, slots=True)
class FormField:
    kind: str
    """The input type (`text`, `tel`, `email`, `password`...), `select` or `textarea`."""
    name: str
    label: str
    required: bool


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    """The URL as the registration gives it."""
    final_url: str
    """Where redirects ended (equal to `url` without redirects)."""
    status: int | None
    """Final HTTP status; None when no response was received."""
    problem: PageProblem | None = None
    detail: str = ""
    """Why it has a problem, in words a tenant understands (e.g. `HTTP 404`,
    `redirected to a sign-in page at https://...`)."""
    content_type: str = ""
    title: str = ""
    text: str = ""
    """Visible text: tags, scripts, styles, <nav>, <template>, <svg> and hidden elements removed;
    entities decoded; each block element (p, li, div, h1-h6, br, tr...) ends a line."""
    links: tuple[Link, ...] = field(default_factory=tuple)
    checkboxes: tuple[Checkbox, ...] = field(default_factory=tuple)
    fields: tuple[FormField, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
