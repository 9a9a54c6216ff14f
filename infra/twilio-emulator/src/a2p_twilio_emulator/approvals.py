"""The reviews Twilio (bundles) and The Campaign Registry (brands, campaigns) run, as background
tasks: each takes its outcome from the kind's script when it starts, then ends after the delay."""

import asyncio
from datetime import timedelta
from typing import Any

from a2p_twilio_emulator import bundles, registrations
from a2p_twilio_emulator.bundles import Bundle
from a2p_twilio_emulator.clock import now
from a2p_twilio_emulator.registrations import Brand
from a2p_twilio_emulator.review import ReviewedKind, errors_of
from a2p_twilio_emulator.services import MessagingService
from a2p_twilio_emulator.state import EmulatorState

BUNDLE_KINDS: dict[str, ReviewedKind] = {
    "customer_profile": "customer-profiles",
    "trust_product": "trust-products",
}


def assigned_objects(state: EmulatorState, bundle: Bundle) -> list[bundles.Assigned]:
    found: list[bundles.Assigned] = []
    for assignment in state.assignments.values():
        if assignment.bundle is not bundle:
            continue
        sid = assignment.object_sid
        item = state.end_users.get(sid) or state.documents.get(sid) or state.bundles.get(sid)
        if item is not None:
            found.append(item)
    return found


def evaluate_bundle(state: EmulatorState, bundle: Bundle, policy_sid: str) -> list[dict[str, Any]]:
    return bundles.evaluate(
        policy_sid,
        assigned_objects(state, bundle),
        set(state.addresses),
        state.settings.primary_customer_profile_sid,
    )


async def review_bundle(state: EmulatorState, bundle: Bundle) -> None:
    """`pending-review` -> `in-review` -> `twilio-approved` | `twilio-rejected`.

    A bundle whose evaluation is noncompliant is rejected whatever the script says, with the
    error codes of the failed requirements.
    """
    kind = BUNDLE_KINDS[bundle.kind]
    if not bundles.start_review(bundle):
        return
    outcome = state.scripts[kind].next()
    await _bundle_status_changed(state, bundle)
    if outcome.outcome == "pending":
        return
    await asyncio.sleep(state.review_delay(outcome.delay_s))
    failed = [
        result
        for result in evaluate_bundle(state, bundle, bundle.policy_sid)
        if not result["passed"]
    ]
    if failed:
        bundles.reject(bundle, [{"code": result["error_code"]} for result in failed])
    elif outcome.outcome == "failed":
        bundles.reject(bundle, [{"code": error.code} for error in errors_of(kind, outcome)])
    else:
        bundles.approve(bundle, valid_until=now() + timedelta(days=365))
    await _bundle_status_changed(state, bundle)


async def _bundle_status_changed(state: EmulatorState, bundle: Bundle) -> None:
    if not bundle.status_callback:
        return
    params = {
        "AccountSid": bundle.account_sid,
        "BundleSid": bundle.sid,
        "Status": bundle.status,
    }
    if bundle.errors:
        params["FailureReason"] = ",".join(str(error.get("code")) for error in bundle.errors)
    await state.webhooks.send("bundle-status", bundle.status_callback, params)


async def review_brand(state: EmulatorState, brand: Brand) -> None:
    """`PENDING` -> `APPROVED` | `FAILED` (a creation or a resubmission)."""
    outcome = state.scripts["brands"].next()
    if outcome.outcome == "pending":
        return
    await asyncio.sleep(state.review_delay(outcome.delay_s))
    if outcome.outcome == "failed":
        registrations.fail_brand(brand, errors_of("brands", outcome))
    else:
        registrations.approve_brand(brand, outcome.brand_score)


async def review_campaign(state: EmulatorState, service: MessagingService) -> None:
    """`IN_PROGRESS` -> `VERIFIED` | `FAILED`."""
    campaign = service.campaign
    if campaign is None:
        return
    outcome = state.scripts["campaigns"].next()
    if outcome.outcome == "pending":
        return
    await asyncio.sleep(state.review_delay(outcome.delay_s))
    if service.campaign is not campaign:  # deleted while in review
        return
    if outcome.outcome == "failed":
        registrations.fail_campaign(campaign, errors_of("campaigns", outcome))
    else:
        brand = state.brands.get(campaign.brand_registration_sid)
        registrations.verify_campaign(campaign, brand.brand_score if brand else None)
