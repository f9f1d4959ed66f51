"""One way to read, show and pass on the filters of a list, public or staff.

A list's filters are a frozen dataclass deriving from ``ListFilters``; each field is one query-string
argument, declared with ``filter_field``:

- ``read(args, name)`` takes its value from the query string. Anything missing, unknown or malformed
  is dropped (None: the field keeps its default): a filter never answers with an error page. A reader may
  instead raise ``FilterProblem`` with a message to show next to the field (the audit log's dates).
- ``arg`` is its name in the URL when that differs from the field's; ``write`` turns the value back
  into URL text when ``str``, an enum's value or an ISO date will not do (a fund is written by slug).
- ``narrows=False`` for a field that orders the list rather than narrowing it (a sort).

``from_args`` reads them all, ``active`` says whether any narrows the list, ``as_args`` writes the
set ones back as URL arguments, in field order (pagination, downloads of the same selection), and
``selected(name)`` is that URL text for one argument. Templates show each one with the
``filter_select``, ``filter_search`` and ``filter_date`` macros of templates/macros/ui.html.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date

from charity_site.core.formatting import parse_iso_date
from charity_site.web.input import (
    FIRST_YEAR,
    LAST_YEAR,
    impossible_date_message,
    parse_member,
    query_date,
    query_id,
    query_int,
    query_text,
)

Reader = Callable[[Mapping, str], object]


class FilterProblem(ValueError):
    """A value shown back as ``written``, with ``message`` next to its field, instead of being dropped."""

    def __init__(self, message: str, written: str = ""):
        super().__init__(message)
        self.message = message
        self.written = written


def filter_field(read: Reader, *, arg: str | None = None, default=None, write: Callable | None = None,
                 narrows: bool = True):
    return field(default=default, metadata={"read": read, "arg": arg, "write": write, "narrows": narrows})


@dataclass(frozen=True)
class ListFilters:
    """Base of every list's filters (see the module's description)."""

    problems: Mapping[str, FilterProblem] = field(default_factory=dict, compare=False)  # by URL argument

    @classmethod
    def from_args(cls, args):
        values, problems = {}, {}
        for spec in cls._filter_fields():
            name = spec.metadata["arg"] or spec.name
            try:
                value = spec.metadata["read"](args, name)
            except FilterProblem as problem:
                problem.written = str(args.get(name) or "")
                problems[name] = problem
            else:
                if value is not None:  # None: missing or dropped, so the field keeps its default
                    values[spec.name] = value
        return cls(**values, problems=problems).checked()

    def checked(self):
        """Rules between fields (such as a date range), applied after reading; the filters as they apply."""
        return self

    @classmethod
    def _filter_fields(cls):
        return [spec for spec in fields(cls) if "read" in spec.metadata]

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (a sort does not)."""
        return any(spec.metadata["narrows"] and self._is_set(spec) for spec in self._filter_fields())

    def as_args(self) -> dict:
        """The set filters as URL arguments, in field order."""
        return {
            spec.metadata["arg"] or spec.name: self._url_text(spec)
            for spec in self._filter_fields() if self._is_set(spec)
        }

    def selected(self, name: str) -> str:
        """The URL text of argument ``name`` ('' when unset), for marking the chosen option."""
        return str(self.as_args().get(name, ""))

    def with_problem(self, name: str, message: str):
        """These filters with ``message`` next to argument ``name`` (a rule between fields was broken)."""
        problem = FilterProblem(message, self.selected(name))
        return replace(self, problems={**self.problems, name: problem})

    def _is_set(self, spec) -> bool:
        value = getattr(self, spec.name)
        default = spec.default if spec.default is not MISSING else None
        return value not in (None, "") and value != default

    def _url_text(self, spec):
        value = getattr(self, spec.name)
        if spec.metadata["write"]:
            return spec.metadata["write"](value)
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, date):
            return value.isoformat()
        return value


# --- readers ------------------------------------------------------------------------------------


def read_text(max_length: int = 100) -> Reader:
    """Free text (a search box): spaces trimmed, cut to ``max_length``; '' when missing."""
    return lambda args, name: query_text(args, name, max_length)


def read_slug(args, name: str) -> str | None:
    """An item's address (a slug), or None."""
    return query_text(args, name, 160) or None


def read_choice(choices) -> Reader:
    """One of ``choices`` (strings), else None."""
    allowed = tuple(choices)
    return lambda args, name: args.get(name) if args.get(name) in allowed else None


def read_member(enum_class: type[enum.Enum]) -> Reader:
    """A member of ``enum_class`` given by its value, else None."""

    return lambda args, name: parse_member(enum_class, args.get(name))


def read_year(args, name: str) -> int | None:
    return query_int(args, name, minimum=FIRST_YEAR, maximum=LAST_YEAR)


def read_id(args, name: str) -> int | None:
    return query_id(args, name)


def read_date(args, name: str) -> date | None:
    """A date written YYYY-MM-DD; a malformed one is dropped."""
    return query_date(args, name)


def read_date_or_problem(args, name: str) -> date | None:
    """A date written YYYY-MM-DD; a malformed one is explained next to its field."""
    written = (args.get(name) or "").strip()
    if not written:
        return None
    parsed = parse_iso_date(written)
    if parsed is None:
        raise FilterProblem(impossible_date_message())
    return parsed
