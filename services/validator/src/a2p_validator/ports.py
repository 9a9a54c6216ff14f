"""What the validator's use cases need from the outside world."""

from typing import Any, Protocol

from a2p_shared.events import Envelope
from a2p_validator.domain.pages import Page


class PageFetcher(Protocol):
    async def fetch(self, url: str) -> Page:
        """Never raises for network or HTTP trouble: the returned page says what went wrong."""
        ...

    async def close(self) -> None: ...


class ValidationStore(Protocol):
    async def find(self, registration_id: str, revision: int) -> dict[str, Any] | None:
        """The `policy.validated` event already produced for this revision, as JSON."""
        ...

    async def keep(
        self, event: dict[str, Any], registration_id: str, revision: int
    ) -> dict[str, Any]:
        """Store `event` unless one exists for this revision; return the one that is kept."""
        ...


class EventPublisher(Protocol):
    async def publish(self, envelope: Envelope[Any]) -> None: ...
