"""TrustHub v1, served under `/trusthub`: CustomerProfiles and TrustProducts (with their
EntityAssignments and Evaluations), EndUsers, SupportingDocuments."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from a2p_twilio_emulator import bundles
from a2p_twilio_emulator.approvals import evaluate_bundle, review_bundle
from a2p_twilio_emulator.auth import require_account
from a2p_twilio_emulator.bundles import (
    BUNDLE_COLLECTIONS,
    Bundle,
    BundleKind,
    EndUser,
    EntityAssignment,
    Evaluation,
    SupportingDocument,
)
from a2p_twilio_emulator.clock import now
from a2p_twilio_emulator.errors import invalid_parameter
from a2p_twilio_emulator.forms import Form
from a2p_twilio_emulator.pages import v1_page
from a2p_twilio_emulator.sids import new_sid
from a2p_twilio_emulator.state import EmulatorState, current_state, find, not_found_here

router = APIRouter(prefix="/trusthub/v1", dependencies=[Depends(require_account)])
State = Annotated[EmulatorState, Depends(current_state)]

PARENT_PARAM: dict[BundleKind, str] = {
    "customer_profile": "CustomerProfileSid",
    "trust_product": "TrustProductSid",
}


def _bundle(state: EmulatorState, kind: BundleKind, sid: str, request: Request) -> Bundle:
    bundle = find(state.bundles, sid, request)
    if bundle.kind != kind:
        raise not_found_here(request)
    return bundle


def _add_bundle_routes(kind: BundleKind) -> None:
    """CustomerProfiles and TrustProducts share one shape: the same routes for each."""
    base = f"/{BUNDLE_COLLECTIONS[kind]}"
    parent = f"{base}/{{{PARENT_PARAM[kind]}}}"

    def owner(state: EmulatorState, request: Request) -> Bundle:
        return _bundle(state, kind, request.path_params[PARENT_PARAM[kind]], request)

    @router.post(base, status_code=201, name=f"create_{kind}")
    async def create(request: Request, state: State) -> dict[str, Any]:
        form = await Form.read(request)
        bundle = Bundle(
            kind=kind,
            sid=new_sid("BU"),
            account_sid=state.account_sid,
            policy_sid=form.require("PolicySid"),
            friendly_name=form.require("FriendlyName"),
            email=form.require("Email"),
            status_callback=form.get("StatusCallback"),
        )
        state.bundles[bundle.sid] = bundle
        return bundle.to_json()

    @router.get(base, name=f"list_{kind}")
    async def list_all(request: Request, state: State) -> dict[str, Any]:
        query = request.query_params
        found = [
            bundle.to_json()
            for bundle in state.bundles.values()
            if bundle.kind == kind
            and query.get("Status", bundle.status) == bundle.status
            and query.get("FriendlyName", bundle.friendly_name) == bundle.friendly_name
            and query.get("PolicySid", bundle.policy_sid) == bundle.policy_sid
        ]
        return v1_page(request, "results", found)

    @router.get(f"{base}/{{Sid}}", name=f"fetch_{kind}")
    async def fetch(Sid: str, request: Request, state: State) -> dict[str, Any]:
        return _bundle(state, kind, Sid, request).to_json()

    @router.post(f"{base}/{{Sid}}", name=f"update_{kind}")
    async def update(Sid: str, request: Request, state: State) -> dict[str, Any]:
        bundle = _bundle(state, kind, Sid, request)
        form = await Form.read(request)
        bundle.friendly_name = form.get("FriendlyName", bundle.friendly_name) or ""
        bundle.email = form.get("Email", bundle.email) or ""
        bundle.status_callback = form.get("StatusCallback", bundle.status_callback)
        bundle.date_updated = now()
        status = form.get("Status")
        if status is not None:
            if status != "pending-review":
                raise invalid_parameter("Status", status, "only pending-review can be requested")
            bundles.submit_for_review(bundle)
            state.spawn(review_bundle(state, bundle))
        return bundle.to_json()

    @router.delete(f"{base}/{{Sid}}", status_code=204, name=f"delete_{kind}")
    async def delete(Sid: str, request: Request, state: State) -> Response:
        bundle = _bundle(state, kind, Sid, request)
        del state.bundles[bundle.sid]
        return Response(status_code=204)

    @router.post(f"{parent}/EntityAssignments", status_code=201, name=f"assign_to_{kind}")
    async def assign(request: Request, state: State) -> dict[str, Any]:
        bundle = owner(state, request)
        object_sid = (await Form.read(request)).require("ObjectSid")
        if not any(
            object_sid in table for table in (state.end_users, state.documents, state.bundles)
        ):
            raise invalid_parameter("ObjectSid", object_sid, "no such end user, document or bundle")
        assignment = EntityAssignment(new_sid("BV"), state.account_sid, bundle, object_sid)
        state.assignments[assignment.sid] = assignment
        return assignment.to_json()

    @router.get(f"{parent}/EntityAssignments", name=f"list_{kind}_assignments")
    async def list_assignments(request: Request, state: State) -> dict[str, Any]:
        bundle = owner(state, request)
        found = [a.to_json() for a in state.assignments.values() if a.bundle is bundle]
        return v1_page(request, "results", found)

    @router.get(f"{parent}/EntityAssignments/{{Sid}}", name=f"fetch_{kind}_assignment")
    async def fetch_assignment(Sid: str, request: Request, state: State) -> dict[str, Any]:
        bundle = owner(state, request)
        assignment = find(state.assignments, Sid, request)
        if assignment.bundle is not bundle:
            raise not_found_here(request)
        return assignment.to_json()

    @router.delete(
        f"{parent}/EntityAssignments/{{Sid}}", status_code=204, name=f"unassign_from_{kind}"
    )
    async def unassign(Sid: str, request: Request, state: State) -> Response:
        bundle = owner(state, request)
        assignment = find(state.assignments, Sid, request)
        if assignment.bundle is not bundle:
            raise not_found_here(request)
        del state.assignments[Sid]
        return Response(status_code=204)

    @router.post(f"{parent}/Evaluations", status_code=201, name=f"evaluate_{kind}")
    async def evaluate(request: Request, state: State) -> dict[str, Any]:
        bundle = owner(state, request)
        policy_sid = (await Form.read(request)).require("PolicySid")
        evaluation = Evaluation(
            sid=new_sid("EL"),
            account_sid=state.account_sid,
            bundle=bundle,
            policy_sid=policy_sid,
            results=evaluate_bundle(state, bundle, policy_sid),
        )
        state.evaluations[evaluation.sid] = evaluation
        return evaluation.to_json()

    @router.get(f"{parent}/Evaluations", name=f"list_{kind}_evaluations")
    async def list_evaluations(request: Request, state: State) -> dict[str, Any]:
        bundle = owner(state, request)
        found = [e.to_json() for e in state.evaluations.values() if e.bundle is bundle]
        return v1_page(request, "results", found)

    @router.get(f"{parent}/Evaluations/{{Sid}}", name=f"fetch_{kind}_evaluation")
    async def fetch_evaluation(Sid: str, request: Request, state: State) -> dict[str, Any]:
        bundle = owner(state, request)
        evaluation = find(state.evaluations, Sid, request)
        if evaluation.bundle is not bundle:
            raise not_found_here(request)
        return evaluation.to_json()


_add_bundle_routes("customer_profile")
_add_bundle_routes("trust_product")


@router.post("/EndUsers", status_code=201)
async def create_end_user(request: Request, state: State) -> dict[str, Any]:
    form = await Form.read(request)
    kind = form.require("Type")
    if kind not in bundles.END_USER_TYPES:
        raise invalid_parameter("Type", kind, "not an end-user type")
    end_user = EndUser(
        sid=new_sid("IT"),
        account_sid=state.account_sid,
        type=kind,
        friendly_name=form.require("FriendlyName"),
        attributes=form.json("Attributes"),
    )
    state.end_users[end_user.sid] = end_user
    return end_user.to_json()


@router.get("/EndUsers")
async def list_end_users(request: Request, state: State) -> dict[str, Any]:
    return v1_page(request, "results", [user.to_json() for user in state.end_users.values()])


@router.get("/EndUsers/{Sid}")
async def fetch_end_user(Sid: str, request: Request, state: State) -> dict[str, Any]:
    return find(state.end_users, Sid, request).to_json()


@router.post("/EndUsers/{Sid}")
async def update_end_user(Sid: str, request: Request, state: State) -> dict[str, Any]:
    end_user = find(state.end_users, Sid, request)
    form = await Form.read(request)
    end_user.friendly_name = form.get("FriendlyName", end_user.friendly_name) or ""
    if "Attributes" in form:
        end_user.attributes = form.json("Attributes")
    end_user.date_updated = now()
    return end_user.to_json()


@router.post("/SupportingDocuments", status_code=201)
async def create_document(request: Request, state: State) -> dict[str, Any]:
    form = await Form.read(request)
    kind = form.require("Type")
    if kind not in bundles.DOCUMENT_TYPES:
        raise invalid_parameter("Type", kind, "not a supporting document type")
    document = SupportingDocument(
        sid=new_sid("RD"),
        account_sid=state.account_sid,
        type=kind,
        friendly_name=form.require("FriendlyName"),
        attributes=form.json("Attributes"),
    )
    state.documents[document.sid] = document
    return document.to_json()


@router.get("/SupportingDocuments")
async def list_documents(request: Request, state: State) -> dict[str, Any]:
    return v1_page(request, "results", [doc.to_json() for doc in state.documents.values()])


@router.get("/SupportingDocuments/{Sid}")
async def fetch_document(Sid: str, request: Request, state: State) -> dict[str, Any]:
    return find(state.documents, Sid, request).to_json()


@router.post("/SupportingDocuments/{Sid}")
async def update_document(Sid: str, request: Request, state: State) -> dict[str, Any]:
    document = find(state.documents, Sid, request)
    form = await Form.read(request)
    document.friendly_name = form.get("FriendlyName", document.friendly_name) or ""
    if "Attributes" in form:
        document.attributes = form.json("Attributes")
    document.date_updated = now()
    return document.to_json()
