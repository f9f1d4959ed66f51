"""Reading one spreadsheet cell: text, a date or an amount, as Excel or a person wrote it."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from charity_site.web.input import without_control_characters


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return without_control_characters(str(value)).strip()


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value) -> date | None:
    """2024-10-01, 2024/10/1, 2024.10.1, 2024年10月1日, 20241001, an Excel date cell or serial number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            return parse_date(str(int(value)))
        if 1 <= value < 2958466:  # an Excel serial date without a date format
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(value).date()
            except (ValueError, OverflowError):
                return None
        return None
    text = cell_text(value)
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


_AMOUNT_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_amount(value) -> tuple[int | None, str | None]:
    """Yuan to (fen, None) or (None, problem). Empty gives (None, None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, _("“%(value)s” is not an amount.", value=value)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the shortest text that gives this float back: what Excel showed
    else:
        text = str(value).strip()
        for mark in (",", "，", " ", "\u00a0", "¥", "￥", "元", "RMB", "CNY"):
            text = text.replace(mark, "")
        if not _AMOUNT_TEXT.match(text):
            return None, _("“%(value)s” is not an amount. Write it in yuan, e.g. 1234.50.", value=value)
        try:
            amount = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern guards this
            return None, _("“%(value)s” is not an amount. Write it in yuan, e.g. 1234.50.", value=value)
    fen = amount * 100
    if fen != fen.to_integral_value():
        return None, _("“%(value)s” has more than two decimals.", value=cell_text(value))
    return int(fen), None
