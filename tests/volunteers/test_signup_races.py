"""100 people signing up for 10 places at once, through the HTTP stack, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from conftest import configured_app
from factories_volunteers import form_data, make_opportunity
from sqlalchemy import select

from charity_site.extensions import db
from charity_site.volunteers import signups
from charity_site.volunteers.models import Signup, SignupStatus

PEOPLE, PLACES = 100, 10


@pytest.fixture
def app(database_url, tmp_path):
    """Enough connections for the racers to queue on the shift's lock rather than on the pool."""
    options = {"pool_pre_ping": True, "pool_size": 30, "max_overflow": 0, "pool_timeout": 120}
    with configured_app(database_url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options,
                        VOLUNTEER_SIGNUP_LIMIT="10000 per hour") as app:
        yield app


def test_capacity_holds_under_concurrent_sign_ups_and_the_waitlist_keeps_order(app):
    opportunity = make_opportunity(capacity=PLACES)
    shift = opportunity.shifts[0]
    path = f"/volunteer/{opportunity.slug}/shifts/{shift.id}/signup"
    start = threading.Barrier(PEOPLE)
    results: list = [None] * PEOPLE

    def send(number: int) -> None:
        client = app.test_client()
        try:
            start.wait(timeout=60)
            results[number] = client.post(path, data=form_data(number + 1)).status_code
        except Exception as error:  # reported by the assertion below
            results[number] = repr(error)

    threads = [threading.Thread(target=send, args=(number,)) for number in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert Counter(results) == Counter({302: PEOPLE}), Counter(results)

    db.session.expire_all()
    rows = list(db.session.scalars(select(Signup).where(Signup.shift_id == shift.id).order_by(Signup.queue_position)))
    assert Counter(row.status for row in rows) == {SignupStatus.SIGNED_UP: PLACES, SignupStatus.WAITLISTED: PEOPLE - PLACES}
    assert [row.queue_position for row in rows] == list(range(1, PEOPLE + 1))
    assert all(row.status is SignupStatus.SIGNED_UP for row in rows[:PLACES])  # first come, first served

    promoted = signups.cancel(rows[3])
    db.session.commit()
    db.session.expire_all()
    assert promoted.id == rows[PLACES].id
    counted = Counter(row.status for row in db.session.scalars(select(Signup).where(Signup.shift_id == shift.id)))
    assert counted == {SignupStatus.SIGNED_UP: PLACES, SignupStatus.WAITLISTED: PEOPLE - PLACES - 1,
                       SignupStatus.CANCELLED: 1}
