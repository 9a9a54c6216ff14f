import pytest

from a2p_messaging import service

from services.messaging.tests.fakes import (
    NUMBER_B,
    TENANT_B,
    Clock,
    MemoryStore,
    Published,
    a_number,
)


@pytest.fixture
def store() -> MemoryStore:
    memory = MemoryStore()
    for number in (a_number(), a_number(NUMBER_B, TENANT_B)):
        memory.numbers[number.phone] = number
    return memory


@pytest.fixture
def published() -> Published:
    return Published()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(store: MemoryStore, published: Published, clock: Clock) -> service.Deps:
    return service.Deps(
        numbers=store,
        ledger=store,
        messages=store,
        events=published,
        clock=clock,
        publish_timeout_s=0.2,
    )
