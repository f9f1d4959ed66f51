"""Money and date helpers. Money is integer fen; times are UTC shown in Asia/Shanghai.

How money is shown (one rule, one formatter; templates use the filters named after these functions):

* ``|yuan`` (format_yuan) is exact, ``¥1,234.56``: every line and every table of lines. Ledger rows and
  the totals shown with them, pledges and gifts, receipts and certificates, disclosure reports, staff
  screens, forms, and the data tables under the charts: wherever a reader may add figures up or check
  them against a voucher.
* ``|amount`` (format_amount) is the headline figure: totals, budgets and goals in panels, cards and
  stat grids (home page, fund and project money panels, fund list, project cards, the flows page),
  and the values written on charts. Its unit is chosen per panel, never per figure, so that one panel
  never mixes ``¥3,500,000.00`` with ``350.00万元``: a panel asks ``money_unit(all its amounts)`` once
  and passes the answer to every figure (``{{ x|amount(unit) }}``). The unit is 万元 with two
  decimals when the largest amount of the panel is ¥100,000 or more (WAN_FROM_FEN), else yuan to
  the fen. A non-zero amount too small to show in 万元 reads ``不足0.01万元``, never ``0.00万元``.
  ``|amount`` without a unit is a panel of one figure.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("Asia/Shanghai")

# Dates the site accepts anywhere (forms, query strings, content files). Wide enough for any real
# project or record, narrow enough that date arithmetic (a deadline 3 months on, the day after an
# end date, a year's range) never leaves what Python and the databases can hold.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
# The largest amount of money one record may hold: 1000亿元. Anything larger is a typing mistake.
MAX_AMOUNT_FEN = 10**13

_YUAN_PATTERN = re.compile(r"^[+-]?\d+(\.\d{1,2})?$")


class MoneyFormatError(ValueError):
    """A money amount that is not a whole number of fen."""


def parse_iso_date(value: str | None) -> date | None:
    """'2024-10-01' → date(2024, 10, 1); anything else (empty, malformed, another layout, a day that does not
    exist, a date outside EARLIEST_DATE..LATEST_DATE) → None."""
    if not value or len(value) != 10:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if is_supported_date(parsed) else None


def is_supported_date(value: date) -> bool:
    if isinstance(value, datetime):
        value = value.date()
    return EARLIEST_DATE <= value <= LATEST_DATE


def yuan_text(fen: int | None) -> str | None:
    """123450 → '1234.50', -5 → '-0.05': plain yuan for data files and form inputs; exact, no float."""
    if fen is None:
        return None
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def format_yuan(fen: int | None, *, blank: str = "—") -> str:
    """12345678 → '¥123,456.78'. Negative amounts get a leading minus: '-¥5.00'."""
    if fen is None:
        return blank
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def format_wan(fen: int | None, *, blank: str = "—", unit: str = "万元") -> str:
    """1019850000 fen → '1019.85万元' (rounded half up to two decimals of 万元).

    A non-zero amount that would round to 0.00 reads '不足0.01万元' ('-不足0.01万元' when negative): a panel
    in 万元 must not show a payment as nothing.
    """
    if fen is None:
        return blank
    fen = int(fen)
    wan = (Decimal(fen) / Decimal(1_000_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if fen and not wan:
        return f"不足0.01{unit}" if fen > 0 else f"-不足0.01{unit}"
    return f"{wan}{unit}"


WAN_FROM_FEN = 10_000_000  # ¥100,000: a panel whose largest amount reaches this is shown in 万元
YUAN, WAN = "yuan", "wan"


def money_unit(*amounts: int | None) -> str:
    """The unit of a panel: WAN when its largest amount (either sign; None ignored) is ¥100,000 or more."""
    largest = max((abs(int(fen)) for fen in amounts if fen is not None), default=0)
    return WAN if largest >= WAN_FROM_FEN else YUAN


def format_amount(fen: int | None, unit: str | None = None, *, blank: str = "—") -> str:
    """A headline figure in its panel's ``unit`` (money_unit); without one, the unit of this figure alone."""
    if fen is None:
        return blank
    if unit is None:
        unit = money_unit(fen)
    return format_wan(fen) if unit == WAN else format_yuan(fen)


def yuan_to_fen(value: str | int | Decimal) -> int:
    """Parse '1,234.56', '1234', 1234 or Decimal('1234.5') yuan into integer fen.

    Floats are refused: a float cannot be trusted to hold a money amount exactly.
    """
    if isinstance(value, (bool, float)):
        raise MoneyFormatError(f"amount {value!r} must be written as text or a whole number, not a float")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        if text.endswith("元"):
            text = text[:-1]
        if not _YUAN_PATTERN.match(text):
            raise MoneyFormatError(f"'{value}' is not an amount in yuan with at most two decimals")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already guards this
            raise MoneyFormatError(f"'{value}' is not an amount") from exc
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyFormatError(f"'{value}' has more than two decimals")
    return int(fen)


def _rounded_percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` (both positive) in whole percent, to the nearest (half up); exact, no float."""
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent(part: int | None, whole: int | None) -> int:
    """A progress bar's value (``<progress max="100">``): ``part`` of ``whole`` in whole percent, 0 to 100.

    Rounded to the nearest, except that a share above 0 is at least 1 and a share short of the whole at most
    99: a bar is never drawn empty when something was raised or spent, nor full before the goal is reached.
    A share written out for people is percent_text().
    """
    if not part or not whole or whole <= 0 or part <= 0:
        return 0
    if part >= whole:
        return 100
    return max(1, min(99, _rounded_percent(part, whole)))


def percent_text(part: int | None, whole: int | None) -> str:
    """A share as people read it: '42%' to the nearest whole percent; '<1%' for a share above 0 that rounds
    to 0 and '>99%' for one short of the whole that rounds to 100, so that only nothing reads '0%' and only
    all of it '100%'. More than the whole reads as it is ('150%'); nothing or no whole reads '0%'."""
    if not part or not whole or whole <= 0 or part <= 0:
        return "0%"
    shown = _rounded_percent(part, whole)
    if shown == 0:
        return "<1%"
    if shown >= 100 and part < whole:
        return ">99%"
    return f"{shown}%"


def to_local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SITE_TZ)


def local_date(moment: datetime | None) -> date | None:
    """The Beijing date of a stored (UTC) moment."""
    return to_local(moment).date() if moment is not None else None


def local_today() -> date:
    """Today's date in Asia/Shanghai: the date ledger lines and the law's deadlines are counted in."""
    return datetime.now(SITE_TZ).date()


def local_to_utc(moment: datetime) -> datetime:
    """A wall-clock time in Asia/Shanghai (naive or aware) to an aware UTC datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SITE_TZ)
    return moment.astimezone(UTC)


def format_date(value: date | datetime | None, *, blank: str = "") -> str:
    """'2024年11月18日'; datetimes are converted to Asia/Shanghai first."""
    if value is None:
        return blank
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def format_iso_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.isoformat()


def format_datetime(value: datetime | None, *, blank: str = "") -> str:
    """'2025年1月15日 10:00' in Asia/Shanghai."""
    if value is None:
        return blank
    local = to_local(value)
    return f"{format_date(local.date())} {local:%H:%M}"


def format_period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{format_date(start)} 至 {format_date(end)}"
    if start:
        return f"{format_date(start)} 起"
    if end:
        return f"至 {format_date(end)}"
    return ""


def format_count(value: int | None, *, blank: str = "—") -> str:
    if value is None:
        return blank
    return f"{int(value):,}"


def mask_person_name(name: str | None) -> str:
    """张三丰 → '张**', 王 → '王**', 欧阳娜娜 → '欧**'; an empty name → '匿名'.

    Always the first character and two asterisks: the mask must not tell how long the name is.
    """
    if not name or not name.strip():
        return "匿名"
    return name.strip()[0] + "**"
