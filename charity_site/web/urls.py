"""Absolute addresses of public pages, as shared and printed."""

from __future__ import annotations

from flask import current_app, url_for


def canonical_url(endpoint: str, **values) -> str:
    """The page's public address: SITE_URL + path when configured, else the address of this request."""
    site_url = (current_app.config.get("SITE_URL") or "").rstrip("/")
    if site_url:
        return site_url + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
