"""The page cache: anonymous GET and HEAD requests of public pages answered from a stored copy.

A hit is served by the first before-request hook: no database query, no template, no translation.
The key is the path, the font-size cookie, the host and scheme, the values of the query parameters the
page read when it was rendered (web/query_reads.py: a shared link's ``?from=groupmessage`` is answered
from the stored page; a page that saw the whole query string is keyed on all of it), and the site-wide
*generation*: every commit that writes something public bumps it (core/public_changes.py),
and so does the moment a scheduled item becomes public. An entry also expires after PAGE_CACHE_TTL
seconds whatever happens.

Stored: a 200 answer of a cacheable type (http_cache.CACHEABLE_MIMETYPES), to a request from nobody
signed in, that sets no cookie and does not write the session, outside /admin, /uploads and static
files, with its ETag and Last-Modified, so a conditional request is answered 304 from one cache read.
Served only to a request that carries no sign-in (no remember cookie, a session holding nothing but a
CSRF token): a waiting flash message or a signed-in staff member always gets a fresh page.

Every answer says which it was in ``X-Page-Cache``: hit, miss (rendered and stored) or bypass.

Settings: PAGE_CACHE (on), PAGE_CACHE_TTL (300 s), PAGE_CACHE_MAX_ENTRIES, PAGE_CACHE_MAX_BYTES (this
process's share: its stored pages, or with Redis its copies of the pages it read),
PAGE_CACHE_GENERATION_FILE (default instance/page_generation), REDIS_URL (entries and generation in
Redis, shared by every server: page_cache_redis.py), PAGE_CACHE_REDIS_PREFIX.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, has_request_context, request, session
from sqlalchemy.exc import SQLAlchemyError

from charity_site.core.public_changes import NextPublication, next_publication_after, on_public_change
from charity_site.web.page_cache_redis import RedisStore
from charity_site.web.page_cache_stores import (
    Entry,
    GenerationState,
    LocalStore,
    StoreUnavailable,
)
from charity_site.web.templating import current_font_size

HEADER = "X-Page-Cache"
HIT, MISS, BYPASS = "hit", "miss", "bypass"
# What an anonymous visitor's session may hold and still be served a shared page: a CSRF token, and
# Flask-Login's bookkeeping that means nothing without a user id ("_fresh": False is written for anyone).
ANONYMOUS_SESSION_KEYS = frozenset({"csrf_token", "_permanent", "_fresh", "_id"})
NOT_STORED_HEADERS = frozenset({"content-length", "set-cookie", HEADER.lower()})


class PageCache:
    def __init__(self, app: Flask):
        config = app.config
        self.ttl = int(config.get("PAGE_CACHE_TTL", 300))
        max_entries = int(config.get("PAGE_CACHE_MAX_ENTRIES", 10000))
        max_bytes = int(config.get("PAGE_CACHE_MAX_BYTES", 64 * 1024 * 1024))
        if config.get("REDIS_URL"):
            self.store = RedisStore(config["REDIS_URL"], config.get("PAGE_CACHE_REDIS_PREFIX", "charity:cache:"),
                                    max_entries, max_bytes)
        else:
            generation_file = config.get("PAGE_CACHE_GENERATION_FILE") or Path(app.instance_path) / "page_generation"
            self.store = LocalStore(Path(generation_file), max_entries, max_bytes)
        self._bump_lock = threading.Lock()

    def state(self) -> GenerationState:
        """The current generation; bumped first when a scheduled publication's time has come."""
        state = self.store.read_state()
        now = time.time()
        if state is None or (state.next_publication is not None and now >= state.next_publication):
            with self._bump_lock:  # one bump per process when the moment comes, not one per thread
                again = self.store.read_state()
                if again is None or again == state:
                    return self.bump()
                return again
        return state

    def bump(self, next_publication: NextPublication = next_publication_after) -> GenerationState:
        """A new generation: every stored page is out of date from now on."""
        return self.store.bump(time.time(), _in_epoch_seconds(next_publication))

    def clear(self) -> GenerationState:
        state = self.bump()
        self.store.clear()
        return state


RETRY_AFTER_ERROR = 60  # seconds: when the next publication could not be read, look again then


def _in_epoch_seconds(next_publication: NextPublication):
    def find(now: float) -> float | None:
        try:
            moment = next_publication(datetime.fromtimestamp(now, UTC))
        except SQLAlchemyError:
            # The database is unreachable (its own error page follows) or not created yet: the bump
            # itself must not fail, and the moment is looked up again soon.
            return now + RETRY_AFTER_ERROR
        return moment.timestamp() if moment is not None else None

    return find


def init_page_cache(app: Flask) -> None:
    if "page_cache" in app.extensions:
        return
    cache = PageCache(app)
    app.extensions["page_cache"] = cache
    on_public_change(app, _bump_after_commit)
    # The very first hook: a hit must not pay for the others (rate limits, sign-in, settings).
    app.before_request_funcs.setdefault(None, []).insert(0, _serve_from_cache)


def _bump_after_commit(next_publication: NextPublication) -> None:
    try:
        page_cache().bump(next_publication)
    except StoreUnavailable as error:
        # The change is saved; the answer must say so. Pages stored before it expire within PAGE_CACHE_TTL.
        current_app.logger.error("Page cache generation not bumped after a public change: %s", error)


def page_cache() -> PageCache:
    return current_app.extensions["page_cache"]


def _eligible_request() -> bool:
    if request.method not in ("GET", "HEAD") or request.endpoint in (None, "static"):
        return False
    path = request.path
    if path == "/admin" or path.startswith(("/admin/", "/uploads/")):
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False  # Flask-Login would sign this visitor in
    # The session is the signed cookie, already decoded: no database. Anything but a CSRF token
    # (a signed-in user's id, a flash message waiting) means this visitor's page is their own.
    return not (session.keys() - ANONYMOUS_SESSION_KEYS)


def address_key(any_request, font_size: str) -> str:
    """The page's address without its query string: for a Flask request, or a plain werkzeug one in front
    of Flask (page_cache_wsgi)."""
    return "\n".join((any_request.scheme, any_request.host, any_request.path, font_size))


def page_key(address: str, names: frozenset[str] | None, pairs) -> str:
    """The entry's key: the address and the values of the query parameters ``names`` (None: all of them)."""
    if names is None:
        chosen, label = sorted(pairs), ALL_NAMES.decode()
    else:
        chosen, label = sorted((name, value) for name, value in pairs if name in names), "\x1f".join(sorted(names))
    parts = "\n".join((address, label, urlencode(chosen)))
    return hashlib.blake2b(parts.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


ALL_NAMES = b"\x00all"  # no parameter is named so: control characters never reach a page's reads
KnownNames = tuple[bool, frozenset[str] | None]  # (noted at all, the names: None for the whole query string)


def names_key(address: str) -> str:
    """Where the query parameters read by ``address``'s page are noted, beside its entries."""
    return hashlib.blake2b(f"{address}\nquery names".encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def read_names_record(entry: Entry | None, ttl: int) -> KnownNames:
    if entry is None or not entry.fresh(ttl, time.time()):
        return False, None
    if entry.body == ALL_NAMES:
        return True, None
    return True, frozenset(name for name in entry.body.decode("utf-8", "surrogatepass").split("\x1f") if name)


def names_record(names: frozenset[str] | None) -> Entry:
    body = ALL_NAMES if names is None else "\x1f".join(sorted(names)).encode("utf-8", "surrogatepass")
    return Entry(time.time(), [], body)


def lookup(cache: PageCache, address: str, pairs) -> tuple[GenerationState | None, Entry | None]:
    """The current generation and the entry stored under it for ``address`` and these query parameters, in
    front of Flask. Raises StoreUnavailable."""
    state, record = cache.store.lookup(names_key(address))
    if state is None:
        return None, None
    return state, _entry(cache, state, read_names_record(record, cache.ttl), address, pairs)


def _entry(cache: PageCache, state: GenerationState, known: KnownNames, address: str, pairs) -> Entry | None:
    """The entry for the values of the parameters noted for ``address``. Knowing nothing of the address keys
    on every parameter: only a page that read them all is stored so."""
    return cache.store.get(state.generation, page_key(address, known[1], pairs))


def _serve_from_cache() -> Response | None:
    if not current_app.config.get("PAGE_CACHE", True) or not _eligible_request():
        return None
    cache = page_cache()
    address = address_key(request, current_font_size())
    try:
        state = cache.state()
        known_names = read_names_record(cache.store.get(state.generation, names_key(address)), cache.ttl)
        entry = _entry(cache, state, known_names, address, request.query_pairs)
    except StoreUnavailable as error:
        _store_trouble(error)
        return None  # rendered, and not stored
    g.page_cache_state, g.page_cache_address, g.page_cache_names = state, address, known_names
    if entry is None or not entry.fresh(cache.ttl, time.time()):
        return None
    g.page_cache_hit = True
    return Response(entry.body, status=200, headers=entry.headers)


def is_hit() -> bool:
    return bool(g.get("page_cache_hit"))


def last_modified() -> datetime | None:
    """Last-Modified of a page rendered now: when the current generation began (None if unknown)."""
    state = g.get("page_cache_state")
    if state is None:
        try:
            state = page_cache().state()
        except StoreUnavailable as error:
            _store_trouble(error)
            return None
    return datetime.fromtimestamp(int(state.changed_at), UTC)


def _store_trouble(error: StoreUnavailable) -> None:
    current_app.logger.warning("Page cache unavailable, pages are rendered: %s", error)


def store(response: Response) -> None:
    """Keep ``response`` for the next visitors; http_cache calls it once it found the answer public."""
    address, state = g.get("page_cache_address"), g.get("page_cache_state")
    if address is None or state is None:
        response.headers[HEADER] = BYPASS
        return
    cache = page_cache()
    known, names = g.page_cache_names
    read = request.query_reads.read_names()
    if known:  # what earlier renderings of the address read, so that their entries are found with this one's
        read = None if names is None or read is None else names | read
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in NOT_STORED_HEADERS]
    entry = Entry(time.time(), headers, response.get_data())
    try:
        if not known or read != names:
            cache.store.put(state.generation, names_key(address), names_record(read), cache.ttl)
        cache.store.put(state.generation, page_key(address, read, request.query_pairs), entry, cache.ttl)
    except StoreUnavailable as error:
        _store_trouble(error)
        response.headers[HEADER] = BYPASS
        return
    response.headers[HEADER] = MISS


def mark_bypass(response: Response) -> None:
    response.headers.setdefault(HEADER, BYPASS)


# --- figures kept for one generation -------------------------------------------------------------------

_MEMO_LOCK = threading.Lock()


def per_generation(name: str, compute):
    """``compute()``, kept in this process until the site's generation changes (any public write, or a
    scheduled publication's moment): for site-wide figures that sum a large table, so a page rendered
    after a cache miss does not sum it again. Exact: the figures can only change with a new generation.
    Only within a request (a command or a test's service call may read what it has not committed yet);
    computed afresh when the generation cannot be read. The value is shared by every later request: plain
    data (numbers, tuples, rows), never ORM objects."""
    if not has_request_context():
        return compute()
    try:
        generation = page_cache().state().generation
    except (StoreUnavailable, KeyError):
        return compute()
    memo = current_app.extensions.setdefault("page_cache_memo", {})
    kept = memo.get(name)
    if kept is not None and kept[0] == generation:
        return kept[1]
    value = compute()
    with _MEMO_LOCK:
        memo[name] = (generation, value)
    return value
