"""Twenty identical requests at the same moment: one wins, every other one gets what a later request would.

Each of the twenty threads has its own test client, and so its own app context and database session,
like twenty browser tabs on several gunicorn workers; a barrier releases them together. The losers
must get the 409 showing the saved version, or the 400 with the usual message, or the 404 of
something deleted: never a 5xx. Runs on SQLite (writers queue for the write lock) and PostgreSQL
(writers queue on row and advisory locks), see core/locking.py.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from conftest import configured_app
from factories import (
    login,
    make_disclosure,
    make_entry,
    make_fund,
    make_news,
    make_page,
    make_project,
    make_site_settings,
    make_user,
)
from sqlalchemy import func, select, update

from charity_site.core import editing, locking
from charity_site.extensions import db
from charity_site.models import (
    AuditLog,
    Disclosure,
    DisclosureRevision,
    DisclosureStatus,
    LedgerEntry,
    Page,
    ProjectUpdate,
    StaffUser,
    utcnow,
)
from charity_site.staff import accounts as staff

RACERS = 20
STALE_NOTICE = "在您编辑期间，其他人保存了这项内容。"


@pytest.fixture
def app(database_url, tmp_path):
    """The usual test app, with a connection for every racer on PostgreSQL so that none waits for the pool."""
    options = {"pool_pre_ping": True, "pool_size": RACERS + 2}
    with configured_app(database_url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options) as app:
        yield app


@pytest.fixture
def admin(app):
    return make_user("race-admin@example.org", roles=("admin",))


def signed_in_clients(app, user, count: int) -> list:
    """``count`` test clients sharing one sign-in of ``user``, like browser tabs."""
    first = app.test_client()
    assert login(first, user.email).status_code == 302
    cookie = first.get_cookie("session")
    clients = [first]
    for _ in range(count - 1):
        client = app.test_client()
        client.set_cookie("session", cookie.value, domain=cookie.domain)
        clients.append(client)
    return clients


def send_together(posts: list[tuple]) -> list[tuple[int, str]]:
    """Send every (client, path, data) POST from its own thread at one moment; (status, body) of each."""
    db.session.commit()  # the test's own transaction must not hold an old snapshot while the requests write
    start = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def send(index: int) -> None:
        client, path, data = posts[index]
        try:
            start.wait(timeout=30)
            response = client.post(path, data=data)
            results[index] = (response.status_code, response.get_data(as_text=True))
        except Exception as error:  # reported by the caller's assertion, with the statuses of the others
            results[index] = (repr(error), "")

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request is still waiting"
    db.session.expire_all()
    return results


def race(app, user, path: str, data: dict) -> list[tuple[int, str]]:
    """POST ``data`` to ``path`` from RACERS clients signed in as ``user``, all at once."""
    return send_together([(client, path, data) for client in signed_in_clients(app, user, RACERS)])


def statuses(results) -> Counter:
    return Counter(status for status, _ in results)


def assert_one_winner(results, loser_status: int, loser_text: str | None = None, winner_status: int = 302) -> None:
    counted = statuses(results)
    assert counted == Counter({winner_status: 1, loser_status: RACERS - 1}), counted
    if loser_text is not None:
        losers = [body for status, body in results if status == loser_status]
        assert all(loser_text in body for body in losers), losers[0][:2000]


def audit_count(action: str, object_type: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == action, AuditLog.object_type == object_type))


def disclosure_form(disclosure: Disclosure, **overrides) -> dict:
    return {"kind": disclosure.kind.value, "title": "关于助学金使用情况的公示（修订）", "summary": "", "body_md": "新正文",
            "period_start": "", "period_end": "", "project_id": "", "fund_id": "",
            "version": str(disclosure.version), **overrides}


# ---- disclosures -----------------------------------------------------------------------------------------

def test_editing_one_draft_at_one_version(app, admin):
    draft = make_disclosure(status=DisclosureStatus.DRAFT, published_at=None)
    db.session.commit()
    results = race(app, admin, f"/admin/disclosures/{draft.id}/edit", disclosure_form(draft))
    assert_one_winner(results, 409, STALE_NOTICE)
    assert any("新正文" in body for status, body in results if status == 409)  # the saved version is shown
    stored = db.session.get(Disclosure, draft.id)
    assert stored.version == 2 and stored.body_md == "新正文"
    assert audit_count("update", "disclosure") == 1


def test_correcting_one_published_disclosure_at_one_version(app, admin):
    disclosure = make_disclosure()
    db.session.commit()
    results = race(app, admin, f"/admin/disclosures/{disclosure.id}/edit",
                   disclosure_form(disclosure, reason="金额写错，更正"))
    assert_one_winner(results, 409, STALE_NOTICE)
    numbers = db.session.scalars(select(DisclosureRevision.number).where(
        DisclosureRevision.disclosure_id == disclosure.id).order_by(DisclosureRevision.number))
    assert list(numbers) == [1, 2]
    assert audit_count("revise", "disclosure") == 1


def test_publishing_one_draft(app, admin):
    draft = make_disclosure(status=DisclosureStatus.DRAFT, published_at=None)
    db.session.commit()
    results = race(app, admin, f"/admin/disclosures/{draft.id}/publish", {})
    assert_one_winner(results, 409, "只有草稿可以发布。")
    assert db.session.get(Disclosure, draft.id).status is DisclosureStatus.PUBLISHED
    assert db.session.scalar(select(func.count()).select_from(DisclosureRevision)) == 1
    assert audit_count("publish", "disclosure") == 1


def test_withdrawing_one_disclosure(app, admin):
    disclosure = make_disclosure()
    db.session.commit()
    results = race(app, admin, f"/admin/disclosures/{disclosure.id}/withdraw", {"withdrawn_reason": "数据有误"})
    assert_one_winner(results, 409, "只有已发布的公示可以撤回。")
    assert db.session.get(Disclosure, disclosure.id).status is DisclosureStatus.WITHDRAWN
    assert audit_count("withdraw", "disclosure") == 1


def test_deleting_one_draft(app, admin):
    draft_id = make_disclosure(status=DisclosureStatus.DRAFT, published_at=None).id
    db.session.commit()
    results = race(app, admin, f"/admin/disclosures/{draft_id}/delete", {})
    assert_one_winner(results, 404)  # as a request sent after the deletion
    assert db.session.get(Disclosure, draft_id) is None
    assert audit_count("delete", "disclosure") == 1


# ---- pages, news, projects, funds ------------------------------------------------------------------------

EDITORS = {
    "pages": (make_page, {"nav_order": ""}),
    "news": (make_news, {"category": "", "source": "", "author": "", "cover_image": ""}),
    "projects": (make_project, {"category": "慈善救助", "project_status": "active", "fund_id": "0"}),
    "funds": (lambda: make_fund(), {"kind": "general", "area": ""}),
}


@pytest.mark.parametrize("area", sorted(EDITORS))
def test_editing_one_item_at_one_version(app, admin, area):
    make, extra = EDITORS[area]
    item = make()
    db.session.commit()
    data = {"title": "同时保存的标题", "slug": item.slug, "summary": "", "body_md": "同时保存的正文",
            "status": "published", "publish_at": "", "version": str(item.version), **extra}
    results = race(app, admin, f"/admin/{area}/{item.id}/edit", data)
    assert_one_winner(results, 409, STALE_NOTICE)
    db.session.refresh(item)
    assert item.version == 2 and item.title == "同时保存的标题"


def test_two_pages_asking_for_one_web_address(app, admin):
    data = {"title": "新页面", "slug": "xin-ye-mian", "summary": "", "body_md": "正文", "status": "draft",
            "publish_at": "", "version": "", "nav_order": ""}
    results = race(app, admin, "/admin/pages/new", data)
    assert_one_winner(results, 400, "该网址已被其他内容使用，请换一个。")
    assert db.session.scalar(select(func.count()).select_from(Page)) == 1


def test_editing_one_project_update_at_one_version(app, admin):
    project = make_project()
    progress = ProjectUpdate(project_id=project.id, slug="u1", happened_on=utcnow().date(), title="进展")
    db.session.add(progress)
    db.session.commit()
    data = {"happened_on": "2024-10-01", "title": "进展（补充）", "body_md": "补充", "published": "y",
            "version": str(progress.version)}
    results = race(app, admin, f"/admin/projects/{project.id}/updates/{progress.id}/edit", data)
    assert_one_winner(results, 409, STALE_NOTICE)
    assert db.session.get(ProjectUpdate, progress.id).version == 2


# ---- staff accounts and settings ------------------------------------------------------------------------

def test_creating_one_account(app, admin):
    data = {"email": "new-colleague@example.org", "display_name": "新同事", "roles": ["editor"],
            "password": "Linshi-mima-2024", "confirm_password": "Linshi-mima-2024"}
    results = race(app, admin, "/admin/users/new", data)
    assert_one_winner(results, 400, "该邮箱已有账号。")
    assert db.session.scalar(select(func.count()).select_from(StaffUser).where(
        StaffUser.email == "new-colleague@example.org")) == 1


def test_editing_one_account(app, admin):
    colleague = make_user("colleague@example.org", roles=("editor",))
    data = {"display_name": "王同事", "roles": ["finance"], "version": staff.edit_version(colleague)}
    results = race(app, admin, f"/admin/users/{colleague.id}/edit", data)
    assert_one_winner(results, 409, "在您编辑期间，其他人修改了这个账号。")
    db.session.refresh(colleague)
    assert colleague.display_name == "王同事" and {role.value for role in colleague.roles} == {"finance"}
    assert audit_count("update", "staff_user") == 1


def test_disabling_one_account(app, admin):
    colleague = make_user("colleague@example.org", roles=("editor",))
    results = race(app, admin, f"/admin/users/{colleague.id}/disable", {})
    assert statuses(results) == Counter({302: RACERS})  # disabling a disabled account changes nothing
    assert db.session.get(StaffUser, colleague.id).active is False
    assert audit_count("disable", "staff_user") == 1


def test_two_administrators_disabling_each_other_leave_one(app):
    first, second = make_user("first-admin@example.org", roles=("admin",)), make_user(
        "second-admin@example.org", roles=("admin",))
    [first_client], [second_client] = signed_in_clients(app, first, 1), signed_in_clients(app, second, 1)
    results = send_together([(first_client, f"/admin/users/{second.id}/disable", {}),
                             (second_client, f"/admin/users/{first.id}/disable", {})])
    winners = [body for status, body in results if status == 302 and 'href="/admin/users/"' in body]
    assert len(winners) == 1, results
    # The other one finds itself disabled (sent to sign in) or, if it got past that check first, refused.
    [(status, body)] = [result for result in results if result[1] not in winners]
    assert (status == 302 and 'href="/admin/login"' in body) or (
        status == 400 and "不能停用最后一位在用的管理员" in body), (status, body[:500])
    active = db.session.scalars(select(StaffUser.email).where(StaffUser.active.is_(True))).all()
    assert len(active) == 1


def test_saving_the_settings_at_one_version(app, admin):
    settings = make_site_settings()
    db.session.commit()
    results = race(app, admin, "/admin/settings/", {"org_name": "番禺区慈善会", "version": str(settings.version)})
    assert_one_winner(results, 409, "在您编辑期间，其他人已经保存了网站设置。")
    assert audit_count("update", "settings") == 1


# ---- the ledger -----------------------------------------------------------------------------------------

def test_recording_one_voucher_number(app, admin):
    fund = make_fund()
    db.session.commit()
    data = {"kind": "expense", "occurred_on": "2024-10-12", "amount_fen": "1,234.50", "fund_id": str(fund.id),
            "project_id": "", "category": "慰问", "channel": "银行转账", "counterparty": "某某超市",
            "counterparty_type": "organisation", "voucher_no": "ZC-2024-RACE", "summary": "购买慰问品", "note": ""}
    results = race(app, admin, "/admin/ledger/new", data)
    assert_one_winner(results, 400, "凭证号 ZC-2024-RACE 已在账目中，每个凭证号只能使用一次。")
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_voiding_one_line(app, admin):
    entry = make_entry(make_fund(), 50_000)
    db.session.commit()
    results = race(app, admin, f"/admin/ledger/{entry.id}/void", {"reason": "金额录入错误"})
    # A request voiding a voided line is sent back to the line, as a second click would be.
    assert statuses(results) == Counter({302: RACERS})
    assert db.session.get(LedgerEntry, entry.id).voided is True
    assert audit_count("void", "ledger_entry") == 1


# ---- what the locks do not cover: a conflict found at the flush is refused all the same --------------------

def test_a_version_conflict_found_at_the_flush_is_a_stale_edit(app):
    page = make_page(title="原标题")
    db.session.commit()
    assert page.version == 1
    db.session.close()  # keeps what was loaded, as a request that read the page before the other save
    with db.engine.begin() as other:  # another program saves without taking the lock
        other.execute(update(Page).where(Page.id == page.id).values(version=2, title="别人的标题"))
    db.session.add(page)
    page.title = "我的标题"
    with pytest.raises(editing.StaleEdit) as conflict:
        locking.flush_or_refuse(page)
    assert conflict.value.current.title == "别人的标题" and conflict.value.current.version == 2


def test_a_unique_conflict_found_at_the_flush_gets_the_usual_message(app, monkeypatch):
    make_user("taken@example.org")
    real_find_user, calls = staff.find_user, []

    def find_user_a_moment_too_early(email):
        calls.append(email)
        return None if len(calls) == 1 else real_find_user(email)

    monkeypatch.setattr(staff, "find_user", find_user_a_moment_too_early)
    with pytest.raises(staff.StaffError) as refused:
        staff.create_user("taken@example.org", "Linshi-mima-2024", ["editor"])
    assert str(refused.value) == "该邮箱已有账号。"
    assert len(calls) == 2  # the second look found the other account after the insert failed
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 1
