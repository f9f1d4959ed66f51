"""Errors an operation raises for the user to read."""

from __future__ import annotations


class EditError(ValueError):
    """A change that cannot be saved; ``field`` names the form field the message belongs to."""

    def __init__(self, field_name: str | None, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message
