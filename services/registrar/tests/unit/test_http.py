"""The TrustHub status callback on fakes: only Twilio's signature for the public callback URL
gets through, whatever the form; a refused request wakes no onboarding."""

from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from a2p_registrar import domain, http, service
from a2p_shared.fees import FeeTable

from services.registrar.tests.fakes import Clock, FakeTwilio, MemoryStore, Published

TOKEN = "test-auth-token"
CALLBACK_URL = "https://registrar.platform.example/twilio/trusthub-status"
BUNDLE = "BU" + "1" * 32


def signed(form: dict[str, str], url: str = CALLBACK_URL, token: str = TOKEN) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": RequestValidator(token).compute_signature(url, form),
    }


def callback(**changes: str) -> dict[str, str]:
    form = {
        "AccountSid": "AC" + "a2" * 16,
        "BundleSid": BUNDLE,
        "Status": "twilio-approved",
        "FailureReason": "",
    }
    return {**form, **changes}


@pytest.fixture
def store() -> MemoryStore:
    """One onboarding waiting on Twilio's review of the bundle, not due to be looked at."""
    memory = MemoryStore()
    doc = memory._doc("reg_1", "springfield-il")
    doc.update(wake=False, sids={"customer_profile": BUNDLE})
    return memory


@pytest.fixture
async def client(store: MemoryStore) -> AsyncIterator[httpx.AsyncClient]:
    """The route as a proxy in front of it reaches it: on a host that is not the public one."""
    deps = service.Deps(store, FakeTwilio(), Published(), Clock(), FeeTable(), domain.Backoff())
    app = FastAPI()
    app.include_router(http.build_router(deps, auth_token=TOKEN, callback_url=CALLBACK_URL))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registrar:8082") as client:
        yield client


async def post(client: httpx.AsyncClient, body: bytes | str, headers: dict[str, str]) -> int:
    response = await client.post("/twilio/trusthub-status", content=body, headers=headers)
    return response.status_code


def woken(store: MemoryStore) -> bool:
    return bool(store.documents["reg_1"]["wake"])


async def test_a_signed_callback_wakes_the_onboarding_waiting_on_the_bundle(
    client: httpx.AsyncClient, store: MemoryStore
) -> None:
    form = callback()

    assert await post(client, urlencode(form), signed(form)) == 204
    assert woken(store)


@pytest.mark.parametrize(
    "signature",
    [
        {"X-Twilio-Signature": "bm90IFR3aWxpbw=="},
        {"X-Twilio-Signature": ""},
        {},
        {"X-Twilio-Signature": signed(callback(), token="another-account")["X-Twilio-Signature"]},
        {
            "X-Twilio-Signature": signed(
                callback(), url="http://registrar:8082/twilio/trusthub-status"
            )["X-Twilio-Signature"]
        },
    ],
    ids=["forged", "empty", "missing", "other-account", "address-seen-behind-the-proxy"],
)
async def test_a_callback_without_twilios_signature_is_refused_and_wakes_nothing(
    client: httpx.AsyncClient, store: MemoryStore, signature: dict[str, str]
) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature}

    assert await post(client, urlencode(callback()), headers) == 403
    assert not woken(store)


async def test_a_replayed_signature_on_another_form_is_refused(
    client: httpx.AsyncClient, store: MemoryStore
) -> None:
    captured = signed(callback(BundleSid="BU" + "9" * 32))

    assert await post(client, urlencode(callback()), captured) == 403
    assert not woken(store)


async def test_a_replayed_callback_only_wakes_the_onboarding_again(
    client: httpx.AsyncClient, store: MemoryStore
) -> None:
    """Twilio's signature has no nonce: a replay is indistinguishable, and harmless because the
    callback only makes the flow ask Twilio for the bundle's status now."""
    form = callback()
    assert await post(client, urlencode(form), signed(form)) == 204
    store.documents["reg_1"]["wake"] = False

    assert await post(client, urlencode(form), signed(form)) == 204
    assert woken(store)
    assert store.documents["reg_1"]["sids"] == {"customer_profile": BUNDLE}


async def test_a_form_over_16_kib_is_refused_before_its_signature_is_checked(
    client: httpx.AsyncClient, store: MemoryStore
) -> None:
    form = callback(FailureReason="x" * (16 * 1024))

    assert await post(client, urlencode(form), signed(form)) == 413
    assert not woken(store)


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00garbage", b"BundleSid", b"%%%&&&===", b"", b"BundleSid=" + b"%ff" * 40],
    ids=["not-utf8", "no-value", "not-a-form", "empty", "bad-escapes"],
)
async def test_a_signed_malformed_form_changes_nothing(
    client: httpx.AsyncClient, store: MemoryStore, body: bytes
) -> None:
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))

    assert await post(client, body, signed(form)) == 204
    assert not woken(store)


FORM_KEYS = st.sampled_from(["BundleSid", "Status", "AccountSid", "FailureReason"])
FORM_VALUES = st.text(max_size=40) | st.sampled_from([BUNDLE, "BU", "", "twilio-rejected"])


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    form=st.dictionaries(
        FORM_KEYS | st.text(min_size=1, max_size=12),
        FORM_VALUES,
        max_size=6,
    ),
    sign=st.booleans(),
)
async def test_any_form_signed_or_not_gets_an_answer_and_only_a_signed_one_wakes(
    client: httpx.AsyncClient, store: MemoryStore, form: dict[str, str], sign: bool
) -> None:
    store.documents["reg_1"]["wake"] = False
    headers = signed(form) if sign else {"Content-Type": "application/x-www-form-urlencoded"}

    status = await post(client, urlencode(form), headers)

    assert status == (204 if sign else 403)
    assert woken(store) == (sign and form.get("BundleSid") == BUNDLE)
