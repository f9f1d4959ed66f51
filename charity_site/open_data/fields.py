"""The field dictionary of the open datasets: each column declared once (name, type, meaning, example).

That one declaration drives the CSV and XLSX headers, the JSON ``fields`` list and the field table on
/open-data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from charity_site.core.formatting import mask_person_name, yuan_text
from charity_site.finance.models import CounterpartyType

FIELD_TYPES = ("string", "integer", "date", "boolean", "number")


@dataclass(frozen=True)
class Field:
    """One column of a dataset: its machine name, type, meaning for readers and an example value."""

    name: str
    type: str
    meaning: Any  # a lazy translated string
    example: str
    get: Callable[[Any], Any]
    nullable: bool = False
    yuan: bool = False  # a yuan amount written as text "1234.50"; a number cell in XLSX

    def __post_init__(self):
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    def describe(self) -> dict:
        return {"name": self.name, "type": self.type, "description": str(self.meaning),
                "example": self.example, "nullable": self.nullable}


def enum_value(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


def public_counterparty(name: str | None, counterparty_type) -> str:
    """What the public sees of a counterparty: an organisation in full, a person masked (张**)."""
    if enum_value(counterparty_type) == CounterpartyType.PERSON.value:
        return mask_person_name(name)
    return name or ""


def money_fields(prefix: str, meaning, example_fen: int, nullable: bool = False) -> tuple[Field, Field]:
    """The pair of columns for one amount: integer fen (for sums) and yuan text (for reading)."""
    key = f"{prefix}_fen"
    return (
        Field(key, "integer", meaning, str(example_fen), lambda row: opt_int(getattr(row, key)), nullable),
        Field(f"{prefix}_yuan", "string", _l("The same amount in yuan with two decimals, for reading"),
              yuan_text(example_fen), lambda row: yuan_text(getattr(row, key)), nullable, yuan=True),
    )


def opt_int(value) -> int | None:
    return None if value is None else int(value)


def text_of(attribute: str) -> Callable[[Any], str]:
    return lambda row: getattr(row, attribute) or ""


def opt_text(attribute: str) -> Callable[[Any], str | None]:
    return lambda row: getattr(row, attribute) or None


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any
    description: Any
    fields: tuple[Field, ...]
    rows: Callable[..., Iterator]
    notes: tuple = field(default=())

    def record(self, row) -> dict:
        return {f.name: f.get(row) for f in self.fields}

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]
