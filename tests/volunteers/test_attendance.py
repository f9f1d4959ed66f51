"""Check-in by QR code and by staff, no-shows, service hours and the public totals."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import zxingcpp
from factories import login, make_project, make_user
from factories_volunteers import details, make_opportunity
from PIL import Image
from sqlalchemy import func, select

from charity_site.core.audit import AuditLog
from charity_site.core.errors import EditError
from charity_site.extensions import db
from charity_site.volunteers import attendance, signups
from charity_site.volunteers.models import Signup, SignupStatus


@pytest.fixture
def coordinator(app, client):
    user = make_user("coordinator@example.org", roles=("coordinator",))
    login(client, user.email)
    return user


def shift_today(capacity=10, **fields):
    """A shift that started an hour ago, so check-in is open."""
    return make_opportunity(capacity=capacity, starts_in=timedelta(hours=-1), **fields).shifts[0]


def signed_up(shift, numbers):
    """Sign-ups made before the shift started (the deadline is the shift's start)."""
    made = [signups.sign_up(shift, details(number), now=shift.starts_at - timedelta(days=1)) for number in numbers]
    db.session.commit()
    return made


def test_the_check_in_qr_code_decodes_to_the_shifts_check_in_address(app, client, coordinator):
    app.config["SITE_URL"] = "https://cishan.example.org"
    shift = shift_today()
    png = client.get(f"/admin/volunteers/day/shifts/{shift.id}/checkin-code.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert [code.text for code in decoded] == [f"https://cishan.example.org/volunteer/checkin/{shift.checkin_token}"]
    assert client.get(f"/admin/volunteers/day/shifts/{shift.id}/checkin-code").status_code == 200


def test_a_volunteer_checks_in_with_the_last_four_digits_or_the_code(app, client):
    shift = shift_today()
    first, second = signed_up(shift, (1, 2))
    page = client.post(f"/volunteer/checkin/{shift.checkin_token}", data={"confirm": "0001"})
    assert page.status_code == 200 and "您已签到成功" in page.get_data(as_text=True)
    client.post(f"/volunteer/checkin/{shift.checkin_token}", data={"confirm": second.code.lower()})
    db.session.expire_all()
    assert first.status is SignupStatus.ATTENDED and first.checked_in_at is not None
    assert second.status is SignupStatus.ATTENDED
    wrong = client.post(f"/volunteer/checkin/{shift.checkin_token}", data={"confirm": "9999"})
    assert wrong.status_code == 200 and "没有找到您在这个班次的报名" in wrong.get_data(as_text=True)
    assert client.get("/volunteer/checkin/not-a-token").status_code == 404


def test_same_last_digits_ask_for_the_personal_code_and_check_in_closes(app):
    shift = shift_today()
    signed_up(shift, (1, 10000001))  # 13900000001 and 13910000001 share their last four digits
    with pytest.raises(EditError, match="个人码"):
        attendance.self_check_in(shift, "0001")
    db.session.rollback()
    with pytest.raises(EditError):
        attendance.self_check_in(shift, "0001", now=shift.ends_at + timedelta(hours=3))


def test_staff_check_in_out_mark_no_shows_and_confirm_hours_changes_need_a_reason(app, client, coordinator):
    shift = shift_today()
    present, absent = signed_up(shift, (1, 2))
    base = "/admin/volunteers/day/signups"
    assert client.post(f"{base}/{present.id}/check_in").status_code == 302
    assert client.post(f"{base}/{absent.id}/absent").status_code == 302
    db.session.expire_all()
    assert present.status is SignupStatus.ATTENDED and absent.status is SignupStatus.ABSENT

    hours_page = client.get(f"/admin/volunteers/day/shifts/{shift.id}/hours").get_data(as_text=True)
    assert f'name="hours_{present.id}" inputmode="decimal" size="5" value="3"' in hours_page  # the shift's length
    assert client.post(f"/admin/volunteers/day/shifts/{shift.id}/hours", data={f"hours_{present.id}": "2.5"}).status_code == 302
    db.session.expire_all()
    assert present.service_minutes == 150 and present.hours_confirmed_at is not None

    refused = client.post(f"/admin/volunteers/day/shifts/{shift.id}/hours", data={f"hours_{present.id}": "3"})
    assert refused.status_code == 400
    db.session.expire_all()
    assert present.service_minutes == 150
    client.post(f"/admin/volunteers/day/shifts/{shift.id}/hours", data={f"hours_{present.id}": "3", "reason": "签退漏记"})
    db.session.expire_all()
    assert present.service_minutes == 180
    change = db.session.scalar(select(AuditLog).where(AuditLog.action == "change_hours"))
    assert change.note == "签退漏记" and change.changes == {"service_minutes": [150, 180]}
    bad = client.post(f"/admin/volunteers/day/shifts/{shift.id}/hours", data={f"hours_{present.id}": "abc"})
    assert bad.status_code == 400


def test_home_and_project_totals_equal_the_confirmed_hours_in_sql_and_show_no_names(app, client):
    project = make_project()
    shift = shift_today(project_id=project.id)
    people = signed_up(shift, (1, 2, 3))
    for signup in people[:2]:
        attendance.check_in(signup)
    attendance.confirm_hours(shift, {people[0].id: 90, people[1].id: 120})
    attendance.check_in(people[2])  # checked in, hours not confirmed yet: not counted
    db.session.commit()

    minutes = db.session.scalar(select(func.sum(Signup.service_minutes)).where(Signup.hours_confirmed_at.is_not(None)))
    home = client.get("/").get_data(as_text=True)
    assert f'data-stat="service-hours">{minutes / 60:g}<' in home
    assert 'data-stat="volunteers">2<' in home
    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert 'data-fact="service-hours">3.5 ' in page
    for person in people:
        assert person.volunteer.name not in home and person.volunteer.name not in page
        assert person.volunteer.phone not in home
