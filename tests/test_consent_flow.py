"""People's texts from the Twilio emulator through the messaging service's signed webhook and
the optout service to the consent topic, and out through intake's consent export.

Two tenants: one in keyword mode with two numbers, one in reasonable-means mode. Messaging,
optout and intake run on the test's real Kafka and MongoDB; the emulator posts every text,
signed, to messaging's socket as Twilio would.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_messaging.app import create_app as create_messaging
from a2p_messaging.settings import MessagingSettings
from a2p_optout.app import create_app as create_optout
from a2p_optout.domain import Intent
from a2p_optout.settings import OptoutSettings
from a2p_shared.events import (
    ConsentReviewRequestedV1,
    Envelope,
    MessageRequestedV1,
    OptOutRecordedV1,
    Purpose,
    RegistrationSubmittedV1,
)
from a2p_shared.testing.kafka import produce, read_topic
from a2p_shared.testing.waiting import eventually
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import serve

from services.optout.tests.reading_table import TABLE
from tests.support import (
    Infra,
    IssueKey,
    Key,
    Running,
    RunService,
    Tenant,
    free_port,
    listening,
    onboarded,
    register_numbers,
)

pytestmark = pytest.mark.infra

KEYWORD_NUMBERS = ["+12175550100", "+12175550101"]
REASONABLE_NUMBER = "+13175550100"


@dataclass
class Stack:
    infra: Infra
    admin: httpx.AsyncClient
    intake: Running
    keyword: Tenant
    reasonable: Tenant
    keys: dict[str, Key]

    async def text(self, sender: str, to: str, body: str) -> None:
        """A person's text, through the emulator (Twilio) to messaging's signed webhook."""
        sent = await self.admin.post("/inbound", json={"from": sender, "to": to, "body": body})
        sent.raise_for_status()
        assert sent.json()["webhook_status"] == 200, sent.json()

    async def export(self, tenant: Tenant, phone: str) -> httpx.Response:
        return await self.intake.http.get(
            f"/v1/tenants/{tenant.tenant_id}/consent/{phone}",
            headers=self.keys[tenant.tenant_id].headers,
        )


async def _registered(infra: Infra, tenant_id: str, document: dict[str, Any], mode: str) -> None:
    event = Envelope.new(
        RegistrationSubmittedV1(
            registration_id=f"reg_{tenant_id}",
            revision=1,
            request={**document, "messaging": {"opt_out_mode": mode}},
            channel="http",
        ),
        tenant_id=tenant_id,
        correlation_id=f"reg_{tenant_id}",
    )
    await produce(
        infra.kafka_bootstrap,
        infra.topics.of(RegistrationSubmittedV1),
        event.model_dump_json().encode(),
        key=tenant_id.encode(),
    )


@pytest.fixture
async def stack(
    infra: Infra,
    run_service: RunService,
    mongo_db: Any,
    unique: str,
    issue_key: IssueKey,
    registration_document: dict[str, Any],
) -> AsyncIterator[Stack]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    webhooks = {"inbound_request_url": f"{url}/twilio/inbound"}
    keyword_id, reasonable_id = f"{unique}-keyword", f"{unique}-reasonable"
    for tenant_id, mode in ((keyword_id, "keyword"), (reasonable_id, "reasonable_means")):
        await _registered(infra, tenant_id, registration_document, mode)
    async with serve() as emulator:
        twilio = twilio_client(TwilioSettings(api_url=emulator.url))
        try:
            keyword = await onboarded(twilio, keyword_id, KEYWORD_NUMBERS, **webhooks)
            reasonable = await onboarded(twilio, reasonable_id, [REASONABLE_NUMBER], **webhooks)
            messaging_settings = infra.settings(MessagingSettings, public_url=url)
            async with (
                run_service(create_messaging, messaging_settings) as messaging,
                listening(messaging.app, port),
                run_service(create_optout, infra.settings(OptoutSettings)),
                run_service(create_intake, infra.settings(IntakeSettings)) as intake,
                httpx.AsyncClient(base_url=f"{emulator.url}/_emulator") as admin,
            ):
                numbers = {phone: keyword_id for phone in KEYWORD_NUMBERS}
                await register_numbers(
                    infra, mongo_db, {**numbers, REASONABLE_NUMBER: reasonable_id}
                )

                async def profiles_known() -> bool:
                    return await mongo_db["tenant_profiles"].count_documents({}) == 2

                await eventually(profiles_known)
                keys = {t: await issue_key(t) for t in (keyword_id, reasonable_id)}
                yield Stack(infra, admin, intake, keyword, reasonable, keys)
        finally:
            await close_twilio_client(twilio)


async def _records(infra: Infra, payload_cls: type[Any], expect: int) -> list[dict[str, Any]]:
    records = await read_topic(
        infra.kafka_bootstrap, infra.topics.of(payload_cls), expect=expect, within=60, settle=2.0
    )
    return [json.loads(record.value) for record in records]


async def test_every_text_of_the_table_means_the_same_through_the_whole_pipeline(
    stack: Stack,
) -> None:
    rows = [row for row in TABLE if row[0].strip()]
    people = {row[0]: f"+1312555{index:04d}" for index, row in enumerate(rows)}
    for text, _, _ in rows:
        await asyncio.gather(
            stack.text(people[text], stack.keyword.number, text),
            stack.text(people[text], stack.reasonable.number, text),
        )
    changes_expected = sum(
        (keyword in (Intent.OPT_OUT, Intent.OPT_IN))
        + (reasonable in (Intent.OPT_OUT, Intent.OPT_IN))
        for _, keyword, reasonable in rows
    )
    changes = await _records(stack.infra, OptOutRecordedV1, changes_expected)
    reviews = await _records(stack.infra, ConsentReviewRequestedV1, 1)
    replies = await _records(stack.infra, MessageRequestedV1, len(rows))

    seen: dict[tuple[str, str], set[Intent]] = {}
    for change in changes:
        intent = Intent.OPT_OUT if change["type"] == "optout.recorded" else Intent.OPT_IN
        seen.setdefault((change["tenant_id"], change["payload"]["phone"]), set()).add(intent)
    for review in reviews:
        seen.setdefault((review["tenant_id"], review["payload"]["phone"]), set()).add(Intent.REVIEW)
    for reply in replies:
        if reply["payload"]["purpose"] == Purpose.HELP_REPLY:
            seen.setdefault((reply["tenant_id"], reply["payload"]["to"]), set()).add(Intent.HELP)

    expected: dict[tuple[str, str], set[Intent]] = {}
    for text, keyword, reasonable in rows:
        for tenant, intent in ((stack.keyword, keyword), (stack.reasonable, reasonable)):
            if intent is not Intent.OTHER:
                expected[(tenant.tenant_id, people[text])] = {intent}
    assert seen == expected


async def test_stop_to_one_number_is_exported_tenant_wide_and_start_lifts_it(
    stack: Stack,
) -> None:
    person = "+13125550142"
    await stack.text(person, KEYWORD_NUMBERS[1], "STOP")
    await stack.text(person, KEYWORD_NUMBERS[0], "stop")
    await stack.text(person, REASONABLE_NUMBER, "Is the library open?")

    async def opted_out() -> dict[str, Any] | None:
        shown = await stack.export(stack.keyword, person)
        return dict(shown.json()) if shown.status_code == 200 else None

    exported = await eventually(opted_out, within=20)
    assert exported["state"] == "opted_out"
    [entry] = exported["history"]
    assert (entry["source"], entry["keyword"], entry["via_number"]) == (
        "keyword",
        "STOP",
        KEYWORD_NUMBERS[1],
    )
    assert (await stack.export(stack.reasonable, person)).status_code == 404

    await stack.text(person, KEYWORD_NUMBERS[0], "START")

    async def opted_in() -> dict[str, Any] | None:
        shown = (await stack.export(stack.keyword, person)).json()
        return dict(shown) if shown["state"] == "opted_in" else None

    exported = await eventually(opted_in, within=20)
    assert [h["state"] for h in exported["history"]] == ["opted_out", "opted_in"]
    replies = await _records(stack.infra, MessageRequestedV1, 3)
    purposes = sorted(
        (r["tenant_id"] == stack.keyword.tenant_id, r["payload"]["purpose"]) for r in replies
    )
    assert purposes == [
        (False, Purpose.FIRST_CONTACT),
        (True, Purpose.OPTIN_CONFIRMATION),
        (True, Purpose.OPTOUT_CONFIRMATION),
    ]
