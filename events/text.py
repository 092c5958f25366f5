"""Vietnamese text made searchable: lower case, no diacritics, ``đ`` → ``d``.

"Chuyển đổi số", "chuyen doi so" and "CHUYEN DOI SO" all become ``chuyen doi so``,
so one stored key answers all three spellings.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def search_key(text: str | None) -> str:
    """The normalised form of ``text`` used for matching."""
    if not text:
        return ""
    # đ/Đ is a letter of its own, not d plus a mark, so NFD leaves it alone.
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def search_words(query: str | None) -> list[str]:
    """The words of a search query, normalised; a row must contain every one."""
    return [word for word in search_key(query).split(" ") if word]
