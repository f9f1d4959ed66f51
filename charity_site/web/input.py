"""Reading values from requests: one bounded way for ids, numbers, dates, page numbers and text.

Bad input is answered with a 400 or a 404 in the site's layout, never a 500. That holds because no
value reaches a query, a redirect or a date calculation without passing through here first, with
bounds that fit the database's column types:

- Path parts. ``<int:...>`` is an id: ASCII digits up to INTEGER_MAX (PostgreSQL ``integer``); a
  larger number is no such item (404). Text parts (``<slug>``, the default converter) refuse
  control characters: no item has them in its address (404).
- Query strings. Views never see a control character in ``request.args`` (``SiteRequest``):
  each one (NUL, CR/LF...) is read as a space, so a search for "a%00b" is a search for "a b".
  PostgreSQL refuses NUL in text, and a CR/LF could end up in a header. Numbers, ids, dates and
  the page number are read with ``query_int``, ``query_id``, ``query_date`` and ``query_page``;
  free text with ``query_text``.
- Forms. Every form is a ``SiteForm``: each of its fields refuses control characters with a message
  in Chinese next to the field (tab and line breaks stay allowed in multi-line text). Counts are
  ``BoundedIntegerField``, dates ``BoundedDateField``, ids in selects are coerced by ``coerce_id``.

The rule for page numbers, everywhere: no page or not a number → the first page; a number that
no list can have (below 1 or above MAX_PAGE) → 404, like any page past the end of a public list.
"""

from __future__ import annotations

import enum
import re
from datetime import date

from flask import Flask, abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError
from wtforms import DateField, IntegerField, TextAreaField
from wtforms.validators import StopValidation

from charity_site.core.formatting import EARLIEST_DATE, LATEST_DATE, parse_iso_date
from charity_site.core.models import INTEGER_MAX
from charity_site.web.query_reads import QueryReadingRequest

MAX_PAGE = INTEGER_MAX

# Control characters (C0 and DEL). Tab, line feed and carriage return are allowed in multi-line text only.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f]")
_WHOLE_NUMBER = re.compile(r"\s*(-?)([0-9]+)\s*")
_OUT_OF_ANY_RANGE = 10**20  # stands for a number with more digits than any bound here

NOT_AN_OPTION = _l("Please choose one of the options.")
CONTROL_CHARACTER_MESSAGE = _l("This contains invisible control characters (perhaps copied along with the text). "
                               "Please remove them and try again.")

FIRST_YEAR, LAST_YEAR = 1949, 2100  # the years the year filters accept


def control_character_at(text: str, *, multiline: bool = False) -> int | None:
    """Index of the first control character in ``text`` (tab and line breaks allowed if ``multiline``), or None."""
    found = (_CONTROL if multiline else _CONTROL_IN_LINE).search(text)
    return found.start() if found else None


def without_control_characters(text: str) -> str:
    """``text`` with every control character (tab and line breaks included) turned into a space.

    For text read from files people did not type for us, such as spreadsheet cells: Excel keeps
    line breaks and stray vertical tabs inside cells, which should not refuse a whole import.
    """
    return _CONTROL_IN_LINE.sub(" ", text)


# --- numbers -------------------------------------------------------------------------------------

def whole_number(value) -> int | None:
    """'42' → 42, ' -7 ' → -7; anything else (empty, '4.2', '١٢', '²', '1e3') → None.

    Only ASCII digits count: Python's int() also reads other scripts' digits, which nobody types
    into this site on purpose. A number too long for any bound is returned as ±10**20 rather than
    converted (int() refuses very long digit strings anyway).
    """
    if not isinstance(value, str):
        return None
    match = _WHOLE_NUMBER.fullmatch(value)
    if match is None:
        return None
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    number = int(digits) if len(digits) <= 20 else _OUT_OF_ANY_RANGE
    return -number if sign else number


def parse_int(value, *, minimum: int = 0, maximum: int = INTEGER_MAX) -> int | None:
    """A whole number between ``minimum`` and ``maximum`` (both included), or None."""
    number = whole_number(value)
    return number if number is not None and minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A row id as written in a request (1..INTEGER_MAX), or None."""
    return parse_int(value, minimum=1)


def parse_member(enum_class: type[enum.Enum], value):
    """The member of ``enum_class`` whose value is ``value``, or None when it is missing or unknown."""
    try:
        return enum_class(value)
    except ValueError:
        return None


def coerce_id(value) -> int | None:
    """``coerce`` for selects of ids: '' (or '0', 'None': no choice) → None, an id → int; else ValueError."""
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value or None
    if value in ("", "0", "None"):
        return None
    number = parse_id(value)
    if number is None:
        raise ValueError(f"not an id: {value[:20]!r}")
    return number


# --- query strings (request.args, or request.values for a value that may come either way) -----------

def query_int(args, name: str, default: int | None = None, *, minimum: int = 0,
              maximum: int = INTEGER_MAX) -> int | None:
    """The whole number ``name`` within bounds, or ``default`` when it is missing, malformed or out of bounds."""
    number = parse_int(args.get(name), minimum=minimum, maximum=maximum)
    return default if number is None else number


def query_id(args, name: str) -> int | None:
    """The id ``name`` (a filter or a prefill), or None: an id no row can have is simply no id."""
    return parse_id(args.get(name))


def query_date(args, name: str) -> date | None:
    """The date ``name`` written YYYY-MM-DD within EARLIEST_DATE..LATEST_DATE, or None."""
    return parse_iso_date(args.get(name))


def query_page(args=None) -> int:
    """The ``page`` number: missing or not a number → 1; a number no list can have → 404."""
    args = request.args if args is None else args
    number = whole_number(args.get("page"))
    if number is None:
        return 1
    if not 1 <= number <= MAX_PAGE:
        abort(404)
    return number


def query_text(args, name: str, max_length: int = 100) -> str:
    """Free text such as a search box: spaces trimmed and cut to ``max_length`` characters."""
    value = args.get(name)
    return value.strip()[:max_length] if isinstance(value, str) else ""


class SiteRequest(QueryReadingRequest):
    """The request of every view: its query string arrives without control characters (and what a view
    reads of it is noted for the page cache: web/query_reads.py)."""

    def clean_query_text(self, text: str) -> str:
        return without_control_characters(text)


# --- path converters ---------------------------------------------------------------------------------

class IdConverter(IntegerConverter):
    """Every ``<int:...>`` of the site: ASCII digits up to INTEGER_MAX; a larger number matches no route (404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = INTEGER_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value.lstrip("0")) > len(str(self.max)):
            raise ValidationError()
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """Every text part of a path (the default converter): no control characters (404)."""

    def to_python(self, value: str) -> str:
        if _CONTROL_IN_LINE.search(value):
            raise ValidationError()
        return value


def init_web_input(app: Flask) -> None:
    """Install the bounded converters (before any blueprint adds its routes) and the cleaned query string."""
    app.url_map.converters.update({"int": IdConverter, "default": TextConverter, "string": TextConverter})
    app.request_class = SiteRequest


# --- forms -------------------------------------------------------------------------------------------

def refuse_control_characters(form, field) -> None:
    """Validator on every field of a SiteForm: the submitted text holds no control character."""
    multiline = isinstance(field, TextAreaField)
    for value in field.raw_data or ():
        if isinstance(value, str) and control_character_at(value, multiline=multiline) is not None:
            raise StopValidation(CONTROL_CHARACTER_MESSAGE)


class SiteForm(FlaskForm):
    """The base of every form of the site (public and staff): no field accepts control characters.

    The check runs first on every field, whatever its type, so a NUL or a line break never reaches a
    service, a query or a header, and the message says what is wrong next to the field.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            field.validators = [refuse_control_characters, *field.validators]
            return field


class BoundedIntegerField(IntegerField):
    """A whole number (counts, years, order) from ``minimum`` to ``maximum``, at most what an Integer column holds.

    ``data`` is an int or None (empty). ``message`` replaces the general messages, e.g. for a year.
    """

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int = INTEGER_MAX,
                 message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.message = minimum, min(maximum, INTEGER_MAX), message

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        number = whole_number(valuelist[0])
        if number is None:
            raise ValueError(self.message or _("Enter a whole number, e.g. 120."))
        if not self.minimum <= number <= self.maximum:
            raise ValueError(self.message or _("Enter a whole number from %(min)s to %(max)s.",
                                               min=self.minimum, max=self.maximum))
        self.data = number


def impossible_date_message() -> str:
    return _("Enter a date that exists, written like 2024-10-01 (from %(first)s to %(last)s).",
             first=EARLIEST_DATE.isoformat(), last=LATEST_DATE.isoformat())


class BoundedDateField(DateField):
    """A date written YYYY-MM-DD between EARLIEST_DATE and LATEST_DATE; ``data`` is a date or None."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        parsed = parse_iso_date(" ".join(valuelist).strip())
        if parsed is None:
            self.data = None
            raise ValueError(impossible_date_message())
        self.data = parsed
