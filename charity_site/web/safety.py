"""Helpers that keep redirects on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from charity_site.web.input import control_character_at


def safe_next_url(target: str | None, fallback: str) -> str:
    """Return ``target`` only when it is a path on this site, never another host, and fit for a Location header."""
    if not target or control_character_at(target) is not None:
        return fallback
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
