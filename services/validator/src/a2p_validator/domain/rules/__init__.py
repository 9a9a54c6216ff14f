"""The rule families of the compliance catalogue; importing this package registers them all."""

from a2p_validator.domain.rules import (
    brand,
    campaign,
    content,
    keywords,
    optin,
    policies,
    samples,
    website,
)

__all__ = ["brand", "campaign", "content", "keywords", "optin", "policies", "samples", "website"]
