"""The validator against the labelled corpus: every case raises exactly the rules RULES.md names.

Each case is a whole registration whose pages are served locally under their own `.example` host
names; the real fetcher reaches them through a resolver that maps `*.example` to 127.0.0.1.
"""

from collections.abc import AsyncIterator

import pytest

from a2p_shared.events.registration import RegistrationRequest
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.service import Report, lint

from tests.corpus.loader import (
    FAMILIES,
    Case,
    corpus_server,
    family,
    load_cases,
    rewrite_urls,
    static_resolver,
)

CASES = load_cases()
# Rules whose RULES.md severity can be warn (BR-10 warns for a STANDARD tier at low volume).
WARN_RULES = frozenset(
    {
        "BR-06",
        "BR-07",
        "BR-10",
        "WEB-03",
        "PP-05",
        "TOS-06",
        "DESC-02",
        "DESC-03",
        "SMP-04",
        "SMP-07",
        "SMP-08",
        "KW-06",
        "KW-07",
    }
)


@pytest.fixture(scope="module")
async def corpus_port() -> AsyncIterator[int]:
    async with corpus_server() as port:
        yield port


async def lint_case(case: Case, port: int) -> Report:
    request = RegistrationRequest.model_validate(rewrite_urls(case.document, port))
    fetcher = HttpPageFetcher(allow_private_network=True, resolver=static_resolver)
    async with fetcher:
        return await lint(request, fetcher)


def describe_difference(case: Case, report: Report) -> str:
    raised = {finding.rule for finding in report.findings}
    missing = sorted(case.expected - raised)
    unexpected = [
        f"{f.rule} ({f.severity}) at {f.field}: {f.message}"
        for f in report.findings
        if f.rule not in case.expected
    ]
    lines = [f"{case.id}: {case.description}", f"missing: {missing or 'none'}", "unexpected:"]
    lines += [f"  {line}" for line in unexpected] or ["  none"]
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_the_case_raises_exactly_its_expected_rules(case: Case, corpus_port: int) -> None:
    report = await lint_case(case, corpus_port)

    raised = {finding.rule for finding in report.findings}
    assert raised == case.expected, describe_difference(case, report)


async def test_every_compliant_case_passes(corpus_port: int) -> None:
    failing = {}
    for case in (c for c in CASES if c.compliant):
        report = await lint_case(case, corpus_port)
        if report.verdict != "pass":
            failing[case.id] = sorted(f.rule for f in report.findings if f.severity == "block")
    assert failing == {}


def test_the_corpus_is_large_and_covers_every_rule_family() -> None:
    compliant = [case for case in CASES if case.compliant]
    defects = [case for case in CASES if not case.compliant]
    exercised = {family(rule) for case in defects for rule in case.expected}

    assert len(CASES) >= 45
    assert len(compliant) >= 12
    assert [case.id for case in compliant if not case.expected <= WARN_RULES] == []
    assert [name for name in FAMILIES if name not in exercised] == []
    assert [case.id for case in defects if not case.expected] == []
