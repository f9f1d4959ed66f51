"""Real-name ID numbers: checked on the way in, encrypted at rest, masked on the way out.

个人信息保护法 §28 counts an ID number as sensitive personal information. It is asked for only when
an opportunity truly needs it (insurance, venue access), stored encrypted with a key that lives
outside the database (VOLUNTEER_ID_KEY; generated under instance/ outside production), and shown
masked as 4401**********0123 everywhere, staff screens included, unless a coordinator opens it on
purpose (audited).
"""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

RESIDENT_CARD = "resident_card"  # 居民身份证
OTHER_DOCUMENT = "other"  # 港澳台居民居住证、护照等
ID_TYPES = (RESIDENT_CARD, OTHER_DOCUMENT)

_RESIDENT_PATTERN = re.compile(r"\d{17}[\dX]")
_OTHER_PATTERN = re.compile(r"[A-Z0-9]{6,20}")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
KEY_FILE_NAME = "volunteer_id.key"


class IdKeyMissing(RuntimeError):
    """Production has no VOLUNTEER_ID_KEY, so no ID number can be stored."""


def normalise_id_number(value: str | None) -> str:
    """Spaces removed, letters upper-cased ('4401 0119 9001 0100 1x' → '44010119900101001X')."""
    return re.sub(r"\s+", "", value or "").upper()


def resident_card_check_character(first_17: str) -> str:
    """The 18th character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def is_valid_id_number(id_type: str, number: str) -> bool:
    if id_type == RESIDENT_CARD:
        return bool(_RESIDENT_PATTERN.fullmatch(number)) and resident_card_check_character(number[:17]) == number[17]
    if id_type == OTHER_DOCUMENT:
        return bool(_OTHER_PATTERN.fullmatch(number))
    return False


def mask_id_number(number: str | None) -> str:
    """'440101199001010011' → '4401**********0011'; short document numbers keep only their last 2."""
    if not number:
        return ""
    if len(number) >= 12:
        return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"
    return f"{'*' * (len(number) - 2)}{number[-2:]}"


def _key() -> bytes:
    configured = current_app.config.get("VOLUNTEER_ID_KEY")
    if configured:
        return configured.encode("ascii")
    if current_app.config.get("ENV_NAME") == "production":
        raise IdKeyMissing("VOLUNTEER_ID_KEY is not set; generate one with "
                           "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")
    key_file = Path(current_app.instance_path) / KEY_FILE_NAME
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(Fernet.generate_key())
        key_file.chmod(0o600)
    return key_file.read_bytes().strip()


def id_key_available() -> bool:
    try:
        _key()
    except IdKeyMissing:
        return False
    return True


def encrypt_id_number(number: str) -> str:
    return Fernet(_key()).encrypt(number.encode("ascii")).decode("ascii")


def decrypt_id_number(token: str | None) -> str | None:
    """The plain number, or None when nothing is stored or the key does not open it."""
    if not token:
        return None
    try:
        return Fernet(_key()).decrypt(token.encode("ascii")).decode("ascii")
    except (InvalidToken, IdKeyMissing, ValueError):
        return None
