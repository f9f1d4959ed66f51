"""The public volunteer pages and the coordinators' editor, through the test client."""

from __future__ import annotations

import re
from datetime import timedelta

from factories import login, make_user
from factories_volunteers import VALID_ID, details, form_data, make_opportunity
from sqlalchemy import select

from charity_site.core.audit import AuditLog
from charity_site.core.models import PublicationStatus, utcnow
from charity_site.extensions import db
from charity_site.volunteers import identity, signups
from charity_site.volunteers.models import Opportunity, Shift, Signup, SignupStatus


def coordinator_client(client):
    make_user("coordinator@example.org", roles=("coordinator",))
    login(client, "coordinator@example.org")
    return client


def test_a_coordinator_creates_publishes_and_adds_a_shift(client):
    coordinator_client(client)
    response = client.post("/admin/volunteers/new", data={
        "title": "慈善健康行", "location": "番禺广场", "area": "市桥街道", "minimum_age": "16",
        "body_md": "一起走 <script>alert(1)</script>", "status": "published", "insurance_arranged": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    opportunity = db.session.scalar(select(Opportunity))
    assert opportunity.is_public() and opportunity.minimum_age == 16

    day = (utcnow() + timedelta(days=10)).date().isoformat()
    response = client.post(f"/admin/volunteers/{opportunity.id}/shifts/new",
                           data={"day": day, "start_time": "08:30", "end_time": "11:30", "task": "引导", "capacity": "5"})
    assert response.status_code == 302
    shift = db.session.scalar(select(Shift))
    assert shift.checkin_token and shift.capacity == 5
    assert (shift.ends_at - shift.starts_at) == timedelta(hours=3)

    page = client.get(f"/volunteer/{opportunity.slug}").get_data(as_text=True)
    assert "5 个名额中还剩 5 个" in page or "5" in page
    assert "<script>alert(1)</script>" not in page
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.object_type.in_(("opportunity", "shift")))))
    assert {"create"} <= actions


def test_the_editor_refuses_a_stale_version_and_bad_times(client):
    coordinator_client(client)
    opportunity = make_opportunity()
    base = {"title": "改过的标题", "location": "番禺广场", "minimum_age": "18", "status": "published"}
    assert client.post(f"/admin/volunteers/{opportunity.id}/edit", data={**base, "version": "1"}).status_code == 302
    stale = client.post(f"/admin/volunteers/{opportunity.id}/edit", data={**base, "title": "另一个", "version": "1"})
    assert stale.status_code == 409
    bad = client.post(f"/admin/volunteers/{opportunity.id}/shifts/new",
                      data={"day": "2030-01-01", "start_time": "25:00", "end_time": "11:30", "task": "x", "capacity": "5"})
    assert bad.status_code == 400


def test_staff_pages_need_the_coordinator_role(client):
    make_user("editor@example.org", roles=("editor",))
    login(client, "editor@example.org")
    assert client.get("/admin/volunteers/").status_code == 403


def test_the_public_list_shows_upcoming_places_and_archives_past_ones(client):
    upcoming = make_opportunity(capacity=3, area="沙湾镇")
    past = make_opportunity(starts_in=timedelta(days=-3), title="去年的探访")
    draft = make_opportunity(status=PublicationStatus.DRAFT, title="草稿活动")
    signups.sign_up(upcoming.shifts[0], details(1))
    db.session.commit()

    page = client.get("/volunteer").get_data(as_text=True)
    assert upcoming.title in page and past.title not in page and draft.title not in page
    assert f'data-places="{upcoming.shifts[0].id}"' in page and "2" in page
    assert past.title in client.get("/volunteer?archive=1").get_data(as_text=True)
    filtered = client.get("/volunteer?area=沙湾镇").get_data(as_text=True)
    assert upcoming.title in filtered
    assert client.get(f"/volunteer/{draft.slug}").status_code == 404
    assert client.get("/volunteer?page=99999999999").status_code == 404


def test_signing_up_through_the_form_confirms_with_a_code_and_an_ics(client):
    opportunity = make_opportunity(capacity=1)
    shift = opportunity.shifts[0]
    url = f"/volunteer/{opportunity.slug}/shifts/{shift.id}/signup"
    assert client.get(url).status_code == 200

    response = client.post(url, data=form_data(1, email="v@example.org"))
    assert response.status_code == 302
    signup = db.session.scalar(select(Signup))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert signup.code in page and "139****0001" in page and "13900000001" not in page
    assert response.headers["Location"].endswith("new=1")
    # WeChat cannot open an .ics: the note that site.js shows there says what to do instead
    assert '<div class="wechat-note" data-wechat-only hidden><p>微信里不能加入日历' in page

    ics = client.get(f"/volunteer/signup/{signup.code}/calendar.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data and b"DTSTART" in ics.data

    waitlisted = client.post(url, data=form_data(2))
    assert waitlisted.status_code == 302
    repeat = client.post(url, data=form_data(2))
    assert repeat.status_code == 400 and "已经报名" in repeat.get_data(as_text=True)

    cancelled = client.post(f"/volunteer/signup/{signup.code}/cancel")
    assert cancelled.status_code == 303
    db.session.expire_all()
    statuses = [row.status for row in db.session.scalars(select(Signup).order_by(Signup.id))]
    assert statuses == [SignupStatus.CANCELLED, SignupStatus.SIGNED_UP]


def test_the_form_keeps_what_was_typed_and_explains_errors(client):
    opportunity = make_opportunity(requires_id=True)
    url = f"/volunteer/{opportunity.slug}/shifts/{opportunity.shifts[0].id}/signup"
    response = client.post(url, data=form_data(1, phone="12345", id_type="resident_card", id_number=VALID_ID[:-1] + "1",
                                                 consent=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "测试志愿者1" in body and "field-error" in body
    assert db.session.scalar(select(Signup)) is None


def test_an_id_number_is_masked_for_staff_unless_opened_on_purpose_which_is_audited(client):
    opportunity = make_opportunity(requires_id=True)
    signup = signups.sign_up(opportunity.shifts[0], details(1, id_type=identity.RESIDENT_CARD, id_number=VALID_ID,
                                                          id_consent=True))
    db.session.commit()
    coordinator_client(client)
    roster = client.get(f"/admin/volunteers/shifts/{signup.shift_id}").get_data(as_text=True)
    assert VALID_ID not in roster and "1101**********002X" in roster and "139****0001" in roster

    opened = client.post(f"/admin/volunteers/signups/{signup.id}/id-number").get_data(as_text=True)
    assert VALID_ID in opened
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "reveal_id")) is not None
    public = client.get(f"/volunteer/signup/{signup.code}").get_data(as_text=True)
    assert VALID_ID not in public


def test_staff_cancel_and_promote_from_the_waitlist(client):
    shift = make_opportunity(capacity=1).shifts[0]
    first, second = (signups.sign_up(shift, details(number)) for number in (1, 2))
    db.session.commit()
    coordinator_client(client)
    assert client.post(f"/admin/volunteers/signups/{second.id}/promote").status_code == 302
    db.session.expire_all()
    assert second.status is SignupStatus.WAITLISTED  # full: refused
    client.post(f"/admin/volunteers/signups/{first.id}/cancel")
    db.session.expire_all()
    assert first.status is SignupStatus.CANCELLED and second.status is SignupStatus.SIGNED_UP


def test_the_date_filter_and_a_closed_shift(client):
    from charity_site.core.formatting import to_local

    soon = make_opportunity(starts_in=timedelta(days=2), title="两天后的活动")
    later = make_opportunity(starts_in=timedelta(days=9), title="九天后的活动")
    day = to_local(soon.shifts[0].starts_at).date().isoformat()
    page = client.get(f"/volunteer?date={day}").get_data(as_text=True)
    assert soon.title in page and later.title not in page

    closed = make_opportunity(signup_deadline=utcnow() - timedelta(hours=1))
    shift = closed.shifts[0]
    detail = client.get(f"/volunteer/{closed.slug}").get_data(as_text=True)
    assert "报名已截止" in detail
    form = client.post(f"/volunteer/{closed.slug}/shifts/{shift.id}/signup", data=form_data(5))
    assert form.status_code == 200 and "报名已截止" in form.get_data(as_text=True)
    assert db.session.scalar(select(Signup).where(Signup.shift_id == shift.id)) is None


def test_the_editor_previews_sanitised_markdown_without_saving(client):
    coordinator_client(client)
    response = client.post("/admin/volunteers/new", data={"title": "预览", "body_md": "**粗体** <script>x()</script>",
                                                         "preview": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>粗体</strong>" in body and "<script>x()" not in body
    assert db.session.scalar(select(Opportunity)) is None


def test_id_fields_sent_to_an_activity_that_does_not_ask_for_them_are_ignored(client):
    opportunity = make_opportunity()
    url = f"/volunteer/{opportunity.slug}/shifts/{opportunity.shifts[0].id}/signup"
    assert 'name="id_number"' not in client.get(url).get_data(as_text=True)
    response = client.post(url, data=form_data(1, id_type="resident_card", id_number="123"))
    assert response.status_code == 302
    volunteer = db.session.scalar(select(Signup)).volunteer
    assert volunteer.id_number_encrypted is None and volunteer.id_number_masked == ""


def test_the_year_of_birth_box_starts_empty_with_its_example_beside_it(client):
    """A grey 1958 inside the box read as already filled in; the example is a hint under the label instead."""
    opportunity = make_opportunity()
    page = client.get(f"/volunteer/{opportunity.slug}/shifts/{opportunity.shifts[0].id}/signup").get_data(as_text=True)

    box = re.search(r'<input[^>]*name="birth_year"[^>]*>', page).group(0)
    assert "placeholder" not in box
    assert 'value="' not in box or 'value=""' in box  # nothing in the box
    assert "四位数字，例如 1958。" in page
