"""Waiting for a consumer group to settle before a bench starts its clock."""

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient


async def group_stable(bootstrap: str, group: str, members: int, within_s: float = 60) -> None:
    """Returns once `group` is Stable with `members` members (each instance has joined)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            [response] = await admin.describe_consumer_groups([group])
            _, _, state, _, _, joined = response.groups[0][:6]
            if state == "Stable" and len(joined) == members:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"consumer group {group} did not settle with {members} members")
    finally:
        await admin.close()
