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


def test_donors_who_asked_hear_about_new_updates_once_and_can_stop_without_signing_in(app, client, finance):
    from factories import make_disclosure
    from factories_donations import make_pledge

    from charity_site.donations import receiving
    from charity_site.models import ProjectUpdate, utcnow

    giving_ready()
    project = open_project()
    asked = make_pledge(project, wants_updates=True, email="asked@example.org")
    silent = make_pledge(project, wants_updates=False, email="silent@example.org")
    for pledge in (asked, silent):
        receiving.confirm_receipt(pledge, amount_fen=pledge.amount_fen, received_on=local_today(), channel="",
                                  actor=finance)
    db.session.commit()
    db.session.add(ProjectUpdate(project_id=project.id, slug="new-desks", happened_on=local_today(),
                                 title="新课桌已送到学校"))
    make_disclosure(project_id=project.id, title="助学项目资金使用公示", published_at=utcnow())
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["pledges", "notify"])
    second = runner.invoke(args=["pledges", "notify"])

    assert "queued 1 progress messages" in first.output and "queued 0 progress messages" in second.output
    progress = [message for message in outbox(app) if "新进展" in message["Subject"]]
    assert [message["To"] for message in progress] == ["asked@example.org"]
    text = progress[0].get_content()
    assert "新课桌已送到学校" in text and "助学项目资金使用公示" in text
    unsubscribe = re.search(r"(http://\S+/unsubscribe)", text).group(1)

    assert client.get(unsubscribe.removeprefix("http://localhost")).status_code == 200
    client.post(unsubscribe.removeprefix("http://localhost"))

    db.session.refresh(asked)
    assert asked.wants_updates is False
