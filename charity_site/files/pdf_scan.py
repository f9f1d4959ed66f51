"""Find active content in a PDF: scripts, actions that start programs, embedded files.

A disclosure's PDF is opened by donors on their phones and by staff on office computers. A PDF can
carry JavaScript (run by many readers, on opening with /OpenAction or on other events with /AA),
a /Launch action that starts a program, or other files embedded in it. None of that belongs in a
public report, so such a file is refused at upload (files/uploads.py says why, in Chinese).

What is checked: every PDF name (``/JavaScript``, ``/JS``, ``/Launch``, ``/EmbeddedFile(s)``,
``/RichMedia``, ``/XFA``, also when spelt with ``#xx`` escapes such as ``/J#61vaScript``) in the
file's objects, and in the objects packed into Flate-compressed object streams (``/Type /ObjStm``,
which PDF 1.5+ writers use for most dictionaries). An /OpenAction that only opens a page (the usual
``/OpenAction [3 0 R /Fit]``) is not active content; one that runs a script names /JS or /JavaScript
and is refused as such.

What is not checked, honestly: the bytes of other streams (page contents, images, fonts) are skipped,
because random image data would otherwise match a three-byte name now and then; object streams
compressed with another filter than FlateDecode alone, and those of encrypted PDFs, cannot be read
without a full PDF parser and decryption, so names hidden there are not seen. This is a filter for
the usual cases, not a PDF sanitiser.
"""

from __future__ import annotations

import re
import zlib

SCRIPT, LAUNCH, EMBEDDED = "script", "launch", "embedded"

ACTIVE_NAMES = {
    b"JavaScript": SCRIPT,
    b"JS": SCRIPT,
    b"XFA": SCRIPT,  # XML forms, which carry their own scripts
    b"Launch": LAUNCH,
    b"EmbeddedFile": EMBEDDED,
    b"EmbeddedFiles": EMBEDDED,
    b"RichMedia": EMBEDDED,  # Flash and video players
}

# A PDF name: a slash, then regular characters up to whitespace or a delimiter (PDF 32000-1, 7.3.5).
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb"\bstream(?:\r\n|\n|\r)")
_END_STREAM = b"endstream"
DICTIONARY_WINDOW = 2048  # how far before "stream" its dictionary is looked for
MAX_INFLATED_BYTES = 32 * 1024 * 1024  # per file: a zip bomb must not exhaust memory


def _names(data: bytes) -> set[bytes]:
    found = set()
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), name)
        found.add(name)
    return found


def _inflate(data: bytes, budget: int) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, budget)
    except zlib.error:
        return b""


def _is_flate_object_stream(before_stream: bytes) -> bool:
    """Whether the dictionary just before a stream makes it a Flate-compressed object stream.

    Other filters, and encryption, make the inflating fail: such a stream is then not read.
    """
    dictionary = before_stream[before_stream.rfind(b"obj"):]
    names = _names(dictionary)
    return b"ObjStm" in names and b"FlateDecode" in names


def active_content(data: bytes) -> set[str]:
    """The kinds of active content (SCRIPT, LAUNCH, EMBEDDED) that the PDF ``data`` names."""
    names: set[bytes] = set()
    budget = MAX_INFLATED_BYTES
    position = 0
    while True:
        start = _STREAM_START.search(data, position)
        outside = data[position:start.start() if start else len(data)]
        names |= _names(outside)
        if start is None:
            break
        end = data.find(_END_STREAM, start.end())
        end = len(data) if end < 0 else end
        if budget > 0 and _is_flate_object_stream(outside[-DICTIONARY_WINDOW:]):
            inflated = _inflate(data[start.end():end], budget)
            budget -= len(inflated)
            names |= _names(inflated)
        position = end + len(_END_STREAM)
    return {ACTIVE_NAMES[name] for name in names if name in ACTIVE_NAMES}
