"""How the benches summarise a list of durations."""

import statistics


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def percentile_ms(seconds: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the value below which `fraction` of the samples fall."""
    ordered = sorted(seconds)
    return ordered[max(0, round(fraction * len(ordered)) - 1)] * 1000
