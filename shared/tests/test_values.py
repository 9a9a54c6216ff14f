"""`a2p_shared.events.values`: phone numbers, EINs, US places and web addresses."""

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from a2p_shared.events.values import EIN, US_STATES, USPhone, USState, WebUrl, ZipCode

PHONE: TypeAdapter[str] = TypeAdapter(USPhone)
EIN_ADAPTER: TypeAdapter[str] = TypeAdapter(EIN)
STATE: TypeAdapter[str] = TypeAdapter(USState)
ZIP: TypeAdapter[str] = TypeAdapter(ZipCode)
URL: TypeAdapter[str] = TypeAdapter(WebUrl)

NOT_US = "must be a US number: E.164 with country code +1"
NOT_TEN_DIGITS = "must be a US 10-digit number in E.164 form"
NOT_NINE_DIGITS = "must be 9 digits, written NN-NNNNNNN or NNNNNNNNN"


def _refusal(adapter: TypeAdapter[Any], value: Any) -> str:
    """The single error message `adapter` gives for `value` (it must refuse it)."""
    with pytest.raises(ValidationError) as exc:
        adapter.validate_python(value)
    errors = exc.value.errors(include_url=False)
    assert len(errors) == 1, errors
    return errors[0]["msg"]


class TestUSPhoneNormalisation:
    @pytest.mark.parametrize(
        "written",
        [
            pytest.param("+1 (217) 555-0142", id="formatted-e164"),
            pytest.param("217-555-0142", id="dashed-10-digits"),
            pytest.param("12175550142", id="11-digits-with-country-code"),
            pytest.param("+12175550142", id="already-e164"),
            pytest.param("2175550142", id="bare-10-digits"),
            pytest.param("1-217-555-0142", id="dashed-with-country-code"),
            pytest.param("+1.217.555.0142", id="dotted"),
            pytest.param(" +1 217 555 0142 ", id="spaces-around"),
        ],
    )
    def test_a_us_number_becomes_e164(self, written: str) -> None:
        assert PHONE.validate_python(written) == "+12175550142"


class TestUSPhoneRefusals:
    @pytest.mark.parametrize(
        ("written", "reason"),
        [
            pytest.param("+44 20 7183 8750", NOT_US, id="uk-number"),
            pytest.param("217555014", NOT_TEN_DIGITS, id="9-digits"),
            pytest.param("217555014212", NOT_TEN_DIGITS, id="12-digits"),
            pytest.param("0175550142", NOT_TEN_DIGITS, id="area-code-starts-with-0"),
            pytest.param("1175550142", NOT_TEN_DIGITS, id="area-code-starts-with-1"),
            pytest.param("2171550142", NOT_TEN_DIGITS, id="exchange-starts-with-1"),
            pytest.param("2170550142", NOT_TEN_DIGITS, id="exchange-starts-with-0"),
            pytest.param("217-555-CALL", NOT_TEN_DIGITS, id="letters"),
            pytest.param("", NOT_TEN_DIGITS, id="empty"),
            pytest.param(2175550142, "must be a phone number string", id="an-integer"),
        ],
    )
    def test_a_non_us_or_malformed_number_is_refused_with_the_reason(
        self, written: Any, reason: str
    ) -> None:
        assert reason in _refusal(PHONE, written)

    @pytest.mark.parametrize(
        "written",
        [
            pytest.param("2\u0661\u06675550142", id="arabic-indic-digits-in-area-code"),
            pytest.param("+1217555\u0660\u0661\u0664\u0662", id="arabic-indic-digits-in-line"),
            pytest.param("217555\u0966\u0967\u096a\u0968", id="devanagari-digits"),
        ],
    )
    def test_a_number_written_with_non_ascii_digits_is_refused(self, written: str) -> None:
        """E.164 is ASCII digits: a look-alike would become a second key for the same person."""
        assert NOT_TEN_DIGITS in _refusal(PHONE, written)


class TestEIN:
    @pytest.mark.parametrize(
        "written",
        [pytest.param("123456789", id="nine-digits"), pytest.param("12-3456789", id="dashed")],
    )
    def test_an_ein_is_normalised_to_nn_dash_nnnnnnn(self, written: str) -> None:
        assert EIN_ADAPTER.validate_python(written) == "12-3456789"

    @pytest.mark.parametrize(
        "written",
        [
            pytest.param("12-345678", id="8-digits"),
            pytest.param("1234567890", id="10-digits"),
            pytest.param("12_3456789", id="underscore"),
            pytest.param("ab-cdefghi", id="letters"),
            pytest.param("123-456789", id="dash-in-wrong-place"),
            pytest.param("12--3456789", id="two-dashes"),
            pytest.param("\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669", id="arabic"),
        ],
    )
    def test_a_malformed_ein_is_refused_with_the_reason(self, written: str) -> None:
        assert NOT_NINE_DIGITS in _refusal(EIN_ADAPTER, written)


class TestUSState:
    @pytest.mark.parametrize("code", ["IL", "DC", "PR", "GU", "VI", "WY"])
    def test_a_state_or_territory_code_is_accepted(self, code: str) -> None:
        assert STATE.validate_python(code) == code

    def test_a_lowercase_code_is_normalised_to_uppercase(self) -> None:
        assert STATE.validate_python("il") == "IL"

    @pytest.mark.parametrize("code", ["XX", "ZZ", "Illinois", ""])
    def test_an_unknown_code_is_refused_with_the_reason(self, code: str) -> None:
        assert "must be a two-letter US state or territory code" in _refusal(STATE, code)

    def test_the_list_has_the_50_states_dc_and_5_territories(self) -> None:
        assert len(US_STATES) == 56


class TestZipCode:
    @pytest.mark.parametrize("written", ["62701", "62701-1234"])
    def test_a_zip_or_zip_plus_4_is_accepted(self, written: str) -> None:
        assert ZIP.validate_python(written) == written

    @pytest.mark.parametrize(
        "written",
        [
            pytest.param("6270", id="4-digits"),
            pytest.param("ABCDE", id="letters"),
            pytest.param("627011", id="6-digits"),
            pytest.param("62701-123", id="short-plus-4"),
            pytest.param("62701 1234", id="space-instead-of-dash"),
            pytest.param("\u0666\u0662\u0667\u0660\u0661", id="arabic-indic-digits"),
        ],
    )
    def test_a_malformed_zip_is_refused(self, written: str) -> None:
        assert "String should match pattern" in _refusal(ZIP, written)


class TestWebUrl:
    @pytest.mark.parametrize(
        "written",
        [
            pytest.param("http://www.springfield.example", id="http-no-path"),
            pytest.param("https://www.springfield.example", id="https-no-path"),
            pytest.param("https://www.springfield.example/privacy", id="https-path"),
            pytest.param("https://WWW.Springfield.example/Privacy?x=1#sms", id="case-query-frag"),
        ],
    )
    def test_an_http_or_https_url_is_kept_exactly_as_written(self, written: str) -> None:
        assert URL.validate_python(written) == written

    def test_a_url_of_2048_characters_is_accepted(self) -> None:
        written = "https://www.springfield.example/"
        written += "a" * (2048 - len(written))

        assert URL.validate_python(written) == written

    @pytest.mark.parametrize(
        ("written", "reason"),
        [
            pytest.param("ftp://www.springfield.example/", "URL scheme should be 'http'", id="ftp"),
            pytest.param("javascript:alert(1)", "URL scheme should be 'http'", id="javascript"),
            pytest.param("mailto:dreyes@springfield.example", "URL scheme", id="mailto"),
            pytest.param("www.springfield.example/privacy", "relative URL", id="no-scheme"),
            pytest.param("http://", "empty host", id="no-host"),
        ],
    )
    def test_a_non_web_url_is_refused_with_the_reason(self, written: str, reason: str) -> None:
        assert reason in _refusal(URL, written)

    def test_a_url_over_2048_characters_is_refused(self) -> None:
        written = "https://www.springfield.example/"
        written += "a" * (2049 - len(written))

        assert "at most 2048 characters" in _refusal(URL, written)
