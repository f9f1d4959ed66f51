"""Messages leave only after the work that queued them is committed, as readable .eml files in development."""

from __future__ import annotations

from email import message_from_bytes, policy

from charity_site.core.mail import pending_mail, queue_mail
from charity_site.extensions import db


def outbox(app) -> list:
    directory = app.config["MAIL_OUTBOX_DIR"]
    from pathlib import Path

    files = sorted(Path(directory).glob("*.eml")) if Path(directory).exists() else []
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]


def test_a_message_is_written_to_the_outbox_when_the_work_commits(app):
    app.config["MAIL_FROM"] = "info@cishan.example.org"
    queue_mail(db.session, "donor@example.org", "认捐已收到", "您好，您的认捐已登记。参考号 ABCD2345。")
    assert outbox(app) == []

    db.session.commit()

    [message] = outbox(app)
    assert message["To"] == "donor@example.org"
    assert message["Subject"] == "认捐已收到"
    assert message["From"] == "info@cishan.example.org"
    assert "参考号 ABCD2345" in message.get_content()


def test_a_rolled_back_unit_of_work_sends_nothing(app):
    queue_mail(db.session, "donor@example.org", "认捐已收到", "不应寄出")
    assert len(pending_mail(db.session)) == 1

    db.session.rollback()
    db.session.commit()

    assert outbox(app) == []
    assert pending_mail(db.session) == []


def test_an_unreachable_mail_server_keeps_the_message_and_the_saved_work(app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_STARTTLS=False)
    queue_mail(db.session, "donor@example.org", "捐赠已到账", "感谢")

    db.session.commit()  # does not raise

    from pathlib import Path

    failed = list((Path(app.config["MAIL_OUTBOX_DIR"]) / "failed").glob("*.eml"))
    assert len(failed) == 1
