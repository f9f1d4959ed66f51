"""The page cache in Redis (REDIS_URL): entries and generation shared by every app server.

A hit should not wait for Redis. Each process keeps the entries it has read (by generation) and
the generation itself, which it trusts while Redis has not said it changed: one connection per
process asks Redis to track the generation's key (RESP3 client tracking, BCAST), and Redis pushes a
message on it whenever any server writes that key. Before trusting what it holds, the process
looks for such a message on the socket (a poll, no round trip). When the connection is lost, or
after TRUST_SECONDS whatever happens, the generation is read from Redis again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time

from charity_site.web.page_cache_stores import (
    Entry,
    GenerationState,
    MemoryEntries,
    NextPublication,
    StoreUnavailable,
    next_state,
)

# A bound on how long a generation is trusted without asking, should an invalidation ever be lost
# with a connection that died without closing.
TRUST_SECONDS = 2.0
RETRY_SECONDS = 5.0  # after the tracking connection failed, how long before it is set up again


def _redis_errors(method):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except self.errors as error:
            raise StoreUnavailable(f"page cache store: {error}") from error

    return guarded


def _decoded(generation: bytes | None, changed: bytes | None, upcoming: bytes | None) -> GenerationState | None:
    """The state from the fields of its Redis hash (none yet: None)."""
    if not generation or not changed:
        return None
    return GenerationState(generation.decode(), float(changed), float(upcoming or 0) or None)


class GenerationWatch:
    """The generation this process last read, kept while Redis reports no change to its key."""

    def __init__(self, connection_class: type, connection_kwargs: dict, state_key: str):
        self.connection_class = connection_class
        self.connection_kwargs = connection_kwargs
        self.state_key = state_key
        self._connection = None
        self._pid = None
        self._state: GenerationState | None = None
        self._read_at = 0.0
        self._failed_at = -RETRY_SECONDS
        self._lock = threading.Lock()

    def watching(self) -> bool:
        """Whether Redis is tracking the key for this process (set up before the read it vouches for)."""
        with self._lock:
            return self._connection is not None and self._pid == os.getpid()

    def known(self) -> GenerationState | None:
        """The generation, if nothing may have changed it since it was read; None: ask Redis."""
        with self._lock:
            if self._connection is None or self._pid != os.getpid():
                return None
            try:
                while self._connection.can_read(timeout=0):
                    self._connection.read_response(push_request=True)  # an invalidation (or a flush)
                    self._state = None
            except Exception:  # a lost connection: stop trusting, set it up again later
                self._forget()
                return None
            if self._state is None or time.monotonic() - self._read_at > TRUST_SECONDS:
                return None
            return self._state

    def remember(self, state: GenerationState, read_at: float) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._state, self._read_at = state, read_at

    def start(self) -> None:
        """Ask Redis to tell this process when the generation changes; quietly later if it fails."""
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                return
            self._connection = None  # a parent's connection after a fork: left to the parent, not closed
            if time.monotonic() - self._failed_at < RETRY_SECONDS:
                return
            connection = None
            try:
                connection = self.connection_class(**{**self.connection_kwargs, "protocol": 3})
                connection.connect()
                connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", self.state_key)
                if connection.read_response() not in (b"OK", "OK"):
                    raise RuntimeError("CLIENT TRACKING refused")
            except Exception:  # an old Redis or none: every hit asks Redis, as before
                if connection is not None:
                    connection.disconnect()
                self._failed_at = time.monotonic()
                return
            self._connection, self._pid, self._state = connection, os.getpid(), None

    def _forget(self) -> None:
        connection, self._connection, self._state = self._connection, None, None
        self._failed_at = time.monotonic()
        with contextlib.suppress(Exception):  # already gone
            connection.disconnect()


class RedisStore:
    """Entries and generation in Redis: every app server sees one generation and shares the entries."""

    kind = "redis"

    def __init__(self, url: str, prefix: str, max_entries: int = 10000, max_bytes: int = 64 * 1024 * 1024):
        import redis

        self.redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.errors = redis.RedisError
        self.prefix = prefix
        self.state_key = f"{prefix}state"
        self.local = MemoryEntries(max_entries, max_bytes)  # entries of the current generation already read
        pool = self.redis.connection_pool
        self.watch = GenerationWatch(pool.connection_class, dict(pool.connection_kwargs), self.state_key)
        self._lookup = None

    def read_state(self) -> GenerationState | None:
        known = self.watch.known()
        return known if known is not None else self._read_state()

    @_redis_errors
    def _read_state(self) -> GenerationState | None:
        watching = self._watching()
        read_at = time.monotonic()
        state = _decoded(*self.redis.hmget(self.state_key, ("generation", "changed", "next")))
        if state is not None:
            self._vouch(watching, state, read_at)
        return state

    def _watching(self) -> bool:
        return self.watch.watching()

    def _vouch(self, watching: bool, state: GenerationState, read_at: float) -> None:
        """Keep a generation read while Redis was already tracking it; else start tracking, for the next read."""
        if watching:
            self.watch.remember(state, read_at)
        else:
            self.watch.start()

    @_redis_errors
    def bump(self, now: float, next_publication: NextPublication) -> GenerationState:
        old = self._read_state()
        # HINCRBY is atomic: two servers bumping at once get two counters, whatever their tags.
        counter = self.redis.hincrby(self.state_key, "counter", 1)
        state = next_state(old, now, next_publication)
        state = GenerationState(f"{counter}.{state.generation.split('.', 1)[1]}", state.changed_at,
                                state.next_publication)
        self.redis.hset(self.state_key, mapping={
            "generation": state.generation, "changed": repr(state.changed_at),
            "next": repr(state.next_publication or 0),
        })
        return state

    def _entry_key(self, generation: str, key: str) -> str:
        return f"{self.prefix}page:{generation}:{key}"

    # The generation and the entry under it in one round trip. The page itself only when this process
    # does not hold it under that generation already (ARGV[3]).
    LOOKUP = """
local state = redis.call('HMGET', KEYS[1], 'generation', 'changed', 'next')
if not state[1] or not state[2] then return {false, false, false, false} end
if state[1] == ARGV[3] then return {state[1], state[2], state[3], false, 1} end
return {state[1], state[2], state[3], redis.call('GET', ARGV[1] .. state[1] .. ':' .. ARGV[2])}
"""

    def lookup(self, key: str) -> tuple[GenerationState | None, Entry | None]:
        """The current generation and the entry stored under it for ``key``: with nothing asked of
        Redis when the generation is known and this process holds the page."""
        known = self.watch.known()
        if known is not None:
            entry = self.local.get(known.generation, key)
            if entry is not None:
                return known, entry
        return self._lookup_in_redis(key)

    @_redis_errors
    def _lookup_in_redis(self, key: str) -> tuple[GenerationState | None, Entry | None]:
        if self._lookup is None:
            self._lookup = self.redis.register_script(self.LOOKUP)
        held = self.local.generation_holding(key) or ""
        watching = self._watching()
        read_at = time.monotonic()
        generation, changed, upcoming, data, *held_here = self._lookup(
            keys=[self.state_key], args=[f"{self.prefix}page:", key, held])
        state = _decoded(generation, changed, upcoming)
        if state is None:
            return None, None
        self._vouch(watching, state, read_at)
        if held_here:
            return state, self.local.get(state.generation, key)
        entry = Entry.decode(data) if data else None
        if entry is not None:
            self.local.put(state.generation, key, entry)
        return state, entry

    @_redis_errors
    def get(self, generation: str, key: str) -> Entry | None:
        entry = self.local.get(generation, key)
        if entry is not None:
            return entry
        data = self.redis.get(self._entry_key(generation, key))
        if data is None:
            return None
        entry = Entry.decode(data)
        self.local.put(generation, key, entry)
        return entry

    @_redis_errors
    def put(self, generation: str, key: str, entry: Entry, ttl: int) -> None:
        self.redis.set(self._entry_key(generation, key), entry.encode(), ex=max(1, ttl))
        self.local.put(generation, key, entry)

    @_redis_errors
    def clear(self) -> None:
        self.local.clear()
        batch = []
        for name in self.redis.scan_iter(match=f"{self.prefix}page:*", count=500):
            batch.append(name)
            if len(batch) >= 500:
                self.redis.delete(*batch)
                batch.clear()
        if batch:
            self.redis.delete(*batch)
