"""The emulator's own API under `/_emulator` (JSON, no auth): script how reviews and deliveries
end, inject inbound texts, and read what the emulator did. Not a Twilio API."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from a2p_twilio_emulator.carrier import receive
from a2p_twilio_emulator.messages import MessageBehaviour
from a2p_twilio_emulator.numbers import E164
from a2p_twilio_emulator.review import Outcome, ReviewedKind
from a2p_twilio_emulator.state import EmulatorState, current_state

router = APIRouter(prefix="/_emulator", tags=["emulator admin"])
State = Annotated[EmulatorState, Depends(current_state)]

ENDPOINTS = [
    ("GET", "/_emulator", "this list"),
    ("PUT", "/_emulator/{kind}/behaviour", "default review outcome: Outcome JSON"),
    ("GET", "/_emulator/{kind}/behaviour", "default outcome and the queued one-shot outcomes"),
    ("POST", "/_emulator/{kind}/outcomes", "queue one-shot outcomes: an Outcome or a list"),
    ("DELETE", "/_emulator/{kind}/outcomes", "drop the queued one-shot outcomes"),
    ("PUT", "/_emulator/messages/behaviour", "latency and failures of outbound messages"),
    ("GET", "/_emulator/messages/behaviour", "the current message behaviour"),
    ("GET", "/_emulator/messages", "every message, newest last (?direction=&to=&from=)"),
    ("POST", "/_emulator/inbound", 'inject a text: {"from", "to", "body"}'),
    ("GET", "/_emulator/blocks", "recipients blocked by STOP, per number or service"),
    ("GET", "/_emulator/webhooks", "every webhook and callback sent, with the answer"),
    ("POST", "/_emulator/reset", "forget everything; default behaviour"),
]
KINDS = "customer-profiles | trust-products | brands | campaigns"


class InboundText(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", pattern=E164.pattern, description="The texter, E.164")
    to: str = Field(pattern=E164.pattern, description="One of the account's numbers")
    body: str = ""


@router.get("")
async def index() -> dict[str, Any]:
    return {
        "emulator": "a2p-twilio-emulator",
        "kinds": KINDS,
        "endpoints": [
            {"method": method, "path": path, "what": what} for method, path, what in ENDPOINTS
        ],
    }


@router.put("/messages/behaviour")
async def set_message_behaviour(behaviour: MessageBehaviour, state: State) -> dict[str, Any]:
    state.message_behaviour = behaviour
    return behaviour.model_dump()


@router.get("/messages/behaviour")
async def get_message_behaviour(state: State) -> dict[str, Any]:
    return state.message_behaviour.model_dump()


@router.get("/messages")
async def messages(
    state: State,
    direction: Literal["inbound", "outbound-api", "outbound-reply"] | None = None,
    to: str | None = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
) -> list[dict[str, Any]]:
    """The emulator's record of every message, in the order Twilio accepted them."""
    return [
        message.to_json()
        for message in state.messages.values()
        if direction in (None, message.direction)
        and to in (None, message.to)
        and from_ in (None, message.from_)
    ]


@router.post("/inbound")
async def inbound(text: InboundText, state: State) -> dict[str, Any]:
    number = state.number_by_phone(text.to)
    if number is None:
        raise HTTPException(404, f"{text.to} is not a number of this account")
    result = await receive(state, text.from_, number, text.body)
    delivery = result.delivery
    return {
        "message_sid": result.message.sid,
        "keyword": result.keyword,
        "webhook_url": delivery.url if delivery else None,
        "webhook_status": delivery.status if delivery else None,
        "webhook_error": delivery.error if delivery else None,
        "reply_sids": [reply.sid for reply in result.replies],
    }


@router.get("/blocks")
async def blocks(state: State) -> list[dict[str, Any]]:
    return [block.to_json() for block in state.blocks.all()]


@router.get("/webhooks")
async def webhooks(state: State) -> list[dict[str, Any]]:
    return [delivery.to_json() for delivery in state.webhooks.log]


@router.post("/reset")
async def reset(state: State) -> dict[str, str]:
    await state.stop_background()
    state.reset()
    return {"status": "reset"}


@router.put("/{kind}/behaviour")
async def set_review_behaviour(
    kind: ReviewedKind, outcome: Outcome, state: State
) -> dict[str, Any]:
    state.scripts[kind].default = outcome
    return state.scripts[kind].view()


@router.get("/{kind}/behaviour")
async def get_review_behaviour(kind: ReviewedKind, state: State) -> dict[str, Any]:
    return state.scripts[kind].view()


@router.post("/{kind}/outcomes")
async def queue_outcomes(
    kind: ReviewedKind, outcomes: Outcome | list[Outcome], state: State
) -> dict[str, Any]:
    state.scripts[kind].queued.extend(outcomes if isinstance(outcomes, list) else [outcomes])
    return state.scripts[kind].view()


@router.delete("/{kind}/outcomes")
async def clear_outcomes(kind: ReviewedKind, state: State) -> dict[str, Any]:
    state.scripts[kind].queued.clear()
    return state.scripts[kind].view()
