"""Messages to donors (慈善法 §42): pledge received, gift confirmed. Queued, sent after the commit."""

from __future__ import annotations

from flask import render_template

from charity_site.core.mail import queue_mail
from charity_site.core.site_settings import get_settings
from charity_site.donations.models import Pledge
from charity_site.extensions import db


def _organisation() -> str:
    settings = get_settings()
    return settings.org_name if settings and settings.org_name else "本会"


def queue_pledge_received(pledge: Pledge, status_url: str) -> None:
    if not pledge.email:
        return
    text = render_template("donations/mail/pledge_received.txt", pledge=pledge, status_url=status_url,
                           organisation=_organisation())
    queue_mail(db.session, pledge.email, f"您的认捐已登记（编号 {pledge.reference}）", text)


def queue_gift_confirmed(pledge: Pledge, status_url: str, certificate_url: str) -> None:
    if not pledge.email:
        return
    text = render_template("donations/mail/gift_confirmed.txt", pledge=pledge, status_url=status_url,
                           certificate_url=certificate_url, organisation=_organisation())
    queue_mail(db.session, pledge.email, f"您的捐赠已到账（编号 {pledge.reference}）", text)
