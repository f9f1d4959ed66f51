"""Reads for the volunteer pages: upcoming opportunities, places left, totals. Counts are done in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, distinct, exists, func, select
from sqlalchemy.orm import selectinload

from charity_site.core.formatting import SITE_TZ, local_to_utc
from charity_site.core.models import utcnow
from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.volunteers.models import Opportunity, Shift, Signup, SignupStatus
from charity_site.volunteers.opportunities import TAKING_A_PLACE

OPPORTUNITIES_PER_PAGE = 10


@dataclass(frozen=True)
class OpportunityFilters:
    """The /volunteer filters as they appear in the URL; unknown values are ignored."""

    area: str | None = None
    on: date | None = None
    archive: bool = False

    @classmethod
    def from_args(cls, args, areas: list[str]) -> OpportunityFilters:
        from charity_site.web.input import query_date

        area = args.get("area") if args.get("area") in areas else None
        return cls(area=area, on=query_date(args, "date"), archive=args.get("archive") == "1")


def public_areas() -> list[str]:
    query = (select(Opportunity.area).where(Opportunity.public_clause(), Opportunity.area != "").distinct()
             .order_by(Opportunity.area))
    return list(db.session.scalars(query))


def _upcoming_shift(now: datetime):
    return exists().where(Shift.opportunity_id == Opportunity.id, Shift.ends_at > now)


def opportunity_page(filters: OpportunityFilters, page: int, now: datetime | None = None):
    """Upcoming (or, in the archive, past) public opportunities, soonest (or latest) first."""
    now = now or utcnow()
    first_start = select(func.min(Shift.starts_at)).where(Shift.opportunity_id == Opportunity.id)
    if not filters.archive:
        first_start = first_start.where(Shift.ends_at > now)
    first_start = first_start.correlate(Opportunity).scalar_subquery()
    query = select(Opportunity).where(Opportunity.public_clause(now))
    query = query.where(_upcoming_shift(now) if not filters.archive else ~_upcoming_shift(now))
    if filters.area:
        query = query.where(Opportunity.area == filters.area)
    if filters.on:
        day_start = local_to_utc(datetime.combine(filters.on, time.min, tzinfo=SITE_TZ))
        query = query.where(exists().where(Shift.opportunity_id == Opportunity.id, Shift.starts_at >= day_start,
                                           Shift.starts_at < day_start + timedelta(days=1)))
    query = query.options(selectinload(Opportunity.shifts))
    order = first_start.desc() if filters.archive else first_start.asc()
    query = query.order_by(order.nulls_last(), Opportunity.id.desc())
    return db.paginate(query, page=page, per_page=OPPORTUNITIES_PER_PAGE, error_out=False)


def places_taken_by_shift(shift_ids) -> dict[int, int]:
    shift_ids = list(shift_ids)
    if not shift_ids:
        return {}
    rows = db.session.execute(
        select(Signup.shift_id, func.count(Signup.id))
        .where(Signup.shift_id.in_(shift_ids), Signup.status.in_(TAKING_A_PLACE))
        .group_by(Signup.shift_id))
    return dict(rows.all())


def waiting_by_shift(shift_ids) -> dict[int, int]:
    shift_ids = list(shift_ids)
    if not shift_ids:
        return {}
    rows = db.session.execute(
        select(Signup.shift_id, func.count(Signup.id))
        .where(Signup.shift_id.in_(shift_ids), Signup.status == SignupStatus.WAITLISTED)
        .group_by(Signup.shift_id))
    return dict(rows.all())


def places_left(shifts) -> dict[int, int]:
    taken = places_taken_by_shift(shift.id for shift in shifts)
    return {shift.id: max(0, shift.capacity - taken.get(shift.id, 0)) for shift in shifts}


def public_opportunity_or_404(slug: str) -> Opportunity:
    return db.first_or_404(select(Opportunity).where(Opportunity.slug == slug, Opportunity.public_clause()))


def signup_by_code(code: str) -> Signup | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(Signup).where(Signup.code == code))


@dataclass(frozen=True)
class ServiceTotals:
    volunteers: int
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@built_once
def _service_totals_statement(of_project: bool):
    query = (select(func.count(distinct(Signup.volunteer_id)), func.coalesce(func.sum(Signup.service_minutes), 0))
             .where(Signup.hours_confirmed_at.is_not(None)))
    if of_project:
        query = (query.join(Shift, Shift.id == Signup.shift_id)
                 .join(Opportunity, Opportunity.id == Shift.opportunity_id)
                 .where(Opportunity.project_id == bindparam("project_id")))
    return query


def service_totals(project_id: int | None = None) -> ServiceTotals:
    """People with confirmed hours and the sum of those hours; only confirmed hours count."""
    statement = _service_totals_statement(project_id is not None)
    volunteers, minutes = db.session.execute(statement, {"project_id": project_id}).one()
    return ServiceTotals(int(volunteers or 0), int(minutes or 0))


def shift_signups(shift_id: int) -> list[Signup]:
    """Everyone on a shift: places first in order, then the waitlist, then cancellations."""
    order = {SignupStatus.SIGNED_UP: 0, SignupStatus.ATTENDED: 0, SignupStatus.ABSENT: 0,
             SignupStatus.WAITLISTED: 1, SignupStatus.CANCELLED: 2}
    rows = list(db.session.scalars(select(Signup).where(Signup.shift_id == shift_id)
                                   .options(selectinload(Signup.volunteer))
                                   .order_by(Signup.queue_position, Signup.id)))
    return sorted(rows, key=lambda signup: order[signup.status])
