"""Search keys: lower case, no diacritics, ``đ`` → ``d``, single spaces."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from events.readmodels.searchable import search_key, search_words


def test_the_three_spellings_of_a_vietnamese_phrase_share_one_key():
    assert {search_key(t) for t in ("Chuyển đổi số", "chuyen doi so", "CHUYEN  DOI\tSO ")} == {
        "chuyen doi so"}
    assert search_key("Đường ĐÊ Điều") == "duong de dieu"
    assert search_words("  Số hóa   hồ sơ ") == ["so", "hoa", "ho", "so"]
    assert search_key(None) == search_key("") == ""


@given(st.text())
def test_a_key_has_no_combining_marks_and_keeps_every_other_character(text):
    key = search_key(text)
    assert not any(unicodedata.combining(ch) for ch in key)
    # The same key, letter by letter, as a plain reading of the rule gives it.
    text = text.replace("đ", "d").replace("Đ", "D")
    kept = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch))
    assert key == " ".join(kept.casefold().split())
