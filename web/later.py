"""A value made when first used: what a template may not need (a part of the page it
shows may be kept, web/fragments.py, and then its data is never read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Later:
    """A value made when first used: what a template may not need."""

    def __init__(self, make: Callable[[], Any]):
        self._make = make

    def __getattr__(self, name: str) -> Any:
        # Only names the value does not have as this object's own come here.
        value = self.__dict__.get("_value")
        if value is None:
            value = self.__dict__["_value"] = self._make()
        return getattr(value, name)
