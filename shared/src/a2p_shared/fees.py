"""The fee table: what Twilio charges for registrations, configurable, the seed's by default.

The validator prices a submission with it before anything is paid; the registrar records what
each call to Twilio actually cost in the tenant's fee ledger.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from a2p_shared.events.registration import Tier


class FeeTable(BaseModel):
    """Amounts in US dollars. Twilio's tables change; deployments override them with a file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    brand_registration: dict[Tier, float] = Field(
        default_factory=lambda: {
            Tier.LOW_VOLUME_STANDARD: 4.50,
            Tier.STANDARD: 46.00,
            Tier.SOLE_PROPRIETOR: 4.00,
        }
    )
    campaign_vetting: float = Field(default=15.00, ge=0)
    campaign_monthly_sole_proprietor: float = Field(default=2.00, ge=0)
    campaign_monthly_high_volume: float = Field(default=10.00, ge=0)
    high_volume_monthly_segments: int = Field(default=6000, ge=0)
    vetting_retry: float = Field(default=12.50, ge=0)


def load_fee_table(path: Path | None) -> FeeTable:
    """The table in the JSON file at `path`, or the default table when there is none."""
    if path is None:
        return FeeTable()
    return FeeTable.model_validate_json(path.read_text())
