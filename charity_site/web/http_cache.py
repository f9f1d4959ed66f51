"""HTTP caching of public pages: ETag, Last-Modified, 304 answers and Cache-Control.

- Public pages, feeds and text for anonymous visitors: ``public, max-age=60`` with a strong ETag
  (hash of the body) and Last-Modified (when the page cache's generation began: the latest public
  change, or scheduled publication, the site has seen); both are stored with the page in the page
  cache (web/page_cache.py), so a conditional
  request that matches is answered 304 without a body. If-None-Match takes precedence over
  If-Modified-Since.
- A signed-in staff member, /admin, and any response that sets a cookie: ``private, no-store``.
- Static files: a year and ``immutable`` when requested with their content fingerprint (?v=),
  a few minutes otherwise. Uploads set their own headers and are left alone.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, session
from flask_login import current_user

from charity_site.web import page_cache
from charity_site.web.page_cache import init_page_cache
from charity_site.web.page_cache_wsgi import ServeStoredPages

PUBLIC_MAX_AGE = 60
STATIC_MAX_AGE = 300
ONE_YEAR = 365 * 24 * 60 * 60
CACHEABLE_MIMETYPES = frozenset({
    "text/html", "text/plain", "text/xml", "application/xml", "application/atom+xml", "application/rss+xml",
})
PRIVATE = "private, no-store"


def security_headers(config) -> list[tuple[str, str]]:
    """Headers every answer carries, also a stored page served before Flask (web/page_cache_wsgi.py)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        # Nothing on a page may come from another site.
        ("Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
         "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"),
    ]
    if config.get("STRICT_TRANSPORT_SECURITY"):  # production: browsers keep to HTTPS for a year
        headers.append(("Strict-Transport-Security", config["STRICT_TRANSPORT_SECURITY"]))
    return headers


def not_modified(request, etag: str, last_modified: datetime | None) -> bool:
    """Whether a conditional ``request`` may be answered 304 for a page with these validators."""
    if request.if_none_match:
        # RFC 9110 13.1.2: If-None-Match uses the weak comparison, and when present If-Modified-Since is ignored.
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and last_modified is not None and last_modified.replace(microsecond=0) <= since


def init_http_cache(app: Flask) -> None:
    if "http_cache" in app.extensions:
        return
    app.extensions["http_cache"] = True
    init_page_cache(app)
    app.after_request(_cache_headers)
    app.wsgi_app = ServeStoredPages(app, app.wsgi_app, security_headers(app.config), not_modified)


def _cache_headers(response: Response) -> Response:
    if page_cache.is_hit():
        return _from_page_cache(response)
    if request.endpoint == "static":
        return _static_cache_headers(response)
    if request.path.startswith("/uploads/"):
        return response
    if request.path == "/admin" or request.path.startswith("/admin/"):
        response.headers.setdefault("Cache-Control", PRIVATE)
        page_cache.mark_bypass(response)
        return response

    if _sets_cookie(response) or current_user.is_authenticated:
        response.headers["Cache-Control"] = PRIVATE
        response.vary.add("Cookie")
        page_cache.mark_bypass(response)
        return response
    if not _publicly_cacheable(response):
        page_cache.mark_bypass(response)
        return response

    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    # The font-size cookie changes the page, and a session cookie may mean a staff member.
    response.vary.add("Cookie")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    last_modified = page_cache.last_modified()
    if last_modified is not None:
        response.last_modified = last_modified
    page_cache.store(response)  # with its validators, before a 304 empties it
    return _answer_conditional(response)


def _from_page_cache(response: Response) -> Response:
    """A stored page: its headers came with it (Cache-Control, Vary, ETag, Last-Modified)."""
    response.headers[page_cache.HEADER] = page_cache.HIT
    if _sets_cookie(response):  # a later hook wrote the session after all: this copy is the visitor's own
        response.headers["Cache-Control"] = PRIVATE
    return _answer_conditional(response)


def _answer_conditional(response: Response) -> Response:
    if not_modified(request, response.get_etag()[0], response.last_modified):
        response.status_code = 304
        response.set_data(b"")
    return response


def _publicly_cacheable(response: Response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype in CACHEABLE_MIMETYPES
        and "Cache-Control" not in response.headers
        and not response.direct_passthrough
        and not response.is_streamed
    )


def _sets_cookie(response: Response) -> bool:
    """A cookie set by the view, or the session cookie Flask will write after the after_request hooks."""
    if "Set-Cookie" in response.headers:
        return True
    return current_app.session_interface.should_set_cookie(current_app, session)


def _static_cache_headers(response: Response) -> Response:
    if response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and version == _static_fingerprint(filename):
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}"
    return response


def _static_fingerprint(filename: str) -> str | None:
    """The same content hash as templating's asset_url, so a stale ?v= from another host is not kept a year."""
    static_root = Path(current_app.static_folder).resolve()
    path = (static_root / filename).resolve()
    if not path.is_relative_to(static_root) or not path.is_file():
        return None
    stat = path.stat()
    return _file_hash(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
