"""Keeping what a process loads at start-up out of the garbage collector's full passes."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Move every object alive now (modules, the app, its views, forms, statements) into the collector's
    permanent generation, once the app is loaded and before requests are served.

    A full collection walks every object the collector tracks. After start-up a process holds about
    200,000 of them, so every few hundred rendered pages one request stopped for 100-190 ms, which a crowd
    saw as its slowest 1%; with them frozen a full pass walks only what was made since (under 15 ms).
    Forked workers also keep sharing those memory pages instead of each copying the ones the collector
    writes to. Garbage is collected first, so nothing dead is kept.
    """
    gc.collect()
    gc.freeze()
