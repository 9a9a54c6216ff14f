"""What a text means, in both modes: the table the README's examples come from."""

import pytest

from a2p_optout import domain
from a2p_optout.domain import Intent, TenantProfile
from a2p_shared.events import ConsentSource
from a2p_shared.events.registration import OptOutMode

KEYWORD = TenantProfile(mode=OptOutMode.KEYWORD)
REASONABLE = TenantProfile(mode=OptOutMode.REASONABLE_MEANS)
OUT, IN, HLP, REV, TXT = Intent.OPT_OUT, Intent.OPT_IN, Intent.HELP, Intent.REVIEW, Intent.OTHER

# text, intent in keyword mode, intent in reasonable-means mode
TABLE: list[tuple[str, Intent, Intent]] = [
    ("STOP", OUT, OUT),
    ("stop", OUT, OUT),
    ("  Stop  ", OUT, OUT),
    ("STOP.", OUT, OUT),
    ("stop!!", OUT, OUT),
    ("STOPALL", OUT, OUT),
    ("unsubscribe", OUT, OUT),
    ("Cancel", OUT, OUT),
    ("END", OUT, OUT),
    ("quit", OUT, OUT),
    ("REVOKE", OUT, OUT),
    ("optout", OUT, OUT),
    ("OPTOUT?", OUT, OUT),
    ("START", IN, IN),
    ("yes", IN, IN),
    ("Unstop", IN, IN),
    ("HELP", HLP, HLP),
    ("info", HLP, HLP),
    ("Help?", HLP, HLP),
    ("STOP PLEASE", TXT, OUT),
    ("please stop", TXT, OUT),
    ("opt out", TXT, OUT),
    ("Opt-out", TXT, OUT),
    ("stop texting me", TXT, OUT),
    ("Stop texting me!", TXT, OUT),
    ("please unsubscribe me", TXT, OUT),
    ("no more texts", TXT, OUT),
    ("No more messages please", TXT, OUT),
    ("don't text me", TXT, OUT),
    ("Do not text me anymore", TXT, OUT),
    ("remove me from your list", TXT, OUT),
    ("take me off your list", TXT, OUT),
    ("opt me out", TXT, OUT),
    ("I want to opt out", TXT, OUT),
    ("stop sending me these texts", TXT, OUT),
    ("STOP 🛑", TXT, OUT),
    ("stop sending me promotions", TXT, REV),
    ("wrong number", TXT, REV),
    ("not interested", TXT, REV),
    ("can you stop the reminders?", TXT, REV),
    ("unsubscribe me from the newsletter", TXT, REV),
    ("please remove me from the marketing list", TXT, REV),
    ("hello", TXT, TXT),
    ("What time do you open?", TXT, TXT),
    ("Thanks!", TXT, TXT),
    ("yes please", TXT, TXT),
    ("cancel my appointment", TXT, TXT),
    (
        "The streetlight on Main St keeps flickering, can you stop by and fix it this week?",
        TXT,
        TXT,
    ),
    ("stopp", TXT, TXT),
    ("S T O P", TXT, TXT),
    ("", TXT, TXT),
]


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
