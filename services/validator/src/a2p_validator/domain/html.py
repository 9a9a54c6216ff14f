"""What a fetched HTML page says, read the way a carrier reviewer reads it: visible text, links,
checkboxes and form fields, and whether the page is only a sign-in form.

Pure and standard-library only (`html.parser`). Tenants' websites are hand-edited, generated
by site builders or half-broken, so nothing here raises on markup: unclosed and stray tags are
repaired roughly the way a browser repairs them, and whatever was read before an unparseable
construct is kept.
"""

import re
from contextlib import suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from a2p_validator.domain.pages import Checkbox, FormField, Link, Region

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "label", "legend", "li", "main", "ol", "option",
        "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
"""Elements that end a line of `text`."""

TEXT_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "nav", "head"})
"""Elements whose content never appears in the page's visible `text`."""

INERT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})
"""Elements whose content is not even read for link texts and labels (code, icon titles)."""

VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip

HEAD_CONTENT_TAGS = frozenset(
    {"title", "meta", "link", "style", "script", "base", "noscript", "template"}
)
"""Any other start tag means the author forgot `</head>`: the body has begun."""

SKIPPED_LINK_SCHEMES = ("javascript:", "mailto:", "tel:")
SKIPPED_INPUT_TYPES = frozenset({"hidden", "submit", "button", "image", "reset"})
LABELLED_CONTROLS = frozenset({"input", "select", "textarea"})

# A start tag closes the open elements a browser would close implicitly, searching down the
# stack for one of `closes` and giving up at one of `stops`. Without this, `<p>...<div hidden>`
# followed by a stray `</p>` would end the hidden block early and leak its text.
_P_SCOPE_STOPS = frozenset({"button", "table", "td", "th", "caption", "template", "object"})
_CLOSES_P = frozenset(
    {
        "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
    }
)  # fmt: skip
_IMPLIED_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
    "optgroup": (frozenset({"option", "optgroup"}), frozenset({"select"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
}

SIGN_IN_MAX_WORDS = 150
"""A page with a password field and fewer words than this is a sign-in form, not content."""

SIGN_IN_PHRASE = re.compile(r"\b(?:sign|log)[\s_-]?(?:in|on)\b", re.IGNORECASE)

SIGN_IN_PATH_SEGMENTS = frozenset(
    {
        "login", "log-in", "log_in", "logon", "signin", "sign-in", "sign_in", "sso", "auth",
        "oauth", "oauth2", "saml", "saml2", "authorize", "adfs", "wp-login", "wp-admin",
        "member-login", "customer-login", "client-login", "user-login",
    }
)  # fmt: skip
"""Whole path segments (any file extension removed) that mark a sign-in URL. Whole segments
only: `/blog/how-to-login-safely` is an article, not a sign-in page."""

SIGN_IN_PAGE_EXTENSIONS = frozenset({"php", "asp", "aspx", "jsp", "htm", "html", "do", "cgi"})

SIGN_IN_HOSTS = frozenset(
    {
        "login.microsoftonline.com", "login.live.com", "login.windows.net",
        "accounts.google.com", "appleid.apple.com", "login.yahoo.com",
        "login.salesforce.com", "id.atlassian.com",
    }
)  # fmt: skip

SIGN_IN_HOST_SUFFIXES = (
    ".okta.com",
    ".oktapreview.com",
    ".okta-emea.com",
    ".auth0.com",
    ".onelogin.com",
    ".b2clogin.com",
    ".ciamlogin.com",
    ".amazoncognito.com",
)

SIGN_IN_HOST_LABELS = frozenset({"login", "signin", "sso", "auth", "idp"})
"""First labels of hosts that only serve sign-in (`login.example.com`, `sso.example.org`)."""

_REGION_PRECEDENCE: tuple[Region, ...] = ("nav", "header", "footer")
_WHITESPACE = re.compile(r"\s+")
_LINE_SPACE = re.compile(r"[^\S\n]+")
_URL_NOISE = re.compile(r"[\t\n\r]")


@dataclass(frozen=True, slots=True)
class ParsedHtml:
    title: str
    text: str
    """Visible text, one line per block element (see `Page.text`)."""
    links: tuple[Link, ...]
    checkboxes: tuple[Checkbox, ...]
    fields: tuple[FormField, ...]
    has_password_field: bool
    word_count: int
    headings: tuple[str, ...] = ()
    """Visible text of each `<h1>`: what the page says it is."""


def parse_html(html: str, base_url: str) -> ParsedHtml:
    extractor = _Extractor(base_url)
    # html.parser can still trip over rare malformed declarations (an AssertionError on some
    # `<![...` sections); what was read up to there is still the best evidence we have.
    with suppress(Exception):
        extractor.feed(html.replace("\x00", ""))
        extractor.close()
    return extractor.finish()


def looks_like_sign_in(parsed: ParsedHtml, url: str) -> bool:
    """A page that only asks the visitor to sign in, so a reviewer cannot read what it hides.

    A password field alone is not enough: a long policy page with a login box in its header is
    still a policy page. It takes a password field on a page with little else, or whose title
    or main heading says sign in; or a URL that is a sign-in URL.
    """
    if is_sign_in_url(url):
        return True
    if not parsed.has_password_field:
        return False
    if parsed.word_count < SIGN_IN_MAX_WORDS:
        return True
    return any(SIGN_IN_PHRASE.search(text) for text in (parsed.title, *parsed.headings))


def is_sign_in_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    return _is_sign_in_host(host) or any(
        _segment_stem(segment) in SIGN_IN_PATH_SEGMENTS for segment in parts.path.split("/")
    )


def _is_sign_in_host(host: str) -> bool:
    labels = host.split(".")
    return (
        host in SIGN_IN_HOSTS
        or host.endswith(SIGN_IN_HOST_SUFFIXES)
        or (len(labels) >= 3 and labels[0] in SIGN_IN_HOST_LABELS)
    )


def _segment_stem(segment: str) -> str:
    name = unquote(segment).lower()
    stem, dot, extension = name.rpartition(".")
    return stem if dot and extension in SIGN_IN_PAGE_EXTENSIONS else name


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _is_hidden(attrs: dict[str, str]) -> bool:
    if "hidden" in attrs or attrs.get("aria-hidden", "").strip().lower() == "true":
        return True
    style = _WHITESPACE.sub("", attrs.get("style", "")).lower()
    return "display:none" in style or "visibility:hidden" in style


def _region_of(tag: str, attrs: dict[str, str]) -> Region | None:
    role = attrs.get("role", "").strip().lower()
    if tag == "nav" or role == "navigation":
        return "nav"
    if tag == "header" or role == "banner":
        return "header"
    if tag == "footer" or role == "contentinfo":
        return "footer"
    return None


@dataclass(slots=True)
class _Control:
    kind: str
    """`checkbox`, or the `FormField.kind`."""
    attrs: dict[str, str]
    wrapping_label: str = ""
    following: list[str] = field(default_factory=list)

    def label(self, labels_by_id: dict[str, list[str]]) -> str:
        for_labels = _collapse(" ".join(labels_by_id.get(self.attrs.get("id", ""), [])))
        candidates = (
            for_labels,
            self.wrapping_label,
            _collapse("".join(self.following)),
            _collapse(self.attrs.get("placeholder", "")),
            _collapse(self.attrs.get("aria-label", "")),
        )
        return next((text for text in candidates if text), "")

    def required(self) -> bool:
        aria_required = self.attrs.get("aria-required", "").strip().lower() == "true"
        return "required" in self.attrs or aria_required


@dataclass(slots=True)
class _LinkDraft:
    href: str
    region: Region
    parts: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    """aria-label, title and image alt texts, for icon links without text."""

    def build(self) -> Link:
        text = _collapse("".join(self.parts)) or _collapse(" ".join(self.fallbacks))
        return Link(href=self.href, text=text, region=self.region)


@dataclass(slots=True)
class _LabelDraft:
    for_id: str | None
    parts: list[str] = field(default_factory=list)
    controls: list[_Control] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    """One element on the stack of open elements, with what it switched on."""

    tag: str
    hides_text: bool = False
    inert: bool = False
    region: Region | None = None
    link: _LinkDraft | None = None
    label: _LabelDraft | None = None
    control: _Control | None = None
    """A select or textarea: its own content is not its label."""


class _Extractor(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self._base = base_url
        self._base_set = False
        self._stack: list[_Open] = []
        self._hidden = 0
        self._inert = 0
        self._in_control = 0
        self._pre = 0
        self._regions: dict[Region, int] = {"nav": 0, "header": 0, "footer": 0}
        self._text: list[str] = []
        self._title: list[str] | None = None
        self._title_done = False
        self._heading: list[str] | None = None
        self._headings: list[str] = []
        self._link: _LinkDraft | None = None
        self._links: list[Link] = []
        self._labels: list[_LabelDraft] = []
        self._labels_by_id: dict[str, list[str]] = {}
        self._controls: list[_Control] = []
        self._following: list[_Control] = []

    # html.parser callbacks

    def handle_starttag(self, tag: str, raw_attrs: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in reversed(raw_attrs)}
        self._close_implied(tag)
        if tag in BLOCK_TAGS:
            self._break_line()
        if tag in LABELLED_CONTROLS:
            self._following = []
        if tag == "base":
            self._set_base(attrs)
        elif tag == "img" and self._link is not None:
            self._link.fallbacks.append(attrs.get("alt", ""))
        elif tag == "input":
            self._on_input(attrs)
        if tag not in VOID_TAGS:
            self._open(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "p") and not self._has_open(tag):
            self._break_line()  # browsers read a stray `</br>` or `</p>` as a line break
            return
        if tag in ("body", "html"):
            return  # browsers keep adding what follows to the body
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index].tag == tag:
                self._pop_to(index)
                return

    def handle_data(self, data: str) -> None:
        if self._inert == 0:
            self._on_readable_data(data)
        if self._title is not None and not self._title_done:
            self._title.append(data)
        if self._hidden == 0:
            visible = data.replace("\r\n", "\n") if self._pre else _WHITESPACE.sub(" ", data)
            self._text.append(visible)
            if self._heading is not None:
                self._heading.append(data)

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # Older html.parser asserts on marked sections it does not know (`<![foo[`); browsers
        # read any `<![...>` in HTML as a bogus comment, so do that instead.
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    # results

    def finish(self) -> ParsedHtml:
        self._pop_to(0)
        text = self._joined_text()
        checkboxes = [c for c in self._controls if c.kind == "checkbox"]
        fields = [c for c in self._controls if c.kind != "checkbox"]
        return ParsedHtml(
            title=_collapse("".join(self._title or [])),
            text=text,
            links=tuple(self._links),
            checkboxes=tuple(self._checkbox(control) for control in checkboxes),
            fields=tuple(self._field(control) for control in fields),
            has_password_field=any(control.kind == "password" for control in fields),
            word_count=len(text.split()),
            headings=tuple(heading for heading in self._headings if heading),
        )

    def _joined_text(self) -> str:
        lines = (_LINE_SPACE.sub(" ", line).strip() for line in "".join(self._text).split("\n"))
        return "\n".join(line for line in lines if line)

    def _checkbox(self, control: _Control) -> Checkbox:
        return Checkbox(
            name=control.attrs.get("name", ""),
            label=control.label(self._labels_by_id),
            checked="checked" in control.attrs,
            required=control.required(),
        )

    def _field(self, control: _Control) -> FormField:
        return FormField(
            kind=control.kind,
            name=control.attrs.get("name", ""),
            label=control.label(self._labels_by_id),
            required=control.required(),
        )

    # the stack of open elements

    def _open(self, tag: str, attrs: dict[str, str]) -> None:
        entry = _Open(
            tag=tag,
            hides_text=tag in TEXT_SKIPPED_TAGS or _is_hidden(attrs),
            inert=tag in INERT_TAGS,
            region=_region_of(tag, attrs),
        )
        if entry.region == "nav":
            entry.hides_text = True
        self._stack.append(entry)
        self._hidden += entry.hides_text
        self._inert += entry.inert
        self._pre += tag == "pre"
        if entry.region is not None:
            self._regions[entry.region] += 1
        self._on_open(entry, attrs)

    def _on_open(self, entry: _Open, attrs: dict[str, str]) -> None:
        tag = entry.tag
        if tag == "title" and self._title is None and not self._has_open("svg"):
            # The first <title> outside an <svg> (whose titles are icon names) is the page's.
            self._title = []
        elif tag == "h1" and self._hidden == 0 and self._heading is None:
            self._heading = []
        elif tag == "a":
            entry.link = self._start_link(attrs)
        elif tag == "label":
            entry.label = _LabelDraft(for_id=attrs.get("for"))
            self._labels.append(entry.label)
        elif tag in ("select", "textarea"):
            entry.control = self._add_control(tag, attrs)
            self._in_control += 1

    def _pop_to(self, index: int) -> None:
        while len(self._stack) > index:
            self._on_close(self._stack.pop())

    def _on_close(self, entry: _Open) -> None:
        self._hidden -= entry.hides_text
        self._inert -= entry.inert
        self._pre -= entry.tag == "pre"
        if entry.region is not None:
            self._regions[entry.region] -= 1
        if entry.tag in BLOCK_TAGS:
            self._break_line()
        if entry.tag == "title" and self._title is not None:
            self._title_done = True
        elif entry.tag == "h1" and self._heading is not None:
            self._headings.append(_collapse("".join(self._heading)))
            self._heading = None
        elif entry.link is not None and entry.link is self._link:
            self._finish_link()
        elif entry.label is not None:
            self._finish_label(entry.label)
        elif entry.control is not None:
            self._in_control -= 1
            self._following = [entry.control]

    def _has_open(self, tag: str) -> bool:
        return any(entry.tag == tag for entry in self._stack)

    def _close_implied(self, tag: str) -> None:
        if self._has_open("head") and tag not in HEAD_CONTENT_TAGS:
            self._pop_to(next(i for i, e in enumerate(self._stack) if e.tag == "head"))
        if tag == "a" and self._link is not None:
            self._close_nearest(frozenset({"a"}), frozenset())
        if tag in _CLOSES_P:
            self._close_nearest(frozenset({"p"}), _P_SCOPE_STOPS)
        if tag in _IMPLIED_ENDS:
            self._close_nearest(*_IMPLIED_ENDS[tag])

    def _close_nearest(self, closes: frozenset[str], stops: frozenset[str]) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            tag = self._stack[index].tag
            if tag in closes:
                self._pop_to(index)
                return
            if tag in stops:
                return

    # text, links, labels, controls

    def _break_line(self) -> None:
        self._text.append("\n")
        self._following = []

    def _on_readable_data(self, data: str) -> None:
        if self._link is not None:
            self._link.parts.append(data)
        if self._in_control == 0:
            for label in self._labels:
                label.parts.append(data)
            for control in self._following:
                control.following.append(data)

    def _set_base(self, attrs: dict[str, str]) -> None:
        href = _URL_NOISE.sub("", attrs.get("href", "")).strip()
        if href and not self._base_set:
            try:
                self._base = urljoin(self._base, href)
            except ValueError:
                return
            self._base_set = True

    def _start_link(self, attrs: dict[str, str]) -> _LinkDraft | None:
        href = _absolute_href(self._base, attrs.get("href"))
        if href is None:
            return None
        self._link = _LinkDraft(href=href, region=self._current_region())
        self._link.fallbacks += [attrs.get("aria-label", ""), attrs.get("title", "")]
        return self._link

    def _finish_link(self) -> None:
        assert self._link is not None
        self._links.append(self._link.build())
        self._link = None

    def _current_region(self) -> Region:
        for region in _REGION_PRECEDENCE:
            if self._regions[region] > 0:
                return region
        return "main"

    def _finish_label(self, label: _LabelDraft) -> None:
        self._labels.remove(label)
        text = _collapse("".join(label.parts))
        if label.for_id is not None:
            self._labels_by_id.setdefault(label.for_id, []).append(text)
        for control in label.controls:
            if label.for_id is None or label.for_id == control.attrs.get("id"):
                control.wrapping_label = control.wrapping_label or text

    def _on_input(self, attrs: dict[str, str]) -> None:
        kind = attrs.get("type", "").strip().lower() or "text"
        if kind in SKIPPED_INPUT_TYPES:
            return
        control = self._add_control(kind, attrs)
        self._following = [control]

    def _add_control(self, kind: str, attrs: dict[str, str]) -> _Control:
        control = _Control(kind=kind, attrs=attrs)
        self._controls.append(control)
        if self._labels:
            self._labels[-1].controls.append(control)
        return control


def _absolute_href(base: str, raw: str | None) -> str | None:
    href = _URL_NOISE.sub("", raw or "").strip()
    if not href or href.lower().startswith(SKIPPED_LINK_SCHEMES):
        return None
    try:
        return urldefrag(urljoin(base, href)).url
    except ValueError:
        return None
