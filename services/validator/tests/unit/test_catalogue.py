"""The registry holds every rule of the compliance catalogue, as RULES.md describes it."""

import re
from pathlib import Path

import pytest

from a2p_shared.events.policy import Severity
from a2p_validator.domain.catalogue import RULES
from a2p_validator.domain.engine import rule_ids

# Every id of /work/shared/reference/compliance-rules.md, sections 3.1-3.8 and 3.10 and
# "Rules taken from the two seed documents", in the order they appear there, parsed with
# r"\*\*([A-Z]+-\d+)\*\*" and excluding the runtime rules RUN-01 ... RUN-07 (3.9), which the
# optout and messaging services enforce. That file lives outside this repository, so the list is
# copied here.
CATALOGUE_IDS = [
    *("BR-01", "BR-02", "BR-03", "BR-04", "BR-05", "BR-06", "BR-07"),
    *("WEB-01", "WEB-02", "WEB-03", "WEB-04"),
    *("PP-01", "PP-02", "PP-03", "PP-04", "PP-05"),
    *("TOS-01", "TOS-02", "TOS-03", "TOS-04", "TOS-05", "TOS-06"),
    *("CTA-01", "CTA-02", "CTA-03", "CTA-04", "CTA-05", "CTA-06", "CTA-07", "CTA-08", "CTA-09"),
    *("CTA-10", "CTA-11", "CTA-12", "CTA-13", "CTA-14", "CTA-15", "CTA-16", "CTA-17", "CTA-18"),
    *("DESC-01", "DESC-02", "DESC-03", "DESC-04", "DESC-05", "DESC-06"),
    *("SMP-01", "SMP-02", "SMP-03", "SMP-04", "SMP-05", "SMP-06", "SMP-07", "SMP-08"),
    *("KW-01", "KW-02", "KW-03", "KW-04", "KW-05", "KW-06", "KW-07"),
    *("CNT-01", "CNT-02", "CNT-03"),
    # "Rules taken from the two seed documents"
    *("PP-06", "PP-07", "WEB-05", "BR-08", "BR-09", "BR-10", "KW-08", "CTA-19", "CTA-20"),
    *("CNT-04", "DESC-07"),
]

RULES_MD = Path(__file__).resolve().parents[2] / "RULES.md"
_ROW = re.compile(r"^\| ([A-Z]+-\d+) \| (block|warn)(?: / warn)? \| (\d+|–) \|", re.MULTILINE)


def documented_rules() -> dict[str, tuple[Severity, int | None]]:
    """Rule id -> (severity, twilio code) from the tables of the service's RULES.md."""
    return {
        rule_id: (Severity(severity), None if code == "–" else int(code))
        for rule_id, severity, code in _ROW.findall(RULES_MD.read_text(encoding="utf-8"))
    }


def test_the_hard_coded_catalogue_has_no_duplicates_and_no_runtime_rules() -> None:
    assert len(CATALOGUE_IDS) == len(set(CATALOGUE_IDS)) == 75
    assert not [rule_id for rule_id in CATALOGUE_IDS if rule_id.startswith("RUN-")]


@pytest.mark.parametrize("rule_id", CATALOGUE_IDS)
def test_every_catalogue_rule_is_registered(rule_id: str) -> None:
    assert rule_id in rule_ids()


def test_nothing_is_registered_that_the_catalogue_does_not_define() -> None:
    assert sorted(rule_ids()) == sorted(CATALOGUE_IDS)


def test_rule_ids_are_unique() -> None:
    assert len(rule_ids()) == len(set(rule_ids()))


def test_rules_md_documents_every_registered_rule() -> None:
    assert sorted(documented_rules()) == sorted(rule_ids())


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_severity_and_twilio_code_are_the_documented_ones(rule) -> None:
    severity, twilio_code = documented_rules()[rule.id]
    assert (rule.severity, rule.twilio_code) == (severity, twilio_code)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_says_what_is_wrong_and_how_to_fix_it(rule) -> None:
    assert rule.family == rule.id.split("-")[0]
    assert rule.field.split(".")[0] in {"brand", "representative", "policies", "campaign"}
    assert len(rule.message) >= 20
    assert len(rule.fix) >= 10
