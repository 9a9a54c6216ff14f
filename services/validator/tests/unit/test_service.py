"""The validator's use cases on in-memory doubles: one verdict per revision, never linted twice."""

from typing import Any

from a2p_shared.events import Envelope, RegistrationRequest, RegistrationSubmittedV1
from a2p_shared.events.policy import PolicyValidatedV1
from a2p_shared.fees import FeeTable
from a2p_shared.testing.examples import example_registration
from a2p_validator import service
from a2p_validator.domain.pages import Page, PageProblem


class PagesByUrl:
    def __init__(self) -> None:
        self.fetched: list[str] = []

    async def fetch(self, url: str) -> Page:
        self.fetched.append(url)
        return Page(
            url=url, final_url=url, status=404, problem=PageProblem.NOT_FOUND, detail="HTTP 404"
        )

    async def close(self) -> None:
        pass


class Validations:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}

    async def find(self, registration_id: str, revision: int) -> dict[str, Any] | None:
        return self.rows.get((registration_id, revision))

    async def keep(
        self, event: dict[str, Any], registration_id: str, revision: int
    ) -> dict[str, Any]:
        return self.rows.setdefault((registration_id, revision), event)


class Published:
    def __init__(self) -> None:
        self.events: list[Envelope[Any]] = []

    async def publish(self, envelope: Envelope[Any]) -> None:
        self.events.append(envelope)


def submitted(revision: int = 1) -> Envelope[RegistrationSubmittedV1]:
    request = RegistrationRequest.model_validate(example_registration())
    return Envelope.new(
        RegistrationSubmittedV1(
            registration_id="reg-1", revision=revision, request=request, channel="http"
        ),
        tenant_id="springfield-il",
        correlation_id="reg-1",
    )


async def test_a_revision_is_answered_with_its_verdict_findings_and_fees() -> None:
    fetcher, store, bus = PagesByUrl(), Validations(), Published()
    source = submitted()

    event = await service.validate_revision(store, bus, fetcher, FeeTable(), source)

    assert bus.events == [event]
    assert isinstance(event.payload, PolicyValidatedV1)
    assert (event.payload.registration_id, event.payload.revision) == ("reg-1", 1)
    assert (event.tenant_id, event.correlation_id) == ("springfield-il", "reg-1")
    assert event.causation_id == str(source.event_id)
    assert event.event_id == service.validated_event_id("reg-1", 1)
    assert event.payload.verdict == "fail"
    assert {"PP-01", "WEB-01", "TOS-01"} <= {f.rule for f in event.payload.findings}
    assert [f.item for f in event.payload.fees] == [
        "brand_registration",
        "campaign_vetting",
        "campaign_monthly",
    ]
    assert sorted(fetcher.fetched) == sorted(
        {
            "https://www.springfield.example",
            "https://www.springfield.example/privacy",
            "https://www.springfield.example/terms",
        }
    )


async def test_a_redelivered_revision_republishes_the_first_verdict_without_fetching_again() -> (
    None
):
    fetcher, store, bus = PagesByUrl(), Validations(), Published()
    source = submitted()

    first = await service.validate_revision(store, bus, fetcher, FeeTable(), source)
    fetches = len(fetcher.fetched)
    again = await service.validate_revision(store, bus, fetcher, FeeTable(), source)

    assert len(fetcher.fetched) == fetches
    assert again == first
    assert [e.event_id for e in bus.events] == [first.event_id, first.event_id]


async def test_each_revision_gets_its_own_verdict() -> None:
    store, bus = Validations(), Published()
    one = await service.validate_revision(store, bus, PagesByUrl(), FeeTable(), submitted(1))
    two = await service.validate_revision(store, bus, PagesByUrl(), FeeTable(), submitted(2))
    assert one.event_id != two.event_id
    assert (one.payload.revision, two.payload.revision) == (1, 2)


async def test_lint_fetches_each_page_once_even_when_urls_repeat() -> None:
    document = example_registration()
    document["campaign"]["opt_in_methods"] = [
        {
            "kind": "web_form",
            "url": "https://www.springfield.example/privacy",
            "categories": ["transactional"],
        }
    ]
    fetcher = PagesByUrl()

    report = await service.lint(RegistrationRequest.model_validate(document), fetcher)

    assert len(fetcher.fetched) == len(set(fetcher.fetched)) == 3
    assert report.verdict == "fail"


def test_an_empty_fees_file_setting_means_the_default_table(monkeypatch) -> None:
    from a2p_validator.settings import ValidatorSettings

    monkeypatch.setenv("A2P_FEES_FILE", "")
    assert ValidatorSettings().fee_table() == FeeTable()


def test_a_fees_file_overrides_the_default_amounts(monkeypatch, tmp_path) -> None:
    from a2p_validator.settings import ValidatorSettings

    path = tmp_path / "fees.json"
    path.write_text('{"campaign_vetting": 20.0}')
    monkeypatch.setenv("A2P_FEES_FILE", str(path))
    assert ValidatorSettings().fee_table().campaign_vetting == 20.0
