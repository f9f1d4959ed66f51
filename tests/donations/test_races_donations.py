"""Pledges and confirmations at the same moment: one ledger line per pledge, no gaps, no lost pledges.

Each thread has its own test client (its own app context, session and connection), like several
gunicorn workers; a barrier releases them together. SQLite queues writers on its write lock,
PostgreSQL on row locks (the pledge) and the number sequence's row.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import configured_app
from factories import line_count, make_user
from factories_donations import giving_ready, make_pledge, open_project, pledge_form
from sqlalchemy import select
from test_races import send_together, signed_in_clients

from charity_site.core.formatting import local_today
from charity_site.donations.models import Pledge, PledgeStatus
from charity_site.donations.pledging import REFERENCE_ALPHABET
from charity_site.extensions import db

CONFIRMERS = 12
DONORS = 64


@pytest.fixture
def app(database_url, tmp_path):
    """At most 24 connections on PostgreSQL: requests beyond that wait for the pool, as under gunicorn."""
    options = {"pool_pre_ping": True, "pool_size": 24, "max_overflow": 0, "pool_timeout": 120}
    with configured_app(database_url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options,
                        PLEDGE_RATE_LIMIT="1000 per hour") as app:
        yield app


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def confirm_data() -> dict:
    return {"amount": "100.00", "received_on": local_today().isoformat(), "channel": "银行转账"}


def test_staff_confirming_one_pledge_at_once_make_one_ledger_line(app, project):
    finance = make_user("race-finance@example.org", roles=("finance",))
    pledge = make_pledge(project)
    clients = signed_in_clients(app, finance, CONFIRMERS)

    results = send_together([(client, f"/admin/pledges/{pledge.id}/confirm", confirm_data()) for client in clients])

    assert Counter(status for status, _ in results) == Counter({303: 1, 409: CONFIRMERS - 1}), results[0]
    assert line_count() == 1
    pledge = db.session.get(Pledge, pledge.id)
    assert pledge.status is PledgeStatus.RECEIVED and pledge.ledger_entry_id is not None
    assert pledge.certificate_number == 1


def test_certificate_numbers_have_no_gaps_under_concurrent_confirms(app, project):
    finance = make_user("race-finance@example.org", roles=("finance",))
    pledges = [make_pledge(project) for _ in range(CONFIRMERS)]
    clients = signed_in_clients(app, finance, CONFIRMERS)

    results = send_together([(client, f"/admin/pledges/{pledge.id}/confirm", confirm_data())
                             for client, pledge in zip(clients, pledges, strict=True)])

    assert Counter(status for status, _ in results) == Counter({303: CONFIRMERS}), results
    numbers = sorted(db.session.scalars(select(Pledge.certificate_number)))
    assert numbers == list(range(1, CONFIRMERS + 1))
    assert line_count() == CONFIRMERS


def test_sixty_four_donors_at_once_make_sixty_four_pledges_with_distinct_references(app, project):
    clients = [app.test_client() for _ in range(DONORS)]
    tokens = []
    for client in clients:
        body = client.get("/donate").get_data(as_text=True)
        tokens.append(re.search(r'name="submission_token" type="hidden" value="([^"]+)"', body).group(1))

    results = send_together([(client, "/donate", {**pledge_form(project), "submission_token": token})
                             for client, token in zip(clients, tokens, strict=True)])

    assert Counter(status for status, _ in results) == Counter({303: DONORS}), Counter(s for s, _ in results)
    references = list(db.session.scalars(select(Pledge.reference)))
    assert len(references) == DONORS == len(set(references))
    assert all(len(reference) == 8 and set(reference) <= set(REFERENCE_ALPHABET) for reference in references)
    assert len(set(db.session.scalars(select(Pledge.access_token)))) == DONORS
