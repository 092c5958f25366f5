"""``nhiemvu audit``: the sealed log — verify it, print its checkpoint, prove."""

from __future__ import annotations

import click

from cli.runtime import GuardedGroup


@click.group(cls=GuardedGroup)
def audit() -> None:
    """Nhật ký niêm phong: kiểm tra, điểm chốt, bằng chứng.

    The sealed log: verify, checkpoint, proofs.
    """
