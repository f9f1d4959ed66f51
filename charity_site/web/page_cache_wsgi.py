"""Stored pages answered in front of Flask, for the crowd: a WSGI middleware around the app.

A visitor with no session or remember cookie asking for a public page that is stored is answered
here, without a request context, URL matching or any hook: a hit costs a cookie check and two store
reads, the note of which query parameters the address's page reads and then the page for their values
(an ``os.stat`` and dict lookups in process; with REDIS_URL nothing asked of Redis while this process
holds both and the generation has not changed).
Everything else (a miss, a visitor with a session, a scheduled publication whose time has come, the
store unreachable) goes on to Flask, where page_cache's first before-request hook still serves what
it may. The answer is the one Flask would give: the stored headers, the headers every answer carries
(security_headers), ``X-Page-Cache: hit`` and a 304 when the visitor's validators match.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.http import parse_cookie
from werkzeug.wrappers import Request, Response

from charity_site.web import page_cache
from charity_site.web.page_cache_stores import Entry, StoreUnavailable
from charity_site.web.templating import font_size_of

NOT_HERE = ("/admin", "/uploads/", "/static/")


class ServeStoredPages:
    def __init__(self, app: Flask, wsgi_app: Callable, extra_headers: list[tuple[str, str]],
                 not_modified: Callable[..., bool]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.extra_headers = extra_headers
        self.not_modified = not_modified

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        found = self.stored_entry(environ)
        if found is None:
            return self.wsgi_app(environ, start_response)
        request, entry = found
        if request.method == "GET" and not _conditional(environ):
            # The crowd's case, answered without building a Response: headers prepared once per entry.
            start_response("200 OK", self.hit_headers(entry))
            return [entry.body]
        return self.response_for(request, entry)(environ, start_response)

    def hit_headers(self, entry: Entry) -> list[tuple[str, str]]:
        headers = entry.derived.get("hit_headers")
        if headers is None:
            headers = Response(entry.body, status=200, headers=self.headers_of(entry)).get_wsgi_headers({})
            entry.derived["hit_headers"] = headers = headers.to_wsgi_list()
        return headers

    def headers_of(self, entry: Entry) -> Headers:
        headers = Headers(entry.headers)
        for name, value in self.extra_headers:
            headers.setdefault(name, value)
        headers[page_cache.HEADER] = page_cache.HIT
        return headers

    def response_for(self, request: Request, entry: Entry) -> Response:
        response = Response(entry.body, status=200, headers=self.headers_of(entry))
        if self.not_modified(request, response.get_etag()[0], response.last_modified):
            response.status_code = 304
            response.set_data(b"")
        return response

    def stored_entry(self, environ: dict) -> tuple[Request, Entry] | None:
        config = self.app.config
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not config.get("PAGE_CACHE", True):
            return None
        request = Request(environ)
        if request.path.startswith(NOT_HERE):
            return None
        # Parsed from the one header (request.cookies would walk every header of the request first).
        cookies = parse_cookie(environ.get("HTTP_COOKIE", "")) if "HTTP_COOKIE" in environ else {}
        if config["SESSION_COOKIE_NAME"] in cookies or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return None  # Flask decides: a session may hold a flash message or a signed-in user
        cache = self.app.extensions["page_cache"]
        now = time.time()
        try:
            address = page_cache.address_key(request, font_size_of(cookies))
            state, entry = page_cache.lookup(cache, address, request.args.items(multi=True))
        except StoreUnavailable:
            return None
        if state is None or (state.next_publication is not None and now >= state.next_publication):
            return None  # Flask starts the new generation
        if entry is None or not entry.fresh(cache.ttl, now):
            return None
        return request, entry


def _conditional(environ: dict) -> bool:
    return "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
