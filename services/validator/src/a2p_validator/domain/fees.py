"""What a submission will cost: a configurable fee table whose default is the seed's."""

from pydantic import BaseModel, ConfigDict, Field

from a2p_shared.events.policy import FeeItem
from a2p_shared.events.registration import RegistrationRequest, Tier

DAYS_PER_MONTH = 30


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


def fees_for(request: RegistrationRequest, table: FeeTable) -> list[FeeItem]:
    """The fees submitting `request` triggers (the retry fee only if a verification fails)."""
    tier = request.brand.tier
    items = [
        FeeItem(item="brand_registration", amount_usd=table.brand_registration[tier]),
        FeeItem(item="campaign_vetting", amount_usd=table.campaign_vetting),
    ]
    monthly_segments = request.campaign.expected_daily_segments * DAYS_PER_MONTH
    if tier is Tier.SOLE_PROPRIETOR:
        items.append(
            FeeItem(
                item="campaign_monthly",
                amount_usd=table.campaign_monthly_sole_proprietor,
                recurring="monthly",
            )
        )
    elif monthly_segments > table.high_volume_monthly_segments:
        items.append(
            FeeItem(
                item="campaign_monthly",
                amount_usd=table.campaign_monthly_high_volume,
                recurring="monthly",
            )
        )
    return items
