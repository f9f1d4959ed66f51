"""What the staff dashboard shows: what needs attention, counts, recent changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from charity_site.core.audit import AuditLog
from charity_site.core.models import PublicationStatus, utcnow
from charity_site.core.roles import Role
from charity_site.core.site_settings import disclosures_start, get_settings
from charity_site.disclosures import deadlines
from charity_site.extensions import db
from charity_site.finance.models import Fund
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.models import Project

EDITABLE_KINDS = (
    ("page", Page, "admin_pages"),
    ("news", NewsPost, "admin_news"),
    ("project", Project, "admin_projects"),
    ("fund", Fund, "admin_funds"),
)


# Who sees the disclosure deadlines: the people who publish disclosures (admin holds every role).
DEADLINE_ROLES = (Role.EDITOR, Role.FINANCE)


@dataclass
class PendingItem:
    kind: str
    blueprint: str
    id: int
    title: str
    status: PublicationStatus
    when: object


def status_counts() -> dict[str, dict[str, int]]:
    """{kind: {"draft": n, "scheduled": n, "published": n}} in one grouped query per kind."""
    counts = {}
    for kind, model, _blueprint in EDITABLE_KINDS:
        rows = db.session.execute(select(model.status, func.count()).group_by(model.status)).all()
        counts[kind] = {status.value: 0 for status in PublicationStatus} | {row[0].value: row[1] for row in rows}
    return counts


def needing_attention(limit: int = 10) -> tuple[list[PendingItem], list[PendingItem]]:
    """(drafts, scheduled): the newest drafts and the scheduled items that are not yet due."""
    now = utcnow()
    drafts, scheduled = [], []
    for kind, model, blueprint in EDITABLE_KINDS:
        for item in db.session.scalars(
            select(model).where(model.status == PublicationStatus.DRAFT).order_by(model.updated_at.desc()).limit(limit)
        ):
            drafts.append(PendingItem(kind, blueprint, item.id, item.title, item.status, item.updated_at))
        for item in db.session.scalars(
            select(model)
            .where(model.status == PublicationStatus.SCHEDULED, model.published_at > now)
            .order_by(model.published_at)
            .limit(limit)
        ):
            scheduled.append(PendingItem(kind, blueprint, item.id, item.title, item.status, item.published_at))
    drafts.sort(key=lambda item: item.when, reverse=True)
    scheduled.sort(key=lambda item: item.when)
    return drafts[:limit], scheduled[:limit]


def recent_changes(limit: int = 12) -> list[AuditLog]:
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def disclosure_deadlines(user, today=None) -> list[deadlines.Obligation] | None:
    """Overdue and soon-due disclosures, and those marked as published elsewhere, for the roles that
    publish them; None for everybody else."""
    if not user.has_role(*DEADLINE_ROLES):
        return None
    return deadlines.disclosure_obligations(today)


def deadlines_start():
    """The day the deadlines count from (site settings), shown above the list."""
    return disclosures_start(get_settings())
