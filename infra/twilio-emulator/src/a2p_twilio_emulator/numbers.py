"""The account's addresses and phone numbers (2010 API: `Addresses`, `IncomingPhoneNumbers`)."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from a2p_twilio_emulator.canonical import API_VERSION, MESSAGING, account_uri
from a2p_twilio_emulator.clock import iso8601, now, rfc2822

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
US_AREA_CODE = re.compile(r"^[2-9]\d{2}$")


@dataclass
class Address:
    sid: str
    account_sid: str
    customer_name: str
    street: str
    city: str
    region: str
    postal_code: str
    iso_country: str
    friendly_name: str | None = None
    street_secondary: str | None = None
    emergency_enabled: bool = False
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "city": self.city,
            "customer_name": self.customer_name,
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated),
            "emergency_enabled": self.emergency_enabled,
            "friendly_name": self.friendly_name,
            "iso_country": self.iso_country,
            "postal_code": self.postal_code,
            "region": self.region,
            "sid": self.sid,
            "street": self.street,
            "street_secondary": self.street_secondary,
            "validated": False,
            "verified": False,
            "uri": account_uri(self.account_sid, f"Addresses/{self.sid}.json"),
        }


@dataclass
class PhoneNumber:
    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    sms_url: str | None = None
    sms_method: str = "POST"
    sms_fallback_url: str | None = None
    sms_fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    address_sid: str | None = None
    bundle_sid: str | None = None
    service_sid: str | None = None  # the messaging service it is a sender of, if any
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "address_sid": self.address_sid,
            "address_requirements": "none",
            "api_version": API_VERSION,
            "beta": False,
            "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated),
            "friendly_name": self.friendly_name,
            "identity_sid": None,
            "phone_number": self.phone_number,
            "origin": "twilio",
            "sid": self.sid,
            "sms_application_sid": None,
            "sms_fallback_method": self.sms_fallback_method,
            "sms_fallback_url": self.sms_fallback_url,
            "sms_method": self.sms_method,
            "sms_url": self.sms_url,
            "status_callback": self.status_callback,
            "status_callback_method": self.status_callback_method,
            "trunk_sid": None,
            "uri": account_uri(self.account_sid, f"IncomingPhoneNumbers/{self.sid}.json"),
            "voice_receive_mode": "voice",
            "voice_application_sid": None,
            "voice_caller_id_lookup": False,
            "voice_fallback_method": "POST",
            "voice_fallback_url": None,
            "voice_method": "POST",
            "voice_url": None,
            "emergency_status": "Inactive",
            "emergency_address_sid": None,
            "emergency_address_status": "unregistered",
            "bundle_sid": self.bundle_sid,
            "status": "in-use",
            "type": "local",
        }

    def sender_json(self) -> dict[str, Any]:
        """The number as a sender of its messaging service (`Services/{MG}/PhoneNumbers`)."""
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "service_sid": self.service_sid,
            "date_created": iso8601(self.date_created),
            "date_updated": iso8601(self.date_updated),
            "phone_number": self.phone_number,
            "country_code": "US",
            "capabilities": ["MMS", "SMS", "Voice"],
            "url": f"{MESSAGING}/v1/Services/{self.service_sid}/PhoneNumbers/{self.sid}",
        }


def available_number(area_code: str | None, taken: set[str]) -> str:
    """A free US number (`+1`, area code, an exchange that starts with 2-9 as NANP requires, 4
    digits); area code 555 when none is asked for."""
    area = area_code or "555"
    while True:
        exchange = 200 + secrets.randbelow(800)
        candidate = f"+1{area}{exchange}{secrets.randbelow(10**4):04d}"
        if candidate not in taken:
            return candidate
