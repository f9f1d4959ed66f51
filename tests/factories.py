"""Small factory helpers: each makes one valid record with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import func, select

from charity_site.extensions import db
from charity_site.models import (
    CounterpartyType,
    Disclosure,
    DisclosureKind,
    DisclosureRevision,
    DisclosureStatus,
    EntryKind,
    Fund,
    FundKind,
    LedgerEntry,
    NewsPost,
    Page,
    Project,
    ProjectStatus,
    PublicationStatus,
    SiteSettings,
    utcnow,
)

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def published(**overrides) -> dict:
    return {"status": PublicationStatus.PUBLISHED, "published_at": utcnow() - timedelta(days=1), **overrides}


def make_fund(**fields) -> Fund:
    n = _n()
    fund = Fund(**{"slug": f"fund-{n}", "title": f"测试基金{n}", "kind": FundKind.GENERAL, **published(), **fields})
    db.session.add(fund)
    db.session.flush()
    return fund


def make_project(**fields) -> Project:
    n = _n()
    project = Project(**{
        "slug": f"project-{n}", "title": f"测试项目{n}", "category": "慈善救助",
        "project_status": ProjectStatus.ACTIVE, "summary": "一个测试项目", **published(), **fields,
    })
    db.session.add(project)
    db.session.flush()
    return project


def make_entry(fund: Fund, amount_fen: int, kind: EntryKind = EntryKind.INCOME, **fields) -> LedgerEntry:
    n = _n()
    entry = LedgerEntry(**{
        "fund_id": fund.id, "amount_fen": amount_fen, "kind": kind, "occurred_on": date(2024, 10, 1),
        "category": "捐赠收入" if kind is EntryKind.INCOME else "救助", "channel": "银行转账",
        "counterparty": "某某公司", "counterparty_type": CounterpartyType.ORGANISATION,
        "voucher_no": f"T-{n}", "summary": f"测试记录{n}", **fields,
    })
    db.session.add(entry)
    db.session.flush()
    return entry


def make_disclosure(**fields) -> Disclosure:
    """A published disclosure with its first revision, as the disclosure service would leave it."""
    n = _n()
    values = {"slug": f"disclosure-{n}", "kind": DisclosureKind.FUND_USE, "title": f"关于测试{n}的公示",
              "body_md": "正文", "status": DisclosureStatus.PUBLISHED,
              "published_at": utcnow() - timedelta(days=1), **fields}
    # ``project_id=`` (one project, the usual case) or ``project_ids=[...]``: the projects it covers.
    project_ids = values.pop("project_ids", None) or [values.pop("project_id", None)]
    values.pop("project_id", None)
    disclosure = Disclosure(**values)
    disclosure.projects = [db.session.get(Project, project_id) for project_id in project_ids if project_id]
    db.session.add(disclosure)
    db.session.flush()
    if disclosure.status is not DisclosureStatus.DRAFT:
        db.session.add(DisclosureRevision(disclosure_id=disclosure.id, number=1, title=disclosure.title,
                                          summary=disclosure.summary, body_md=disclosure.body_md))
        db.session.flush()
    return disclosure


def make_news(**fields) -> NewsPost:
    n = _n()
    post = NewsPost(**{"slug": f"news-{n}", "title": f"测试新闻{n}", "body_md": "正文", **published(), **fields})
    db.session.add(post)
    db.session.flush()
    return post


def make_page(**fields) -> Page:
    n = _n()
    page = Page(**{"slug": f"page-{n}", "title": f"测试页面{n}", "body_md": "正文", **published(), **fields})
    db.session.add(page)
    db.session.flush()
    return page


def make_site_settings(**fields) -> SiteSettings:
    """The organisation's single settings row (id 1)."""
    settings = SiteSettings(**{"id": 1, "org_name": "测试慈善会", **fields})
    db.session.add(settings)
    db.session.flush()
    return settings


DEFAULT_TEST_PASSWORD = "Zhongwen-mima-2024"


def make_user(email: str | None = None, roles=("editor",), password: str = DEFAULT_TEST_PASSWORD,
              **fields):
    """A committed staff account (committed, so a second app on the same database sees it)."""
    from charity_site.models import Role, StaffRole, StaffUser

    user = StaffUser(email=(email or f"user{_n()}@example.org").lower(), display_name=fields.pop("display_name", ""),
                     **fields)
    user.set_password(password)
    user.role_links = [StaffRole(role=Role(role)) for role in roles]
    db.session.add(user)
    db.session.commit()
    return user


def login(client, email: str, password: str = DEFAULT_TEST_PASSWORD, **extra):
    """Sign in through the login form; returns the response (not followed)."""
    return client.post("/admin/login", data={"email": email, "password": password, **extra})


def line_count() -> int:
    """Ledger lines in the database, voided ones included."""
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))
