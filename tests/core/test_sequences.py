"""Certificate numbers: one series per name and year, no gaps, no duplicates, also under concurrent confirms."""

from __future__ import annotations

import threading

from conftest import make_app
from sqlalchemy import text

from charity_site.core.sequences import next_number, yearly_label
from charity_site.extensions import db


def test_numbers_count_up_per_name_and_year(app):
    assert [next_number("donation", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("donation", 2027) == 1
    assert next_number("volunteer", 2026) == 1
    assert yearly_label(2026, 123) == "2026-000123"


def test_a_rolled_back_number_is_given_again(app):
    assert next_number("donation", 2026) == 1
    db.session.commit()
    assert next_number("donation", 2026) == 2
    db.session.rollback()

    assert next_number("donation", 2026) == 2


def test_concurrent_transactions_get_distinct_numbers_without_gaps(app, database_url, tmp_path):
    db.session.commit()
    taken: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(12)

    # Built before the threads start: CPython 3.11's ast.parse (werkzeug compiles routes with it) is not
    # thread-safe, and a worker that failed before the barrier would leave the others waiting for ever.
    worker_apps = [make_app(database_url, tmp_path) for _ in range(12)]

    def confirm(worker_app):
        with worker_app.app_context():
            try:
                start.wait()
                taken.append(next_number("donation", 2026))
                db.session.commit()
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=confirm, args=(worker_app,)) for worker_app in worker_apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(taken) == list(range(1, 13))
    assert db.session.execute(text("SELECT last_value FROM number_sequences")).scalar_one() == 12
