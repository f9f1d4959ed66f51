"""Writing one record of a content file: created when new, updated when its file changed and nobody
edited it on the site since the last load, otherwise left alone and reported as skipped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from charity_site.core.models import PublicationStatus
from charity_site.demo_content.files import (
    ContentFile,
    LoadReport,
    choice_field,
    datetime_field,
    fingerprint,
)
from charity_site.extensions import db
from charity_site.finance.models import Fund
from charity_site.projects.models import Project
from charity_site.search import index as search


def upsert(model, key_column, key, data: dict, cf: ContentFile, now: datetime, report: LoadReport,
           label: str, *, permanent: Callable | None = None, extra_filter=None,
           digest_extra: dict | None = None, on_write: Callable | None = None,
           data_on_write: Callable[[], dict] | None = None):
    """Create or update one record from ``data`` and return it (or the untouched existing one).

    ``permanent(record)`` returns a reason when an existing record must never be
    changed by the loader; ``on_write(record)`` runs after a create or update. ``data_on_write()``
    gives more fields, worked out only when the record is written (a cover image to store as an upload);
    they are not part of the fingerprint, so ``digest_extra`` must stand for them.
    """
    digest = fingerprint({**data, **(digest_extra or {})})
    # Without a published_at in the file, the first load's time is kept on later loads.
    keep_published_at = data.get("published_at", False) is None and data.get("status") is not PublicationStatus.DRAFT
    query = select(model).where(key_column == key)
    if extra_filter is not None:
        query = query.where(extra_filter)
    record = db.session.scalars(query).first()
    if record is None:
        if data_on_write:
            data = {**data, **data_on_write()}
        record = model(**(dict(data, published_at=now) if keep_published_at else data))
        _stamp(record, cf, digest, now)
        db.session.add(record)
        if on_write:
            on_write(record)
        db.session.flush()
        search.index_record(record)
        report.created.append(label)
        return record
    if record.source_hash == digest:
        report.unchanged.append(label)
        return record
    if record.edited_since_load:
        report.skipped.append(f"{label}: edited on the site since it was loaded; not overwritten")
        return record
    if permanent is not None and permanent(record):
        report.skipped.append(f"{label}: {permanent(record)}")
        return record
    if data_on_write:
        data = {**data, **data_on_write()}
    for name, value in data.items():
        if name == "published_at" and keep_published_at:
            value = record.published_at or now
        setattr(record, name, value)
    _stamp(record, cf, digest, now)
    if on_write:
        on_write(record)
    search.index_record(record)
    report.updated.append(label)
    return record


def _stamp(record, cf: ContentFile, digest: str, now: datetime) -> None:
    record.source_path = cf.relative
    record.source_hash = digest
    record.source_loaded_at = now
    record.updated_at = now


def publication(cf: ContentFile, meta: dict, now: datetime) -> dict:
    """Status and publication time. A file without ``published_at`` is stamped once, at its first load."""
    status = choice_field(cf, meta, "status", PublicationStatus, default="published")
    published_at = datetime_field(cf, meta, "published_at")
    return {"status": PublicationStatus(status), "published_at": published_at}


def fund_by_slug(cf: ContentFile, slug: str | None, key: str, hint=None) -> Fund | None:
    if not slug:
        return None
    fund = db.session.scalars(select(Fund).where(Fund.slug == slug)).first()
    if fund is None:
        raise cf.error(f"'{key}': no fund with slug '{slug}'", key, hint)
    return fund


def project_by_slug(cf: ContentFile, slug: str | None, key: str, hint=None) -> Project | None:
    if not slug:
        return None
    project = db.session.scalars(select(Project).where(Project.slug == slug)).first()
    if project is None:
        raise cf.error(f"'{key}': no project with slug '{slug}'", key, hint)
    return project
