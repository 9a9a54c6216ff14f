"""Twilio's default opt-out handling: a whole-body keyword from a recipient blocks (or unblocks)
that recipient for the number texted, or for every number of that number's messaging service."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from a2p_twilio_emulator.clock import iso8601, now

KeywordType = Literal["STOP", "START", "HELP"]

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})


def keyword_type(body: str) -> KeywordType | None:
    """The whole body, trimmed and case-insensitive, must be the keyword ("STOP PLEASE" is not)."""
    word = body.strip().upper()
    if word in OPT_OUT_KEYWORDS:
        return "STOP"
    if word in OPT_IN_KEYWORDS:
        return "START"
    if word in HELP_KEYWORDS:
        return "HELP"
    return None


@dataclass(frozen=True)
class Block:
    recipient: str
    scope_sid: str  # MG… (the whole service) or PN… (one number)
    texted: str  # the number the STOP was sent to
    since: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "scope": "messaging_service" if self.scope_sid.startswith("MG") else "phone_number",
            "scope_sid": self.scope_sid,
            "texted": self.texted,
            "since": iso8601(self.since),
        }


class BlockList:
    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], Block] = {}

    def block(self, recipient: str, scope_sid: str, texted: str) -> None:
        self._blocks.setdefault((recipient, scope_sid), Block(recipient, scope_sid, texted))

    def unblock(self, recipient: str, scope_sids: list[str]) -> None:
        for scope_sid in scope_sids:
            self._blocks.pop((recipient, scope_sid), None)

    def is_blocked(self, recipient: str, scope_sids: list[str]) -> bool:
        return any((recipient, scope_sid) in self._blocks for scope_sid in scope_sids)

    def all(self) -> list[Block]:
        return list(self._blocks.values())

    def clear(self) -> None:
        self._blocks.clear()
