"""One contract, two implementations: the in-memory fake and the MongoDB adapter behave the
same, so the unit tests on the fake say something true about production."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from a2p_messaging.adapters.mongo_store import MongoMessagingStore
from a2p_messaging.domain import SendRecord

from services.messaging.tests.fakes import NUMBER_A, TENANT_A, MemoryStore, a_number

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SID = "SM" + "c" * 32


class MessagingStoreContract:
    """Subclasses provide an empty `empty` store fixture."""

    async def test_a_saved_number_is_found_by_its_phone(self, empty: Any) -> None:
        await empty.save(a_number())

        assert await empty.get(NUMBER_A) == a_number()
        assert await empty.get("+13125550100") is None

    async def test_saving_again_replaces_and_keeps_one_entry(self, empty: Any) -> None:
        await empty.save(a_number())
        moved = replace(a_number(), tenant_id="chicago-il", registration_id="reg_2")
        await empty.save(moved)
        await empty.save(moved)

        assert await empty.get(NUMBER_A) == moved

    async def test_an_inbound_delivery_is_recorded_once(self, empty: Any) -> None:
        first, second = uuid.uuid4(), uuid.uuid4()
        assert not await empty.inbound_recorded(SID)

        await empty.record_inbound(SID, TENANT_A, first, AT)
        await empty.record_inbound(SID, TENANT_A, second, AT)

        assert await empty.inbound_recorded(SID)
        assert not await empty.inbound_recorded("SM" + "d" * 32)

    async def test_statuses_are_recorded_per_message_and_status(self, empty: Any) -> None:
        await empty.record_status(f"{SID}:sent", TENANT_A, uuid.uuid4(), AT)

        assert await empty.status_recorded(f"{SID}:sent")
        assert not await empty.status_recorded(f"{SID}:delivered")

    async def test_an_unknown_twilio_sid_names_no_message(self, empty: Any) -> None:
        assert await empty.message_id_for(SID) is None


class TestMemoryStore(MessagingStoreContract):
    @pytest.fixture
    def empty(self) -> MemoryStore:
        return MemoryStore()


class TestMongoMessagingStore(MessagingStoreContract):
    @pytest.fixture
    async def empty(self, mongo_db: Any) -> MongoMessagingStore:
        store = MongoMessagingStore(mongo_db)
        await store.ensure_indexes()
        return store

    async def test_a_message_the_send_pipeline_recorded_is_found_by_its_twilio_sid(
        self, empty: MongoMessagingStore, mongo_db: Any
    ) -> None:
        await mongo_db["messages"].insert_one(
            {"_id": "tenant-a:key-1", "message_id": "msg_42", "twilio_sid": SID}
        )

        assert await empty.message_id_for(SID) == "msg_42"

    async def test_a_recorded_delivery_names_its_tenant_and_event(
        self, empty: MongoMessagingStore, mongo_db: Any
    ) -> None:
        event_id = uuid.uuid4()
        await empty.record_inbound(SID, TENANT_A, event_id, AT)
        await empty.record_inbound(SID, "someone-else", uuid.uuid4(), AT)

        document = await mongo_db["inbound_messages"].find_one({"_id": SID})
        assert (document["tenant_id"], document["event_id"]) == (TENANT_A, str(event_id))

    async def test_a_sent_record_whose_status_twilio_reported_reads_back_for_a_redelivery(
        self, empty: MongoMessagingStore
    ) -> None:
        record = SendRecord(
            tenant_id=TENANT_A,
            idempotency_key="key-1",
            message_id="msg_42",
            to="+13125550142",
            state="sending",
            from_number=NUMBER_A,
            segments=1,
        )
        assert await empty.begin(record)
        record.state, record.twilio_sid = "sent", SID
        await empty.finish(record)
        await empty.update_status(SID, "delivered", AT)

        found = await empty.get_record(TENANT_A, "key-1")

        assert found is not None
        assert (found.state, found.twilio_sid, found.status) == ("sent", SID, "delivered")
        assert found.status_at is not None

    async def test_one_attempt_at_a_time_may_call_twilio_for_a_sending_record(
        self, empty: MongoMessagingStore
    ) -> None:
        later = AT + timedelta(seconds=30)
        record = SendRecord(
            tenant_id=TENANT_A,
            idempotency_key="key-2",
            message_id="msg_43",
            to="+13125550142",
            state="sending",
            attempt_until=later,
        )
        assert await empty.begin(record)

        assert not await empty.claim(record, AT, AT + timedelta(seconds=60))  # theirs, running
        assert await empty.claim(record, later + timedelta(seconds=1), later + timedelta(60))
        assert not await empty.claim(record, later + timedelta(seconds=2), later + timedelta(90))
        await empty.release_claim(record)
        assert await empty.claim(record, later + timedelta(seconds=3), later + timedelta(90))
