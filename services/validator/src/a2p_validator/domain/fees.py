"""What a submission will cost, priced with the deployment's fee table."""

from a2p_shared.events.policy import FeeItem
from a2p_shared.events.registration import RegistrationRequest, Tier
from a2p_shared.fees import FeeTable

DAYS_PER_MONTH = 30


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
