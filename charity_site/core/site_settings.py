"""The organisation's particulars (one SiteSettings row, id 1): read and update with optimistic locking.

``disclosures_start_on`` is the day the organisation began publishing on this site: disclosure
deadlines (disclosures/deadlines.py) count from it, so a new install does not owe reports for the
years before it existed. A row created on the site gets the day it was created unless staff give
another date; a row without one (loaded from content/ without the field) counts from the day the row
was created, and a site without a row from today.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from charity_site.core.audit import diff, record_audit, snapshot
from charity_site.core.formatting import local_date, local_today
from charity_site.core.locking import StaleEdit, claim, flush_or_refuse
from charity_site.core.models import (
    ContentSourceMixin,
    TimestampMixin,
    VersionedMixin,
)
from charity_site.core.transaction import operation
from charity_site.extensions import db

SETTINGS_ID = 1
TEXT_FIELDS = ("org_name", "org_short_name", "tagline", "intro_md", "credit_code", "address", "phone",
               "supervision_phone", "email", "icp_number", "charity_china_url")
FIELDS = TEXT_FIELDS + ("founded_year", "disclosures_start_on")


def get_settings() -> SiteSettings | None:
    return db.session.get(SiteSettings, SETTINGS_ID)


def disclosures_start(settings: SiteSettings | None) -> date:
    """The day disclosure deadlines count from: the setting, else the day the row was created, else today."""
    if settings is None:
        return local_today()
    if settings.disclosures_start_on is not None:
        return settings.disclosures_start_on
    return local_date(settings.created_at) or local_today()


def _fresh() -> SiteSettings | None:
    return db.session.get(SiteSettings, SETTINGS_ID, populate_existing=True)


@operation
def update_settings(data: dict, expected_version: int | None, actor=None) -> SiteSettings:
    """Save ``data`` (FIELDS) if the stored row is still at ``expected_version``; audited.

    ``expected_version`` is None when the form was opened before any row existed.
    Raises StaleEdit, changing nothing, when someone else saved in between.
    """
    claim("site_settings")  # rather than lock_row: the row may not exist yet
    settings = _fresh()
    creating = settings is None
    if not creating and settings.version != expected_version:
        raise StaleEdit(settings)
    if creating:
        settings = SiteSettings(id=SETTINGS_ID)
        db.session.add(settings)
    before = {} if creating else snapshot(settings, FIELDS)
    for name in TEXT_FIELDS:
        setattr(settings, name, (data.get(name) or "").strip())
    settings.founded_year = data.get("founded_year")
    if data.get("disclosures_start_on"):
        settings.disclosures_start_on = data["disclosures_start_on"]
    elif creating:
        settings.disclosures_start_on = local_today()  # the day the site was set up
    changes = diff(before, snapshot(settings, FIELDS))
    if not creating and not changes:
        return settings
    flush_or_refuse(settings, taken=lambda: StaleEdit(_fresh()) if creating and _fresh() is not None else None)
    record_audit("create" if creating else "update", "settings", settings.id, label=settings.org_name,
                 changes=changes, user=actor)
    return settings


class SiteSettings(VersionedMixin, ContentSourceMixin, TimestampMixin, db.Model):
    """The organisation's particulars; the site keeps exactly one row (id 1)."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_name: Mapped[str] = mapped_column(String(120), default=str)
    org_short_name: Mapped[str] = mapped_column(String(60), default=str)
    tagline: Mapped[str] = mapped_column(String(255), default=str)
    intro_md: Mapped[str] = mapped_column(Text, default=str)
    credit_code: Mapped[str] = mapped_column(String(40), default=str)  # 统一社会信用代码
    address: Mapped[str] = mapped_column(String(255), default=str)
    phone: Mapped[str] = mapped_column(String(40), default=str)
    supervision_phone: Mapped[str] = mapped_column(String(40), default=str)  # 监督电话
    email: Mapped[str] = mapped_column(String(254), default=str)
    icp_number: Mapped[str] = mapped_column(String(60), default=str)  # ICP备案号
    charity_china_url: Mapped[str] = mapped_column(String(255), default=str)  # 慈善中国
    founded_year: Mapped[int | None] = mapped_column(Integer)
    # The day the organisation began publishing on this site; disclosure deadlines count from it.
    disclosures_start_on: Mapped[date | None] = mapped_column(Date)
