"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import make_app
from factories import make_entry, make_fund
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from charity_site.extensions import db
from charity_site.search.models import UNMAPPED_SCHEMA_OBJECTS, include_name, include_object


@contextmanager
def logging_left_as_it_was():
    """Alembic's env.py calls fileConfig(), which disables every existing logger; undo that afterwards."""
    manager = logging.root.manager
    disabled = {name: logger.disabled for name, logger in manager.loggerDict.items() if isinstance(logger, logging.Logger)}
    root_level, root_handlers = logging.root.level, list(logging.root.handlers)
    try:
        yield
    finally:
        for name, logger in manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.disabled = disabled.get(name, False)
        logging.root.setLevel(root_level)
        logging.root.handlers[:] = root_handlers


@pytest.fixture
def migrated_app(database_url, tmp_path):
    """An app whose empty database was built by `flask db upgrade`, not by create_all()."""
    app = make_app(database_url, tmp_path)
    with app.app_context():
        assert inspect(db.engine).get_table_names() == [], "the database must start empty"
        with logging_left_as_it_was():
            upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True,
                              "include_name": include_name, "include_object": include_object}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_on_an_empty_database_matches_the_models(migrated_app):
    assert schema_differences() == [], schema_differences()


def test_upgrade_creates_every_table_of_the_models(migrated_app):
    tables = set(inspect(db.engine).get_table_names()) - UNMAPPED_SCHEMA_OBJECTS

    assert set(db.metadata.tables) <= tables
    assert tables - set(db.metadata.tables) == {"alembic_version"}


def test_upgrade_creates_the_check_constraints_of_the_models(migrated_app):
    """compare_metadata does not look at CHECK constraints, so compare their names table by table."""
    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        expected = {constraint.name for constraint in table.constraints if constraint.__visit_name__ == "check_constraint"}
        found = {constraint["name"] for constraint in inspector.get_check_constraints(table.name)}
        assert expected <= found, f"{table.name}: missing CHECK constraints {expected - found}"


def test_a_migrated_database_refuses_a_ledger_line_of_zero(migrated_app):
    fund = make_fund()
    with pytest.raises(IntegrityError):
        make_entry(fund, 0)
    db.session.rollback()


def test_downgrade_to_base_and_upgrade_again_gives_the_same_schema(migrated_app):
    with logging_left_as_it_was():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()

    assert schema_differences() == [], schema_differences()


def test_the_totals_triggers_survive_the_migrations(migrated_app):
    """0010 rebuilds ledger_entries on SQLite (a new column with a foreign key); the triggers must be back."""
    from charity_site.models import FundMoney

    fund = make_fund()
    make_entry(fund, 1_234)
    db.session.commit()
    row = db.session.get(FundMoney, fund.id)
    assert row is not None and (row.income_fen, row.line_count) == (1_234, 1)
