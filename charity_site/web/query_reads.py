"""Which query parameters the handling of a request read, so that a stored page is keyed on those alone.

A link shared in WeChat comes back with the app's own parameters (``?from=groupmessage&isappinstalled=0``,
a click time), a campaign link with ``utm_`` ones: the crowd of a fundraising day asks for one page under
many addresses. A page is the same for all of them when it never looked at those parameters, and the
request can tell: it notes every parameter read by name (``args.get``, ``args[...]``, ``getlist``, ``in``).
Anything that could see the query string as a whole counts as reading all of it: iterating or counting
the arguments, ``to_dict``, ``items``, comparing them, the raw ``query_string``, ``full_path`` or ``url``.

The page cache (page_cache.py) keys a stored page on the values of the parameters its rendering read,
and answers a later address with the same values for those parameters from it. That is exact: a page
reads its parameters one after the other, each choice of what to read next made on what it read so far,
so a request agreeing on every parameter the first one read reads the same ones and renders the same page.
``environ["QUERY_STRING"]`` is not watched: nothing here reads it, and nothing may.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Request, has_request_context, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


class QueryReads:
    """The names read, or ``everything``."""

    __slots__ = ("names", "everything")

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.everything = False

    def read_names(self) -> frozenset[str] | None:
        """The names read so far; None when the whole query string may have been seen."""
        return None if self.everything else frozenset(self.names)


def _whole(method_name: str):
    inherited = getattr(ImmutableMultiDict, method_name)

    def whole(self, *args, **kwargs):
        self.reads.everything = True
        return inherited(self, *args, **kwargs)

    whole.__name__ = method_name
    return whole


class RecordingArgs(ImmutableMultiDict):
    """``request.args`` noting what is read (``reads``, shared with the request)."""

    reads: QueryReads

    def __getitem__(self, key):
        self.reads.names.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self.reads.names.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self.reads.names.add(key)
        return super().getlist(key, type)

    def __contains__(self, key) -> bool:
        self.reads.names.add(key)
        return super().__contains__(key)


# Whatever can see more than one named parameter sees them all.
for _method in ("__iter__", "__len__", "__eq__", "__ne__", "__hash__", "__repr__", "__reduce_ex__", "__copy__",
                "__deepcopy__", "keys", "values", "items", "lists", "listvalues", "to_dict", "copy", "deepcopy"):
    setattr(RecordingArgs, _method, _whole(_method))


class QueryReadingRequest(Request):
    """A request whose query string is read through ``args`` by name, and noted (``query_reads``)."""

    @property
    def query_string(self) -> bytes:
        self.query_reads.everything = True
        return self._query_string

    @query_string.setter
    def query_string(self, value: bytes) -> None:
        self._query_string = value

    @cached_property
    def query_reads(self) -> QueryReads:
        return QueryReads()

    def clean_query_text(self, text: str) -> str:
        return text

    @cached_property
    def query_pairs(self) -> tuple[tuple[str, str], ...]:
        """Every (name, value) of the query string, as ``args`` holds them; reading these notes nothing."""
        pairs = parse_qsl(self._query_string.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
        return tuple((self.clean_query_text(name), self.clean_query_text(value)) for name, value in pairs)

    @cached_property
    def args(self) -> RecordingArgs:
        args = RecordingArgs(self.query_pairs)
        args.reads = self.query_reads
        return args


def read_query_pairs() -> list[tuple[str, str]]:
    """The (name, value) pairs of the query parameters this request has read so far (all of them once
    the whole query string was seen): what links back to this page carry, so that they keep a list's
    filters and drop what the page never looked at (a messaging app's parameters)."""
    reads = request.query_reads
    return [(name, value) for name, value in request.query_pairs if reads.everything or name in reads.names]


def read_query_args() -> dict[str, str | list[str]]:
    """``read_query_pairs`` as url_for arguments (a repeated name gives a list)."""
    found: dict[str, list[str]] = {}
    for name, value in read_query_pairs():
        found.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in found.items()}


def path_with_read_query() -> str:
    """This page's path with the query parameters read so far: the "come back here" address of the text
    size switch."""
    if not has_request_context():
        return "/"
    kept = read_query_pairs()
    return f"{request.path}?{urlencode(kept)}" if kept else request.path
