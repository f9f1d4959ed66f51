"""The kinds of file the site accepts, and the refusal an upload gets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    content_type: str
    suffix: str
    extensions: frozenset[str]
    pillow_format: str | None = None

    @property
    def is_image(self) -> bool:
        return self.pillow_format is not None


JPEG = FileKind("image/jpeg", ".jpg", frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}), "JPEG")


PNG = FileKind("image/png", ".png", frozenset({".png"}), "PNG")


WEBP = FileKind("image/webp", ".webp", frozenset({".webp"}), "WEBP")


PDF = FileKind("application/pdf", ".pdf", frozenset({".pdf"}))


KINDS = (JPEG, PNG, WEBP, PDF)


class UploadRejected(ValueError):
    """An upload that is not stored; ``message`` is for the user, ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, *, code: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
