"""Demo opportunities from content/volunteers/*.md, with shifts dated relative to the day they are loaded.

A shift in the file says how many days after loading it takes place (``in_days``), so the demo always
has upcoming shifts; ``demo_signups`` fills places with made-up volunteers (名字 演示志愿者NN, no phone,
no real person's data) to show a nearly full shift or a waitlist. Shifts and demo sign-ups are made
when the opportunity is first loaded and left alone afterwards, like any record staff may have changed.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from charity_site.core.formatting import SITE_TZ, local_to_utc, to_local
from charity_site.core.models import PublicationStatus
from charity_site.demo_content.files import ContentFile, LoadReport, bool_field, file_slug, int_field, text_field
from charity_site.extensions import db
from charity_site.projects.models import Project
from charity_site.volunteers.models import Opportunity, Shift, Signup, SignupStatus, Volunteer
from charity_site.volunteers.opportunities import new_checkin_token
from charity_site.volunteers.signups import CONSENT_TEXT_VERSION, new_personal_code

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _time(cf: ContentFile, value, key: str) -> time:
    match = _TIME.fullmatch(str(value or ""))
    if match is None:
        raise cf.error(f"'{key}' must be a time like 09:30, not {value!r}", key)
    return time(int(match.group(1)), int(match.group(2)))


def _shifts(cf: ContentFile, raw, now: datetime) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise cf.error("'shifts' must be a list with at least one shift", "shifts")
    today = to_local(now).date()
    shifts = []
    for item in raw:
        if not isinstance(item, dict):
            raise cf.error("each shift needs in_days, start, end, task and capacity", "shifts")
        days, capacity = int_field(cf, item, "in_days"), int_field(cf, item, "capacity")
        if days is None or not capacity:
            raise cf.error("each shift needs 'in_days' and a 'capacity' of at least 1", "in_days")
        day = today + timedelta(days=days)
        start, end = _time(cf, item.get("start"), "start"), _time(cf, item.get("end"), "end")
        if end <= start:
            raise cf.error("a shift must end after it starts", "end")
        filled = int_field(cf, item, "demo_signups") or 0
        shifts.append({"task": text_field(cf, item, "task", required=True),
                       "starts_at": local_to_utc(datetime.combine(day, start, tzinfo=SITE_TZ)),
                       "ends_at": local_to_utc(datetime.combine(day, end, tzinfo=SITE_TZ)),
                       "capacity": capacity, "filled": filled})
    return shifts


def load_opportunity(cf: ContentFile, now: datetime, report: LoadReport) -> None:
    meta = cf.meta
    slug = file_slug(cf)
    label = f"volunteer opportunity {slug}"
    project = None
    if meta.get("project"):
        project = db.session.scalar(select(Project).where(Project.slug == str(meta["project"])))
        if project is None:
            raise cf.error(f"no project with the slug {meta['project']!r}", "project")
    shifts = _shifts(cf, meta.get("shifts"), now)
    if db.session.scalar(select(Opportunity).where(Opportunity.slug == slug)) is not None:
        report.unchanged.append(label)  # shifts and sign-ups belong to the site once loaded
        return
    opportunity = Opportunity(
        slug=slug, title=text_field(cf, meta, "title", required=True), summary=text_field(cf, meta, "summary", max_length=500),
        body_md=cf.body, location=text_field(cf, meta, "location", required=True), area=text_field(cf, meta, "area", max_length=60),
        tasks=text_field(cf, meta, "tasks", max_length=5000), risks=text_field(cf, meta, "risks", max_length=5000),
        insurance_arranged=bool_field(cf, meta, "insurance"), minimum_age=int_field(cf, meta, "minimum_age") or 18,
        minors_with_guardian=bool_field(cf, meta, "minors_with_guardian"), requires_id=bool_field(cf, meta, "requires_id"),
        organiser_contact=text_field(cf, meta, "contact", max_length=120), project_id=project.id if project else None,
        status=PublicationStatus.PUBLISHED, published_at=now,
        source_path=cf.relative, source_loaded_at=now,
    )
    db.session.add(opportunity)
    number = 0
    for values in shifts:
        filled = values.pop("filled")
        shift = Shift(opportunity=opportunity, checkin_token=new_checkin_token(), **values)
        db.session.add(shift)
        for position in range(1, filled + 1):
            number += 1
            volunteer = Volunteer(name=f"演示志愿者{number:02d}", birth_year=1960, consent_at=now,
                                  consent_text_version=CONSENT_TEXT_VERSION)
            status = SignupStatus.SIGNED_UP if position <= shift.capacity else SignupStatus.WAITLISTED
            db.session.add(Signup(shift=shift, volunteer=volunteer, status=status, queue_position=position,
                                  code=new_personal_code(), consent_at=now, consent_text_version=CONSENT_TEXT_VERSION))
    db.session.flush()
    opportunity.updated_at = now
    report.created.append(label)
