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

SEED_PLAN = Path(__file__).with_name("seed") / "thanh-huong-2025.toml"

# "60 - 70%", "60–70 %", "100%"
_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:[-–]\s*(\d+(?:[.,]\d+)?))?\s*%\s*$")


def parse_range(text: str) -> tuple[Decimal, Decimal]:
    """``"60 - 70%"`` → (60, 70); ``"100%"`` → (100, 100)."""
    match = _RANGE.match(text or "")
    if not match:
        raise DomainError("invalid_plan", detail=f"khoảng chỉ tiêu “{text}” / range '{text}'")
    low = Decimal(match.group(1).replace(",", "."))
    high = Decimal((match.group(2) or match.group(1)).replace(",", "."))
    if low > high or high > 100:
        raise DomainError("invalid_plan", detail=f"khoảng chỉ tiêu “{text}” / range '{text}'")
    return low, high


def load(path: str | Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainError("invalid_plan", detail=f"không có tệp {path} / no file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DomainError("invalid_plan", detail=str(error)) from None
    return parse(raw)


def parse(raw: dict[str, Any]) -> dict[str, Any]:
    try:
        plan = raw["plan"]
        pillars = [
            {"code": p["code"], "name": p["name"], "name_en": p.get("name_en", "")}
            for p in raw["pillars"]
        ]
        pillar_codes = {p["code"] for p in pillars}
        targets = []
        for number, t in enumerate(raw["targets"], start=1):
            if t["pillar"] not in pillar_codes:
                raise DomainError("invalid_plan", detail=f"trụ cột “{t['pillar']}”")
            low, high = parse_range(t["range"])
            targets.append({
                "code": t["code"], "number": number, "pillar": t["pillar"],
                "text": t["text"], "range": t["range"],
                "min": _plain(low), "max": _plain(high), "unit": "%",
            })
        codes = [t["code"] for t in targets]
        if len(set(codes)) != len(codes):
            raise DomainError("invalid_plan", detail="mã chỉ tiêu trùng / duplicate codes")
        return {
            "code": plan["code"], "title": plan["title"],
            "organisation": plan["organisation"],
            "adopted_on": date.fromisoformat(str(plan["adopted_on"])).isoformat(),
            "source": plan.get("source", ""),
            "pillars": pillars, "targets": targets,
        }
    except KeyError as missing:
        raise DomainError("invalid_plan", detail=f"thiếu trường {missing} / missing") from None
    except (TypeError, ValueError, InvalidOperation) as error:
        raise DomainError("invalid_plan", detail=str(error)) from None


def _plain(number: Decimal) -> str:
    return str(number.to_integral_value() if number == number.to_integral_value() else number)
