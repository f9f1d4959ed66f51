"""The coordinators' directory: people matched by phone with their hours, exports, erasure on request."""

from __future__ import annotations

import io
from datetime import timedelta

from factories import login, make_user
from factories_volunteers import VALID_ID, details, make_opportunity
from openpyxl import load_workbook
from sqlalchemy import func, select

from charity_site.extensions import db
from charity_site.volunteers import attendance, identity, signups
from charity_site.volunteers.models import Signup, Volunteer


def two_shifts_for_one_person():
    opportunity = make_opportunity(shifts=2, starts_in=timedelta(hours=-1), requires_id=True)
    made = []
    for shift in opportunity.shifts:
        signup = signups.sign_up(shift, details(1, id_type=identity.RESIDENT_CARD, id_number=VALID_ID, id_consent=True),
                                 now=shift.starts_at - timedelta(days=1))
        attendance.check_in(signup, now=shift.starts_at)
        attendance.confirm_hours(shift, {signup.id: 120})
        made.append(signup)
    db.session.commit()
    return made


def test_one_person_across_sign_ups_with_total_hours_and_exports_without_an_id(app, client):
    first, second = two_shifts_for_one_person()
    assert first.volunteer_id == second.volunteer_id  # matched by phone
    make_user("coordinator@example.org", roles=("coordinator",))
    login(client, "coordinator@example.org")
    page = client.get("/admin/volunteers/day/people?q=0001").get_data(as_text=True)
    assert "测试志愿者1" in page and "139****0001" in page and "13900000001" not in page
    person = client.get(f"/admin/volunteers/day/people/{first.volunteer_id}").get_data(as_text=True)
    assert "data-person-hours>4<" in person

    csv_body = client.get("/admin/volunteers/day/people.csv").data
    assert csv_body.startswith("\ufeff".encode()) and "测试志愿者1".encode() in csv_body
    assert VALID_ID.encode() not in csv_body and b"13900000001" not in csv_body
    sheet = load_workbook(io.BytesIO(client.get("/admin/volunteers/day/people.xlsx").data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "测试志愿者1" in values and 4 in values  # the name and the confirmed hours
    assert not any(VALID_ID in str(value) or "13900000001" in str(value) for value in values)


def test_erasing_a_person_keeps_their_hours_in_the_totals(app, client):
    first, _second = two_shifts_for_one_person()
    total_before = db.session.scalar(select(func.sum(Signup.service_minutes)))
    make_user("coordinator@example.org", roles=("coordinator",))
    login(client, "coordinator@example.org")
    assert client.post(f"/admin/volunteers/day/people/{first.volunteer_id}/erase").status_code == 302
    db.session.expire_all()
    volunteer = db.session.get(Volunteer, first.volunteer_id)
    assert volunteer.erased_at is not None
    assert (volunteer.name, volunteer.phone, volunteer.id_number_encrypted, volunteer.id_number_masked) == (None, None, None, "")
    assert db.session.scalar(select(func.sum(Signup.service_minutes))) == total_before
    assert 'data-stat="service-hours">4<' in client.get("/").get_data(as_text=True)


def test_a_coordinator_issues_a_certificate_for_someone_who_asks(app, client):
    first, _second = two_shifts_for_one_person()
    make_user("coordinator@example.org", roles=("coordinator",))
    login(client, "coordinator@example.org")
    issued = client.post(f"/admin/volunteers/day/people/{first.volunteer_id}/certificate")
    assert issued.status_code == 302
    page = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert "志愿服务记录证明" in page and "4 小时" in page and "1101**********002X" in page and VALID_ID not in page
