"""What a text means, in both modes: the table the README's examples come from (also run
through the whole pipeline in tests/test_consent_flow.py)."""

import pytest

from a2p_optout import domain
from a2p_optout.domain import Intent, TenantProfile
from a2p_shared.events import ConsentSource
from a2p_shared.events.registration import OptOutMode

from services.optout.tests.reading_table import HLP, IN, OUT, REV, TABLE, TXT

KEYWORD = TenantProfile(mode=OptOutMode.KEYWORD)
REASONABLE = TenantProfile(mode=OptOutMode.REASONABLE_MEANS)


@pytest.mark.parametrize(("text", "keyword_mode", "reasonable_mode"), TABLE)
def test_each_text_means_what_the_table_says_in_both_modes(
    text: str, keyword_mode: Intent, reasonable_mode: Intent
) -> None:
    assert domain.read(text, KEYWORD).intent is keyword_mode
    assert domain.read(text, REASONABLE).intent is reasonable_mode


def test_the_table_is_large_enough_to_mean_something() -> None:
    assert len(TABLE) >= 40
    assert {row[1] for row in TABLE} == {OUT, IN, HLP, TXT}
    assert {row[2] for row in TABLE} == {OUT, IN, HLP, REV, TXT}


def test_a_default_keyword_names_itself_and_its_source() -> None:
    reading = domain.read(" stop. ", KEYWORD)

    assert (reading.keyword, reading.source) == ("STOP", ConsentSource.KEYWORD)


def test_a_plain_revocation_in_other_words_keeps_the_words() -> None:
    reading = domain.read("Stop texting me!", REASONABLE)

    assert (reading.keyword, reading.source) == ("Stop texting me!", ConsentSource.REASONABLE_MEANS)


def test_a_tenant_keyword_counts_only_for_that_tenant() -> None:
    clinic = TenantProfile(extra_opt_out=frozenset({"ARRET"}), extra_help=frozenset({"AIDE"}))

    assert domain.read("arret", clinic).intent is OUT
    assert domain.read("arret", clinic).source is ConsentSource.TENANT_KEYWORD
    assert domain.read("Aide", clinic).intent is HLP
    assert domain.read("arret", KEYWORD).intent is TXT


def test_a_review_says_why() -> None:
    reading = domain.read("wrong number", REASONABLE)

    assert reading.reason is not None
    assert "wrong number" in reading.reason
