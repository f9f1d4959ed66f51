"""Telling donors what their project did (慈善法 §42): progress updates and disclosures, by e-mail.

`flask pledges notify` (from cron) sends each donor who asked for it, whose gift arrived and who left
an e-mail address, one message listing what the project published since the last message, with a
link to stop these messages that works without signing in. Running it twice sends nothing twice.
"""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from charity_site.core.mail import queue_mail
from charity_site.core.models import utcnow
from charity_site.core.transaction import operation
from charity_site.disclosures.models import Disclosure
from charity_site.donations.models import Pledge, PledgeStatus
from charity_site.extensions import db
from charity_site.projects.models import ProjectUpdate
from charity_site.web.urls import canonical_url


def news_since(pledge: Pledge, since) -> tuple[list[ProjectUpdate], list[Disclosure]]:
    updates = db.session.scalars(
        select(ProjectUpdate).where(ProjectUpdate.project_id == pledge.project_id, ProjectUpdate.published.is_(True),
                                    ProjectUpdate.created_at > since).order_by(ProjectUpdate.happened_on)
    ).all()
    disclosures = db.session.scalars(
        select(Disclosure).where(Disclosure.covers_project(pledge.project_id), Disclosure.public_clause(),
                                 Disclosure.published_at > since).order_by(Disclosure.published_at)
    ).all()
    return list(updates), list(disclosures)


@operation
def notify_donors() -> int:
    """Queue one message per donor with news; returns how many were queued. Flushes, never commits."""
    now = utcnow()
    pledges = db.session.scalars(
        select(Pledge).where(Pledge.status == PledgeStatus.RECEIVED, Pledge.wants_updates.is_(True),
                             Pledge.email.is_not(None), Pledge.project_id.is_not(None), Pledge.erased_at.is_(None))
        .order_by(Pledge.id).with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for pledge in pledges:
        since = pledge.notified_until or pledge.received_at or pledge.created_at
        updates, disclosures = news_since(pledge, since)
        pledge.notified_until = now
        if not updates and not disclosures:
            continue
        text = render_template(
            "donations/mail/progress.txt", pledge=pledge, updates=updates, disclosures=disclosures,
            project_url=canonical_url("projects.detail", slug=pledge.project.slug),
            disclosure_url=lambda disclosure: canonical_url("disclosures.detail", disclosure_id=disclosure.id),
            unsubscribe_url=canonical_url("donations.unsubscribe", token=pledge.access_token),
        )
        queue_mail(db.session, pledge.email, f"您捐助的“{pledge.project.title}”有新进展", text)
        sent += 1
    db.session.flush()
    return sent


@operation
def unsubscribe(pledge: Pledge) -> None:
    pledge.wants_updates = False
    db.session.flush()
