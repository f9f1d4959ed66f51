"""Personal contact details: checking them on the way in and masking them on the way out.

个人信息保护法 and 慈善法 §82: phone numbers and e-mail addresses never appear on public pages,
and staff screens show them masked unless opened on purpose.
"""

from __future__ import annotations

import re

MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_mobile(value: str | None) -> str | None:
    """A mainland mobile number as 11 digits ('+86 138-1234-5678' → '13812345678'), or None."""
    if not value:
        return None
    digits = _SEPARATORS.sub("", value)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if MOBILE_PATTERN.fullmatch(digits) else None


def normalise_email(value: str | None) -> str | None:
    """A trimmed, lower-cased address that looks deliverable, or None."""
    if not value:
        return None
    address = value.strip().lower()
    return address if len(address) <= 254 and EMAIL_PATTERN.fullmatch(address) else None


def mask_mobile(phone: str | None) -> str:
    """'13812345678' → '138****5678'."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_email(address: str | None) -> str:
    """'zhangsan@example.org' → 'z***@example.org'."""
    if not address:
        return ""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def last_digits_match(phone: str | None, suffix: str | None, count: int = 4) -> bool:
    """Whether ``suffix`` is exactly the last ``count`` digits of ``phone`` (a lookup's second factor)."""
    if not phone or not suffix:
        return False
    suffix = suffix.strip()
    return len(suffix) == count and suffix.isdigit() and phone.endswith(suffix)
