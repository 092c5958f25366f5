"""A real browser (Debian's Chromium, driven by Playwright) against the app served by
werkzeug in a thread on a free local port, on a phone-sized viewport."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import date

import pytest
from werkzeug.serving import make_server

from tests.webapp import seed
from web import create_app, storage

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    # In CI a missing browser must fail loudly (.ci/run installs it), not skip.
    if shutil.which("chromium") is None and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium)")
        for item in items:
            if "browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download is unavailable here: use the distribution's.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def live_app(sqlite_url, clock, tmp_path):
    """The seeded app with one task of unit VP; yields (base URL, task id)."""
    app = create_app({"TESTING": False, "SECRET_KEY": "browser-secret",
                      "DATABASE_URL": sqlite_url, "CLOCK": clock,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        svc = storage.service()
        seed(svc)
        task_id = svc.assign_task("lanhdao", unit="VP", deadline=date(2025, 3, 31),
                                  title="Số hóa hồ sơ công việc", target="CT02",
                                  plan="KH-CDS-2025",
                                  description="Dữ liệu mẫu cho kiểm thử")
        svc.assign_task("lanhdao", unit="YT", deadline=date(2025, 3, 5),
                        title="Hồ sơ sức khỏe điện tử (mẫu)", target="CT10",
                        plan="KH-CDS-2025")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", task_id
    server.shutdown()
    thread.join()
    storage.close(app)
