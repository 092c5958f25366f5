"""The sealed log in the web app: the damage banner, the damaged task's notice, the
seal on the audit page.

The tasks are made through commands; a stored event is then changed or deleted with
SQL behind the app's back, and the real verification (``verify_and_record``) finds
it, as the scheduler would. The clock stands at 01/03/2025 09:00 and is moved to
02/03/2025 14:30 (Vietnam) before each verification.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import pytest
from sqlalchemy import select

from events.processes import sealing
from tests.webapp import *  # noqa: F403  (fixtures)
from web import storage
from workflow.clock import LOCAL_TZ

BANNER = 'id="seal-damage"'
NOTICE = "Nhật ký của nhiệm vụ này bị thay đổi tại vị trí"
FOUND_AT = "02/03/2025 14:30"


class Tamper:
    """Changes a task's stored event and puts it back, as a hand edit would."""

    def __init__(self, app):
        with app.app_context():
            store = storage.store()
            self.engine = store.engine
            self.events = store.service.recorder.events_record_cls.__table__

    def _where(self, task: UUID, version: int):
        return ((self.events.c.originator_id == task)
                & (self.events.c.originator_version == version))

    def position(self, task: UUID, version: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(self.events.c.id).where(
                self._where(task, version))).scalar_one()

    def state(self, task: UUID, version: int) -> bytes:
        with self.engine.connect() as conn:
            return bytes(conn.execute(select(self.events.c.state).where(
                self._where(task, version))).scalar_one())

    def put_state(self, task: UUID, version: int, state: bytes) -> None:
        with self.engine.begin() as conn:
            changed = conn.execute(self.events.update().where(
                self._where(task, version)).values(state=state))
            assert changed.rowcount == 1

    def change_actor(self, task: UUID, version: int) -> tuple[int, bytes]:
        """The start's actor rewritten (the body still decodes); returns the
        position and the original bytes."""
        original = self.state(task, version)
        assert b'"truongvp"' in original
        self.put_state(task, version, original.replace(b'"truongvp"', b'"truongyt"'))
        return self.position(task, version), original

    def delete(self, task: UUID, version: int) -> int:
        position = self.position(task, version)
        with self.engine.begin() as conn:
            assert conn.execute(self.events.delete().where(
                self._where(task, version))).rowcount == 1
        return position


@pytest.fixture
def tamper(app, seeded):
    return Tamper(app)


@pytest.fixture
def verify(app, clock):
    """Run the verification the scheduler runs, at 14:30 on 02/03/2025; its result."""
    def run():
        moment = datetime(2025, 3, 2, 14, 30, tzinfo=LOCAL_TZ)
        if clock() < moment:
            clock.advance(seconds=(moment - clock()).total_seconds())
        with app.app_context():
            return sealing.verify_and_record(storage.store())
    return run


@pytest.fixture
def started(seeded, task_id):
    """The VP task, started by its head: versions 1 and 2 (the start names truongvp)."""
    seeded.start_task("truongvp", task_id)
    return task_id


@pytest.fixture
def changed(started, tamper, verify):
    """The start's actor changed behind the app, and found; the damaged position."""
    position, _ = tamper.change_actor(started, 2)
    result = verify()
    assert (result["intact"], result["kind"], result["position"]) == (False, "changed",
                                                                      position)
    return position


def test_no_banner_while_no_verification_has_run(as_role, started, tamper):
    tamper.change_actor(started, 2)  # damaged, but nobody has looked yet
    for who in ("quantri", "giamsat"):
        page = as_role(who).get("/overview").text
        assert BANNER not in page and "Nhật ký bị thay đổi" not in page


def test_no_banner_while_the_last_verification_found_the_log_intact(as_role, started,
                                                                      verify):
    assert verify()["intact"]
    assert BANNER not in as_role("quantri").get("/overview").text
    assert NOTICE not in as_role("giamsat").get(f"/tasks/{started}").text


@pytest.mark.parametrize("who", ["quantri", "giamsat"])
@pytest.mark.parametrize("url", ["/overview", "/tasks/", "/audit/", "/plan/"])
def test_admins_and_auditors_see_the_banner_naming_the_position(
        as_role, started, changed, who, url):
    response = as_role(who).get(url)

    assert response.status_code == 200
    page = response.text
    assert BANNER in page and 'role="alert"' in page
    assert f"Nhật ký bị thay đổi tại vị trí {changed}</strong>: bản ghi bị sửa." in page
    assert f"Phát hiện lúc {FOUND_AT}." in page
    assert f'href="/tasks/{started}"' in page


@pytest.mark.parametrize("who", ["truongvp", "canbovp", "lanhdao"])
def test_other_roles_see_no_banner(as_role, changed, who):
    for url in ("/", "/tasks/"):
        page = as_role(who).get(url).text
        assert BANNER not in page, (who, url)
        assert f"tại vị trí {changed}" not in page


@pytest.mark.parametrize("who", ["truongvp", "canbovp", "canboyt", "lanhdao", "giamsat"])
def test_the_damaged_task_says_its_record_is_damaged_to_every_viewer(
        as_role, started, changed, who):
    response = as_role(who).get(f"/tasks/{started}")

    assert response.status_code == 200
    assert (f"{NOTICE} {changed}; những gì hiển thị dưới đây có thể không đúng."
            in response.text)
    assert 'id="task-title"' in response.text  # the task is still shown


def test_the_notice_stays_in_the_refreshed_task_panel(as_role, started, changed):
    fragment = as_role("truongvp").get(f"/tasks/{started}", htmx=True)
    assert fragment.status_code == 200
    assert f"{NOTICE} {changed}" in fragment.text
    assert "<html" not in fragment.text


def test_other_tasks_carry_no_notice(app, seeded, as_role, changed):
    with app.app_context():
        other = seeded.assign_task("lanhdao", unit="VP", deadline=date(2025, 4, 30),
                                   title="Nhiệm vụ lành")
    page = as_role("truongvp").get(f"/tasks/{other}").text
    assert NOTICE not in page


def test_a_deleted_middle_event_gives_the_damage_page_with_the_banner(
        as_role, seeded, started, tamper, verify):
    seeded.note_progress("truongvp", started, "Đã họp thôn")  # version 3
    position = tamper.delete(started, 2)
    result = verify()
    assert (result["kind"], result["position"]) == ("deleted", position)

    response = as_role("quantri").get(f"/tasks/{started}")

    assert response.status_code == 409
    assert "Bản ghi bị hỏng" in response.text
    assert f"Nhật ký bị thay đổi tại vị trí {position}</strong>: bản ghi bị xoá." in response.text
    assert as_role("truongvp").get(f"/tasks/{started}").status_code == 409
    assert as_role("quantri").get("/overview").status_code == 200


def test_the_banner_and_notice_go_once_the_restored_log_verifies_intact(
        as_role, started, tamper, verify):
    _, original = tamper.change_actor(started, 2)
    verify()
    admin = as_role("quantri")
    assert BANNER in admin.get("/overview").text

    tamper.put_state(started, 2, original)
    assert verify()["intact"]

    assert BANNER not in admin.get("/overview").text
    assert NOTICE not in admin.get(f"/tasks/{started}").text


def test_the_banner_speaks_english_on_request(as_role, started, changed):
    browser = as_role("giamsat")
    browser.client.get("/lang/en")

    page = browser.get("/overview").text

    assert f"The audit log was changed at position {changed}</strong>: a record was edited." in page
    assert f"Found at {FOUND_AT}." in page
    assert "bị thay đổi" not in page


def test_the_audit_page_shows_the_latest_checkpoint_and_how_to_check_it(
        app, as_role, started):
    with app.app_context():
        latest = sealing.checkpoint(storage.store(), "request")

    page = as_role("truongvp").get("/audit/").text

    assert "Dấu niêm phong</h2>" in page
    assert f'<dd id="seal-size">{latest.size}</dd>' in page
    assert f'<code class="pre" id="seal-root">{latest.root}</code>' in page
    assert "<code>nhiemvu audit verify</code>" in page
    assert "<code>nhiemvu audit consistency SIZE ROOT</code>" in page
    assert "docs/audit.md" in page
    assert "Chưa kiểm tra lần nào." in page


def test_the_audit_page_shows_the_last_verification_s_result(as_role, started, tamper,
                                                              verify):
    verify()
    assert "Nguyên vẹn · <time" in as_role("truongvp").get("/audit/").text

    position, _ = tamper.change_actor(started, 2)
    verify()
    page = as_role("truongvp").get("/audit/").text
    assert f"Nhật ký bị thay đổi tại vị trí {position}</strong>: bản ghi bị sửa" in page
    assert FOUND_AT in page
    assert BANNER not in page  # the result is for everyone; the banner is not


@pytest.mark.both_stores
def test_the_banner_and_notice_name_the_same_position_on_either_store(as_role, started,
                                                                       changed):
    # The damaged record's id comes back from the seal as hex on SQLite (bytes) and
    # on PostgreSQL (uuid) alike: the task page must recognise it on both.
    assert f"tại vị trí {changed}</strong>" in as_role("quantri").get("/tasks/").text
    assert f"{NOTICE} {changed};" in as_role("truongvp").get(f"/tasks/{started}").text


@pytest.mark.both_stores
def test_the_notice_follows_a_verification_another_worker_records(
        as_role, started, tamper, other_worker, clock):
    # What the last verification found is kept between requests (web/audit.py,
    # ``damage``) under the seal's marks, read from the database: a verification
    # recorded by another process shows on this one's next page, either way.
    def verify_elsewhere() -> dict:
        with other_worker.app_context():
            return sealing.verify_and_record(storage.live())

    browser = as_role("truongvp")
    assert verify_elsewhere()["intact"]
    assert NOTICE not in browser.get(f"/tasks/{started}").text
    position, original = tamper.change_actor(started, 2)
    assert NOTICE not in browser.get(f"/tasks/{started}").text  # not verified yet
    clock.advance(minutes=1)
    assert not verify_elsewhere()["intact"]
    assert f"{NOTICE} {position};" in browser.get(f"/tasks/{started}").text

    tamper.put_state(started, 2, original)
    clock.advance(minutes=1)
    assert verify_elsewhere()["intact"]
    assert NOTICE not in browser.get(f"/tasks/{started}").text
