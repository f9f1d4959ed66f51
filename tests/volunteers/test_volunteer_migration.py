"""Migration 0007 on a database that already holds volunteer rows (SQLite copies tables in batch mode)."""

from __future__ import annotations

from conftest import make_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from test_migrations import logging_left_as_it_was

from charity_site.extensions import db

ROWS = [
    "INSERT INTO opportunities (id, location, organiser_contact, slug, title, summary, body_md, status, version, "
    "created_at, updated_at) VALUES (1, 'x', '', 's', 't', '', '', 'draft', 1, '2026-01-01', '2026-01-01')",
    "INSERT INTO volunteers (id, skills, consent_text_version, created_at, updated_at) "
    "VALUES (1, '', '', '2026-01-01', '2026-01-01')",
    "INSERT INTO shifts (id, opportunity_id, task, starts_at, ends_at, capacity, created_at, updated_at) "
    "VALUES (1, 1, 't', '2026-01-01', '2026-01-01', 3, '2026-01-01', '2026-01-01')",
    "INSERT INTO signups (id, shift_id, volunteer_id, status, service_minutes, note, created_at, updated_at) "
    "VALUES (1, 1, 1, 'signed_up', 0, '', '2026-01-01', '2026-01-01')",
]


def test_upgrading_and_downgrading_keeps_existing_volunteer_rows(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    with app.app_context(), logging_left_as_it_was():
        upgrade(revision="0005_number_sequences")
        with db.engine.begin() as connection:
            for statement in ROWS:
                connection.execute(text(statement))
        upgrade(revision="0007_volunteers")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT minimum_age, area FROM opportunities")).one() == (18, "")
            assert connection.execute(text("SELECT shift_id, queue_position FROM signups")).one() == (1, 0)
            if connection.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        downgrade(revision="0005_number_sequences")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM signups")).scalar() == 1
        db.engine.dispose()
