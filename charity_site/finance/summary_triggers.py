"""Database triggers that keep fund_money and project_money equal to the sums of the ledger lines.

Why triggers rather than an ORM flush hook: lines are written through the ORM (record_entry, the
importer, donations), through Core UPDATE statements (void_entry's conditional UPDATE, which a flush
hook never sees) and through raw SQL (the scale bench, an administrator's fix). A trigger runs in the
same statement and transaction as the write, whatever wrote it, so the summary commits or rolls back
with the line. On PostgreSQL the upsert (INSERT … ON CONFLICT DO UPDATE) takes the summary row's lock,
so two transactions writing lines of one fund at once add up rather than overwrite each other; SQLite
writes one transaction at a time anyway.

``db.create_all()`` (tests, a new database) gets them through the metadata's after_create listener;
migration 0009_ledger_summaries creates them on existing databases. The SQL is built here once for both.
"""

from __future__ import annotations

from sqlalchemy import text

LINE_COLUMNS = ("kind", "amount_fen", "fund_id", "project_id", "voided")
_TABLES = (("fund_money", "fund_id"), ("project_money", "project_id"))


def _upsert(table: str, key: str, row: str, sign: int, dialect: str) -> str:
    """Add (sign 1) or take away (sign -1) the line ``row`` (NEW or OLD) to its fund's or project's row."""
    def amount(kind: str) -> str:
        live = f"{row}.voided = false" if dialect == "postgresql" else f"NOT {row}.voided"
        return f"CASE WHEN {live} AND {row}.kind = '{kind}' THEN {sign} * {row}.amount_fen ELSE 0 END"

    return (
        f"INSERT INTO {table} ({key}, income_fen, expense_fen, line_count) "
        f"SELECT {row}.{key}, {amount('income')}, {amount('expense')}, {sign} WHERE {row}.{key} IS NOT NULL "
        f"ON CONFLICT ({key}) DO UPDATE SET income_fen = {table}.income_fen + excluded.income_fen, "
        f"expense_fen = {table}.expense_fen + excluded.expense_fen, "
        f"line_count = {table}.line_count + excluded.line_count;"
    )


def _changes(row: str, sign: int, dialect: str) -> str:
    return " ".join(_upsert(table, key, row, sign, dialect) for table, key in _TABLES)


def sqlite_statements() -> list[str]:
    columns = ", ".join(LINE_COLUMNS)
    return [
        "CREATE TRIGGER IF NOT EXISTS ledger_money_insert AFTER INSERT ON ledger_entries "
        f"BEGIN {_changes('NEW', 1, 'sqlite')} END",
        f"CREATE TRIGGER IF NOT EXISTS ledger_money_update AFTER UPDATE OF {columns} ON ledger_entries "
        f"BEGIN {_changes('OLD', -1, 'sqlite')} {_changes('NEW', 1, 'sqlite')} END",
        "CREATE TRIGGER IF NOT EXISTS ledger_money_delete AFTER DELETE ON ledger_entries "
        f"BEGIN {_changes('OLD', -1, 'sqlite')} END",
    ]


def postgresql_statements() -> list[str]:
    columns = ", ".join(LINE_COLUMNS)
    return [
        "CREATE OR REPLACE FUNCTION ledger_money_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_changes('OLD', -1, 'postgresql')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_changes('NEW', 1, 'postgresql')} END IF; "
        "RETURN NULL; END $$",
        "DROP TRIGGER IF EXISTS ledger_money_write ON ledger_entries",
        "DROP TRIGGER IF EXISTS ledger_money_update ON ledger_entries",
        "CREATE TRIGGER ledger_money_write AFTER INSERT OR DELETE ON ledger_entries "
        "FOR EACH ROW EXECUTE FUNCTION ledger_money_change()",
        f"CREATE TRIGGER ledger_money_update AFTER UPDATE OF {columns} ON ledger_entries "
        "FOR EACH ROW EXECUTE FUNCTION ledger_money_change()",
    ]


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return ["DROP TRIGGER IF EXISTS ledger_money_write ON ledger_entries",
                "DROP TRIGGER IF EXISTS ledger_money_update ON ledger_entries",
                "DROP FUNCTION IF EXISTS ledger_money_change()"]
    return [f"DROP TRIGGER IF EXISTS ledger_money_{name}" for name in ("insert", "update", "delete")]


def create_triggers(connection) -> None:
    """Create (or replace) the triggers on ``connection``'s database."""
    statements = postgresql_statements() if connection.dialect.name == "postgresql" else sqlite_statements()
    for statement in statements:
        connection.execute(text(statement))


def listen(metadata) -> None:
    """After ``metadata.create_all()`` made the tables, add the triggers (every table they name exists then)."""
    from sqlalchemy import event

    def after_create(target, connection, **kw) -> None:
        if "ledger_entries" in target.tables and "fund_money" in target.tables:
            create_triggers(connection)

    event.listen(metadata, "after_create", after_create)
