"""Signing in: lock-out after repeated failures, safe `next` redirects, passwords, forced resets, disabled accounts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import make_app
from factories import DEFAULT_TEST_PASSWORD, login, make_user
from flask_babel import gettext
from markupsafe import escape
from support import skip_or_fail

from charity_site.extensions import db
from charity_site.staff import accounts as staff

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def text(response) -> str:
    return response.get_data(as_text=True)


def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def locked_message() -> str:
    return str(escape(gettext(
        "Too many failed sign-in attempts. Sign-in is paused for 15 minutes; please try again later.")))


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def assert_signed_out(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert path_of(response) == "/admin/login"


# --- lock-out -----------------------------------------------------------------------------------


def test_five_failures_lock_one_account_even_with_the_right_password(app, client):
    make_user("wang@example.org")
    for attempt in range(5):
        response = client.post("/admin/login", data={"email": "wang@example.org", "password": f"wrong-{attempt}"},
                               **from_address(f"10.0.0.{attempt + 1}"))
        assert response.status_code == 401
        assert str(escape(gettext("The e-mail or password is not correct."))) in text(response)

    response = client.post("/admin/login", data={"email": "Wang@Example.org ", "password": DEFAULT_TEST_PASSWORD},
                           **from_address("10.0.0.99"))
    assert response.status_code == 429
    assert locked_message() in text(response)
    assert_signed_out(client)


def test_an_account_that_is_not_locked_still_signs_in_after_four_failures(app, client):
    make_user("li@example.org")
    for attempt in range(4):
        assert login(client, "li@example.org", f"wrong-{attempt}").status_code == 401
    response = login(client, "li@example.org")
    assert response.status_code == 302
    assert path_of(response) == "/admin/"


def test_five_failures_from_one_address_lock_that_address_across_accounts(app, client):
    make_user("zhao@example.org")
    for attempt in range(5):
        response = client.post("/admin/login", data={"email": f"guess{attempt}@example.org", "password": "whatever-1"},
                               **from_address("192.0.2.7"))
        assert response.status_code == 401

    response = client.post("/admin/login", data={"email": "zhao@example.org", "password": DEFAULT_TEST_PASSWORD},
                           **from_address("192.0.2.7"))
    assert response.status_code == 429
    assert locked_message() in text(response)

    other = app.test_client()
    response = other.post("/admin/login", data={"email": "zhao@example.org", "password": DEFAULT_TEST_PASSWORD},
                          **from_address("192.0.2.8"))
    assert response.status_code == 302, "the account itself is not locked, only the address"


def test_a_locked_attempt_is_audited(app, client):
    from charity_site.models import AuditLog

    for attempt in range(6):
        login(client, "nobody@example.org", f"wrong-{attempt}")
    actions = [entry.action for entry in db.session.scalars(db.select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["login_failed"] * 5 + ["login_locked"]


@pytest.fixture
def redis_db():
    import redis

    connection = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        connection.close()
        skip_or_fail(f"Redis not reachable at {REDIS_TEST_URL} ({error}); Redis lock-out test skipped")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def test_lock_out_is_shared_through_redis(app, database_url, tmp_path, redis_db):
    make_user("chen@example.org")
    first = make_app(database_url, tmp_path, RATELIMIT_STORAGE_URI=REDIS_TEST_URL)
    with first.app_context():
        client = first.test_client()
        for attempt in range(5):
            assert login(client, "chen@example.org", f"wrong-{attempt}").status_code == 401
        assert redis_db.keys("*"), "the failures were counted in Redis"
        db.session.remove()
        db.engine.dispose()

    # Another process (a fresh app and storage connection) sees the same lock.
    second = make_app(database_url, tmp_path, RATELIMIT_STORAGE_URI=REDIS_TEST_URL)
    with second.app_context():
        response = login(second.test_client(), "chen@example.org")
        assert response.status_code == 429
        assert locked_message() in text(response)
        db.session.remove()
        db.engine.dispose()


# --- where sign-in leads ------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "https://elsewhere.example", "https://elsewhere.example/admin/", "//evil.example", "//evil.example/admin/",
    "/\\evil.example", "javascript:alert(1)",
])
def test_next_pointing_elsewhere_is_ignored(app, client, target):
    make_user("next@example.org")
    response = login(client, "next@example.org", next=target)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/admin/"


def test_next_on_this_site_is_honoured(app, client):
    make_user("boss@example.org", roles=("admin",))
    response = client.get("/admin/users/")
    assert path_of(response) == "/admin/login"
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == ["/admin/users/"]

    form = client.get("/admin/login?next=/admin/users")
    assert 'value="/admin/users"' in text(form)
    response = login(client, "boss@example.org", next="/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"


# --- passwords ------------------------------------------------------------------------------------


def change_password(client, current, new, repeat=None):
    return client.post("/admin/account/password", data={
        "current_password": current, "new_password": new, "confirm_password": new if repeat is None else repeat,
    })


def test_user_changes_own_password(app, client):
    user = make_user("sun@example.org")
    login(client, "sun@example.org")

    response = change_password(client, "not-my-password", "Anderes-Passwort-77")
    assert response.status_code == 400
    assert str(escape(gettext("The current password is not correct."))) in text(response)

    response = change_password(client, DEFAULT_TEST_PASSWORD, "short1")
    assert response.status_code == 400
    assert str(escape(gettext("The password must have at least %(count)s characters.", count=10))) in text(response)

    response = change_password(client, DEFAULT_TEST_PASSWORD, "1234567890")
    assert response.status_code == 400
    assert str(escape(gettext("This password is too common and easy to guess. Please choose another one."))) \
        in text(response)

    assert user.check_password(DEFAULT_TEST_PASSWORD), "refused changes leave the password as it was"

    response = change_password(client, DEFAULT_TEST_PASSWORD, "Anderes-Passwort-77")
    assert response.status_code == 302
    assert path_of(response) == "/admin/"
    assert user.check_password("Anderes-Passwort-77")

    client.post("/admin/logout")
    assert login(client, "sun@example.org").status_code == 401
    assert login(client, "sun@example.org", "Anderes-Passwort-77").status_code == 302


def test_forced_reset_sends_the_user_to_change_password_on_every_admin_page(app, client):
    admin = make_user("admin@example.org", roles=("admin",))
    user = make_user("zhou@example.org", roles=("admin",))
    staff.force_password_reset(user, "Temporary-Pass-2025", actor=admin)

    response = login(client, "zhou@example.org", "Temporary-Pass-2025", next="/admin/users/")
    assert response.status_code == 302
    for path in ("/admin/", "/admin/users/", "/admin/users/new", "/admin/audit/", "/admin/settings/",
                 f"/admin/users/{admin.id}/edit"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert path_of(response) == "/admin/account/password", path
    assert client.post("/admin/settings/", data={"org_name": "x"}).status_code == 302

    assert client.get("/admin/account/password").status_code == 200
    response = change_password(client, "Temporary-Pass-2025", "My-Own-Password-9")
    assert response.status_code == 302
    assert user.must_change_password is False
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/users/").status_code == 200


def test_disabled_user_who_is_signed_in_is_signed_out(app, client):
    make_user("admin@example.org", roles=("admin",))
    user = make_user("wu@example.org")
    login(client, "wu@example.org")
    assert client.get("/admin/").status_code == 200

    staff.set_active(user, False)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert path_of(response) == "/admin/login"
    with client.session_transaction() as session:
        assert "_user_id" not in session, "the session no longer carries the account"
    assert str(escape(gettext("This account has been disabled."))) in text(client.get("/admin/login"))

    staff.set_active(user, True)
    assert_signed_out(client)


def test_disabled_user_is_refused_at_once_and_cannot_sign_in(app, client):
    make_user("admin@example.org", roles=("admin",))
    user = make_user("zheng@example.org")
    login(client, "zheng@example.org")
    staff.set_active(user, False)
    assert_signed_out(client)

    response = login(client, "zheng@example.org")
    assert response.status_code == 401
    assert str(escape(gettext("This account has been disabled. Please contact an administrator."))) in text(response)


def test_sign_out(app, client):
    make_user("qian@example.org")
    login(client, "qian@example.org")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/logout").status_code == 405
    response = client.post("/admin/logout")
    assert path_of(response) == "/admin/login"
    assert_signed_out(client)
