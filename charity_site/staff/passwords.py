"""Password rules: long enough and not one everybody guesses first."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

# The passwords tried first by anyone guessing: international lists plus those common in China.
COMMON_PASSWORDS = frozenset({
    "1234567890", "0123456789", "9876543210", "1111111111", "0000000000", "1234512345", "1122334455",
    "1qaz2wsx3edc", "1q2w3e4r5t", "1q2w3e4r5t6y", "qwertyuiop", "qwerty1234", "qwerty12345", "asdfghjkl1",
    "zxcvbnm123", "password12", "password123", "password1234", "passw0rd123", "p@ssw0rd123", "admin12345",
    "admin123456", "administrator", "abc1234567", "abcd123456", "abcdefghij", "a123456789", "aa12345678",
    "iloveyou123", "woaini1314", "woaini520", "5201314520", "1314520520", "woaini12345", "wo5201314",
    "qq123456789", "123456789a", "123456789q", "12345678910", "147258369a", "1472583690", "3141592653",
    "letmein1234", "welcome123", "sunshine123", "football123", "baseball123", "dragon1234", "monkey1234",
    "changeme123", "trustno1234", "superman123", "cishanhui123", "cishan12345", "charity123",
})


class PasswordRejected(ValueError):
    """A password that does not meet the rules; the message is for the user."""


def check_password_strength(password: str, *, email: str | None = None) -> None:
    """Raise PasswordRejected with a Chinese message when the password is weak."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 10)
    if len(password or "") < minimum:
        raise PasswordRejected(_("The password must have at least %(count)s characters.", count=minimum))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        raise PasswordRejected(_("This password is too common and easy to guess. Please choose another one."))
    if email and lowered == email.lower().split("@")[0]:
        raise PasswordRejected(_("The password must not be your e-mail name."))
