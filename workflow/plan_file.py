"""Reading a plan file (TOML) into the plain content a Plan records.

The content is kept as plain JSON-friendly values (numbers as strings of digits,
dates in ISO form) so that what was imported is exactly what is stored.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from workflow.errors import DomainError
from workflow.words import N_, lazy

SEED_PLAN = Path(__file__).with_name("seed") / "thanh-huong-2025.toml"

# "60 - 70%", "60–70 %" (en dash), "100%"; ASCII digits only (\d would take any script's)
_RANGE = re.compile(
    r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(?:[-–]\s*([0-9]+(?:[.,][0-9]+)?))?\s*%\s*$")


def parse_range(text: str) -> tuple[Decimal, Decimal]:
    """``"60 - 70%"`` → (60, 70); ``"100%"`` → (100, 100)."""
    match = _RANGE.match(text or "")
    if not match:
        raise DomainError("invalid_plan", detail=lazy("khoảng chỉ tiêu “%(range)s”", range=text))
    low = Decimal(match.group(1).replace(",", "."))
    high = Decimal((match.group(2) or match.group(1)).replace(",", "."))
    if low > high or high > 100:
        raise DomainError("invalid_plan", detail=lazy("khoảng chỉ tiêu “%(range)s”", range=text))
    return low, high


def load(path: str | Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainError("invalid_plan",
                          detail=lazy("không có tệp %(path)s", path=str(path))) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DomainError("invalid_plan", detail=str(error)) from None
    return parse(raw)


def parse(raw: dict[str, Any]) -> dict[str, Any]:
    """Check a plan file's data and return the content a Plan records."""
    try:
        plan = raw["plan"]
        pillars = [
            {"code": _text(p, "code"), "name": _text(p, "name"),
             "name_en": _text(p, "name_en", required=False)}
            for p in raw["pillars"]
        ]
        pillar_codes = {p["code"] for p in pillars}
        targets = []
        for number, t in enumerate(raw["targets"], start=1):
            if t["pillar"] not in pillar_codes:
                raise DomainError("invalid_plan",
                                  detail=lazy("trụ cột “%(pillar)s”", pillar=t["pillar"]))
            low, high = parse_range(_text(t, "range"))
            targets.append({
                "code": _text(t, "code"), "number": number, "pillar": t["pillar"],
                "text": _text(t, "text"), "range": t["range"],
                "min": _plain(low), "max": _plain(high), "unit": "%",
            })
        codes = [t["code"] for t in targets]
        if len(set(codes)) != len(codes):
            raise DomainError("invalid_plan", detail=N_("mã chỉ tiêu trùng"))
        return {
            "code": _text(plan, "code"), "title": _text(plan, "title"),
            "organisation": _text(plan, "organisation"),
            "adopted_on": date.fromisoformat(str(plan["adopted_on"])).isoformat(),
            "source": _text(plan, "source", required=False),
            "pillars": pillars, "targets": targets,
        }
    except KeyError as missing:
        raise DomainError("invalid_plan",
                          detail=lazy("thiếu trường %(key)s", key=str(missing))) from None
    except (TypeError, ValueError, InvalidOperation) as error:
        raise DomainError("invalid_plan", detail=str(error)) from None


def _text(table: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = table[key] if required else table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise DomainError("invalid_plan",
                          detail=lazy("trường “%(key)s” phải là chữ", key=key))
    return value.strip()


def _plain(number: Decimal) -> str:
    return str(number.to_integral_value() if number == number.to_integral_value() else number)
