"""The committed AsyncAPI documents are the published contract: code may not drift from them."""

from pathlib import Path

from a2p_shared import contracts

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {"intake", "validator", "registrar", "messaging", "optout"}


def test_every_service_publishes_a_contract() -> None:
    assert set(contracts.service_factories()) == SERVICES
    for name in SERVICES:
        assert contracts.document_path(ROOT, name).is_file(), name


def test_committed_asyncapi_documents_match_the_code() -> None:
    drifted = contracts.drift(ROOT)

    assert not drifted, "regenerate with `make contracts` and review:\n" + "\n".join(
        drifted.values()
    )


def test_drift_is_detected(tmp_path: Path) -> None:
    for name in SERVICES:
        path = contracts.document_path(tmp_path, name)
        path.parent.mkdir(parents=True)
        path.write_text(contracts.document_path(ROOT, name).read_text())
    intake = contracts.document_path(tmp_path, "intake")
    intake.write_text(intake.read_text().replace("a2p.registration.submitted.v1", "renamed.v1"))

    assert set(contracts.drift(tmp_path)) == {"intake"}


def test_the_intake_contract_names_its_topics_and_schemas() -> None:
    document = contracts.document_path(ROOT, "intake").read_text()

    for expected in (
        "a2p.intake.registrations",
        "a2p.registration.submitted.v1",
        "SubmitRegistration",
        "RegistrationSubmittedV1",
    ):
        assert expected in document
