"""Gapless yearly numbers for certificates (捐赠证书 2026-000123, 志愿服务记录证明).

A certificate number is a promise to auditors that none is missing: numbers are counted per name
and year in one row that is incremented inside the caller's transaction. Two confirmations at once
queue on that row (a row lock on PostgreSQL, the single writer on SQLite), and a transaction that
rolls back gives its number back, so the series has no gaps and no duplicates.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from charity_site.extensions import db


class NumberSequence(db.Model):
    __tablename__ = "number_sequences"
    __shown_publicly__ = False  # a number shows on its record, which is written too

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=lambda: 0)


def next_number(name: str, year: int) -> int:
    """The next number of the ``name`` series in ``year`` (1, 2, 3...), taken in the current transaction."""
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(NumberSequence)
        .values(name=name, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[NumberSequence.name, NumberSequence.year],
            set_={"last_value": NumberSequence.last_value + 1},
        )
        .returning(NumberSequence.last_value)
    )
    return db.session.execute(statement).scalar_one()


def yearly_label(year: int, number: int) -> str:
    """2026, 123 → '2026-000123'."""
    return f"{year}-{number:06d}"
