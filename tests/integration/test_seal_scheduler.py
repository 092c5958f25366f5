"""The seal's scheduled jobs: the hourly checkpoint, the verification (daily and at
start-up) and the morning mail to auditors, an outside witness.

The triggers are read from the scheduler ``build_scheduler`` makes; the jobs are run
directly (not by waiting for the clock) on both stores, and the mail goes to a real
SMTP server inside the test (tests/integration/conftest.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from events.processes.scheduler import SchedulerConfig, SealJobs, build_scheduler
from events.queries import seal as seal_queries
from events.system import System
from tests import commune
from tests.commune import LEADER
from tests.scheduler import run_scheduler_until

ROOT = Path(__file__).resolve().parents[2]
AUDITORS = ("kiem.tra@thanhhuong.gov.vn", "Hội đồng nhân dân <hdnd@thanhhuong.gov.vn>")


def _no_store():
    raise AssertionError("building the scheduler needs no store")


def _jobs(config: SchedulerConfig) -> dict:
    """The jobs with their next run times, computed without running any of them."""
    scheduler = build_scheduler(_no_store, config)
    scheduler.start(paused=True)
    try:
        return {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def _cron(job) -> tuple[str, str, str]:
    fields = {f.name: str(f) for f in job.trigger.fields}
    return fields["hour"], fields["minute"], str(job.trigger.timezone)


@pytest.fixture
def commune_store(store):
    commune.set_up(store.service)
    return store


def _assign(store, title: str = "Số hóa hồ sơ hộ sản xuất") -> None:
    store.service.assign_task(LEADER, unit="VP", deadline=datetime(2025, 3, 31).date(),
                              title=title)


def _damage_position_3(store) -> None:
    """A stored record changed behind the app's back."""
    table = store.service.recorder.events_record_cls.__table__
    with store.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == 3).values(state=b'{"forged": true}'))


def test_the_seal_jobs_are_scheduled_with_their_triggers(mail_config):
    started = datetime.now(UTC)
    jobs = _jobs(SchedulerConfig(mail=mail_config, seal_mail_to=AUDITORS))
    assert {"seal-checkpoint", "seal-verify", "seal-mail"} <= set(jobs)
    assert jobs["seal-checkpoint"].trigger.interval == timedelta(hours=1)
    assert _cron(jobs["seal-verify"]) == ("2", "0", "Asia/Ho_Chi_Minh")
    # Once at start-up, whatever the hour; then at 02:00.
    assert started <= jobs["seal-verify"].next_run_time <= datetime.now(UTC)
    assert _cron(jobs["seal-mail"]) == ("7", "0", "Asia/Ho_Chi_Minh")
    for job in jobs.values():
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)


def test_the_verification_time_and_the_auditors_come_from_the_environment(mail_config):
    config = SchedulerConfig.from_env({
        "NHIEMVU_SEAL_VERIFY_AT": "03:30", "NHIEMVU_ALERT_MORNING": "06:15",
        "NHIEMVU_SMTP_URL": f"smtp://127.0.0.1:{mail_config.port}",
        "NHIEMVU_SEAL_MAIL_TO": " kiem.tra@thanhhuong.gov.vn,Hội đồng <hdnd@xa.vn> "})
    assert config.seal_mail_to == ("kiem.tra@thanhhuong.gov.vn", "Hội đồng <hdnd@xa.vn>")
    jobs = _jobs(config)
    assert _cron(jobs["seal-verify"])[:2] == ("3", "30")
    assert _cron(jobs["seal-mail"])[:2] == ("6", "15")  # the morning digest's time
    assert SchedulerConfig.from_env({}).seal_mail_to == ()


def test_without_auditors_to_mail_or_without_smtp_there_is_no_mail_job(mail_config, caplog):
    assert "seal-mail" not in _jobs(SchedulerConfig(mail=mail_config))
    with caplog.at_level(logging.WARNING, logger="nhiemvu.alerts"):
        assert "seal-mail" not in _jobs(SchedulerConfig(seal_mail_to=AUDITORS))
    assert "NHIEMVU_SEAL_MAIL_TO is set but NHIEMVU_SMTP_URL is not" in caplog.text


@pytest.mark.parametrize(("name", "value"), [
    ("NHIEMVU_SEAL_VERIFY_AT", "2 giờ"), ("NHIEMVU_SEAL_VERIFY_AT", "25:00"),
    ("NHIEMVU_SEAL_VERIFY_AT", "02:00+07:00"), ("NHIEMVU_SEAL_MAIL_TO", "kiemtra.xa.vn"),
    ("NHIEMVU_SEAL_MAIL_TO", "a@xa.vn,,b@xa.vn"), ("NHIEMVU_SEAL_MAIL_TO", "a@xa vn"),
])
def test_a_bad_seal_setting_is_refused_naming_it(name, value):
    with pytest.raises(ValueError, match=name) as refused:
        SchedulerConfig.from_env({name: value})
    assert repr(value) in str(refused.value)


def test_the_scheduler_command_refuses_a_bad_seal_setting_as_bad_input(nhiemvu, monkeypatch):
    monkeypatch.setenv("NHIEMVU_SEAL_VERIFY_AT", "hai giờ sáng")
    result = nhiemvu("scheduler")
    assert result.exit_code == 2
    assert "cấu hình không hợp lệ: NHIEMVU_SEAL_VERIFY_AT" in result.output


def test_the_verification_job_records_what_it_found(commune_store):
    size = seal_queries.seal_size(commune_store)
    SealJobs(lambda: commune_store, SchedulerConfig()).verify()
    found = seal_queries.latest_verification(commune_store)
    assert found is not None and found["intact"] and found["actor"] == "system"
    assert found["size"] == found["checked"] == size


def test_the_verification_job_records_damage_and_a_failed_run_only_logs(commune_store,
                                                                         caplog):
    _damage_position_3(commune_store)
    SealJobs(lambda: commune_store, SchedulerConfig()).verify()
    found = seal_queries.damage(commune_store)
    assert found is not None and (found["damaged_position"], found["kind"]) == (3, "changed")

    def broken():
        raise OSError("database gone")

    with caplog.at_level(logging.ERROR, logger="nhiemvu.alerts"):
        SealJobs(broken, SchedulerConfig()).verify()
        SealJobs(broken, SchedulerConfig()).checkpoint()
    assert "verifying the log failed" in caplog.text
    assert "hourly checkpoint failed" in caplog.text


def test_the_hourly_checkpoint_is_recorded_only_when_the_log_grew(commune_store):
    jobs = SealJobs(lambda: commune_store, SchedulerConfig())
    size = seal_queries.seal_size(commune_store)
    jobs.checkpoint()
    first = seal_queries.latest_checkpoint(commune_store)
    assert first is not None and (first.size, first.reason) == (size, "hourly")
    # Its own record, and a verification's, are not the log growing.
    jobs.checkpoint()
    jobs.verify()
    jobs.checkpoint()
    assert seal_queries.checkpoints(commune_store) == [first]
    _assign(commune_store)
    grown = seal_queries.seal_size(commune_store)
    jobs.checkpoint()
    latest = seal_queries.latest_checkpoint(commune_store)
    assert latest is not None and latest.size == grown
    assert len(seal_queries.checkpoints(commune_store)) == 2


def test_the_hourly_checkpoint_covers_events_recorded_while_the_last_one_was_taken(
        commune_store):
    size, root = seal_queries.current_root(commune_store)
    _assign(commune_store)  # recorded after the checkpoint's size was read, before it
    assert commune_store.service.record_checkpoint(size, root, "events")
    SealJobs(lambda: commune_store, SchedulerConfig()).checkpoint()
    latest = seal_queries.latest_checkpoint(commune_store)
    assert latest is not None and (latest.size, latest.reason) == (size + 2, "hourly")


def _mail_jobs(store, mail_config, to=AUDITORS) -> SealJobs:
    return SealJobs(lambda: store, SchedulerConfig(mail=mail_config, seal_mail_to=to))


def test_the_morning_mail_witnesses_the_latest_checkpoint_and_how_to_check_it(
        commune_store, smtp, mail_config):
    jobs = _mail_jobs(commune_store, mail_config)
    jobs.checkpoint()
    jobs.verify()
    jobs.mail()
    latest = seal_queries.latest_checkpoint(commune_store)
    verified = seal_queries.latest_verification(commune_store)
    [(to, mail)] = smtp.messages()
    assert sorted(to) == ["hdnd@thanhhuong.gov.vn", "kiem.tra@thanhhuong.gov.vn"]
    assert b"=?utf-8?" in smtp.received[0][1]  # the subject travels RFC 2047 encoded
    assert mail["Subject"] == (f"Dấu niêm phong nhật ký nhiệm vụ: {latest.size} sự kiện, "
                               "01/03/2025")
    assert mail["To"].addresses[1].display_name == "Hội đồng nhân dân"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert body.startswith("Kính gửi các đồng chí phụ trách kiểm tra, giám sát,")
    assert f"- số sự kiện đã niêm phong: {latest.size}\n" in body
    assert f"- gốc (SHA-256): {latest.root}\n" in body
    assert "- lúc: 01/03/2025 09:00 (giờ Việt Nam)" in body
    assert (f"Lần kiểm tra gần nhất (01/03/2025 09:00): nhật ký nguyên vẹn, "
            f"{verified['size']} sự kiện đã niêm phong.") in body
    assert f"    nhiemvu audit consistency {latest.size} {latest.root}\n" in body
    assert "— English —" in body  # the same text follows in English
    assert "CẢNH BÁO" not in body


def test_when_the_last_verification_found_damage_the_mail_says_so_first(
        commune_store, smtp, mail_config):
    jobs = _mail_jobs(commune_store, mail_config)
    jobs.checkpoint()
    _damage_position_3(commune_store)
    jobs.verify()
    jobs.mail()
    [(_, mail)] = smtp.messages()
    size = seal_queries.latest_checkpoint(commune_store).size
    assert mail["Subject"] == ("CẢNH BÁO: Nhật ký bị thay đổi tại vị trí 3. Dấu niêm phong "
                               f"nhật ký nhiệm vụ: {size} sự kiện, 01/03/2025")
    body = mail.get_content()
    warning = ("CẢNH BÁO: Nhật ký bị thay đổi tại vị trí 3 (bản ghi bị sửa), phát hiện khi "
               "kiểm tra lúc 01/03/2025 09:00.")
    assert body.index(warning) < body.index("Dấu niêm phong mới nhất")
    assert "nguyên vẹn" not in body


def test_without_auditors_or_a_checkpoint_no_mail_is_sent(commune_store, smtp, mail_config):
    _mail_jobs(commune_store, mail_config).mail()  # no checkpoint yet
    _mail_jobs(commune_store, mail_config).checkpoint()
    _mail_jobs(commune_store, mail_config, to=()).mail()
    assert smtp.messages() == []


def test_the_scheduler_command_verifies_the_log_when_it_starts(database_url):
    with System(database_url) as store:
        commune.set_up(store.service)
    def verified():
        with System(database_url) as store:
            return seal_queries.latest_verification(store)

    _out, err, code = run_scheduler_until(database_url, verified)
    assert code == 0, err
    found = verified()
    assert found is not None and found["intact"], err
    assert "log verified" in err
