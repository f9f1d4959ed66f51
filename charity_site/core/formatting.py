"""Money and date helpers. Money is integer fen; times are UTC shown in Asia/Shanghai."""

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
    """1019850000 fen → '1019.85万元' (rounded half up to two decimals of 万元)."""
    if fen is None:
        return blank
    wan = (Decimal(int(fen)) / Decimal(1_000_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{wan}{unit}"


def format_amount(fen: int | None, *, blank: str = "—") -> str:
    """The readable form for headline figures: 万元 from 10,000 yuan up, else ¥ with fen."""
    if fen is None:
        return blank
    if abs(int(fen)) >= 1_000_000:
        return format_wan(fen)
    return format_yuan(fen)


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


def percent(part: int | None, whole: int | None) -> int:
    """Whole-number percentage for progress bars, capped at 100."""
    if not part or not whole or whole <= 0:
        return 0
    return max(0, min(100, int(Decimal(part) * 100 / Decimal(whole))))


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
