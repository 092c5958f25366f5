"""What may reach a terminal: stored text with its control characters made visible.

Text recorded before validation existed (or by another tool) can hold escape
sequences: ``\\x1b]0;…\\x07`` retitles the window, ``\\x1b[2J`` clears the screen,
``\\u202e`` reverses what follows. Every human-readable line the CLI prints passes
through ``printable``; JSON output is escaped by ``json`` itself.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# Control characters, lone surrogates (unprintable, and unencodable as UTF-8), line and
# paragraph separators, and the bidirectional overrides and isolates.
_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(value: Any, *, lines: bool = False) -> str:
    """``value`` as text, each control character shown as an escape (``\\x1b``).

    With ``lines`` a line break stays a line break (a description); otherwise it is
    shown as ``\\n``, so a table cell is always one line.
    """
    text = "-" if value is None else str(value)
    if text.isprintable():  # the usual case, checked in C
        return text
    return "".join(_escaped(ch, lines) for ch in text)


def _escaped(ch: str, lines: bool) -> str:
    if lines and ch in "\n\t":
        return ch
    if ch in _BIDI or unicodedata.category(ch) in _CATEGORIES:
        return ch.encode("unicode_escape").decode("ascii")
    return ch
