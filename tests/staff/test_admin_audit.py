"""The audit log at /admin/audit: administrators read it, filter it, and nobody can change it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from factories import login, make_user
from flask_babel import gettext
from markupsafe import escape

from charity_site.core.audit import record_audit
from charity_site.extensions import db
from charity_site.models import AuditLog, utcnow
from charity_site.staff import accounts as staff


def text(response) -> str:
    return response.get_data(as_text=True)


def first_entry(page: str) -> str:
    start = page.index('<li class="audit-entry">')
    return page[start:page.index("</li>", start)]


def labels_on(page: str) -> list[str]:
    return re.findall(r'<span class="audit-what">[^：<]*：([^<]*)</span>', page)


def add_entry(label: str, *, at: datetime | None = None, actor: str = "system", action: str = "update",
              object_type: str = "page", changes: dict | None = None) -> AuditLog:
    entry = AuditLog(at=at or utcnow(), actor=actor, action=action, object_type=object_type, object_id=1,
                     object_label=label, changes=changes or {})
    db.session.add(entry)
    db.session.commit()
    return entry


def test_only_administrators_read_the_audit_log(app, client):
    assert client.get("/admin/audit/").status_code == 302
    make_user("finance@example.org", roles=("finance", "editor", "coordinator"))
    login(client, "finance@example.org")
    assert client.get("/admin/audit/").status_code == 403


def test_no_route_under_admin_audit_writes(app, admin_client):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/audit")]
    assert rules, "the audit log is registered"
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    entry = add_entry("某页面")
    for method in ("post", "put", "patch", "delete"):
        for path in ("/admin/audit/", f"/admin/audit/{entry.id}", f"/admin/audit/{entry.id}/delete"):
            assert getattr(admin_client, method)(path).status_code in (404, 405), (method, path)
    assert db.session.get(AuditLog, entry.id) is not None


def test_user_changes_show_who_when_and_before_after(app, admin_client, admin):
    user = make_user("he@example.org", roles=("editor",), display_name="何编辑")
    staff.update_user(user, display_name="何主任", roles=["editor", "finance"], actor=admin)

    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "update")).one()
    assert entry.actor == admin.email and entry.user_id == admin.id
    assert entry.changes == {"display_name": ["何编辑", "何主任"], "roles": [["editor"], ["editor", "finance"]]}

    page = text(admin_client.get("/admin/audit/?action=update"))
    block = first_entry(page)
    assert admin.email in block
    assert str(escape(gettext("Changed"))) in block
    assert "he@example.org" in block
    assert re.search(r"何编辑.*→.*何主任", block, re.S)
    assert re.search(r"编辑|Editor", block)
    from charity_site.core.formatting import format_datetime

    assert format_datetime(entry.at) in block


def test_newest_first_and_fifty_a_page(app, admin_client):
    start = utcnow() - timedelta(days=1)
    for number in range(55):
        add_entry(f"条目{number:02d}", at=start + timedelta(minutes=number))
    first = labels_on(text(admin_client.get("/admin/audit/?object_type=page")))
    assert len(first) == 50
    assert first[0] == "条目54" and first[-1] == "条目05"
    second = text(admin_client.get("/admin/audit/?object_type=page&page=2"))
    assert labels_on(second) == [f"条目{number:02d}" for number in range(4, -1, -1)]


def test_filters_by_actor_type_action_and_local_dates(app, admin_client):
    # 2025-01-15 00:30 and 23:30 in Asia/Shanghai are 2025-01-14 16:30 and 2025-01-15 15:30 UTC.
    add_entry("深夜", at=datetime(2025, 1, 14, 16, 30, tzinfo=UTC), actor="a@example.org")
    add_entry("当晚", at=datetime(2025, 1, 15, 15, 30, tzinfo=UTC), actor="b@example.org",
              object_type="news", action="publish")
    add_entry("前一天", at=datetime(2025, 1, 14, 15, 59, tzinfo=UTC), actor="a@example.org",
              object_type="news")
    add_entry("次日", at=datetime(2025, 1, 15, 16, 0, tzinfo=UTC), actor="b@example.org")

    def labels(query: str) -> list[str]:
        response = admin_client.get("/admin/audit/?" + query)
        assert response.status_code == 200, query
        return labels_on(text(response))

    assert labels("date_from=2025-01-15&date_to=2025-01-15") == ["当晚", "深夜"]
    assert labels("date_from=2025-01-16&date_to=2025-01-16") == ["次日"]
    assert labels("date_to=2025-01-14") == ["前一天"]
    assert labels("actor=a%40example.org") == ["深夜", "前一天"]
    assert labels("object_type=news") == ["当晚", "前一天"]
    assert labels("action=publish") == ["当晚"]
    assert labels("actor=b%40example.org&object_type=page") == ["次日"]

    page = text(admin_client.get("/admin/audit/"))
    assert '<option value="a@example.org">' in page and '<option value="news">' in page


def test_a_bad_date_range_is_explained(app, admin_client):
    add_entry("某页面")
    response = admin_client.get("/admin/audit/?date_from=2025-02-01&date_to=2025-01-01")
    assert response.status_code == 400
    assert str(escape(gettext("The end date must not be before the start date."))) in text(response)
    assert "某页面" in labels_on(text(response))


def test_settings_changes_are_listed_with_before_and_after(app, admin_client, admin):
    from charity_site.core.site_settings import update_settings

    data = {"org_name": "旧名称慈善会", "address": "旧地址1号"}
    settings = update_settings(data, None, actor=admin)
    update_settings({**data, "address": "新地址2号", "phone": "020-12345678"}, settings.version, actor=admin)

    page = text(admin_client.get("/admin/audit/?object_type=settings"))
    assert len(labels_on(page)) == 2
    newest = first_entry(page)
    assert re.search(r"旧地址1号.*→.*新地址2号", newest, re.S)
    assert "020-12345678" in newest
    assert "旧名称慈善会" not in newest.split("</p>", 1)[1], "unchanged fields are not listed"


def test_record_audit_rows_made_elsewhere_are_shown(app, admin_client, admin):
    record_audit("publish", "news", 7, label="一则新闻", changes={"status": ["draft", "published"]}, user=admin)
    db.session.commit()
    page = text(admin_client.get("/admin/audit/"))
    assert "一则新闻" in page and "草稿" in page and "已发布" in page


def test_status_changes_and_moments_read_as_labels_and_beijing_time(app, admin_client):
    add_entry("重阳节慰问长者", object_type="news", action="publish", changes={
        "status": ["draft", "published"],
        "published_at": [None, "2026-12-01T22:36:43.790000+00:00"],
        "title": ["draft", "draft"],
        "summary": ["draft", "published"],
    })
    entry = first_entry(text(admin_client.get("/admin/audit/")))
    assert "草稿" in entry and "已发布" in entry
    assert "2026年12月2日 06:36" in entry
    assert "2026-12-01T22:36" not in entry
    # Words people typed stay as typed, even when they look like a code.
    assert '<span class="diff-del">draft</span>' in entry
