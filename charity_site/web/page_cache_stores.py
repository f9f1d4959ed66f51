"""Where the page cache keeps its entries and the site-wide generation.

- ``LocalStore``: entries in this process (a bounded, thread-safe LRU), the generation in a small file
  that every process of the machine reads (gunicorn's workers, the CLI): one ``os.stat`` a request,
  the file read again only when it changed.
- ``RedisStore`` (page_cache_redis.py): entries and generation in Redis, shared by every server.

The generation is a counter plus a random tag, written whole: two processes bumping at once can both
write "8", yet their tags differ, so an entry stored under one of them is never taken for the other's.
Next to it: when it changed (Last-Modified of the pages rendered under it) and the next scheduled
publication (when it must change by itself).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

NextPublication = Callable[[float], float | None]


class StoreUnavailable(RuntimeError):
    """The shared store (Redis) cannot be reached: pages are rendered, not stored."""


@dataclass(frozen=True)
class GenerationState:
    generation: str
    changed_at: float  # epoch seconds
    next_publication: float | None = None  # epoch seconds

    @property
    def counter(self) -> int:
        return int(self.generation.split(".", 1)[0])

    def encode(self) -> str:
        return f"{self.generation} {self.changed_at!r} {self.next_publication or 0!r}\n"

    @classmethod
    def decode(cls, text: str) -> GenerationState | None:
        try:
            generation, changed, upcoming = text.split()
            int(generation.split(".", 1)[0])
            return cls(generation, float(changed), float(upcoming) or None)
        except ValueError:
            return None


def next_state(old: GenerationState | None, now: float, next_publication: NextPublication) -> GenerationState:
    """The state after a bump: counter + 1 with a new tag, a later whole second, the next publication."""
    counter = old.counter + 1 if old else 1
    # Each generation gets its own whole second (HTTP dates have no fraction), so If-Modified-Since
    # never takes two generations for one; a burst of bumps runs a few seconds ahead at most.
    changed_at = max(now, math.floor(old.changed_at) + 1) if old else now
    upcoming = next_publication(now)
    if old and old.next_publication and old.next_publication > now:
        # Another process may have computed its value before our commit added an earlier one: keep the earlier.
        upcoming = min(upcoming, old.next_publication) if upcoming else old.next_publication
    return GenerationState(f"{counter}.{secrets.token_hex(4)}", changed_at, upcoming)


@dataclass(frozen=True)
class Entry:
    stored_at: float
    headers: list[tuple[str, str]]
    body: bytes
    # What this process derives from the entry once rather than on every hit (page_cache_wsgi's headers).
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    def fresh(self, ttl: int, now: float) -> bool:
        """Stored less than ``ttl`` seconds before ``now``: an entry older than that is never served."""
        return now - self.stored_at <= ttl

    def encode(self) -> bytes:
        return json.dumps({"at": self.stored_at, "headers": self.headers}).encode() + b"\n" + self.body

    @classmethod
    def decode(cls, data: bytes) -> Entry:
        meta, _newline, body = data.partition(b"\n")
        fields = json.loads(meta)
        return cls(fields["at"], [tuple(pair) for pair in fields["headers"]], body)


class MemoryEntries:
    """A thread-safe LRU bounded by entry count and body bytes; entries of an old generation are dropped."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._generation: str | None = None
        self._lock = threading.Lock()

    def get(self, generation: str, key: str) -> Entry | None:
        with self._lock:
            if generation != self._generation:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def generation_holding(self, key: str) -> str | None:
        """The generation this memory holds ``key`` under, if it holds it."""
        with self._lock:
            return self._generation if key in self._entries else None

    def put(self, generation: str, key: str, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_bytes // 4:
            return  # one page must not push out everything else
        with self._lock:
            if generation != self._generation:
                self._clear()
                self._generation = generation
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


class FileGeneration:
    """The generation in one small file, replaced whole (os.replace), read again only when its stat changes."""

    def __init__(self, path: Path):
        self.path = path
        self._seen: tuple | None = None
        self._state: GenerationState | None = None
        self._lock = threading.Lock()

    def read(self) -> GenerationState | None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return None
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if signature != self._seen:
            try:
                state = GenerationState.decode(self.path.read_text(encoding="ascii"))
            except (FileNotFoundError, UnicodeDecodeError):
                return None
            self._seen, self._state = signature, state
        return self._state

    def bump(self, now: float, next_publication: NextPublication) -> GenerationState:
        with self._lock:
            state = next_state(self.read(), now, next_publication)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            temporary.write_text(state.encode(), encoding="ascii")
            os.replace(temporary, self.path)
            return state


class LocalStore:
    """Entries in this process, the generation in a file shared by the machine's processes."""

    kind = "memory"

    def __init__(self, generation_file: Path, max_entries: int, max_bytes: int):
        self.generation = FileGeneration(generation_file)
        self.entries = MemoryEntries(max_entries, max_bytes)

    def read_state(self) -> GenerationState | None:
        return self.generation.read()

    def bump(self, now: float, next_publication: NextPublication) -> GenerationState:
        return self.generation.bump(now, next_publication)

    def get(self, generation: str, key: str) -> Entry | None:
        return self.entries.get(generation, key)

    def lookup(self, key: str) -> tuple[GenerationState | None, Entry | None]:
        """The current generation and the entry stored under it for ``key``."""
        state = self.read_state()
        return state, (self.entries.get(state.generation, key) if state is not None else None)

    def put(self, generation: str, key: str, entry: Entry, ttl: int) -> None:
        self.entries.put(generation, key, entry)

    def clear(self) -> None:
        self.entries.clear()
