"""Messages to donors and volunteers: e-mail over SMTP, or .eml files in development.

慈善法 §42 asks an organisation to tell donors how their gift was used, and a volunteer should hear
that a waitlisted place came free. A message is queued inside the unit of work and delivered only
after that work commits: a pledge that was rolled back must not announce itself, and a failed
delivery never undoes what was saved (it is logged and kept in the outbox's failed/ folder).

Without SMTP_HOST the message is written to MAIL_OUTBOX_DIR (instance/outbox) as an .eml file that
a newcomer can open in any mail program.
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "pending_mail"


@dataclass(frozen=True)
class Delivery:
    """Where a message goes, read from the app's config when it is queued."""

    smtp_host: str | None
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_starttls: bool
    smtp_ssl: bool
    outbox_dir: Path

    @classmethod
    def from_config(cls, config) -> Delivery:
        return cls(
            smtp_host=config.get("SMTP_HOST") or None,
            smtp_port=int(config.get("SMTP_PORT") or 587),
            smtp_username=config.get("SMTP_USERNAME") or None,
            smtp_password=config.get("SMTP_PASSWORD") or None,
            smtp_starttls=bool(config.get("SMTP_STARTTLS", True)),
            smtp_ssl=bool(config.get("SMTP_SSL", False)),
            outbox_dir=Path(config.get("MAIL_OUTBOX_DIR") or Path(current_app.instance_path) / "outbox"),
        )


def build_message(to: str, subject: str, text: str, *, html: str | None = None) -> EmailMessage:
    config = current_app.config
    sender_address = config.get("MAIL_FROM") or "noreply@localhost"
    sender_name = config.get("MAIL_FROM_NAME") or ""
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender_address)) if sender_name else sender_address
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or "localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def queue_mail(session: Session, to: str, subject: str, text: str, *, html: str | None = None) -> EmailMessage:
    """Queue a message in ``session``'s unit of work; it is sent when that work commits."""
    message = build_message(to, subject, text, html=html)
    session.connection()  # join the unit of work, so that its rollback also drops the message
    session.info.setdefault(PENDING_KEY, []).append((message, Delivery.from_config(current_app.config),
                                                     current_app._get_current_object()))
    return message


def pending_mail(session: Session) -> list[EmailMessage]:
    return [message for message, _delivery, _app in session.info.get(PENDING_KEY, [])]


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    for message, delivery, app in session.info.pop(PENDING_KEY, []):
        deliver(message, delivery, app)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def deliver(message: EmailMessage, delivery: Delivery, app) -> None:
    """Send over SMTP, or write an .eml file; a failure is logged and the message kept in failed/."""
    try:
        if delivery.smtp_host:
            _send_smtp(message, delivery)
        else:
            _write_eml(message, delivery.outbox_dir)
    except (OSError, smtplib.SMTPException):
        app.logger.exception("Could not deliver the message '%s' to %s", message["Subject"], message["To"])
        try:
            _write_eml(message, delivery.outbox_dir / "failed")
        except OSError:
            app.logger.exception("Could not keep the undelivered message in the outbox")


def _send_smtp(message: EmailMessage, delivery: Delivery) -> None:
    smtp_class = smtplib.SMTP_SSL if delivery.smtp_ssl else smtplib.SMTP
    with smtp_class(delivery.smtp_host, delivery.smtp_port, timeout=15) as smtp:
        if delivery.smtp_starttls and not delivery.smtp_ssl:
            smtp.starttls()
        if delivery.smtp_username:
            smtp.login(delivery.smtp_username, delivery.smtp_password or "")
        smtp.send_message(message)


def _write_eml(message: EmailMessage, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    path.write_bytes(message.as_bytes(policy=SMTP))
    return path
