"""Measure the public pages: median render time and SQL queries per request.

    python bench/pages.py [--requests 50] [--database-url URL] [--page-cache] [--profile PATH] [--no-freeze]

Uses a throwaway SQLite database (or the given URL) loaded with the demo content. The page cache is
off unless --page-cache, so every request renders (what a cache miss costs); --profile prints where
one page's time goes (cProfile, the functions with the most time of their own). After loading, what is
alive is frozen out of full garbage collections as the servers do (charity_site/core/heap.py) unless
--no-freeze; the full collections during the table are reported (count, total, longest).
Numbers are for comparing changes on one machine, not absolute promises.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from charity_site import create_app
from charity_site.config import PROJECT_ROOT
from charity_site.core.heap import freeze_startup_objects
from charity_site.demo_content.loader import load_content
from charity_site.extensions import db

PAGES = ["/", "/projects/", "/projects/zhumeng-weilai-teji", "/news/", "/news/guangzhou-suijiuyi",
         "/disclosures/", "/ledger/", "/funds/", "/about"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url")
    parser.add_argument("--page-cache", action="store_true", help="keep the page cache on (measures hits)")
    parser.add_argument("--profile", metavar="PATH", help="profile this page after the table")
    parser.add_argument("--no-freeze", action="store_true", help="leave start-up objects in the full collections")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": tmp,
                          "PAGE_CACHE": args.page_cache})
        with app.app_context():
            db.drop_all()
            db.create_all()
            load_content(PROJECT_ROOT / "content")
            queries = {"count": 0}
            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: queries.__setitem__("count", queries["count"] + 1))
            client = app.test_client()
            if not args.no_freeze:
                freeze_startup_objects()
            full_collections = FullCollections()
            gc.callbacks.append(full_collections)
            print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KB':>6}")
            for path in PAGES:
                timings = []
                for _ in range(args.requests):
                    queries["count"] = 0
                    start = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                timings.sort()
                p95 = timings[int(len(timings) * 0.95) - 1]
                size = len(response.data) / 1024
                print(f"{path:40} {statistics.median(timings):10.1f} {p95:8.1f} {queries['count']:8d} {size:6.1f}")
            gc.callbacks.remove(full_collections)
            print(f"full garbage collections: {len(full_collections.pauses)}, {sum(full_collections.pauses):.0f} ms in all, "
                  f"longest {max(full_collections.pauses, default=0):.0f} ms"
                  f" ({'start-up objects ' + ('not frozen' if args.no_freeze else 'frozen')})")
            if args.profile:
                profile(client, args.profile, args.requests)
            db.drop_all()


class FullCollections:
    """A gc callback noting how long each full (generation 2) collection took, in ms."""

    def __init__(self):
        self.pauses: list[float] = []
        self.started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self.started) * 1000)


def profile(client, path: str, requests: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    print(f"\n{path}, {requests} requests:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
