"""Site settings at /admin/settings: validated, audited, and never silently overwriting someone else's save."""

from __future__ import annotations

import re

import pytest
from factories import login, make_user
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from charity_site.core import site_settings
from charity_site.core.transaction import transaction
from charity_site.extensions import db
from charity_site.models import AuditLog, SiteSettings


def text(response) -> str:
    return response.get_data(as_text=True)


def message(msgid: str, **values) -> str:
    return str(escape(gettext(msgid, **values)))


def hidden_version(page: str) -> str:
    return re.search(r'id="version" name="version" type="hidden" value="([^"]*)"', page).group(1)


SAVED = {
    "org_name": "广州市番禺区慈善会", "org_short_name": "番禺慈善会", "tagline": "人人慈善为人人",
    "intro_md": "我会成立于2008年。", "credit_code": "51440113MJL000000X", "address": "番禺区市桥街1号",
    "phone": "020-84800000", "supervision_phone": "020-84800001", "email": "info@example.org",
    "icp_number": "粤ICP备00000000号", "charity_china_url": "https://cszg.mca.gov.cn/", "founded_year": 2008,
}


@pytest.fixture
def saved(app, admin):
    with transaction():  # saved by an earlier request
        return site_settings.update_settings(dict(SAVED), None, actor=admin)


def form_data(settings: SiteSettings | None = None, **overrides) -> dict:
    values = {key: ("" if value is None else str(value)) for key, value in SAVED.items()}
    values["version"] = str(settings.version) if settings else ""
    return {**values, **overrides}


def test_only_administrators_edit_settings(app, client):
    assert client.get("/admin/settings/").status_code == 302
    make_user("editor@example.org", roles=("editor", "finance"))
    login(client, "editor@example.org")
    assert client.get("/admin/settings/").status_code == 403
    assert client.post("/admin/settings/", data=form_data()).status_code == 403


def test_form_shows_the_stored_values(app, admin_client, saved):
    page = text(admin_client.get("/admin/settings/"))
    assert 'value="广州市番禺区慈善会"' in page
    assert "我会成立于2008年。</textarea>" in page
    assert 'value="2008"' in page
    assert hidden_version(page) == str(saved.version)


def test_saving_updates_the_public_footer(app, admin_client, saved):
    assert "番禺区市桥街1号" in text(admin_client.get("/"))

    response = admin_client.post("/admin/settings/", data=form_data(
        saved, org_name="广州市番禺区慈善总会", address="番禺区新地址88号", phone="020-11112222",
        icp_number="粤ICP备99999999号"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/settings/")

    home = text(admin_client.get("/"))
    footer = home[home.index('<footer class="site-footer">'):]
    for value in ("广州市番禺区慈善总会", "番禺区新地址88号", "020-11112222", "粤ICP备99999999号"):
        assert value in footer
    assert "番禺区市桥街1号" not in home


def test_the_row_is_created_when_missing(app, admin_client, admin):
    assert db.session.get(SiteSettings, 1) is None
    page = text(admin_client.get("/admin/settings/"))
    assert hidden_version(page) == ""
    response = admin_client.post("/admin/settings/", data=form_data(None, org_name="新建慈善会", founded_year=""))
    assert response.status_code == 302
    row = db.session.get(SiteSettings, 1)
    assert row.org_name == "新建慈善会" and row.founded_year is None
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.object_type == "settings")).one()
    assert entry.action == "create" and entry.user_id == admin.id
    assert entry.changes["org_name"] == [None, "新建慈善会"]
    assert "新建慈善会" in text(admin_client.get("/"))


@pytest.mark.parametrize("overrides, msgid", [
    ({"org_name": "  "}, "Please enter the name of the organisation."),
    ({"charity_china_url": "ftp://cszg.mca.gov.cn/"}, "Please enter a web address starting with http:// or https://."),
    ({"charity_china_url": "javascript:alert(1)"}, "Please enter a web address starting with http:// or https://."),
    ({"charity_china_url": "cszg.mca.gov.cn"}, "Please enter a web address starting with http:// or https://."),
    ({"email": "info-at-example"}, "Please enter a valid e-mail address, such as name@example.org."),
    ({"founded_year": "1066"}, "Please enter a year such as 2008."),
    ({"phone": "1" * 41}, "At most %(max)d characters."),
])
def test_bad_input_is_refused_and_kept_in_the_form(app, admin_client, saved, overrides, msgid):
    typed = {"tagline": "刚刚输入的口号", **overrides}
    response = admin_client.post("/admin/settings/", data=form_data(saved, **typed))
    assert response.status_code == 400
    page = text(response)
    expected = message(msgid, max=40) if "%(max)d" in msgid else message(msgid)
    assert expected in page
    assert 'value="刚刚输入的口号"' in page
    db.session.expire_all()
    assert db.session.get(SiteSettings, 1).tagline == SAVED["tagline"]


def test_an_empty_optional_url_and_year_are_accepted(app, admin_client, saved):
    response = admin_client.post("/admin/settings/", data=form_data(saved, charity_china_url="", founded_year=""))
    assert response.status_code == 302
    row = db.session.get(SiteSettings, 1)
    assert row.charity_china_url == "" and row.founded_year is None
    assert "cszg.mca.gov.cn" not in text(admin_client.get("/"))


def test_a_stale_edit_is_refused_and_loses_nothing(app, admin_client, admin, saved):
    opened = text(admin_client.get("/admin/settings/"))
    old_version = hidden_version(opened)

    colleague = make_user("colleague@example.org", roles=("admin",))
    other = app.test_client()
    login(other, colleague.email)
    response = other.post("/admin/settings/", data=form_data(saved, version=old_version, phone="020-22223333"))
    assert response.status_code == 302

    response = admin_client.post("/admin/settings/", data=form_data(
        saved, version=old_version, address="我输入的新地址", phone=SAVED["phone"]))
    assert response.status_code == 409
    page = text(response)
    assert message("Someone else saved the settings while you were editing them.") in page
    assert 'value="我输入的新地址"' in page, "what I typed is still in the form"
    assert "020-22223333" in page, "the other person's value is shown next to mine"

    db.session.expire_all()
    row = db.session.get(SiteSettings, 1)
    assert row.phone == "020-22223333", "the other edit is kept"
    assert row.address == SAVED["address"], "mine was not saved"
    new_version = hidden_version(page)
    assert new_version == str(row.version) != old_version

    # Saving the form again, now knowing the other edit, goes through.
    response = admin_client.post("/admin/settings/", data=form_data(
        saved, version=new_version, address="我输入的新地址", phone="020-22223333"))
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(SiteSettings, 1)
    assert (row.address, row.phone) == ("我输入的新地址", "020-22223333")


def test_a_concurrent_write_between_check_and_save_is_caught(app, admin, saved, monkeypatch, database_url):
    """The version check and the UPDATE are not atomic by themselves; version_id_col closes the gap."""
    loaded = db.session.get(SiteSettings, 1)
    version = loaded.version
    engine = create_engine(db.engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        connection.execute(sql("UPDATE site_settings SET phone = '020-99998888', version = version + 1 WHERE id = 1"))
    engine.dispose()
    monkeypatch.setattr(site_settings, "_fresh", lambda: db.session.get(SiteSettings, 1))

    with pytest.raises(site_settings.StaleEdit) as raised:
        site_settings.update_settings({**SAVED, "address": "并发写入"}, version, actor=admin)
    assert raised.value.current.phone == "020-99998888"
    db.session.expire_all()
    assert db.session.get(SiteSettings, 1).address == SAVED["address"]


def test_saving_is_audited_with_before_and_after(app, admin_client, admin, saved):
    admin_client.post("/admin/settings/", data=form_data(saved, tagline="新的口号", founded_year="2009"))
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.object_type == "settings",
                                                        AuditLog.action == "update")).one()
    assert entry.user_id == admin.id and entry.object_id == 1
    assert entry.changes == {"tagline": ["人人慈善为人人", "新的口号"], "founded_year": [2008, 2009]}


def test_saving_unchanged_values_writes_nothing(app, admin_client, saved):
    before = saved.version
    response = admin_client.post("/admin/settings/", data=form_data(saved))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SiteSettings, 1).version == before
    assert db.session.scalars(db.select(AuditLog).where(AuditLog.action == "update")).all() == []
