"""Owed disclosures marked as published on another platform (已在其他平台公开): marking, unmarking, what the
dashboard shows, who may do it, and the refusals of bad input."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import make_app
from factories import DEFAULT_TEST_PASSWORD, login, make_project, make_site_settings, make_user
from sqlalchemy import select

from charity_site.core.audit import AuditLog
from charity_site.core.formatting import local_today
from charity_site.disclosures.deadlines import disclosure_obligations, quarter_of
from charity_site.disclosures.elsewhere import PublishedElsewhere
from charity_site.extensions import db

LINK = "https://cszg.mca.gov.cn/biz/ma/csmh/a/csmhaDoShow.html?id=2025Q3-report"


def late_quarter(app):
    """A long project owing a report for the quarter that ended before last: (its obligation, its key)."""
    today = local_today()
    make_site_settings(disclosures_start_on=date(today.year - 2, 1, 1))
    project = make_project(title="长者饭堂助餐项目", start_date=date(today.year - 1, 1, 1))
    db.session.commit()
    item = next(item for item in disclosure_obligations() if item.project_id == project.id and item.overdue)
    return item, item.key


@pytest.fixture
def finance_client(app, client):
    make_user("finance@example.org", roles=("finance",))
    login(client, "finance@example.org")
    return client


def test_marking_an_overdue_quarter_clears_it_and_shows_the_link(app, finance_client):
    item, key = late_quarter(app)
    assert key in finance_client.get("/admin/").get_data(as_text=True)  # the mark link names it

    form = finance_client.get(f"/admin/deadlines/{key}/published-elsewhere").get_data(as_text=True)
    assert item.title in form
    response = finance_client.post(f"/admin/deadlines/{key}/published-elsewhere",
                                   data={"url": LINK, "published_on": "2025-10-20"})
    assert response.status_code == 302

    page = finance_client.get("/admin/").get_data(as_text=True)
    assert f'href="{LINK.replace("&", "&amp;")}"' in page
    assert "已在其他平台公开" in page
    assert "2025年10月20日" in page
    still_owed = [other.key for other in disclosure_obligations() if other.owed]
    assert key not in still_owed
    mark = db.session.scalar(select(PublishedElsewhere))
    assert (mark.url, mark.published_on, mark.marked_by_name) == (LINK, date(2025, 10, 20), "finance@example.org")
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "mark_elsewhere"))
    assert audit.actor == "finance@example.org" and audit.changes["url"] == [None, LINK]


def test_a_mark_can_be_taken_back(app, finance_client):
    _item, key = late_quarter(app)
    finance_client.post(f"/admin/deadlines/{key}/published-elsewhere", data={"url": LINK, "published_on": "2025-10-20"})
    mark_id = db.session.scalar(select(PublishedElsewhere.id))

    assert finance_client.post(f"/admin/deadlines/marks/{mark_id}/remove").status_code == 302

    assert db.session.scalar(select(PublishedElsewhere)) is None
    assert key in [other.key for other in disclosure_obligations() if other.overdue]
    assert LINK not in finance_client.get("/admin/").get_data(as_text=True)
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "unmark_elsewhere"))
    assert audit.changes["url"] == [LINK, None]


@pytest.mark.parametrize(("data", "message"), [
    ({"url": "javascript:alert(1)", "published_on": "2025-10-20"}, "请输入以 http:// 或 https:// 开头的网址"),
    ({"url": "ftp://example.org/report.pdf", "published_on": "2025-10-20"}, "请输入以 http:// 或 https:// 开头的网址"),
    ({"url": "", "published_on": "2025-10-20"}, "请填写已公开报告的网址"),
    ({"url": LINK, "published_on": "2025-02-30"}, None),
    ({"url": LINK, "published_on": "99999-01-01"}, None),
    ({"url": LINK, "published_on": ""}, "请填写公开日期"),
    ({"url": LINK, "published_on": "2100-01-01"}, "这个日期晚于今天"),
    ({"url": "https://[::1", "published_on": "2025-10-20"}, "请输入以 http:// 或 https:// 开头的网址"),
])
def test_bad_input_is_refused_next_to_the_field(app, finance_client, data, message):
    _item, key = late_quarter(app)

    response = finance_client.post(f"/admin/deadlines/{key}/published-elsewhere", data=data)

    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(PublishedElsewhere)) is None


def test_an_unknown_or_no_longer_owed_item_is_not_found(app, finance_client):
    late_quarter(app)
    for key in ("progress_report:999:2020Q1", "annual_report:1990", "x" * 200):
        assert finance_client.get(f"/admin/deadlines/{key}/published-elsewhere").status_code == 404
        assert finance_client.post(f"/admin/deadlines/{key}/published-elsewhere",
                                   data={"url": LINK, "published_on": "2025-10-20"}).status_code == 404
    assert finance_client.post("/admin/deadlines/marks/12345/remove").status_code == 404


def test_a_volunteer_coordinator_may_not_mark(app, client):
    _item, key = late_quarter(app)
    make_user("coordinator@example.org", roles=("coordinator",))
    login(client, "coordinator@example.org")

    assert client.post(f"/admin/deadlines/{key}/published-elsewhere",
                       data={"url": LINK, "published_on": "2025-10-20"}).status_code == 403
    assert db.session.scalar(select(PublishedElsewhere)) is None


def test_marking_and_unmarking_need_the_form_token(database_url, tmp_path):
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        try:
            _item, key = late_quarter(app)
            make_user("finance@example.org", roles=("finance",))
            client = app.test_client()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                              client.get("/admin/login").get_data(as_text=True)).group(1)
            client.post("/admin/login", data={"email": "finance@example.org", "password": DEFAULT_TEST_PASSWORD,
                                              "csrf_token": token})
            url = f"/admin/deadlines/{key}/published-elsewhere"
            assert client.post(url, data={"url": LINK, "published_on": "2025-10-20"}).status_code == 400
            assert db.session.scalar(select(PublishedElsewhere)) is None

            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                              client.get(url).get_data(as_text=True)).group(1)
            data = {"url": LINK, "published_on": "2025-10-20", "csrf_token": token}
            assert client.post(url, data=data).status_code == 302
            mark_id = db.session.scalar(select(PublishedElsewhere.id))
            assert client.post(f"/admin/deadlines/marks/{mark_id}/remove").status_code == 400
            assert db.session.get(PublishedElsewhere, mark_id) is not None
            assert client.post(f"/admin/deadlines/marks/{mark_id}/remove",
                               data={"csrf_token": token}).status_code == 302
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_a_quarter_label_names_a_real_quarter(app):
    item, _key = late_quarter(app)
    year, quarter = quarter_of(item.period_end)
    assert (item.year, item.quarter) == (year, quarter)
    assert item.period_label == f"{year}年第{'一二三四'[quarter - 1]}季度"
