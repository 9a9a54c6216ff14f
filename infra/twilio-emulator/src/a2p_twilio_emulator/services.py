"""Messaging services (`MG…`): a pool of sender numbers, inbound webhook, status callback, and
(once registered) the service's A2P campaign."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from a2p_twilio_emulator.canonical import MESSAGING
from a2p_twilio_emulator.clock import iso8601, now
from a2p_twilio_emulator.registrations import Campaign


@dataclass
class MessagingService:
    sid: str
    account_sid: str
    friendly_name: str
    inbound_request_url: str | None = None
    inbound_method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    sticky_sender: bool = True
    mms_converter: bool = True
    smart_encoding: bool = True
    scan_message_content: str = "inherit"
    fallback_to_long_code: bool = False
    area_code_geomatch: bool = True
    validity_period: int = 36000
    synchronous_validation: bool = True
    usecase: str = "undeclared"
    use_inbound_webhook_on_number: bool = False
    sender_sids: list[str] = field(default_factory=list)  # PN… in the order they were added
    campaign: Campaign | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    @property
    def url(self) -> str:
        return f"{MESSAGING}/v1/Services/{self.sid}"

    @property
    def campaign_verified(self) -> bool:
        return self.campaign is not None and self.campaign.campaign_status == "VERIFIED"

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "friendly_name": self.friendly_name,
            "date_created": iso8601(self.date_created),
            "date_updated": iso8601(self.date_updated),
            "inbound_request_url": self.inbound_request_url,
            "inbound_method": self.inbound_method,
            "fallback_url": self.fallback_url,
            "fallback_method": self.fallback_method,
            "status_callback": self.status_callback,
            "sticky_sender": self.sticky_sender,
            "mms_converter": self.mms_converter,
            "smart_encoding": self.smart_encoding,
            "scan_message_content": self.scan_message_content,
            "fallback_to_long_code": self.fallback_to_long_code,
            "area_code_geomatch": self.area_code_geomatch,
            "synchronous_validation": self.synchronous_validation,
            "validity_period": self.validity_period,
            "url": self.url,
            "links": {
                name: f"{self.url}/{path}"
                for name, path in (
                    ("phone_numbers", "PhoneNumbers"),
                    ("short_codes", "ShortCodes"),
                    ("alpha_senders", "AlphaSenders"),
                    ("messages", "Messages"),
                    ("us_app_to_person", "Compliance/Usa2p"),
                    ("us_app_to_person_usecases", "Compliance/Usa2p/Usecases"),
                    ("channel_senders", "ChannelSenders"),
                    ("destination_alpha_senders", "DestinationAlphaSenders"),
                )
            },
            "usecase": self.usecase,
            "us_app_to_person_registered": self.campaign_verified,
            "use_inbound_webhook_on_number": self.use_inbound_webhook_on_number,
        }
