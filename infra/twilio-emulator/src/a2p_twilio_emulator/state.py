"""Everything the emulated account holds, in memory: one process, one event loop, no database.

Background work (reviews ending, messages progressing) runs as tasks owned here, so a reset or
shutdown cancels it.
"""

import asyncio
import contextlib
import random
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import Request

from a2p_twilio_emulator.bundles import (
    CUSTOMER_PROFILE_POLICY,
    Bundle,
    EndUser,
    EntityAssignment,
    Evaluation,
    SupportingDocument,
)
from a2p_twilio_emulator.canonical import twilio_path
from a2p_twilio_emulator.clock import now
from a2p_twilio_emulator.errors import TwilioError, not_found
from a2p_twilio_emulator.messages import Message, MessageBehaviour
from a2p_twilio_emulator.numbers import Address, PhoneNumber
from a2p_twilio_emulator.optout import BlockList
from a2p_twilio_emulator.registrations import Brand
from a2p_twilio_emulator.review import ReviewedKind, Script, fresh_scripts
from a2p_twilio_emulator.services import MessagingService
from a2p_twilio_emulator.settings import EmulatorSettings
from a2p_twilio_emulator.sids import new_sid
from a2p_twilio_emulator.webhooks import Webhooks

T = TypeVar("T")


class EmulatorState:
    def __init__(self, settings: EmulatorSettings, webhooks: Webhooks) -> None:
        self.settings = settings
        self.account_sid = settings.account_sid
        self.webhooks = webhooks
        self.rng = random.Random()  # noqa: S311 (failure injection, not security)
        self._tasks: set[asyncio.Task[None]] = set()
        self._release_hangs = asyncio.Event()
        self.reset()

    def reset(self) -> None:
        """Forget every resource except the ISV's primary customer profile and the numbers owned
        from the start; default behaviour."""
        self.bundles: dict[str, Bundle] = {}
        self.end_users: dict[str, EndUser] = {}
        self.documents: dict[str, SupportingDocument] = {}
        self.assignments: dict[str, EntityAssignment] = {}
        self.evaluations: dict[str, Evaluation] = {}
        self.addresses: dict[str, Address] = {}
        self.numbers: dict[str, PhoneNumber] = {}
        self.services: dict[str, MessagingService] = {}
        self.brands: dict[str, Brand] = {}
        self.messages: dict[str, Message] = {}
        self.sticky_senders: dict[tuple[str, str], str] = {}  # (MG, recipient) -> PN
        self.blocks = BlockList()
        self.scripts: dict[ReviewedKind, Script] = fresh_scripts()
        self.message_behaviour = MessageBehaviour()
        self.webhooks.log.clear()
        primary = Bundle(
            kind="customer_profile",
            sid=self.settings.primary_customer_profile_sid,
            account_sid=self.account_sid,
            policy_sid=CUSTOMER_PROFILE_POLICY,
            friendly_name="ISV primary customer profile",
            email="isv@example.com",
            status="twilio-approved",
            valid_until=now() + timedelta(days=365),
        )
        self.bundles[primary.sid] = primary
        for phone_number in self.settings.owned_numbers:
            number = PhoneNumber(
                sid=new_sid("PN"),
                account_sid=self.account_sid,
                phone_number=phone_number,
                friendly_name=phone_number,
            )
            self.numbers[number.sid] = number

    # --- background work --------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop_background(self) -> None:
        """Cancel reviews and deliveries under way, and answer every held create request."""
        self._release_hangs.set()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._release_hangs = asyncio.Event()

    async def hang(self, seconds: float) -> None:
        """Hold a response (chaos: "accepted, then the client times out") until reset."""
        release = self._release_hangs
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(release.wait(), timeout=seconds)

    # --- queries ----------------------------------------------------------------------------

    def number_by_phone(self, phone_number: str) -> PhoneNumber | None:
        return next((n for n in self.numbers.values() if n.phone_number == phone_number), None)

    def service_of(self, number: PhoneNumber) -> MessagingService | None:
        return self.services.get(number.service_sid) if number.service_sid else None

    def review_delay(self, delay_s: float | None) -> float:
        return self.settings.review_delay_s if delay_s is None else delay_s

    def message_latency(self) -> float:
        latency = self.message_behaviour.latency_s
        return self.settings.message_latency_s if latency is None else latency


def find(table: dict[str, T], sid: str, request: Request) -> T:
    """`table[sid]`, or Twilio's 404 naming the requested path."""
    try:
        return table[sid]
    except KeyError:
        raise not_found_here(request) from None


def not_found_here(request: Request) -> TwilioError:
    return not_found(twilio_path(request)[1])


def current_state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state
