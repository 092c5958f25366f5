"""Evidence: one shape for every interface, bytes kept only when the report is recorded.

The web and the CLI stage files under ``<instance>/evidence/.staging`` and move them to
``<instance>/evidence/ab/abcd…`` once the report is recorded. The ``app`` fixture and
the ``nhiemvu`` fixture share the instance folder (``tmp_path / "instance"``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from events.demo.sample import sample_content
from events.demo.tasks import TASKS
from tests.webapp import *  # noqa: F403  (fixtures)
from tests.webapp import upload
from web import storage
from workflow.clock import FixedClock, use_clock
from workflow.errors import DomainError
from workflow.evidence import MAX_BYTES, MAX_ITEMS, Evidence
from workflow.rules import Actor
from workflow.task import Task

PDF = b"%PDF-1.4 bien ban nghiem thu"
DIGEST = hashlib.sha256(PDF).hexdigest()


def files_under(instance: str | Path) -> list[Path]:
    """Every file under the evidence folder, the staging folder included."""
    folder = Path(instance) / "evidence"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def history(app, task_id):
    with app.app_context():
        return storage.service().history(task_id)


def report_form(browser, task_id, data, target=None):
    return browser.post(f"/tasks/{target or task_id}/report", data,
                        page=f"/tasks/{task_id}", multipart=True)


# -- the web ---------------------------------------------------------------------


def test_an_accepted_upload_is_moved_out_of_staging_to_its_digest(app, seeded, as_role,
                                                                 task_id):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    response = report_form(as_role("truongvp"), task_id, {
        "summary": "Đã nghiệm thu", "evidence": upload(PDF, "Biên bản.pdf")})
    assert response.status_code == 303
    assert history(app, task_id)[-1].evidence == [
        {"name": "Biên bản.pdf", "media_type": "application/pdf", "size": len(PDF),
         "sha256": DIGEST}]
    assert files_under(app.instance_path) == [
        Path(app.instance_path) / "evidence" / DIGEST[:2] / DIGEST]


@pytest.mark.parametrize(("who", "elsewhere", "links", "status"), [
    ("giamsat", False, "", 403),                 # an auditor may not report
    ("truongvp", True, "", 404),                 # no such task
    ("truongvp", False, "javascript:alert(1)", 422),  # a link that is not http(s)
])
def test_a_refused_report_leaves_no_uploaded_file_behind(app, seeded, as_role, task_id,
                                                         who, elsewhere, links, status):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    response = report_form(as_role(who), task_id, {
        "summary": "Báo cáo", "links": links,
        "evidence": [upload(PDF, "Biên bản.pdf"), upload(b"x" * 4096, "anh.png")]},
        target=uuid4() if elsewhere else None)
    assert response.status_code == status
    assert files_under(app.instance_path) == []
    assert type(history(app, task_id)[-1]).__name__ == "WorkStarted"


def record_as_version_1(svc, task_id, clock: FixedClock, evidence: list[dict]) -> None:
    """System a ReportSubmitted as the web wrote it before class_version 2.

    Today's code can no longer record that shape, so the stored event is written with
    the library, as the older release did: the same topic and fields, no
    ``class_version``, evidence with ``type`` and ``link``.
    """
    state = svc.mapper.transcoder.encode({
        "timestamp": clock(), "actor": "truongvp", "summary": "Đã nghiệm thu",
        "value": None, "evidence": evidence})
    svc.recorder.insert_events([StoredEvent(
        originator_id=task_id, originator_version=len(svc.history(task_id)) + 1,
        topic="nhiemvu.task.ReportSubmitted", state=state)])


def test_a_report_recorded_with_type_before_version_2_still_downloads(app, seeded, as_role,
                                                                     task_id, clock):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
        record_as_version_1(seeded, task_id, clock, [
            {"sha256": DIGEST, "name": "Biên bản.pdf", "size": len(PDF),
             "type": "application/pdf"},
            {"link": "https://dichvucong.gov.vn/ho-so"}])
    kept = Path(app.instance_path) / "evidence" / DIGEST[:2] / DIGEST
    kept.parent.mkdir(parents=True)
    kept.write_bytes(PDF)  # where the older release kept the bytes, too

    assert history(app, task_id)[-1].evidence == [
        {"sha256": DIGEST, "name": "Biên bản.pdf", "size": len(PDF),
         "media_type": "application/pdf"},
        {"url": "https://dichvucong.gov.vn/ho-so"}]
    leader = as_role("lanhdao")
    download = leader.get(f"/tasks/{task_id}/evidence/{DIGEST}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    download.close()
    page = leader.get(f"/tasks/{task_id}").text
    assert '<a href="https://dichvucong.gov.vn/ho-so"' in page


# -- the CLI ---------------------------------------------------------------------


def test_evidence_reported_from_the_cli_is_kept_and_downloads_from_the_web(
        app, seeded, as_role, task_id, nhiemvu, tmp_path):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    scan = tmp_path / "bien-ban.pdf"
    scan.write_bytes(PDF)
    result = nhiemvu("task", "report", str(task_id), "--as", "truongvp",
                     "--summary", "Đã nghiệm thu", "--evidence", str(scan))
    assert result.exit_code == 0, result.output
    assert history(app, task_id)[-1].evidence == [
        {"name": "bien-ban.pdf", "media_type": "application/pdf", "size": len(PDF),
         "sha256": DIGEST}]
    download = as_role("lanhdao").get(f"/tasks/{task_id}/evidence/{DIGEST}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "bien-ban.pdf" in download.headers["Content-Disposition"]
    download.close()


@pytest.mark.parametrize(("who", "elsewhere"), [("giamsat", False), ("truongvp", True)])
def test_a_report_refused_in_the_cli_keeps_no_file(app, seeded, task_id, nhiemvu, tmp_path,
                                                  who, elsewhere):
    with app.app_context():
        seeded.start_task("truongvp", task_id)
    scan = tmp_path / "bien-ban.pdf"
    scan.write_bytes(PDF)
    result = nhiemvu("task", "report", str(uuid4() if elsewhere else task_id), "--as", who,
                     "--summary", "Đã nghiệm thu", "--evidence", str(scan))
    assert result.exit_code == 1, result.output
    assert files_under(app.instance_path) == []
    assert type(history(app, task_id)[-1]).__name__ == "WorkStarted"


def test_the_demo_keeps_the_bytes_of_its_sample_evidence(lite, tmp_path):
    result = lite("demo", "--password", "mat-khau-mau")
    assert result.exit_code == 0, result.output
    names = {name for task in TASKS for step in task.steps if step[1] == "report"
             for name in step[4:]}
    assert names
    kept = {path.name: path.read_bytes() for path in files_under(tmp_path / "instance")}
    assert kept == {hashlib.sha256(sample_content(name)).hexdigest(): sample_content(name)
                    for name in names}


# -- the value object's bounds (the Task aggregate) ------------------------------

HEAD = Actor("truong.vp", "unit_head", "VP")


def a_file(**changes) -> dict:
    return {"name": "bien-ban.pdf", "media_type": "application/pdf", "size": 2048,
            "sha256": "ab" * 32, **changes}


@pytest.mark.parametrize(("evidence", "code"), [
    ([{"url": f"https://x.vn/{n}"} for n in range(MAX_ITEMS + 1)], "evidence_too_many"),
    ([a_file(name="a" * 197 + ".pdf")], "evidence_name_too_long"),
    ([a_file(name="\x1b]0;x\x07.pdf")], "evidence_name_invalid"),
    ([a_file(name="../../etc/passwd")], "evidence_name_invalid"),
    ([a_file(name="gpj\u202e.exe")], "evidence_name_invalid"),
    ([a_file(name="  ")], "evidence_name_invalid"),
    ([a_file(sha256="ab" * 31)], "evidence_digest_invalid"),
    ([a_file(sha256="zz" * 32)], "evidence_digest_invalid"),
    ([a_file(size=0)], "evidence_empty"),
    ([a_file(size=MAX_BYTES + 1)], "evidence_too_large"),
    ([a_file(size="2048")], "evidence_invalid"),
    ([a_file(media_type="pdf")], "evidence_media_type_invalid"),
    ([{"url": "javascript:alert(1)"}], "evidence_link_invalid"),
    ([{"url": "ftp://x.vn/a"}], "evidence_link_invalid"),
    ([{"url": "https://"}], "evidence_link_invalid"),
    ([{"url": "https://x.vn/a b"}], "evidence_link_invalid"),
    ([{"url": "https://x.vn/" + "a" * 2000}], "evidence_link_too_long"),
    ([{"sha256": "ab" * 32, "name": "a.pdf", "size": 1, "type": "application/pdf"}],
     "evidence_invalid"),  # the version-1 shape is read, never recorded again
    (["https://x.vn/a"], "evidence_invalid"),
])
def test_evidence_out_of_bounds_is_refused_with_its_code_and_nothing_is_recorded(
        clock, evidence, code):
    with use_clock(clock):
        task = Task.assign(Actor("lanh.dao", "leader"), title="Số hóa hồ sơ", unit="VP",
                           deadline=date(2025, 3, 31))
        task.start(HEAD)
        task.collect_events()
        with pytest.raises(DomainError) as refused:
            task.submit_report(HEAD, "Đã xong", evidence=evidence)
    assert refused.value.code == code
    assert refused.value.message("vi") != refused.value.message("en")
    assert task.collect_events() == []


def test_the_most_evidence_allowed_is_recorded_in_one_shape(clock):
    items = [Evidence.file("Biên bản.pdf", "Application/PDF", MAX_BYTES, "AB" * 32)] + [
        Evidence.link(f"https://x.vn/{n}") for n in range(MAX_ITEMS - 1)]
    with use_clock(clock):
        task = Task.assign(Actor("lanh.dao", "leader"), title="Số hóa hồ sơ", unit="VP",
                           deadline=date(2025, 3, 31))
        task.start(HEAD)
        task.submit_report(HEAD, "Đã xong", evidence=items)
    reported = task.collect_events()[-1]
    assert reported.evidence[0] == {"name": "Biên bản.pdf", "media_type": "application/pdf",
                                    "size": MAX_BYTES, "sha256": "ab" * 32}
    assert reported.evidence[1:] == [{"url": f"https://x.vn/{n}"}
                                     for n in range(MAX_ITEMS - 1)]
    assert reported.timestamp == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
