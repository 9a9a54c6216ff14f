"""What the page rules get out of HTML: the text a visitor sees, links and where they sit, and
the form a person fills in to opt in."""

import pytest

from a2p_validator.domain.html import (
    is_sign_in_url,
    looks_like_sign_in,
    parse_html,
)
from a2p_validator.domain.pages import Checkbox, FormField, Link

BASE = "https://www.springfield.test/sms/join"

POLICY_WORDS = " ".join(["We never sell or share your mobile number with third parties."] * 30)


class TestVisibleText:
    def test_scripts_styles_templates_svg_and_nav_are_not_text(self) -> None:
        parsed = parse_html(
            "<html><head><title>T</title><style>p { color: red }</style></head><body>"
            "<script>var s = '<p>in script</p>';</script><noscript>enable js</noscript>"
            "<template><p>in template</p></template><svg><title>icon</title></svg>"
            "<nav><a href='/'>Home</a> Menu</nav><p>Visible</p></body></html>",
            BASE,
        )
        assert parsed.text == "Visible"

    def test_hidden_elements_are_not_text(self) -> None:
        parsed = parse_html(
            "<p>one</p><div hidden>a</div><p aria-hidden='true'>b</p>"
            "<span style='color: red; DISPLAY : none !important'>c</span>"
            "<p aria-hidden='false'>two</p>",
            BASE,
        )
        assert parsed.text == "one\ntwo"

    def test_entities_are_decoded_and_nbsp_is_a_space(self) -> None:
        parsed = parse_html("<p>Terms&nbsp;&amp;&nbsp;Conditions &copy; &lt;2026&gt;</p>", BASE)
        assert parsed.text == "Terms & Conditions © <2026>"

    def test_each_block_element_ends_a_line_and_spaces_collapse(self) -> None:
        parsed = parse_html(
            "<h1>Text  alerts</h1><p>Reply\n   STOP\tto <b>cancel</b>.<br>Msg &amp; data rates"
            " may apply.</p><ul><li>one</li><li>two</ul><table><tr><td>a</td><td>b</td></tr>"
            "</table><p>   </p>",
            BASE,
        )
        assert parsed.text.split("\n") == [
            "Text alerts",
            "Reply STOP to cancel.",
            "Msg & data rates may apply.",
            "one",
            "two",
            "a",
            "b",
        ]

    def test_header_and_footer_text_is_kept(self) -> None:
        parsed = parse_html(
            "<header>Springfield Utilities</header><main>Body</main>"
            "<footer>Call (217) 555-0100</footer>",
            BASE,
        )
        assert parsed.text == "Springfield Utilities\nBody\nCall (217) 555-0100"

    def test_title_is_the_documents_not_an_icons(self) -> None:
        parsed = parse_html(
            "<svg><title>Menu icon</title></svg><title> Privacy &amp; Terms </title>", BASE
        )
        assert parsed.title == "Privacy & Terms"

    def test_word_count_counts_visible_words(self) -> None:
        parsed = parse_html("<nav>a b c</nav><p>one two</p><p>three</p>", BASE)
        assert parsed.word_count == 3


class TestLinks:
    def test_links_are_absolute_without_fragment_and_skip_non_web_schemes(self) -> None:
        parsed = parse_html(
            "<a href='../privacy#sms'>Privacy</a><a href='https://other.test/t?x=1#top'>T</a>"
            "<a href='javascript:void(0)'>js</a><a href='MAILTO:a@b.test'>mail</a>"
            "<a href='tel:+12175550100'>call</a><a href=''>empty</a><a>no href</a>",
            BASE,
        )
        assert [link.href for link in parsed.links] == [
            "https://www.springfield.test/privacy",
            "https://other.test/t?x=1",
        ]

    def test_regions(self) -> None:
        parsed = parse_html(
            "<header><a href='/h'>H</a><nav><a href='/n'>N</a></nav></header>"
            "<div role='navigation'><a href='/r'>R</a></div><main><a href='/m'>M</a></main>"
            "<footer><a href='/f'>F</a></footer>",
            BASE,
        )
        assert [(link.text, link.region) for link in parsed.links] == [
            ("H", "header"),
            ("N", "nav"),
            ("R", "nav"),
            ("M", "main"),
            ("F", "footer"),
        ]

    def test_link_text_is_collapsed_and_icon_links_use_their_alt_text(self) -> None:
        parsed = parse_html(
            "<a href='/p'>\n  Privacy\n  <b>Policy</b> </a><a href='/fb'><img alt='Facebook'></a>",
            BASE,
        )
        assert parsed.links == (
            Link("https://www.springfield.test/p", "Privacy Policy", "main"),
            Link("https://www.springfield.test/fb", "Facebook", "main"),
        )

    def test_a_base_element_changes_what_links_are_relative_to(self) -> None:
        parsed = parse_html(
            "<head><base href='https://cdn.springfield.test/site/'></head><a href='terms'>T</a>",
            BASE,
        )
        assert parsed.links[0].href == "https://cdn.springfield.test/site/terms"


class TestCheckboxes:
    def test_label_for_its_id(self) -> None:
        parsed = parse_html(
            "<form><input type='checkbox' id='sms' name='sms_consent' required>"
            "<label for='sms'>I agree to receive <a href='/t'>text messages</a>.</label></form>",
            BASE,
        )
        assert parsed.checkboxes == (
            Checkbox(
                name="sms_consent",
                label="I agree to receive text messages.",
                checked=False,
                required=True,
            ),
        )

    def test_a_label_before_the_input_also_counts(self) -> None:
        parsed = parse_html(
            "<label for='c'>Yes, text me</label><p><input type='checkbox' id='c' name='c'></p>",
            BASE,
        )
        assert parsed.checkboxes[0].label == "Yes, text me"

    def test_wrapping_label(self) -> None:
        parsed = parse_html(
            "<label><input type='checkbox' name='mkt' checked>  Send me   offers </label>", BASE
        )
        assert parsed.checkboxes == (
            Checkbox(name="mkt", label="Send me offers", checked=True, required=False),
        )

    def test_text_that_follows_up_to_the_next_block_or_input(self) -> None:
        parsed = parse_html(
            "<div><input type=checkbox name=a> Text me <b>reminders</b><br>Not this</div>"
            "<input type=checkbox name=b>First<input type=checkbox name=c>Second",
            BASE,
        )
        assert [(box.name, box.label) for box in parsed.checkboxes] == [
            ("a", "Text me reminders"),
            ("b", "First"),
            ("c", "Second"),
        ]

    def test_checkbox_is_not_a_field(self) -> None:
        parsed = parse_html("<input type='checkbox' name='x'>", BASE)
        assert parsed.fields == ()
        assert len(parsed.checkboxes) == 1


class TestFields:
    def test_kinds_names_labels_and_required(self) -> None:
        parsed = parse_html(
            "<form><label for='p'>Mobile number</label>"
            "<input type='tel' id='p' name='phone' required>"
            "<label>Name <input name='name'></label>"
            "<input type='email' name='email' placeholder='you@example.com'>"
            "<select name='topic' aria-label='Topic'><option>Bills</option></select>"
            "<textarea name='note' required>Hello</textarea>"
            "<input type='hidden' name='csrf'><input type='submit' value='Join'>"
            "<input type='button' value='x'><input type='image' src='go.png'>"
            "<input type='reset'></form>",
            BASE,
        )
        assert parsed.fields == (
            FormField(kind="tel", name="phone", label="Mobile number", required=True),
            FormField(kind="text", name="name", label="Name", required=False),
            FormField(kind="email", name="email", label="you@example.com", required=False),
            FormField(kind="select", name="topic", label="Topic", required=False),
            FormField(kind="textarea", name="note", label="", required=True),
        )

    def test_password_field_is_noticed(self) -> None:
        assert parse_html("<input type='PASSWORD' name='pw'>", BASE).has_password_field
        assert not parse_html("<input type='text' name='pw'>", BASE).has_password_field


class TestMalformedHtml:
    @pytest.mark.parametrize(
        ("html", "text"),
        [
            ("", ""),
            ("<<<>>>", "<<<>>>"),
            ("</div></span></p>", ""),
            ("<p <a href=>x", "x"),
            ("<a href='http://[::1'>bad url</a>", "bad url"),
            ("\x00<p>\x00ok</p>", "ok"),
            ("<script>never closed", ""),
            ("<p>a</p><![foo[bar]]>b", "a\nb"),
            ("&#xD800;&bogus;", "\ufffd&bogus;"),
        ],
    )
    def test_never_raises(self, html: str, text: str) -> None:
        assert parse_html(html, BASE).text == text

    def test_uppercase_tags_unclosed_and_stray_tags(self) -> None:
        parsed = parse_html(
            "<HTML><HEAD><TITLE>Join</TITLE><BODY></span><P>First<P>Second</div>"
            "<UL><LI>one<LI>two</UL><INPUT TYPE=CHECKBOX CHECKED REQUIRED NAME=ok>Agree",
            BASE,
        )
        assert parsed.title == "Join"
        assert parsed.text == "First\nSecond\none\ntwo\nAgree"
        assert parsed.checkboxes == (
            Checkbox(name="ok", label="Agree", checked=True, required=True),
        )

    def test_an_unclosed_head_does_not_hide_the_body(self) -> None:
        parsed = parse_html("<head><title>T</title><meta charset=utf-8><p>Body text", BASE)
        assert parsed.text == "Body text"

    def test_a_stray_end_tag_does_not_reveal_a_hidden_block(self) -> None:
        parsed = parse_html("<p>intro<div hidden>secret</p>still secret</div><p>after", BASE)
        assert parsed.text == "intro\nafter"

    def test_an_unknown_marked_section_does_not_stop_the_reading(self) -> None:
        parsed = parse_html("<p>before</p><![foo[x]]><p>after</p>", BASE)
        assert parsed.text == "before\nafter"


SIGN_IN_FORM = (
    "<title>Acme</title><h1>Welcome back</h1><form><input type=email name=user>"
    "<input type=password name=pw><button>Continue</button></form>"
)

POLICY_WITH_LOGIN_BOX = (
    "<title>Privacy Policy | Springfield</title><header><h3>Member login</h3>"
    "<form><input name=user><input type=password name=pw><button>Log in</button></form>"
    f"</header><main><h1>Privacy Policy</h1><p>{POLICY_WORDS}</p></main>"
)


class TestSignIn:
    def test_a_short_page_with_a_password_field_is_a_sign_in_form(self) -> None:
        assert looks_like_sign_in(parse_html(SIGN_IN_FORM, BASE), BASE)

    def test_a_long_page_titled_sign_in_is_a_sign_in_form(self) -> None:
        html = f"<title>Sign in - Acme</title><input type=password><p>{POLICY_WORDS}</p>"
        assert looks_like_sign_in(parse_html(html, BASE), BASE)

    def test_a_long_page_whose_main_heading_says_log_in_is_a_sign_in_form(self) -> None:
        html = f"<title>Acme</title><h1>Log in</h1><input type=password><p>{POLICY_WORDS}</p>"
        assert looks_like_sign_in(parse_html(html, BASE), BASE)

    def test_a_policy_page_with_a_login_box_in_its_header_is_not(self) -> None:
        parsed = parse_html(POLICY_WITH_LOGIN_BOX, BASE)
        assert parsed.has_password_field
        assert not looks_like_sign_in(parsed, "https://www.springfield.test/privacy")

    def test_a_short_page_without_a_password_field_is_not(self) -> None:
        parsed = parse_html("<title>Log in</title><p>Coming soon</p>", BASE)
        assert not looks_like_sign_in(parsed, "https://www.springfield.test/")

    def test_any_page_at_a_sign_in_url_is(self) -> None:
        parsed = parse_html(f"<p>{POLICY_WORDS}</p>", BASE)
        assert looks_like_sign_in(parsed, "https://www.springfield.test/users/sign_in")

    @pytest.mark.parametrize(
        "url",
        [
            "https://www.springfield.test/login",
            "https://www.springfield.test/log-in?next=/sms",
            "https://www.springfield.test/account/login/",
            "https://www.springfield.test/users/sign_in",
            "https://www.springfield.test/SignIn",
            "https://www.springfield.test/wp-login.php?redirect_to=x",
            "https://www.springfield.test/auth/realms/city/protocol/openid-connect",
            "https://www.springfield.test/oauth/authorize",
            "https://www.springfield.test/saml/sso",
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            "https://accounts.google.com/o/oauth2/v2/auth",
            "https://springfield.okta.com/app/x",
            "https://springfield.us.auth0.com/u/login",
            "https://login.springfield.test/",
            "https://sso.springfield.test/start",
        ],
    )
    def test_sign_in_urls(self, url: str) -> None:
        assert is_sign_in_url(url)

    # Words inside an article's slug do not make a sign-in URL: only whole path segments count,
    # so a blog post about logging in stays a readable page.
    @pytest.mark.parametrize(
        "url",
        [
            "https://www.springfield.test/",
            "https://www.springfield.test/privacy",
            "https://www.springfield.test/blog/how-to-login-safely",
            "https://www.springfield.test/authors/jane",
            "https://www.springfield.test/sms/terms?login=1",
            "https://login.com/",
            "https://www.okta.example/",
            "not a url",
            "http://[::1",
        ],
    )
    def test_ordinary_urls(self, url: str) -> None:
        assert not is_sign_in_url(url)
