"""`flask users ...`: the only way to make the first administrator; no default account or password exists."""

from __future__ import annotations

import pytest
from factories import DEFAULT_TEST_PASSWORD, make_user
from flask_babel import gettext
from sqlalchemy import func, select

from charity_site.extensions import db
from charity_site.models import AuditLog, Role, StaffUser
from charity_site.staff import accounts as staff
from charity_site.staff.cli import init_users_cli

GOOD_PASSWORD = "Lang-genug-2025"


@pytest.fixture
def users_cli(app, runner):
    if "users" not in app.cli.commands:
        init_users_cli(app)

    def invoke(*args, input=None):
        return runner.invoke(args=["users", *args], input=input)

    return invoke


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser))


def test_there_is_no_default_account(app):
    assert count_users() == 0
    client = app.test_client()
    for email, password in (("admin", "admin"), ("admin@example.org", "admin12345"), ("admin@localhost", "")):
        assert client.post("/admin/login", data={"email": email, "password": password}).status_code in (400, 401)


def test_create_with_prompted_password(app, users_cli):
    result = users_cli("create", "Boss@Example.org", "--role", "admin", "--name", "王主任",
                       input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "boss@example.org" in result.output
    assert GOOD_PASSWORD not in result.output, "the typed password is not echoed"
    user = staff.find_user("boss@example.org")
    assert user.display_name == "王主任"
    assert user.roles == {Role.ADMIN}
    assert user.check_password(GOOD_PASSWORD)
    assert user.must_change_password is False
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "create")).one()
    assert entry.actor == "system" and entry.object_id == user.id


def test_create_with_password_on_stdin_and_several_roles(app, users_cli):
    result = users_cli("create", "ed@example.org", "--role", "editor", "--role", "finance", "--password-stdin",
                       input=f"{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    user = staff.find_user("ed@example.org")
    assert user.roles == {Role.EDITOR, Role.FINANCE}
    assert user.check_password(GOOD_PASSWORD)


def test_create_temporary_account_must_change_password(app, users_cli):
    result = users_cli("create", "tmp@example.org", "--role", "editor", "--temporary", "--password-stdin",
                       input=f"{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert staff.find_user("tmp@example.org").must_change_password is True


def test_prompted_passwords_that_differ_create_nothing(app, users_cli):
    result = users_cli("create", "boss@example.org", "--role", "admin", input=f"{GOOD_PASSWORD}\nOther-pass-2025\n")
    assert result.exit_code != 0
    assert count_users() == 0


@pytest.mark.parametrize("password, msgid, values", [
    ("short1", "The password must have at least %(count)s characters.", {"count": 10}),
    ("1234567890", "This password is too common and easy to guess. Please choose another one.", {}),
    ("", "The password must have at least %(count)s characters.", {"count": 10}),
])
def test_create_refuses_a_weak_password(app, users_cli, password, msgid, values):
    result = users_cli("create", "boss@example.org", "--role", "admin", "--password-stdin", input=f"{password}\n")
    assert result.exit_code == 1
    assert gettext(msgid, **values) in result.output
    assert count_users() == 0


def test_create_refuses_a_duplicate(app, users_cli):
    make_user("boss@example.org", roles=("admin",))
    result = users_cli("create", "BOSS@example.org", "--role", "editor", "--password-stdin",
                       input=f"{GOOD_PASSWORD}\n")
    assert result.exit_code == 1
    assert "already exists" in result.output
    user = staff.find_user("boss@example.org")
    assert user.roles == {Role.ADMIN} and user.check_password(DEFAULT_TEST_PASSWORD)
    assert count_users() == 1


def test_create_needs_a_known_role_and_a_valid_email(app, users_cli):
    assert users_cli("create", "a@example.org", "--password-stdin", input=f"{GOOD_PASSWORD}\n").exit_code == 2
    assert users_cli("create", "a@example.org", "--role", "owner", "--password-stdin",
                     input=f"{GOOD_PASSWORD}\n").exit_code == 2
    result = users_cli("create", "not-an-address", "--role", "editor", "--password-stdin", input=f"{GOOD_PASSWORD}\n")
    assert result.exit_code == 1
    assert gettext("Please enter a valid e-mail address.") in result.output
    assert count_users() == 0


def test_set_password_prompted_and_from_stdin(app, users_cli):
    user = make_user("ed@example.org")
    result = users_cli("set-password", "ED@example.org", input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert user.check_password(GOOD_PASSWORD)

    result = users_cli("set-password", "ed@example.org", "--password-stdin", "--temporary",
                       input="Noch-ein-Passwort-1\n")
    assert result.exit_code == 0, result.output
    assert user.check_password("Noch-ein-Passwort-1") and user.must_change_password is True
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_id == user.id)).all()
    assert actions == ["set_password", "set_password"]


def test_set_password_refuses_weak_password_and_unknown_email(app, users_cli):
    user = make_user("ed@example.org")
    result = users_cli("set-password", "ed@example.org", "--password-stdin", input="qwertyuiop\n")
    assert result.exit_code == 1
    assert gettext("This password is too common and easy to guess. Please choose another one.") in result.output
    assert user.check_password(DEFAULT_TEST_PASSWORD)

    result = users_cli("set-password", "ghost@example.org", "--password-stdin", input=f"{GOOD_PASSWORD}\n")
    assert result.exit_code == 1
    assert "ghost@example.org" in result.output


def test_disable_and_enable(app, users_cli, client):
    make_user("boss@example.org", roles=("admin",))
    user = make_user("ed@example.org")
    result = users_cli("disable", "ed@example.org")
    assert result.exit_code == 0, result.output
    assert user.active is False
    assert client.post("/admin/login", data={"email": "ed@example.org",
                                             "password": DEFAULT_TEST_PASSWORD}).status_code == 401

    result = users_cli("enable", "ed@example.org")
    assert result.exit_code == 0, result.output
    assert user.active is True

    assert users_cli("disable", "ghost@example.org").exit_code == 1
    assert users_cli("enable", "ghost@example.org").exit_code == 1


def test_the_last_admin_cannot_be_disabled(app, users_cli):
    boss = make_user("boss@example.org", roles=("admin",))
    result = users_cli("disable", "boss@example.org")
    assert result.exit_code == 1
    assert gettext("The last active administrator cannot be disabled.") in result.output
    assert boss.active


def test_list(app, users_cli):
    assert "No accounts yet" in users_cli("list").output
    make_user("boss@example.org", roles=("admin",), display_name="王主任")
    make_user("ed@example.org", roles=("editor", "finance"), active=False, must_change_password=True)
    result = users_cli("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("boss@example.org") and "admin" in lines[0] and "王主任" in lines[0]
    assert lines[1].startswith("ed@example.org") and "disabled" in lines[1] and "editor,finance" in lines[1]
    assert "must change password" in lines[1]
