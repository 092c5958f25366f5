"""API tokens through the service: made, found, revoked, and the events a token's
commands record (``via: "api"``), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import commune
from workflow import tokens
from workflow.errors import DomainError
from workflow.rules import Actor


@pytest.fixture
def service(store):
    commune.set_up(store.service)
    return store.service


def test_a_token_acts_for_its_person_through_the_api(service):
    text = service.create_token(commune.HEAD, "điện thoại")
    actor = service.authenticate_token(text)
    assert actor == Actor(commune.HEAD, "unit_head", "VP", True, via="api")
    # Only the digest of the secret is recorded: the token itself is nowhere in the log.
    user = service.get_user(commune.HEAD)
    recorded = [e for e in service.history(user.id) if type(e).__name__ == "ApiTokenIssued"]
    assert len(recorded) == 1
    secret = text.rsplit(".", 1)[1]
    assert recorded[0].digest == tokens.digest(secret)
    assert secret not in str(recorded[0].__dict__)
    assert recorded[0].label == "điện thoại" and recorded[0].actor == "system"


def test_the_events_a_token_causes_say_so_and_no_others_do(service):
    head = service.authenticate_token(service.create_token(commune.HEAD))
    task = commune.task_in_state(service, "assigned")
    service.start_task(head, task)  # through the API
    service.note_progress(commune.HEAD, task, "Qua trang web")  # the same person, not
    service.note_progress(head, task, "Qua API lần nữa", percent=50)
    events = service.history(task)
    assert [(type(e).__name__, e.actor, getattr(e, "via", None)) for e in events] == [
        ("TaskAssigned", commune.LEADER, None),
        ("WorkStarted", commune.HEAD, "api"),
        ("ProgressNoted", commune.HEAD, None),
        ("ProgressNoted", commune.HEAD, "api"),
    ]
    # Read back from the store (as another process would), the task is the same.
    service.forget_loaded()
    assert service.get_task(task).percent == 50


def test_revoked_and_deactivated_tokens_stop_working(service):
    text = service.create_token(commune.MEMBER, "máy tính bảng")
    token_id = tokens.parse(text)[1]
    service.deactivate_user(commune.MEMBER, "Nghỉ phép dài")
    assert service.authenticate_token(text) is None
    service.reactivate_user(commune.MEMBER, "Đi làm lại")
    assert service.authenticate_token(text) is not None
    service.revoke_token(commune.MEMBER, token_id, "Mất máy")
    assert service.authenticate_token(text) is None
    with pytest.raises(DomainError) as again:
        service.revoke_token(commune.MEMBER, token_id)
    assert again.value.code == "unknown_token"
    listed = service.token_list(commune.MEMBER)
    assert [(t["id"], t["label"], t["revoked_by"]) for t in listed] == [
        (token_id, "máy tính bảng", "system")]
    assert listed[0]["revoked_at"] >= listed[0]["issued_at"]


def test_a_wrong_secret_or_unknown_person_is_no_one(service):
    text = service.create_token(commune.LEADER)
    assert service.authenticate_token(text[:-1] + ("A" if text[-1] != "A" else "B")) is None
    assert service.authenticate_token(text.replace(commune.LEADER, "khong.ai")) is None
    assert service.authenticate_token("") is None


def test_people_make_their_own_tokens_and_admins_anyones(service):
    service.create_token(commune.MEMBER, "của tôi", actor=commune.MEMBER)
    service.create_token(commune.MEMBER, "do quản trị cấp", actor=commune.ADMIN)
    with pytest.raises(DomainError) as refused:
        service.create_token(commune.HEAD, "của người khác", actor=commune.MEMBER)
    assert refused.value.code == "permission_denied"
    assert len(service.token_list(commune.MEMBER)) == 2


def test_a_token_is_found_by_its_text_id_or_label(service):
    text = service.create_token(commune.HEAD, "bảng điều khiển")
    token_id = tokens.parse(text)[1]
    people = [commune.HEAD, commune.LEADER]
    assert service.resolve_token(text, people) == (commune.HEAD, token_id)
    assert service.resolve_token(token_id, people) == (commune.HEAD, token_id)
    assert service.resolve_token("bảng điều khiển", people) == (commune.HEAD, token_id)
    with pytest.raises(DomainError) as unknown:
        service.resolve_token("không có", people)
    assert unknown.value.code == "unknown_token"


@given(st.text(max_size=300))
def test_reading_any_text_as_a_token_never_fails(text):
    found = tokens.parse(text)
    assert found is None or (len(found) == 3 and all(found))


def test_a_copy_of_a_record_shares_nothing_that_can_change(service):
    """The aggregate cache hands out copies (``Record.__deepcopy__``): changing one must
    leave the cached record as it was, tokens included."""
    import copy

    service.create_token(commune.HEAD, "điện thoại")
    user = service.get_user(commune.HEAD)
    copied = copy.deepcopy(user)
    assert vars(copied) == vars(user) and type(copied) is type(user)
    assert copied.tokens is not user.tokens
    [token_id] = user.tokens
    assert copied.tokens[token_id] is not user.tokens[token_id]
    copied.tokens[token_id]["label"] = "đổi trên bản sao"
    assert user.tokens[token_id]["label"] == "điện thoại"
    copied.revoke_token(Actor("system", "system", None, True), token_id, "thử")
    assert user.tokens[token_id]["revoked"] is False
    assert user.version == copied.version - 1
    assert service.get_user(commune.HEAD).version == user.version  # nothing saved
