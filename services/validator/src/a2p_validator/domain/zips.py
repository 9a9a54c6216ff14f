"""Which state a ZIP code belongs to, by its first three digits (USPS sectional centers).

Ranges are inclusive. A few prefixes are shared (military, IRS and federal offices); a ZIP whose
prefix is not listed is not judged.
"""

from functools import cache

_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "AK": ((995, 999),),
    "AL": ((350, 369),),
    "AR": ((716, 729), (755, 755)),
    "AZ": ((850, 865),),
    "CA": ((900, 961),),
    "CO": ((800, 816),),
    "CT": ((60, 69),),
    "DC": ((200, 200), (202, 205), (569, 569)),
    "DE": ((197, 199),),
    "FL": ((320, 349),),
    "GA": ((300, 319), (398, 399)),
    "HI": ((967, 968),),
    "IA": ((500, 528),),
    "ID": ((832, 838),),
    "IL": ((600, 629),),
    "IN": ((460, 479),),
    "KS": ((660, 679),),
    "KY": ((400, 427),),
    "LA": ((700, 714),),
    "MA": ((10, 27), (55, 55)),
    "MD": ((206, 219),),
    "ME": ((39, 49),),
    "MI": ((480, 499),),
    "MN": ((550, 567),),
    "MO": ((630, 658),),
    "MS": ((386, 397),),
    "MT": ((590, 599),),
    "NC": ((270, 289),),
    "ND": ((580, 588),),
    "NE": ((680, 693),),
    "NH": ((30, 38),),
    "NJ": ((70, 89),),
    "NM": ((870, 884),),
    "NV": ((889, 898),),
    "NY": ((5, 5), (100, 149)),
    "OH": ((430, 459),),
    "OK": ((730, 749),),
    "OR": ((970, 979),),
    "PA": ((150, 196),),
    "PR": ((6, 7), (9, 9)),
    "RI": ((28, 29),),
    "SC": ((290, 299),),
    "SD": ((570, 577),),
    "TN": ((370, 385),),
    "TX": ((750, 799), (885, 885)),
    "UT": ((840, 847),),
    "VA": ((201, 201), (220, 246)),
    "VI": ((8, 8),),
    "VT": ((50, 54), (56, 59)),
    "WA": ((980, 994),),
    "WI": ((530, 549),),
    "WV": ((247, 268),),
    "WY": ((820, 831),),
    "GU": ((969, 969),),
    "AS": ((967, 967),),
    "MP": ((969, 969),),
}
_SHARED = frozenset({*range(90, 99), *range(340, 341), *range(962, 967)})
"""Military (AE, AA, AP) and other shared prefixes: never judged."""


@cache
def states_for_prefix(prefix: int) -> frozenset[str]:
    return frozenset(
        state for state, ranges in _RANGES.items() for low, high in ranges if low <= prefix <= high
    )


def zip_matches_state(postal_code: str, state: str) -> bool | None:
    """True/False when the prefix is known; None when it cannot be judged."""
    prefix = int(postal_code[:3])
    if prefix in _SHARED:
        return None
    states = states_for_prefix(prefix)
    if not states:
        return None
    return state.upper() in states
