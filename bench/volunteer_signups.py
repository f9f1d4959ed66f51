"""100 people signing up for one shift of 10 places at the same moment, through the real HTTP stack.

    python bench/volunteer_signups.py [--database-url postgresql://...] [--people 100] [--places 10] [--threads 8]

Serves the site with waitress (as `python app.py` does, THREADS worker threads) on a fresh database
(SQLite in a temporary folder, or a throwaway PostgreSQL database whose public schema is dropped),
publishes one opportunity, and lets each person load the sign-up form (session cookie, CSRF and
submission tokens) and then post it, all posts released together. Prints the wall time of the posts
and the count of confirmed and waitlisted sign-ups; capacity must hold and the waitlist be in order.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import logging
import re
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text

from charity_site import create_app
from charity_site.config import normalise_database_url
from charity_site.core.models import PublicationStatus, utcnow
from charity_site.extensions import db
from charity_site.volunteers.models import Opportunity, Shift, Signup, SignupStatus


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-volunteers-"))
    url = normalise_database_url(args.database_url) if args.database_url else f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"CONFIG": "development", "SQLALCHEMY_DATABASE_URI": url, "MAIL_OUTBOX_DIR": str(folder / "outbox"),
                      "VOLUNTEER_SIGNUP_LIMIT": "1000000 per hour", "SECRET_KEY": "bench-only",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.threads + 2}})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        db.create_all()
        now = utcnow()
        opportunity = Opportunity(slug="bench", title="压测活动", location="测试地点",
                                  status=PublicationStatus.PUBLISHED, published_at=now - timedelta(days=1))
        shift = Shift(opportunity=opportunity, task="测试", starts_at=now + timedelta(days=3),
                      ends_at=now + timedelta(days=3, hours=2), capacity=args.places, checkin_token="bench")
        db.session.add_all([opportunity, shift])
        db.session.commit()
        shift_id = shift.id

    import waitress.server

    port = free_port()
    logging.getLogger("waitress").setLevel(logging.ERROR)
    server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=args.threads,
                                           connection_limit=4 * args.people)
    threading.Thread(target=server.run, daemon=True).start()
    form_url = f"http://127.0.0.1:{port}/volunteer/bench/shifts/{shift_id}/signup"

    openers, bodies = [], []
    for number in range(args.people):  # everyone loads the form first, as a person would
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(form_url).read().decode()
        fields = dict(re.findall(r'name="(csrf_token|submission_token)"[^>]*value="([^"]*)"', page))
        fields.update({"name": f"压测{number}", "phone": f"139{number:08d}", "birth_year": "1960", "consent": "y"})
        openers.append(opener)
        bodies.append(urllib.parse.urlencode(fields).encode())

    start, statuses = threading.Barrier(args.people + 1), [None] * args.people

    def post(number: int) -> None:
        start.wait()
        try:
            statuses[number] = openers[number].open(form_url, data=bodies[number]).status
        except urllib.error.HTTPError as error:
            statuses[number] = error.code

    threads = [threading.Thread(target=post, args=(number,)) for number in range(args.people)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    server.close()

    with app.app_context():
        rows = list(db.session.scalars(select(Signup).where(Signup.shift_id == shift_id).order_by(Signup.queue_position)))
        counted = Counter(row.status for row in rows)
        in_order = all(row.status is SignupStatus.SIGNED_UP for row in rows[:args.places])
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{args.people} concurrent sign-ups for {args.places} places on {backend} through waitress "
          f"({args.threads} threads): {elapsed:.2f} s; HTTP {dict(Counter(statuses))}; "
          f"confirmed {counted[SignupStatus.SIGNED_UP]}, waitlisted {counted[SignupStatus.WAITLISTED]}; "
          f"places first-come first-served: {in_order}")
    if counted[SignupStatus.SIGNED_UP] != min(args.places, args.people):
        raise SystemExit("capacity not respected")


if __name__ == "__main__":
    main()
