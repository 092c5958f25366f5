"""``nhiemvu token``: a token is printed once, listed without its secret, found by its
text, id or label, and revoked; refusals are clear and have their exit codes."""

from __future__ import annotations

import json

from events.system import System
from tests import commune
from workflow import tokens


def _people(url: str) -> None:
    with System(url) as store:
        commune.set_up(store.service, plan=False)


def _authenticates(url: str, text: str) -> str | None:
    with System(url) as store:
        actor = store.service.authenticate_token(text)
    return actor and actor.username


def test_a_token_is_printed_once_works_and_is_listed_without_its_secret(nhiemvu,
                                                                          database_url):
    _people(database_url)
    made = nhiemvu("token", "create", commune.HEAD, "--name", "bảng điều khiển huyện")
    assert made.exit_code == 0, made.output
    text = made.stdout.strip()
    assert tokens.parse(text) is not None and "\n" not in text
    assert "chỉ hiện một lần" in made.stderr
    assert _authenticates(database_url, text) == commune.HEAD
    listed = nhiemvu("token", "list", commune.HEAD)
    secret = text.rsplit(".", 1)[1]
    assert listed.exit_code == 0
    assert "bảng điều khiển huyện" in listed.output and "đang dùng" in listed.output
    assert secret not in listed.output
    as_json = json.loads(nhiemvu("token", "list", "--json").stdout)
    assert [(row["id"], row["username"], row["label"], row["revoked_at"])
            for row in as_json] == [(tokens.parse(text)[1], commune.HEAD,
                                     "bảng điều khiển huyện", None)]
    assert secret not in json.dumps(as_json)


def test_revoking_by_label_id_or_token_stops_each(nhiemvu, database_url):
    _people(database_url)
    by_label = nhiemvu("token", "create", commune.HEAD, "--name", "điện thoại").stdout.strip()
    by_id = nhiemvu("token", "create", commune.HEAD).stdout.strip()
    by_text = nhiemvu("token", "create", commune.LEADER).stdout.strip()
    assert nhiemvu("token", "revoke", "điện thoại", "--reason", "Mất máy").exit_code == 0
    assert nhiemvu("token", "revoke", tokens.parse(by_id)[1]).exit_code == 0
    done = nhiemvu("token", "revoke", by_text)
    assert done.exit_code == 0 and commune.LEADER in done.output
    assert [_authenticates(database_url, t) for t in (by_label, by_id, by_text)] == [None] * 3
    listed = nhiemvu("token", "list", commune.HEAD)
    assert "thu hồi lúc" in listed.output and "đang dùng" not in listed.output


def test_an_unknown_or_shared_label_and_an_unknown_person_are_refused(lite, sqlite_url):
    _people(sqlite_url)
    lite("token", "create", commune.HEAD, "--name", "máy chủ")
    lite("token", "create", commune.LEADER, "--name", "máy chủ")
    unknown = lite("token", "revoke", "không có")
    shared = lite("token", "revoke", "máy chủ")
    nobody = lite("token", "create", "khong.ai")
    nobody_listed = lite("token", "list", "khong.ai")
    assert nobody_listed.exit_code == 1 and "khong.ai" in nobody_listed.output
    assert "Traceback" not in nobody_listed.output
    assert (unknown.exit_code, shared.exit_code, nobody.exit_code) == (1, 1, 1)
    assert unknown.output == "Lỗi: Không tìm thấy khóa truy cập “không có” đang dùng.\n"
    assert "trùng với nhiều khóa truy cập" in shared.output
    assert "Không tìm thấy người dùng “khong.ai”" in nobody.output
    # Naming the person settles which one.
    assert lite("token", "revoke", "máy chủ", "--user", commune.LEADER).exit_code == 0
    english = lite("--lang", "en", "token", "revoke", "không có")
    assert english.output == "Error: No access token “không có” in use was found.\n"
