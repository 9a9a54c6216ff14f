"""Topic names, partition layout and record keys: the only place they are spelled out.

Every event type has its own topic, versioned in the name (`a2p.registration.submitted.v1`).
Registration events are keyed by tenant; anything about one phone number by `tenant:+1E164`, so
everything about one person at one tenant stays in order on one partition.
"""

from dataclasses import dataclass
from typing import Literal

KeyKind = Literal["tenant", "tenant_phone", "source"]

INTAKE_REGISTRATIONS = "a2p.intake.registrations"
INTAKE_CONSENT = "a2p.intake.consent"
DEAD_LETTER_SUFFIX = ".dlq"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    key: KeyKind
    partitions: int
    compacted: bool = False
    dead_letter: bool = True
    """Whether consumers of this topic may dead-letter it (they all may; data topics only)."""


# Partition counts are defaults: `A2P_PARTITIONS_<GROUP>` overrides them at topic creation, and
# a deployment that needs more simply creates the topics bigger. Phone-keyed topics carry the hot
# path (one person per key), so they get more partitions than the per-tenant registration flow.
REGISTRATION_PARTITIONS = 3
PHONE_PARTITIONS = 6

_SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(INTAKE_REGISTRATIONS, "tenant", REGISTRATION_PARTITIONS),
    TopicSpec(INTAKE_CONSENT, "tenant_phone", PHONE_PARTITIONS),
    TopicSpec("a2p.registration.submitted.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.registration.corrected.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.policy.validated.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.onboarding.progressed.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.brand.submitted.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.brand.approved.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.brand.failed.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.campaign.submitted.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.campaign.approved.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.campaign.failed.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.number.registered.v1", "tenant", REGISTRATION_PARTITIONS),
    TopicSpec("a2p.consent.v1", "tenant_phone", PHONE_PARTITIONS, compacted=True),
    TopicSpec("a2p.consent.review_requested.v1", "tenant_phone", PHONE_PARTITIONS),
    TopicSpec("a2p.inbound.message.v1", "tenant_phone", PHONE_PARTITIONS),
    TopicSpec("a2p.message.requested.v1", "tenant_phone", PHONE_PARTITIONS),
    TopicSpec("a2p.message.sent.v1", "tenant_phone", PHONE_PARTITIONS),
    TopicSpec("a2p.message.blocked.v1", "tenant_phone", PHONE_PARTITIONS),
    TopicSpec("a2p.message.failed.v1", "tenant_phone", PHONE_PARTITIONS),
    TopicSpec("a2p.message.status.v1", "tenant_phone", PHONE_PARTITIONS),
)


def topic_for(event_type: str, version: int) -> str:
    """`registration.submitted`, 1 -> `a2p.registration.submitted.v1`.

    Opt-outs and opt-ins share the one compacted consent topic: its latest record per
    `tenant:phone` key is that person's current state.
    """
    if event_type in ("optout.recorded", "optin.recorded"):
        return f"a2p.consent.v{version}"
    return f"a2p.{event_type}.v{version}"


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX


def with_suffix(topic: str, suffix: str) -> str:
    """Tests and side-by-side stacks give every topic a unique suffix; production uses none."""
    return f"{topic}.{suffix}" if suffix else topic


def all_topics(suffix: str = "", partitions: dict[KeyKind, int] | None = None) -> list[TopicSpec]:
    """Every topic the platform needs, dead-letter topics included, with `suffix` applied.

    `partitions` overrides the defaults per key kind (one knob per kind keeps related topics
    co-partitioned, which keyed joins across them rely on).
    """
    specs: list[TopicSpec] = []
    for spec in _SPECS:
        count = (partitions or {}).get(spec.key, spec.partitions)
        name = with_suffix(spec.name, suffix)
        specs.append(TopicSpec(name, spec.key, count, spec.compacted, spec.dead_letter))
        if spec.dead_letter:
            specs.append(TopicSpec(dead_letter_topic(name), "source", 1, dead_letter=False))
    return specs


def tenant_key(tenant_id: str) -> bytes:
    return tenant_id.encode()


def tenant_phone_key(tenant_id: str, phone: str) -> bytes:
    return f"{tenant_id}:{phone}".encode()
