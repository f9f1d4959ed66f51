"""`flask content load`: import content/ idempotently.

Every record is keyed by its slug (ledger lines by voucher number). A record
is created when new, updated when its file changed and nobody edited it on the
site since the last load, and otherwise left alone and reported as skipped.
Each file is loaded inside its own savepoint: a file with a problem loads
nothing, the others still load.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from charity_site.core.audit import record_audit
from charity_site.core.models import utcnow
from charity_site.core.site_settings import SiteSettings
from charity_site.demo_content.covers import CoverFile, cover_address, cover_field
from charity_site.demo_content.files import (
    SLUG_PATTERN,
    ContentError,
    ContentFile,
    LoadReport,
    bool_field,
    choice_field,
    date_field,
    datetime_field,
    file_slug,
    fingerprint,
    int_field,
    money_field,
    read_content_file,
    slug_list,
    text_field,
)
from charity_site.demo_content.ledger_file import load_ledger
from charity_site.demo_content.upsert import fund_by_slug, project_by_slug, publication, upsert
from charity_site.disclosures.models import Disclosure, DisclosureKind, DisclosureRevision, DisclosureStatus
from charity_site.donations.demo import load_giving
from charity_site.extensions import db
from charity_site.finance.models import Fund, FundKind, LedgerEntry
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.models import PROJECT_CATEGORIES, Project, ProjectStatus, ProjectUpdate
from charity_site.volunteers.demo import load_opportunity

# Directories in load order: later kinds refer to earlier ones by slug.
SECTIONS = ("settings", "funds", "pages", "projects", "volunteers", "news", "disclosures", "ledger")


def database_is_empty() -> bool:
    """True when no content of any kind has been stored yet."""
    for model in (SiteSettings, Page, Project, NewsPost, Fund, LedgerEntry):
        if db.session.scalar(select(func.count()).select_from(model)):
            return False
    return True


def load_content(content_dir: str | Path) -> LoadReport:
    root = Path(content_dir)
    report = LoadReport()
    if not root.is_dir():
        report.errors.append(ContentError(root, None, "content directory not found"))
        return report
    now = utcnow()
    for section in SECTIONS:
        paths = [root / "settings.md"] if section == "settings" else sorted((root / section).glob("*.md"))
        for path in paths:
            if not path.exists():
                continue
            _load_file(path, root, section, now, report)
    load_giving(root)  # content/giving.md: demo settings, campaigns and example pledges (donations/demo.py)
    record_audit(
        "content_load",
        "content",
        None,
        label=str(root.name),
        note=report.summary(),
        user=None,
    )
    db.session.flush()
    return report


def _load_file(path: Path, root: Path, section: str, now: datetime, report: LoadReport) -> None:
    file_report = LoadReport()
    try:
        cf = read_content_file(path, root)
        with db.session.begin_nested():
            LOADERS[section](cf, now, file_report)
    except ContentError as exc:
        report.errors.append(exc)
        return
    for name in ("created", "updated", "unchanged", "skipped"):
        getattr(report, name).extend(getattr(file_report, name))


# --- one loader per section -------------------------------------------------------


def load_settings(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    meta = cf.meta
    data = {
        "org_name": text_field(cf, meta, "org_name", required=True, max_length=120),
        "org_short_name": text_field(cf, meta, "org_short_name", max_length=60),
        "tagline": text_field(cf, meta, "tagline", max_length=255),
        "intro_md": cf.body.strip(),
        "credit_code": text_field(cf, meta, "credit_code", max_length=40),
        "address": text_field(cf, meta, "address", max_length=255),
        "phone": text_field(cf, meta, "phone", max_length=40),
        "supervision_phone": text_field(cf, meta, "supervision_phone", max_length=40),
        "email": text_field(cf, meta, "email", max_length=254),
        "icp_number": text_field(cf, meta, "icp_number", max_length=60),
        "charity_china_url": text_field(cf, meta, "charity_china_url", max_length=255),
        "founded_year": int_field(cf, meta, "founded_year"),
        "disclosures_start_on": date_field(cf, meta, "disclosures_start_on"),
    }
    upsert(SiteSettings, SiteSettings.id, 1, {"id": 1, **data}, cf, now, report, "settings")


def load_fund(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    meta = cf.meta
    slug = file_slug(cf)
    data = {
        "slug": slug,
        "title": text_field(cf, meta, "name", required=True),
        "kind": FundKind(choice_field(cf, meta, "kind", FundKind)),
        "area": text_field(cf, meta, "area", max_length=120),
        "established_on": date_field(cf, meta, "established_on"),
        "summary": text_field(cf, meta, "summary", max_length=500),
        "body_md": cf.body,
        **publication(cf, meta, now),
    }
    upsert(Fund, Fund.slug, slug, data, cf, now, report, f"fund {slug}")


def load_page(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    meta = cf.meta
    slug = file_slug(cf)
    data = {
        "slug": slug,
        "title": text_field(cf, meta, "title", required=True),
        "summary": text_field(cf, meta, "summary", max_length=500),
        "nav_order": int_field(cf, meta, "nav_order"),
        "updated_on": date_field(cf, meta, "updated"),
        "body_md": cf.body,
        **publication(cf, meta, now),
    }
    upsert(Page, Page.slug, slug, data, cf, now, report, f"page {slug}")


def load_project(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    meta = cf.meta
    slug = file_slug(cf)
    category = text_field(cf, meta, "category", required=True, max_length=40)
    if category not in PROJECT_CATEGORIES:
        raise cf.error(f"'category' must be one of {', '.join(PROJECT_CATEGORIES)}; got {category!r}", "category")
    fund = fund_by_slug(cf, meta.get("fund"), "fund")
    start, end = date_field(cf, meta, "start_date"), date_field(cf, meta, "end_date")
    if start and end and end < start:
        raise cf.error("'end_date' is before 'start_date'", "end_date")
    title = text_field(cf, meta, "title", required=True)
    cover_data, cover_digest, stored_cover = _cover(cf, meta, title)
    data = {
        "slug": slug,
        "title": title,
        "summary": text_field(cf, meta, "summary", max_length=500),
        "body_md": cf.body,
        "category": category,
        "project_status": ProjectStatus(choice_field(cf, meta, "status", ProjectStatus, default="active")),
        "start_date": start,
        "end_date": end,
        "budget_fen": money_field(cf, meta, "budget"),
        "goal_fen": money_field(cf, meta, "goal"),
        "beneficiaries": int_field(cf, meta, "beneficiaries"),
        "service_sessions": int_field(cf, meta, "service_sessions"),
        "people_served": int_field(cf, meta, "people_served"),
        "responsible_person": text_field(cf, meta, "responsible_person", max_length=120),
        "contact": text_field(cf, meta, "contact", max_length=120),
        **cover_data,
        "featured": bool_field(cf, meta, "featured"),
        "fund_id": fund.id if fund else None,
        **publication(cf, {**meta, "status": meta.get("publication", "published")}, now),
    }
    updates = _parse_updates(cf, meta.get("updates") or [])
    project = upsert(Project, Project.slug, slug, data, cf, now, report, f"project {slug}",
                     digest_extra=cover_digest, data_on_write=stored_cover)
    for update in updates:
        update_slug = update["slug"]
        upsert(
            ProjectUpdate, ProjectUpdate.slug, update_slug, {**update, "project_id": project.id},
            cf, now, report, f"project {slug} update {update_slug}",
            extra_filter=ProjectUpdate.project_id == project.id,
        )


def _parse_updates(cf: ContentFile, raw_updates) -> list[dict]:
    if not isinstance(raw_updates, list):
        raise cf.error("'updates' must be a list of {date, title, body}", "updates")
    parsed, seen = [], set()
    for index, item in enumerate(raw_updates, start=1):
        if not isinstance(item, dict):
            raise cf.error(f"update #{index} must be a mapping with date, title and body", "updates")
        hint = item.get("title")
        happened_on = date_field(cf, item, "date", required=True)
        title = text_field(cf, item, "title", required=True)
        slug = str(item.get("slug") or f"{happened_on.isoformat()}-{fingerprint({'t': title})[:6]}")
        if slug in seen:
            raise cf.error(f"update #{index} repeats the slug '{slug}'", value=hint)
        seen.add(slug)
        parsed.append({
            "slug": slug,
            "happened_on": happened_on,
            "title": title,
            "body_md": str(item.get("body") or "").strip(),
            "published": bool_field(cf, item, "published", default=True),
        })
    return parsed


def load_news(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    meta = cf.meta
    slug = file_slug(cf)
    project_slugs = slug_list(cf, meta, "projects")
    projects = [project_by_slug(cf, project_slug, "projects", project_slug) for project_slug in project_slugs]
    title = text_field(cf, meta, "title", required=True)
    cover_data, cover_digest, stored_cover = _cover(cf, meta, title)
    data = {
        "slug": slug,
        "title": title,
        "summary": text_field(cf, meta, "summary", max_length=500),
        "body_md": cf.body,
        "category": text_field(cf, meta, "category", max_length=40),
        "source": text_field(cf, meta, "source", max_length=120),
        "author": text_field(cf, meta, "author", max_length=120),
        **cover_data,
        **publication(cf, meta, now),
    }

    def set_projects(post: NewsPost) -> None:
        post.projects = projects

    upsert(NewsPost, NewsPost.slug, slug, data, cf, now, report, f"news {slug}",
            digest_extra={"projects": project_slugs, **cover_digest}, on_write=set_projects,
            data_on_write=stored_cover)


def _cover(cf: ContentFile, meta: dict, title: str):
    """The cover's part of a record: its data, its part of the fingerprint, and the data stored on a write.

    An image file under content/ is stored as an upload only when the record is created or updated
    (never on a load that changes nothing), and the fingerprint holds the file's checksum rather than
    the upload's random address, so an unchanged file stays unchanged.
    """
    cover = cover_field(cf, meta, f"封面插画：{title}")
    if not isinstance(cover, CoverFile):
        return {"cover_image": cover}, {}, None
    return {}, cover.fingerprint(), lambda: {"cover_image": cover_address(cf, cover)}


DISCLOSURE_PERMANENT = "published disclosures are permanent; correct them on the site with a reason"


def load_disclosure(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    meta = cf.meta
    slug = file_slug(cf)
    # ``project: slug`` for one project, ``projects: [slug, ...]`` for a report covering several.
    project_slugs = slug_list(cf, meta, "projects")
    if meta.get("project"):
        project_slugs = [str(meta["project"]), *(other for other in project_slugs if other != meta["project"])]
    projects = [project_by_slug(cf, project_slug, "projects", project_slug) for project_slug in project_slugs]
    fund = fund_by_slug(cf, meta.get("fund"), "fund")
    start, end = date_field(cf, meta, "period_start"), date_field(cf, meta, "period_end")
    if start and end and end < start:
        raise cf.error("'period_end' is before 'period_start'", "period_end")
    published_at = datetime_field(cf, meta, "published_at") or now
    data = {
        "slug": slug,
        "title": text_field(cf, meta, "title", required=True),
        "summary": text_field(cf, meta, "summary", max_length=500),
        "body_md": cf.body,
        "kind": DisclosureKind(choice_field(cf, meta, "kind", DisclosureKind)),
        "period_start": start,
        "period_end": end,
        "fund_id": fund.id if fund else None,
        "status": DisclosureStatus.PUBLISHED,
        "published_at": published_at,
    }

    def first_revision(disclosure: Disclosure) -> None:
        disclosure.projects = projects
        if not disclosure.revisions:
            disclosure.revisions.append(DisclosureRevision(
                number=1, title=data["title"], summary=data["summary"], body_md=data["body_md"],
                created_at=published_at,
            ))

    upsert(
        Disclosure, Disclosure.slug, slug, data, cf, now, report, f"disclosure {slug}",
        permanent=lambda record: DISCLOSURE_PERMANENT if record.status is not DisclosureStatus.DRAFT else None,
        digest_extra={"projects": sorted(project_slugs)}, on_write=first_revision,
    )


LOADERS = {
    "settings": load_settings,
    "funds": load_fund,
    "pages": load_page,
    "projects": load_project,
    "volunteers": load_opportunity,
    "news": load_news,
    "disclosures": load_disclosure,
    "ledger": load_ledger,
}

__all__ = ["load_content", "database_is_empty", "SECTIONS", "SLUG_PATTERN"]
