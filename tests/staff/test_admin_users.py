"""Staff accounts at /admin/users: only administrators; every change through the services, audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import make_app
from factories import DEFAULT_TEST_PASSWORD, login, make_user
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import select

from charity_site.core.transaction import transaction
from charity_site.extensions import db
from charity_site.models import AuditLog, Role, StaffUser, utcnow
from charity_site.staff import accounts as staff


def text(response) -> str:
    return response.get_data(as_text=True)


def message(msgid: str, **values) -> str:
    return str(escape(gettext(msgid, **values)))


def emails_on(page: str) -> list[str]:
    return re.findall(r'<span class="cell-sub">([^<]+@[^<]+)</span>', page)


@pytest.fixture
def admin(app):
    return make_user("admin@example.org", roles=("admin",), display_name="管理员甲")


@pytest.fixture
def admin_client(app, client, admin):
    assert login(client, admin.email).status_code == 302
    return client


def audit_rows(action: str | None = None):
    query = select(AuditLog).order_by(AuditLog.id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(db.session.scalars(query))


def new_user_form(**overrides) -> dict:
    return {"email": "liu@example.org", "display_name": "刘会计", "roles": ["finance"],
            "password": "Temporary-Pass-2025", "confirm_password": "Temporary-Pass-2025", **overrides}


# --- who may open it ---------------------------------------------------------------------------------


def test_only_administrators_may_manage_users(app, client, admin):
    response = client.get("/admin/users/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]

    make_user("editor@example.org", roles=("editor", "finance"))
    login(client, "editor@example.org")
    for path in ("/admin/users/", "/admin/users/new", f"/admin/users/{admin.id}/edit",
                 f"/admin/users/{admin.id}/disable", f"/admin/users/{admin.id}/reset-password"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/admin/users/{admin.id}/disable").status_code == 403
    assert admin.active


def test_users_menu_entry_is_shown_to_administrators_only(app, client, admin):
    make_user("editor@example.org", roles=("editor",))
    login(client, "editor@example.org")
    assert 'href="/admin/users/"' not in text(client.get("/admin/"))
    client.post("/admin/logout")
    login(client, admin.email)
    page = text(client.get("/admin/"))
    for path in ("/admin/users/", "/admin/audit/", "/admin/settings/"):
        assert f'href="{path}"' in page


# --- the list -----------------------------------------------------------------------------------------


def test_list_is_newest_first_with_search_and_status_filter(app, admin_client, admin):
    now = utcnow()
    older = make_user("old.hand@example.org", display_name="张老师", created_at=now - timedelta(days=30))
    newer = make_user("new.face@example.org", display_name="李小明", created_at=now - timedelta(days=1))
    gone = make_user("gone@example.org", display_name="已离职", active=False, created_at=now - timedelta(days=10))
    admin.created_at = now - timedelta(days=100)
    db.session.commit()

    page = text(admin_client.get("/admin/users/"))
    assert emails_on(page) == [newer.email, gone.email, older.email, admin.email]

    assert emails_on(text(admin_client.get("/admin/users/?q=OLD.HAND"))) == [older.email]
    assert emails_on(text(admin_client.get("/admin/users/?q=小明"))) == [newer.email]
    assert emails_on(text(admin_client.get("/admin/users/?q=%25"))) == [], "LIKE wildcards are taken literally"
    assert emails_on(text(admin_client.get("/admin/users/?status=disabled"))) == [gone.email]
    assert gone.email not in emails_on(text(admin_client.get("/admin/users/?status=active")))
    assert emails_on(text(admin_client.get("/admin/users/?q=gone&status=active"))) == []
    empty = admin_client.get("/admin/users/?q=nobody-like-this")
    assert empty.status_code == 200
    assert message("No account matches this search.") in text(empty)


def test_list_has_pages_of_twenty(app, admin_client, admin):
    admin.created_at = utcnow() - timedelta(days=365)
    for number in range(24):
        make_user(f"staff{number:02d}@example.org", created_at=utcnow() - timedelta(hours=number))
    first = text(admin_client.get("/admin/users/"))
    assert len(emails_on(first)) == 20
    assert emails_on(first)[0] == "staff00@example.org"
    assert 'rel="next"' in first
    second = text(admin_client.get("/admin/users/?page=2"))
    assert emails_on(second) == [f"staff{number:02d}@example.org" for number in range(20, 24)] + [admin.email]
    assert admin_client.get("/admin/users/?page=99").status_code == 200


# --- creating ------------------------------------------------------------------------------------------


def test_create_user_with_temporary_password(app, admin_client, admin, client):
    response = admin_client.post("/admin/users/new", data=new_user_form(
        email=" Liu@Example.org ", roles=["finance", "editor"]))
    assert response.status_code == 302
    user = staff.find_user("liu@example.org")
    assert user.display_name == "刘会计"
    assert user.roles == {Role.FINANCE, Role.EDITOR}
    assert user.must_change_password is True
    assert user.check_password("Temporary-Pass-2025")

    entry = audit_rows("create")[-1]
    assert entry.user_id == admin.id and entry.object_id == user.id
    assert entry.changes["email"] == [None, "liu@example.org"]
    assert entry.changes["roles"] == [None, ["editor", "finance"]]

    newcomer = app.test_client()
    login(newcomer, "liu@example.org", "Temporary-Pass-2025")
    response = newcomer.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/account/password")


@pytest.mark.parametrize("overrides, field_message", [
    ({"email": ""}, ("Please enter an e-mail.", {})),
    ({"email": "not-an-address"}, ("Please enter a valid e-mail address, such as name@example.org.", {})),
    ({"roles": []}, ("Choose at least one role.", {})),
    ({"password": "short1", "confirm_password": "short1"},
     ("The password must have at least %(count)s characters.", {"count": 10})),
    ({"password": "1234567890", "confirm_password": "1234567890"},
     ("This password is too common and easy to guess. Please choose another one.", {})),
    ({"confirm_password": "Something-else-2025"}, ("The two passwords are not the same.", {})),
])
def test_create_refuses_bad_input_and_keeps_what_was_typed(app, admin_client, overrides, field_message):
    response = admin_client.post("/admin/users/new", data=new_user_form(**overrides))
    assert response.status_code == 400
    page = text(response)
    assert message(field_message[0], **field_message[1]) in page
    assert 'value="刘会计"' in page
    if overrides.get("roles") != []:
        assert re.search(r'<input checked[^>]*value="finance"|value="finance"[^>]*checked', page)
    assert 'value="Temporary-Pass-2025"' not in page, "passwords are never sent back"
    assert db.session.scalar(select(StaffUser).where(StaffUser.email == "liu@example.org")) is None


def test_create_refuses_a_duplicate_email(app, admin_client, admin):
    response = admin_client.post("/admin/users/new", data=new_user_form(email="ADMIN@example.org"))
    assert response.status_code == 400
    assert message("An account with this e-mail already exists.") in text(response)
    assert len(db.session.scalars(select(StaffUser)).all()) == 1


# --- editing -----------------------------------------------------------------------------------------------


def test_edit_name_and_roles_is_audited(app, admin_client, admin):
    user = make_user("he@example.org", roles=("editor",), display_name="何编辑")
    page = admin_client.get(f"/admin/users/{user.id}/edit")
    assert page.status_code == 200
    assert 'value="何编辑"' in text(page)
    assert re.search(r'<input checked[^>]*value="editor"|value="editor"[^>]*checked', text(page))

    response = admin_client.post(f"/admin/users/{user.id}/edit",
                                 data={"display_name": "何主任", "roles": ["editor", "coordinator"]})
    assert response.status_code == 302
    assert user.display_name == "何主任"
    assert user.roles == {Role.EDITOR, Role.COORDINATOR}
    entry = audit_rows("update")[-1]
    assert entry.object_type == "staff_user" and entry.object_id == user.id and entry.user_id == admin.id
    assert entry.changes == {"display_name": ["何编辑", "何主任"], "roles": [["editor"], ["coordinator", "editor"]]}


def test_an_edit_begun_before_someone_elses_save_is_refused_and_shows_what_is_saved(app, admin_client, admin):
    user = make_user("he@example.org", roles=("editor",), display_name="何编辑")
    opened = text(admin_client.get(f"/admin/users/{user.id}/edit"))
    version = re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', opened).group(1)
    with transaction():  # another administrator's request
        staff.update_user(user, display_name="何主任", roles=["finance"], actor=admin)

    response = admin_client.post(f"/admin/users/{user.id}/edit",
                                 data={"display_name": "何编辑", "roles": ["coordinator"], "version": version})

    assert response.status_code == 409
    page = text(response)
    assert message("Someone else changed this account while you were editing it.") in page
    assert "何主任" in page and message("Finance") in page  # what is saved now
    assert re.search(r'<input checked[^>]*value="coordinator"|value="coordinator"[^>]*checked', page)  # yours
    db.session.expire_all()
    assert user.display_name == "何主任" and user.roles == {Role.FINANCE}
    again = re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', page).group(1)
    assert again == staff.edit_version(user) != version  # saving again applies your choice over theirs
    response = admin_client.post(f"/admin/users/{user.id}/edit",
                                 data={"display_name": "何编辑", "roles": ["coordinator"], "version": again})
    assert response.status_code == 302
    assert user.roles == {Role.COORDINATOR}


def test_edit_refuses_no_roles(app, admin_client):
    user = make_user("he@example.org", roles=("editor",), display_name="何编辑")
    response = admin_client.post(f"/admin/users/{user.id}/edit", data={"display_name": "新名字", "roles": []})
    assert response.status_code == 400
    assert message("Choose at least one role.") in text(response)
    assert 'value="新名字"' in text(response)
    assert user.display_name == "何编辑"


def test_the_last_active_admin_keeps_the_admin_role(app, admin_client, admin):
    make_user("former.admin@example.org", roles=("admin",), active=False)
    response = admin_client.post(f"/admin/users/{admin.id}/edit", data={"display_name": "管理员甲",
                                                                         "roles": ["editor"]})
    assert response.status_code == 400
    assert message("The last active administrator must keep the administrator role.") in text(response)
    db.session.expire_all()
    assert Role.ADMIN in admin.roles
    assert audit_rows("update") == []

    second = make_user("second.admin@example.org", roles=("admin",))
    response = admin_client.post(f"/admin/users/{second.id}/edit", data={"display_name": "", "roles": ["editor"]})
    assert response.status_code == 302
    assert second.roles == {Role.EDITOR}


def test_unknown_user_is_404(app, admin_client):
    for path in ("/admin/users/999/edit", "/admin/users/999/disable", "/admin/users/999/enable",
                 "/admin/users/999/reset-password"):
        assert admin_client.get(path).status_code == 404, path


# --- disabling and enabling ----------------------------------------------------------------------------------


def test_disable_needs_confirmation_and_a_post(app, admin_client, admin):
    user = make_user("ma@example.org", display_name="马志愿")
    page = admin_client.get(f"/admin/users/{user.id}/disable")
    assert page.status_code == 200
    assert message("Disable the account of %(name)s?", name="马志愿") in text(page)
    assert 'method="post"' in text(page)
    assert user.active, "opening the confirmation page changes nothing"

    response = admin_client.post(f"/admin/users/{user.id}/disable")
    assert response.status_code == 302
    assert user.active is False
    entry = audit_rows("disable")[-1]
    assert entry.changes == {"active": [True, False]} and entry.user_id == admin.id

    assert admin_client.get(f"/admin/users/{user.id}/enable").status_code == 200
    assert user.active is False
    assert admin_client.post(f"/admin/users/{user.id}/enable").status_code == 302
    assert user.active is True
    assert audit_rows("enable")[-1].changes == {"active": [False, True]}


def test_the_last_active_admin_cannot_be_disabled(app, admin_client, admin):
    response = admin_client.post(f"/admin/users/{admin.id}/disable")
    assert response.status_code == 400
    assert message("The last active administrator cannot be disabled.") in text(response)
    assert admin.active
    assert audit_rows("disable") == []


def test_disable_without_csrf_token_is_refused(database_url, tmp_path):
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        try:
            admin = make_user("admin@example.org", roles=("admin",))
            user = make_user("ma@example.org")
            client = app.test_client()
            page = text(client.get("/admin/login"))
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            client.post("/admin/login", data={"email": admin.email, "password": DEFAULT_TEST_PASSWORD,
                                              "csrf_token": token})
            assert client.post(f"/admin/users/{user.id}/disable").status_code == 400
            db.session.refresh(user)
            assert user.active

            page = text(client.get(f"/admin/users/{user.id}/disable"))
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            assert client.post(f"/admin/users/{user.id}/disable", data={"csrf_token": token}).status_code == 302
            db.session.refresh(user)
            assert not user.active
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


# --- forced password reset -------------------------------------------------------------------------------------


def test_force_password_reset(app, admin_client, admin):
    user = make_user("lin@example.org")
    page = admin_client.get(f"/admin/users/{user.id}/reset-password")
    assert page.status_code == 200

    response = admin_client.post(f"/admin/users/{user.id}/reset-password",
                                 data={"password": "short1", "confirm_password": "short1"})
    assert response.status_code == 400
    assert message("The password must have at least %(count)s characters.", count=10) in text(response)
    assert user.check_password(DEFAULT_TEST_PASSWORD) and not user.must_change_password

    response = admin_client.post(f"/admin/users/{user.id}/reset-password",
                                 data={"password": "Temporary-Pass-2025", "confirm_password": "Temporary-Pass-2025"})
    assert response.status_code == 302
    assert user.must_change_password is True
    entry = audit_rows("set_password")[-1]
    assert entry.object_id == user.id and entry.user_id == admin.id
    assert "Temporary-Pass-2025" not in str(entry.changes)

    other = app.test_client()
    assert login(other, "lin@example.org").status_code == 401, "the old password no longer works"
    assert login(other, "lin@example.org", "Temporary-Pass-2025").status_code == 302
    response = other.get("/admin/")
    assert response.headers["Location"].endswith("/admin/account/password")


def test_reset_password_is_post_only_for_changes(app, admin_client):
    user = make_user("lin@example.org")
    admin_client.get(f"/admin/users/{user.id}/reset-password?password=Temporary-Pass-2025")
    assert not user.must_change_password
