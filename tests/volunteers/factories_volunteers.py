"""Opportunities, shifts and sign-ups for the volunteer tests (no real person's data)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from charity_site.core.models import PublicationStatus, utcnow
from charity_site.extensions import db
from charity_site.volunteers.models import Opportunity, Shift
from charity_site.volunteers.opportunities import new_checkin_token
from charity_site.volunteers.signups import SignupDetails
from charity_site.web.public_forms import new_submission_token

_counter = itertools.count(1)
VALID_ID = "11010519491231002X"  # the check-digit example of GB 11643


def make_opportunity(*, shifts=1, capacity=10, starts_in=timedelta(days=7), **fields) -> Opportunity:
    number = next(_counter)
    now = utcnow()
    values = dict(title=f"社区探访活动{number}", slug=f"tanfang-{number}", location="市桥街道长者服务站",
                  area="市桥街道", status=PublicationStatus.PUBLISHED, published_at=now - timedelta(days=30),
                  organiser_contact="志愿服务部 020-0000-0000")
    values.update(fields)
    opportunity = Opportunity(**values)
    db.session.add(opportunity)
    for index in range(shifts):
        start = now + starts_in + timedelta(days=index)
        db.session.add(Shift(opportunity=opportunity, task="陪伴长者聊天", starts_at=start,
                             ends_at=start + timedelta(hours=3), capacity=capacity, checkin_token=new_checkin_token()))
    db.session.commit()
    return opportunity


def details(number: int = 0, **fields) -> SignupDetails:
    values = dict(name=f"测试志愿者{number}", phone=f"139{number:08d}", birth_year=1960, consent=True)
    values.update(fields)
    return SignupDetails(**values)


def form_data(number: int = 0, **fields) -> dict:
    values = {"name": f"测试志愿者{number}", "phone": f"139{number:08d}", "birth_year": "1960", "consent": "y",
              "submission_token": new_submission_token()}
    values.update(fields)
    return values
