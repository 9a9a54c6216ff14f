"""How Twilio's (and the carriers') reviews end: scripted by tests through the admin API.

Each reviewed kind (customer profiles, trust products, brands, campaigns) has a default outcome
and a FIFO of one-shot outcomes; every review (a creation or a resubmission) takes the head of
the FIFO, or the default when it is empty.
"""

from collections import deque
from typing import Literal

from pydantic import BaseModel, Field

ReviewedKind = Literal["customer-profiles", "trust-products", "brands", "campaigns"]
REVIEWED_KINDS: tuple[ReviewedKind, ...] = (
    "customer-profiles",
    "trust-products",
    "brands",
    "campaigns",
)


class ReviewError(BaseModel):
    code: int = Field(description="Twilio error code, e.g. 30701 (brand) or 30897 (campaign)")
    description: str = ""
    fields: list[str] = Field(default_factory=list)


class Outcome(BaseModel):
    """How one review ends.

    `approved`: twilio-approved / APPROVED / VERIFIED. `failed`: twilio-rejected / FAILED, with
    `errors` (a default error when empty). `pending`: the review never ends.
    """

    outcome: Literal["approved", "failed", "pending"] = "approved"
    errors: list[ReviewError] = Field(default_factory=list)
    delay_s: float | None = Field(
        default=None, ge=0, description="Time in review; the emulator's default when null"
    )
    brand_score: int | None = Field(
        default=None, ge=0, le=100, description="Brands only: the score given on approval"
    )


DEFAULT_ERRORS: dict[ReviewedKind, list[ReviewError]] = {
    "customer-profiles": [ReviewError(code=18601, description="The bundle was rejected.")],
    "trust-products": [ReviewError(code=18601, description="The bundle was rejected.")],
    "brands": [
        ReviewError(
            code=30701,
            description="Invalid State/Region/Province. The brand's address region is not valid.",
            fields=["region"],
        )
    ],
    "campaigns": [
        ReviewError(
            code=30897,
            description="The campaign submission has been reviewed and it was rejected due "
            "to Disallowed Content.",
            fields=["MESSAGE_FLOW"],
        )
    ],
}


class Script:
    def __init__(self, default: Outcome) -> None:
        self.default = default
        self.queued: deque[Outcome] = deque()

    def next(self) -> Outcome:
        return self.queued.popleft() if self.queued else self.default

    def view(self) -> dict[str, object]:
        return {
            "default": self.default.model_dump(),
            "queued": [outcome.model_dump() for outcome in self.queued],
        }


def fresh_scripts() -> dict[ReviewedKind, Script]:
    return {kind: Script(Outcome()) for kind in REVIEWED_KINDS}


def errors_of(kind: ReviewedKind, outcome: Outcome) -> list[ReviewError]:
    return outcome.errors or DEFAULT_ERRORS[kind]
