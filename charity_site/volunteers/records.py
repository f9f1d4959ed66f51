"""A volunteer's own records: looking themselves up, their history, and the 志愿服务记录证明.

志愿服务条例 §17: the organisation issues a service record certificate on request. Its number is
gap-free per year (core.sequences), and what it states is copied onto it when issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from charity_site.core.audit import record_audit
from charity_site.core.formatting import local_date, local_today
from charity_site.core.sequences import next_number, yearly_label
from charity_site.core.site_settings import SiteSettings
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.volunteers.models import ServiceCertificate, Shift, Signup, Volunteer

CERTIFICATE_SERIES = "volunteer_certificate"


def volunteer_number(volunteer: Volunteer) -> str:
    return f"V{volunteer.id:06d}"


def find_volunteer(phone: str | None, code: str) -> Volunteer | None:
    """The person whose mobile is ``phone`` and who holds the personal code ``code`` of one of their sign-ups."""
    code = (code or "").strip().upper()
    if not phone or not code or len(code) > 16:
        return None
    return db.session.scalar(
        select(Volunteer).join(Signup, Signup.volunteer_id == Volunteer.id)
        .where(Volunteer.phone == phone, Volunteer.erased_at.is_(None), Signup.code == code))


@dataclass(frozen=True)
class ServiceRecord:
    signups: list[Signup]
    confirmed_minutes: int
    first_day: date | None
    last_day: date | None


def service_record(volunteer: Volunteer) -> ServiceRecord:
    rows = list(db.session.scalars(
        select(Signup).join(Shift).where(Signup.volunteer_id == volunteer.id)
        .options(selectinload(Signup.shift).selectinload(Shift.opportunity)).order_by(Shift.starts_at.desc())))
    confirmed = [row for row in rows if row.hours_confirmed_at is not None and row.service_minutes > 0]
    minutes = db.session.scalar(select(func.coalesce(func.sum(Signup.service_minutes), 0)).where(
        Signup.volunteer_id == volunteer.id, Signup.hours_confirmed_at.is_not(None))) or 0
    days = sorted(local_date(row.shift.starts_at) for row in confirmed)
    return ServiceRecord(rows, int(minutes), days[0] if days else None, days[-1] if days else None)


@operation
def issue_certificate(volunteer: Volunteer) -> ServiceCertificate:
    """A new certificate of the confirmed hours so far, numbered without gaps; flushed, not committed."""
    record = service_record(volunteer)
    settings = db.session.scalar(select(SiteSettings).order_by(SiteSettings.id)) or SiteSettings(org_name="")
    today = local_today()
    sequence = next_number(CERTIFICATE_SERIES, today.year)
    content = sorted({f"{row.shift.opportunity.title}（{row.shift.task}）" for row in record.signups
                      if row.hours_confirmed_at is not None and row.service_minutes > 0})
    certificate = ServiceCertificate(
        number=yearly_label(today.year, sequence), year=today.year, sequence=sequence, volunteer_id=volunteer.id,
        name=volunteer.name or "", id_masked=volunteer.id_number_masked or "",
        volunteer_number=volunteer_number(volunteer), period_start=record.first_day, period_end=record.last_day,
        total_minutes=record.confirmed_minutes, service_content="；".join(content),
        organisation=settings.org_name or "", person_in_charge=current_app.config["VOLUNTEER_PERSON_IN_CHARGE"],
        contact=settings.phone or settings.email or "", issued_on=today,
    )
    db.session.add(certificate)
    db.session.flush()
    record_audit("issue_certificate", "service_certificate", certificate.id, label=certificate.number)
    db.session.flush()
    return certificate


def certificate_by_number(number: str) -> ServiceCertificate | None:
    if not number or len(number) > 20:
        return None
    return db.session.scalar(select(ServiceCertificate).where(ServiceCertificate.number == number))
