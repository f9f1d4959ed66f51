"""Donors hear from us (慈善法 §42): pledge received with the private link, gift confirmed with the certificate."""

from __future__ import annotations

import email
import re
from pathlib import Path

from factories import login
from factories_donations import giving_ready, open_project, pledge_form

from charity_site.core.formatting import local_today
from charity_site.donations.models import Pledge
from charity_site.extensions import db


def outbox(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))] if folder.exists() else []


def test_pledge_received_and_gift_confirmed_mails_carry_the_private_link(app, client, finance):
    giving_ready()
    project = open_project()
    body = client.get("/donate").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', body).group(1)
    client.post("/donate", data={**pledge_form(project), "submission_token": token})
    pledge = db.session.scalars(db.select(Pledge)).one()

    received = outbox(app)
    assert len(received) == 1
    assert received[0]["To"] == "wang@example.org" and pledge.reference in received[0]["Subject"]
    assert f"/pledge/{pledge.access_token}" in received[0].get_content()

    login(client, finance.email)
    client.post(f"/admin/pledges/{pledge.id}/confirm",
                data={"amount": "100.00", "received_on": local_today().isoformat(), "channel": "银行转账"})

    messages = outbox(app)
    assert len(messages) == 2
    confirmed = messages[1].get_content()
    assert "已到账" in messages[1]["Subject"]
    assert f"/pledge/{pledge.access_token}/certificate" in confirmed
    db.session.refresh(pledge)
    assert pledge.certificate_label in confirmed


def test_a_refused_pledge_sends_nothing_and_a_phone_only_donor_gets_no_mail(app, client):
    giving_ready()
    project = open_project()
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"',
                      client.get("/donate").get_data(as_text=True)).group(1)

    client.post("/donate", data={**pledge_form(project), "consent": "", "submission_token": token})
    client.post("/donate", data={**pledge_form(project), "email": "", "submission_token": token})

    assert outbox(app) == []
    assert db.session.scalar(db.select(db.func.count(Pledge.id))) == 1
