"""The contract: event envelope, payloads, topics and keys. Imports nothing else of a2p_shared."""

from a2p_shared.events.consent import (
    ConsentEvidence,
    ConsentReviewRequestedV1,
    ConsentSource,
    OptInRecordedV1,
    OptOutRecordedV1,
)
from a2p_shared.events.envelope import Envelope, EventPayload, TenantId
from a2p_shared.events.intake import ConsentAction, RecordConsent, SubmitRegistration
from a2p_shared.events.messaging import (
    BlockReason,
    InboundMessageV1,
    MessageBlockedV1,
    MessageFailedV1,
    MessageRequestedV1,
    MessageSentV1,
    MessageStatusV1,
    Purpose,
)
from a2p_shared.events.onboarding import (
    BrandApprovedV1,
    BrandFailedV1,
    BrandSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    CampaignSubmittedV1,
    NumberRegisteredV1,
    OnboardingProgressedV1,
    TwilioError,
)
from a2p_shared.events.policy import FeeItem, Finding, PolicyValidatedV1, Severity
from a2p_shared.events.registration import (
    MessagingPolicy,
    OptOutMode,
    RegistrationCorrectedV1,
    RegistrationRequest,
    RegistrationSubmittedV1,
    TransactionalConsent,
)
from a2p_shared.events.topics import topic_for

CATALOGUE: tuple[type[EventPayload], ...] = (
    RegistrationSubmittedV1,
    RegistrationCorrectedV1,
    PolicyValidatedV1,
    OnboardingProgressedV1,
    BrandSubmittedV1,
    BrandApprovedV1,
    BrandFailedV1,
    CampaignSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    NumberRegisteredV1,
    OptOutRecordedV1,
    OptInRecordedV1,
    ConsentReviewRequestedV1,
    MessageRequestedV1,
    MessageSentV1,
    MessageBlockedV1,
    MessageFailedV1,
    MessageStatusV1,
    InboundMessageV1,
)
"""Every event payload of ARCHITECTURE.md's catalogue, one class per type and version."""


def topic_of(payload_cls: type[EventPayload]) -> str:
    return topic_for(payload_cls.event_type, payload_cls.event_version)


__all__ = [
    "CATALOGUE",
    "BlockReason",
    "BrandApprovedV1",
    "BrandFailedV1",
    "BrandSubmittedV1",
    "CampaignApprovedV1",
    "CampaignFailedV1",
    "CampaignSubmittedV1",
    "ConsentAction",
    "ConsentEvidence",
    "ConsentReviewRequestedV1",
    "ConsentSource",
    "Envelope",
    "EventPayload",
    "FeeItem",
    "Finding",
    "InboundMessageV1",
    "MessageBlockedV1",
    "MessageFailedV1",
    "MessageRequestedV1",
    "MessageSentV1",
    "MessageStatusV1",
    "MessagingPolicy",
    "NumberRegisteredV1",
    "OnboardingProgressedV1",
    "OptInRecordedV1",
    "OptOutMode",
    "OptOutRecordedV1",
    "PolicyValidatedV1",
    "Purpose",
    "RecordConsent",
    "RegistrationCorrectedV1",
    "RegistrationRequest",
    "RegistrationSubmittedV1",
    "Severity",
    "SubmitRegistration",
    "TenantId",
    "TransactionalConsent",
    "TwilioError",
    "topic_of",
]
