"""API tokens (khóa truy cập API): made, listed and revoked at the console.

A token acts for one person, with their role and unit, through ``/api/v1``
(docs/api.md). It is printed once, when it is made: the store keeps only a digest of
its secret, so a lost token is revoked and a new one made.
"""

from __future__ import annotations

import click

from cli.output import echo_json, show_time, table
from cli.runtime import GuardedGroup, current_run
from events import queries
from workflow.words import _


def register(main: click.Group) -> None:
    main.add_command(token)


@click.group(cls=GuardedGroup)
def token() -> None:
    """API tokens: create (shown once), list, revoke."""


@token.command("create")
@click.argument("username")
@click.option("--name", "label", default="", metavar="LABEL",
              help="What it is for, e.g. bang-dieu-khien-huyen.")
def create(username: str, label: str) -> None:
    """Make a token for USERNAME and print it, once (stdout, one line)."""
    text = current_run().store.service.create_token(username.strip().lower(), label)
    click.echo(text)
    click.echo(_("Khóa chỉ hiện một lần này: hãy lưu ngay ở nơi an toàn. Khóa làm việc với "
                 "vai trò và đơn vị của %(username)s; thu hồi bằng nhiemvu token revoke.",
                 username=username.strip().lower()), err=True)


def _usernames(username: str | None) -> list[str]:
    if username:
        return [username.strip().lower()]
    return [row["username"] for row in queries.users(current_run().store)]


@token.command("list")
@click.argument("username", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_tokens(username: str | None, as_json: bool) -> None:
    """List the tokens of USERNAME, or everyone's (never their secrets)."""
    service = current_run().store.service
    rows = [row for name in _usernames(username) for row in service.token_list(name)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(_("Chưa có khóa truy cập nào."))
        return
    click.echo(table(
        [_("Mã khóa"), _("Người dùng"), _("Nhãn"), _("Cấp lúc"), _("Người cấp"),
         _("Trạng thái")],
        [(r["id"], r["username"], r["label"] or "-", show_time(r["issued_at"]),
          r["issued_by"],
          _("thu hồi lúc %(at)s bởi %(by)s", at=show_time(r["revoked_at"]), by=r["revoked_by"])
          if r["revoked_at"] else _("đang dùng")) for r in rows]))


@token.command("revoke")
@click.argument("key", metavar="TOKEN|ID|LABEL")
@click.option("--user", "username", metavar="USERNAME",
              help="Whose token (when a label is shared by several people).")
@click.option("--reason", default="", help="Why (optional), e.g. a lost phone.")
def revoke(key: str, username: str | None, reason: str) -> None:
    """Revoke a token: the token itself, its id, or its label."""
    service = current_run().store.service
    owner, token_id = service.resolve_token(key, _usernames(username))
    service.revoke_token(owner, token_id, reason)
    click.echo(_("Đã thu hồi khóa %(id)s của %(username)s: khóa này không còn dùng được.",
                 id=token_id, username=owner))
