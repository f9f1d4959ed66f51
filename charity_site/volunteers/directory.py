"""The coordinators' volunteer directory: people matched by phone, their hours, exports, erasure on request.

个人信息保护法 §47: a person may ask for their data to be deleted. Erasing blanks the name, phone,
e-mail, ID, emergency contact and guardian; the sign-ups and their confirmed hours stay, without a
name, so the organisation's totals do not change.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, or_, select, update

from charity_site.core.audit import record_audit
from charity_site.core.errors import EditError
from charity_site.core.locking import lock_row
from charity_site.core.models import utcnow
from charity_site.core.personal import mask_email, mask_mobile, normalise_mobile
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.volunteers.models import ServiceCertificate, Signup, Volunteer
from charity_site.volunteers.records import volunteer_number

_CONFIRMED_MINUTES = func.coalesce(func.sum(Signup.service_minutes).filter(Signup.hours_confirmed_at.is_not(None)), 0)


def totals_for(volunteer_ids) -> dict[int, tuple[int, int]]:
    """{volunteer id: (sign-ups, confirmed minutes)}, summed in SQL."""
    ids = list(volunteer_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Signup.volunteer_id, func.count(Signup.id), _CONFIRMED_MINUTES)
                              .where(Signup.volunteer_id.in_(ids)).group_by(Signup.volunteer_id))
    return {volunteer_id: (count, int(minutes)) for volunteer_id, count, minutes in rows}


def directory_query(search: str = ""):
    """The people, most recently changed first, optionally matched by name, mobile or its last 4 digits."""
    query = select(Volunteer).order_by(Volunteer.updated_at.desc(), Volunteer.id.desc())
    search = search.strip()
    if search:
        phone = normalise_mobile(search)
        conditions = [Volunteer.name.contains(search, autoescape=True)]
        if phone:
            conditions.append(Volunteer.phone == phone)
        elif search.isdigit() and len(search) == 4:
            conditions.append(Volunteer.phone.endswith(search, autoescape=True))
        query = query.where(or_(*conditions))
    return query


EXPORT_HEADER = ("志愿者编号", "姓名", "手机（遮挡）", "邮箱（遮挡）", "报名次数", "已确认服务时长（小时）", "状态")


def export_rows():
    volunteers = list(db.session.scalars(directory_query()))
    totals = totals_for(volunteer.id for volunteer in volunteers)
    for volunteer in volunteers:
        signups, minutes = totals.get(volunteer.id, (0, 0))
        yield (volunteer_number(volunteer), volunteer.name or "", mask_mobile(volunteer.phone),
               mask_email(volunteer.email), signups, round(minutes / 60, 1), "已删除个人信息" if volunteer.erased_at else "")


def export_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    writer.writerows(export_rows())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8


def export_xlsx() -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("志愿者")
    sheet.append(EXPORT_HEADER)
    for row in export_rows():
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@operation
def erase_person(volunteer: Volunteer, *, actor=None) -> None:
    """Erase a person's data on request; their hours stay in the totals without a name."""
    lock_row(volunteer)
    if volunteer.erased_at is not None:
        raise EditError(None, _("This person's data has already been erased."))
    volunteer.name, volunteer.phone, volunteer.email = None, None, None
    volunteer.emergency_contact, volunteer.skills, volunteer.birth_year = "", "", None
    volunteer.id_type, volunteer.id_number_encrypted, volunteer.id_number_masked = "", None, ""
    volunteer.guardian_name, volunteer.guardian_phone = "", None
    volunteer.erased_at = utcnow()
    db.session.execute(update(ServiceCertificate).where(ServiceCertificate.volunteer_id == volunteer.id)
                       .values(name="", id_masked=""))
    record_audit("erase", "volunteer", volunteer.id, label=volunteer_number(volunteer), user=actor)
    db.session.flush()
