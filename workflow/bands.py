"""Where a measured value stands against its target's range: the band, defined once.

``below`` the range, ``within`` it (both ends included) or ``above`` it; no band
(None) while no value has been measured. The progress queries compute it, the
report's formats and the command line say it in words.
"""

from __future__ import annotations

from decimal import Decimal

from workflow.words import NP_, Msg, translate

BANDS = ("below", "within", "above")
BAND_NAMES: dict[str | None, Msg] = {
    "below": NP_("band", "Chưa đạt"),
    "within": NP_("band", "Đạt"),
    "above": NP_("band", "Vượt"),
    None: NP_("band", "Chưa có số liệu"),
}


def band(measured: Decimal | None, low: Decimal, high: Decimal) -> str | None:
    """Where ``measured`` sits against the range ``low``..``high``."""
    if measured is None:
        return None
    if measured < low:
        return "below"
    return "above" if measured > high else "within"


def band_name(code: str | None, locale: str | None = None) -> str:
    """The band in words (a code this version lacks reads as having no value)."""
    return translate(BAND_NAMES.get(code, BAND_NAMES[None]), locale)
