"""`a2p_shared.events.registration`: the registration request of REGISTRATION.md and its events."""

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from a2p_shared.events import (
    RegistrationCorrectedV1,
    RegistrationRequest,
    RegistrationSubmittedV1,
)
from a2p_shared.events.registration import EntityType, Tier

Document = dict[str, Any]
Breakage = Callable[[Document], None]


def _set(path: str, value: Any) -> Breakage:
    """A breakage that sets the field at dotted `path` (list indices as numbers) to `value`."""

    def apply(document: Document) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return apply


def _delete(path: str) -> Breakage:
    def apply(document: Document) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[part]
        del node[last]

    return apply


def _numbers(count: int) -> list[str]:
    return [f"+1217555{n:04d}" for n in range(count)]


def _errors(document: Document) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as exc:
        RegistrationRequest.model_validate(document)
    return exc.value.errors(include_url=False)


def _loc(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error["loc"])


# (breakage, expected location, substring of the reason)
BREAKAGES: list[Any] = [
    # Unknown enum values, one per enum field
    pytest.param(
        _set("brand.entity_type", "LLC"),
        "brand.entity_type",
        "Input should be",
        id="unknown-entity_type",
    ),
    pytest.param(
        _set("brand.business_type", "Non-profit"),
        "brand.business_type",
        "Input should be",
        id="unknown-business_type",
    ),
    pytest.param(
        _set("brand.industry", "MUNICIPAL"),
        "brand.industry",
        "Input should be",
        id="unknown-industry",
    ),
    pytest.param(
        _set("brand.regions", ["USA_AND_CANADA", "MARS"]),
        "brand.regions.1",
        "Input should be",
        id="unknown-regions-item",
    ),
    pytest.param(_set("brand.tier", "PREMIUM"), "brand.tier", "Input should be", id="unknown-tier"),
    pytest.param(
        _set("representative.job_position", "Mayor"),
        "representative.job_position",
        "Input should be",
        id="unknown-job_position",
    ),
    pytest.param(
        _set("campaign.use_case", "CITY_SERVICES"),
        "campaign.use_case",
        "Input should be",
        id="unknown-use_case",
    ),
    pytest.param(
        _set("campaign.categories", ["marketing"]),
        "campaign.categories.0",
        "Input should be",
        id="unknown-categories-item",
    ),
    pytest.param(
        _set("campaign.opt_in_methods.0.kind", "carrier_pigeon"),
        "campaign.opt_in_methods.0.kind",
        "Input should be",
        id="unknown-opt_in_methods-kind",
    ),
    pytest.param(
        _set("campaign.opt_in_methods.0.categories", ["spam"]),
        "campaign.opt_in_methods.0.categories.0",
        "Input should be",
        id="unknown-opt_in_methods-categories-item",
    ),
    pytest.param(
        _set("brand.entity_type", "government"),
        "brand.entity_type",
        "Input should be",
        id="enum-is-case-sensitive",
    ),
    # Maximum lengths and counts
    pytest.param(
        _set("campaign.description", "d" * 4097),
        "campaign.description",
        "at most 4096 characters",
        id="description-4097",
    ),
    pytest.param(
        _set("campaign.message_flow", "f" * 2049),
        "campaign.message_flow",
        "at most 2048 characters",
        id="message_flow-2049",
    ),
    pytest.param(
        _set("campaign.message_samples", ["s" * 1025]),
        "campaign.message_samples.0",
        "at most 1024 characters",
        id="sample-1025",
    ),
    pytest.param(
        _set("campaign.message_samples", [f"Sample {n}" for n in range(6)]),
        "campaign.message_samples",
        "at most 5 items",
        id="6-samples",
    ),
    pytest.param(
        _set("campaign.message_samples", []),
        "campaign.message_samples",
        "at least 1 item",
        id="0-samples",
    ),
    pytest.param(
        _set("campaign.opt_in_message", "m" * 321),
        "campaign.opt_in_message",
        "at most 320 characters",
        id="opt_in_message-321",
    ),
    pytest.param(
        _set("campaign.help_message", "h" * 321),
        "campaign.help_message",
        "at most 320 characters",
        id="help_message-321",
    ),
    pytest.param(
        _set("campaign.auto_response", "a" * 1601),
        "campaign.auto_response",
        "at most 1600 characters",
        id="auto_response-1601",
    ),
    pytest.param(
        _set("campaign.opt_in_methods", []),
        "campaign.opt_in_methods",
        "at least 1 item",
        id="no-opt_in_methods",
    ),
    pytest.param(
        _set("campaign.expected_daily_segments", -1),
        "campaign.expected_daily_segments",
        "greater than or equal to 0",
        id="negative-expected_daily_segments",
    ),
    # Keywords
    pytest.param(
        _set("campaign.opt_out_keywords", ["STOP", "STOP ALL"]),
        "campaign.opt_out_keywords.1",
        "String should match pattern",
        id="keyword-with-a-space",
    ),
    pytest.param(
        _set("campaign.help_keywords", ["AYUDA!"]),
        "campaign.help_keywords.0",
        "String should match pattern",
        id="keyword-with-punctuation",
    ),
    # Lists that must not repeat or be empty
    pytest.param(
        _set("numbers", ["+12175550100", "+12175550100"]),
        "numbers",
        "must not repeat an entry",
        id="duplicate-numbers",
    ),
    pytest.param(
        _set("numbers", ["+12175550100", "(217) 555-0100"]),
        "numbers",
        "must not repeat an entry",
        id="duplicate-numbers-after-normalisation",
    ),
    pytest.param(
        _set("campaign.categories", ["transactional", "transactional"]),
        "campaign.categories",
        "must not repeat an entry",
        id="duplicate-categories",
    ),
    pytest.param(
        _set("brand.regions", ["USA_AND_CANADA", "USA_AND_CANADA"]),
        "brand.regions",
        "must not repeat an entry",
        id="duplicate-regions",
    ),
    pytest.param(_set("numbers", []), "numbers", "at least 1 item", id="empty-numbers"),
    pytest.param(_set("numbers", _numbers(401)), "numbers", "at most 400 items", id="401-numbers"),
    # Formats of value types
    pytest.param(
        _set("numbers.1", "+442071838750"), "numbers.1", "must be a US number", id="uk-number"
    ),
    pytest.param(
        _set("representative.phone", "555-0142"),
        "representative.phone",
        "must be a US 10-digit number",
        id="short-representative-phone",
    ),
    pytest.param(
        _set("representative.email", "dreyes-at-springfield"),
        "representative.email",
        "valid email address",
        id="bad-email",
    ),
    pytest.param(_set("brand.ein", "12-345678"), "brand.ein", "must be 9 digits", id="bad-ein"),
    pytest.param(
        _set("brand.address.region", "XX"),
        "brand.address.region",
        "two-letter US state",
        id="unknown-state",
    ),
    pytest.param(
        _set("brand.address.postal_code", "6270"),
        "brand.address.postal_code",
        "String should match pattern",
        id="short-zip",
    ),
    pytest.param(
        _set("brand.address.country", "CA"),
        "brand.address.country",
        "Input should be 'US'",
        id="non-us-country",
    ),
    pytest.param(
        _set("brand.website", "javascript:alert(1)"),
        "brand.website",
        "URL scheme should be 'http' or 'https'",
        id="javascript-website",
    ),
    pytest.param(
        _set("policies.privacy_policy_url", "ftp://www.springfield.example/privacy"),
        "policies.privacy_policy_url",
        "URL scheme should be 'http' or 'https'",
        id="ftp-privacy-policy",
    ),
    pytest.param(
        _set("campaign.opt_in_methods.0.url", "www.springfield.example/sms"),
        "campaign.opt_in_methods.0.url",
        "relative URL",
        id="opt-in-url-without-scheme",
    ),
    pytest.param(
        _set("brand.stock_exchange", "nyse"),
        "brand.stock_exchange",
        "String should match pattern",
        id="lowercase-stock-exchange",
    ),
    pytest.param(
        _set("policies.attested", "maybe"),
        "policies.attested",
        "valid boolean",
        id="attested-not-a-boolean",
    ),
    # Missing required fields
    pytest.param(
        _delete("brand.legal_name"), "brand.legal_name", "Field required", id="missing-legal_name"
    ),
    pytest.param(
        _delete("campaign.has_embedded_links"),
        "campaign.has_embedded_links",
        "Field required",
        id="missing-has_embedded_links",
    ),
    pytest.param(_delete("policies"), "policies", "Field required", id="missing-policies"),
    pytest.param(
        _set("brand.legal_name", "   "),
        "brand.legal_name",
        "at least 1 character",
        id="blank-legal_name",
    ),
    # Unknown fields are refused, not ignored
    pytest.param(
        _set("privacy_url", "https://www.springfield.example/privacy"),
        "privacy_url",
        "Extra inputs are not permitted",
        id="unknown-top-level-field",
    ),
    pytest.param(
        _set("brand.address.zip", "62701"),
        "brand.address.zip",
        "Extra inputs are not permitted",
        id="unknown-nested-field",
    ),
    pytest.param(
        _set("campaign.opt_in_methods.0.prechecked", False),
        "campaign.opt_in_methods.0.prechecked",
        "Extra inputs are not permitted",
        id="unknown-field-in-list-item",
    ),
]


class TestExample:
    def test_the_registration_md_example_validates(self, registration_document: Document) -> None:
        request = RegistrationRequest.model_validate(registration_document)

        assert request.brand.legal_name == "City of Springfield"
        assert request.brand.entity_type is EntityType.GOVERNMENT
        assert request.brand.tier is Tier.LOW_VOLUME_STANDARD
        assert request.brand.ein == "12-3456789"
        assert request.numbers == ["+12175550100", "+12175550101"]
        assert request.campaign.opt_in_methods[0].kind == "inbound_text"
        assert request.campaign.expected_daily_segments == 400

    def test_the_example_round_trips_through_json(self, registration_document: Document) -> None:
        request = RegistrationRequest.model_validate(registration_document)

        assert RegistrationRequest.model_validate_json(request.model_dump_json()) == request


class TestSingleFieldBreakages:
    @pytest.mark.parametrize(("breakage", "location", "reason"), BREAKAGES)
    def test_a_broken_field_is_refused_at_its_location_with_the_reason(
        self, registration_document: Document, breakage: Breakage, location: str, reason: str
    ) -> None:
        breakage(registration_document)

        errors = _errors(registration_document)

        assert [_loc(e) for e in errors] == [location], errors
        assert reason in errors[0]["msg"]


class TestLimitsThatAreAllowed:
    @pytest.mark.parametrize(
        ("breakage", "check"),
        [
            pytest.param(
                _set("campaign.description", "d" * 4096),
                lambda r: len(r.campaign.description) == 4096,
                id="description-4096",
            ),
            pytest.param(
                _set("campaign.message_flow", "f" * 2048),
                lambda r: len(r.campaign.message_flow) == 2048,
                id="message_flow-2048",
            ),
            pytest.param(
                _set("campaign.message_samples", ["s" * 1024] * 5),
                lambda r: len(r.campaign.message_samples) == 5,
                id="5-samples-of-1024",
            ),
            pytest.param(
                _set("campaign.opt_in_message", "m" * 320),
                lambda r: len(r.campaign.opt_in_message) == 320,
                id="opt_in_message-320",
            ),
            pytest.param(
                _set("numbers", _numbers(400)), lambda r: len(r.numbers) == 400, id="400-numbers"
            ),
            pytest.param(
                _set("campaign.expected_daily_segments", 0),
                lambda r: r.campaign.expected_daily_segments == 0,
                id="zero-segments",
            ),
            pytest.param(
                _set("brand.website", "http://www.springfield.example"),
                lambda r: r.brand.website == "http://www.springfield.example",
                id="plain-http-website",
            ),
        ],
    )
    def test_a_value_at_the_limit_is_accepted(
        self, registration_document: Document, breakage: Breakage, check: Any
    ) -> None:
        breakage(registration_document)

        assert check(RegistrationRequest.model_validate(registration_document))


class TestEinRequirement:
    def test_a_missing_ein_is_refused_for_a_private_company(
        self, registration_document: Document
    ) -> None:
        registration_document["brand"]["entity_type"] = "PRIVATE_PROFIT"
        registration_document["brand"]["ein"] = None

        errors = _errors(registration_document)

        assert [_loc(e) for e in errors] == ["brand"]
        assert "ein is required unless entity_type is SOLE_PROPRIETOR" in errors[0]["msg"]

    def test_an_absent_ein_key_is_refused_for_a_government(
        self, registration_document: Document
    ) -> None:
        del registration_document["brand"]["ein"]

        errors = _errors(registration_document)

        assert [_loc(e) for e in errors] == ["brand"]
        assert "ein is required" in errors[0]["msg"]

    def test_a_missing_ein_is_accepted_for_a_sole_proprietor(
        self, registration_document: Document
    ) -> None:
        brand = registration_document["brand"]
        brand.update(
            entity_type="SOLE_PROPRIETOR",
            business_type="Sole Proprietorship",
            tier="SOLE_PROPRIETOR",
            ein=None,
        )

        request = RegistrationRequest.model_validate(registration_document)

        assert request.brand.ein is None
        assert request.brand.entity_type is EntityType.SOLE_PROPRIETOR

    def test_an_ein_without_dash_is_normalised(self, registration_document: Document) -> None:
        registration_document["brand"]["ein"] = "123456789"

        assert RegistrationRequest.model_validate(registration_document).brand.ein == "12-3456789"


class TestWhitespace:
    def test_whitespace_around_strings_is_stripped(self, registration_document: Document) -> None:
        registration_document["brand"]["legal_name"] = "  City of Springfield \n"
        registration_document["brand"]["address"]["city"] = "\tSpringfield "
        registration_document["brand"]["address"]["region"] = " il "
        registration_document["brand"]["address"]["postal_code"] = " 62701 "
        registration_document["brand"]["ein"] = " 12-3456789 "
        registration_document["representative"]["title"] = " Director "
        registration_document["policies"]["terms_url"] = " https://www.springfield.example/terms "
        registration_document["campaign"]["opt_out_keywords"] = [" STOP "]
        registration_document["campaign"]["message_samples"] = ["  Hello from 311. Reply STOP "]

        request = RegistrationRequest.model_validate(registration_document)

        assert request.brand.legal_name == "City of Springfield"
        assert request.brand.address.city == "Springfield"
        assert request.brand.address.region == "IL"
        assert request.brand.address.postal_code == "62701"
        assert request.brand.ein == "12-3456789"
        assert request.representative.title == "Director"
        assert request.policies.terms_url == "https://www.springfield.example/terms"
        assert request.campaign.opt_out_keywords == ["STOP"]
        assert request.campaign.message_samples == ["Hello from 311. Reply STOP"]


class TestDefaults:
    def test_omitted_keywords_default_to_start_stop_help(
        self, registration_document: Document
    ) -> None:
        campaign = registration_document["campaign"]
        for name in ("opt_in_keywords", "opt_out_keywords", "help_keywords"):
            del campaign[name]

        request = RegistrationRequest.model_validate(registration_document)

        assert request.campaign.opt_in_keywords == ["START"]
        assert request.campaign.opt_out_keywords == ["STOP"]
        assert request.campaign.help_keywords == ["HELP"]


def _event_fields(request: RegistrationRequest, revision: int) -> dict[str, Any]:
    return {"registration_id": "reg-1", "revision": revision, "request": request, "channel": "http"}


class TestRegistrationSubmitted:
    def test_revision_1_is_accepted(self, registration_document: Document) -> None:
        request = RegistrationRequest.model_validate(registration_document)

        event = RegistrationSubmittedV1(**_event_fields(request, 1))

        assert event.revision == 1
        assert event.event_type == "registration.submitted"

    def test_revision_0_is_refused(self, registration_document: Document) -> None:
        request = RegistrationRequest.model_validate(registration_document)

        with pytest.raises(ValidationError) as exc:
            RegistrationSubmittedV1(**_event_fields(request, 0))

        errors = exc.value.errors(include_url=False)
        assert [_loc(e) for e in errors] == ["revision"]
        assert "greater than or equal to 1" in errors[0]["msg"]

    def test_an_unknown_channel_is_refused(self, registration_document: Document) -> None:
        request = RegistrationRequest.model_validate(registration_document)

        with pytest.raises(ValidationError) as exc:
            RegistrationSubmittedV1(**{**_event_fields(request, 1), "channel": "email"})

        assert [_loc(e) for e in exc.value.errors()] == ["channel"]


class TestRegistrationCorrected:
    def test_revision_2_is_accepted(self, registration_document: Document) -> None:
        request = RegistrationRequest.model_validate(registration_document)

        event = RegistrationCorrectedV1(**_event_fields(request, 2))

        assert event.revision == 2
        assert event.event_type == "registration.corrected"

    def test_revision_1_is_refused(self, registration_document: Document) -> None:
        request = RegistrationRequest.model_validate(registration_document)

        with pytest.raises(ValidationError) as exc:
            RegistrationCorrectedV1(**_event_fields(request, 1))

        errors = exc.value.errors(include_url=False)
        assert [_loc(e) for e in errors] == ["revision"]
        assert "greater than or equal to 2" in errors[0]["msg"]
