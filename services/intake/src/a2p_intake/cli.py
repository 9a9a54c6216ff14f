"""`a2p keys …`: create, list and revoke the platform API keys intake accepts."""

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from a2p_intake import service
from a2p_intake.adapters.mongo_store import MongoApiKeyStore
from a2p_intake.settings import IntakeSettings
from a2p_shared.clock import SystemClock
from a2p_shared.mongo import database, mongo_client


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser("keys", help="platform API keys for the intake API")
    actions = keys.add_subparsers(dest="action", required=True)

    create = actions.add_parser("create", help="issue a key; the token is printed once")
    create.add_argument("--platform", required=True, help="who the key is for, e.g. close-crm")
    create.add_argument(
        "--tenant",
        dest="tenants",
        action="append",
        required=True,
        help="a tenant id the key may act for; repeat for several, '*' for all",
    )
    create.set_defaults(run=lambda args: _run(_create, args))

    revoke = actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=lambda args: _run(_revoke, args))

    listing = actions.add_parser("list", help="list keys (ids and scopes, never secrets)")
    listing.set_defaults(run=lambda args: _run(_list, args))


def _run(
    action: Callable[[MongoApiKeyStore, argparse.Namespace], Awaitable[int]], args: Any
) -> int:
    async def go() -> int:
        settings = IntakeSettings()
        client = mongo_client(settings)
        try:
            return await action(MongoApiKeyStore(database(client, settings)), args)
        finally:
            await client.close()

    return asyncio.run(go())


async def _create(keys: MongoApiKeyStore, args: argparse.Namespace) -> int:
    key, token = await service.create_api_key(
        keys, SystemClock(), platform=args.platform, tenants=args.tenants
    )
    print(
        json.dumps(
            {"key_id": key.key_id, "platform": key.platform, "tenants": key.tenants, "token": token}
        )
    )
    return 0


async def _revoke(keys: MongoApiKeyStore, args: argparse.Namespace) -> int:
    if await service.revoke_api_key(keys, SystemClock(), args.key_id):
        print(f"revoked {args.key_id}")
        return 0
    print(f"no active key {args.key_id}")
    return 1


async def _list(keys: MongoApiKeyStore, args: argparse.Namespace) -> int:
    for key in await keys.list():
        state = "revoked" if key.revoked_at else "active"
        print(f"{key.key_id}  {state:7}  {key.platform}  tenants={','.join(key.tenants)}")
    return 0
