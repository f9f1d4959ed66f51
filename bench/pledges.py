"""Pledges per second through the real HTTP stack, none lost; and the time to confirm 1,000 pledges.

    python bench/pledges.py [--database-url URL] [--workers 2] [--clients 16] [--pledges 1000]
                            [--confirm 1000]

Starts the site under gunicorn (deploy/gunicorn.conf.py, CONFIG=production, CSRF on) on a fresh
demo site: SQLite by default, or a throwaway PostgreSQL database (its schema is dropped). Each
client thread plays donors one after another, each with its own session and address (X-Forwarded-For,
TRUSTED_PROXIES=1, so the per-address rate limit applies to each donor as in real life): a donor
opens /donate and submits the form with its CSRF and submission tokens. Then the database must hold exactly one
pledge per 303 answer, with distinct references.

Then, in-process through the staff pages, a statement of --confirm lines (each with a pledge's
reference in its remark) is uploaded, matched, and every match confirmed in one step (the status,
one ledger line and the certificate number of each); both times are reported.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def donor(site: str, client: int, count: int, results: list, errors: list) -> None:
    """``count`` donors one after another on one connection slot, each from its own address and session."""
    opener = urllib.request.build_opener(NoRedirect())
    for number in range(count):
        # Production cookies are Secure: the donor's proxy says the request came over HTTPS, and the
        # session cookie is carried by hand (a cookie jar would not send a Secure cookie over http://).
        headers = {"X-Forwarded-For": f"10.{client}.{number // 250}.{number % 250 + 1}",
                   "X-Forwarded-Proto": "https",
                   "Referer": site.replace("http://", "https://") + "/donate"}  # CSRF over HTTPS checks it
        try:
            answer = opener.open(urllib.request.Request(site + "/donate", headers=headers), timeout=60)
            cookies = [value.split(";", 1)[0] for value in answer.headers.get_all("Set-Cookie") or []]
            if cookies:
                headers["Cookie"] = "; ".join(cookies)
            page = answer.read().decode()
            csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
            designation = re.search(r'<option (?:selected )?value="([^"]+)"', page).group(1)
            form = {"csrf_token": csrf, "submission_token": token, "website": "", "amount_choice": "10000",
                    "designation": designation, "display": "masked", "donor_name": "压测",
                    "phone": f"139{secrets.randbelow(10**8):08d}", "method": "bank", "consent": "y"}
            request = urllib.request.Request(site + "/donate", data=urllib.parse.urlencode(form).encode(),
                                             headers=headers, method="POST")
            try:
                response = opener.open(request, timeout=60)
                status = response.status
            except urllib.error.HTTPError as answer:
                status = answer.code
                if status != 303 and not errors:
                    body = answer.read().decode("utf-8", "replace")
                    found = re.findall(r'class="field-error"[^>]*>([^<]*)<', body)
                    errors.append(f"HTTP {status}: {found or body[:300]}")
            results.append(status)
        except Exception as error:
            errors.append(repr(error))


def count_pledges(database_url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    from charity_site.config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        total, distinct = connection.execute(text("SELECT count(*), count(DISTINCT reference) FROM pledges")).one()
    engine.dispose()
    return int(total), int(distinct)


def confirm_many(database_url: str, count: int) -> tuple[float, float, int]:
    """Match a statement of ``count`` lines (reference in the remark) and confirm them all in one step.

    In-process, through the staff pages (a finance account signed in): (seconds to read and match,
    seconds to confirm, pledges received).
    """
    from sqlalchemy import func

    from charity_site import create_app
    from charity_site.config import normalise_database_url
    from charity_site.core.formatting import local_today
    from charity_site.donations.models import Pledge, PledgeStatus
    from charity_site.extensions import db
    from charity_site.models import Role, StaffRole, StaffUser

    app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
                      "MAIL_OUTBOX_DIR": tempfile.mkdtemp()})
    with app.app_context():
        user = StaffUser(email="bench-finance@example.org", display_name="")
        user.set_password("bench-password-2024")
        user.role_links = [StaffRole(role=Role.FINANCE)]
        db.session.add(user)
        db.session.commit()
        pledges = db.session.execute(db.select(Pledge.reference, Pledge.amount_fen).where(
            Pledge.status == PledgeStatus.PENDING).order_by(Pledge.id).limit(count)).all()
        today = local_today().isoformat()
        csv_text = "交易日期,交易金额,附言\n" + "".join(f"{today},{amount / 100:.2f},认捐 {reference}\n"
                                                      for reference, amount in pledges)
        client = app.test_client()
        client.post("/admin/login", data={"email": user.email, "password": "bench-password-2024"})
        started = time.perf_counter()
        page = client.post("/admin/pledges/statement", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv_text.encode()), "statement.csv"), "channel": "银行转账"})
        matched_at = time.perf_counter()
        keys = re.findall(r'name="match" value="([^"]+)"', page.get_data(as_text=True))
        client.post("/admin/pledges/statement/confirm", data={"match": keys, "channel": "银行转账"})
        confirmed_at = time.perf_counter()
        received = db.session.scalar(db.select(func.count(Pledge.id)).where(Pledge.status == PledgeStatus.RECEIVED))
        db.session.remove()
        db.engine.dispose()
    return matched_at - started, confirmed_at - matched_at, received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (its schema is dropped)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=16, help="donors submitting at the same time")
    parser.add_argument("--pledges", type=int, default=1000, help="pledges in all")
    parser.add_argument("--confirm", type=int, default=1000, help="pledges to confirm afterwards")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(BENCH), str(ROOT / "tests" / "stack")]
    import harness
    import scale

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "logs").mkdir()
        database_url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        scale.new_demo_site(database_url, folder)
        before, _ = count_pledges(database_url)
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("DATABASE_URL", "REDIS_URL", "CONFIG", "FLASK_ENV", "INSTANCE_PATH")}
        environment.update({
            "CONFIG": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
            "ALLOW_SQLITE_IN_PRODUCTION": "1", "UPLOAD_DIR": str(folder / "uploads"), "TRUSTED_PROXIES": "1",
            "INSTANCE_PATH": str(folder), "PYTHONDONTWRITEBYTECODE": "1", "LOAD_DEMO_CONTENT": "0",
            "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        })
        port = harness.free_port()
        process = harness.gunicorn(port, environment, folder / "logs", "site", workers=args.workers)
        site = f"http://127.0.0.1:{port}"
        results: list[int] = []
        errors: list[str] = []
        try:
            per_client = max(1, args.pledges // args.clients)
            threads = [threading.Thread(target=donor, args=(site, n, per_client, results, errors))
                       for n in range(args.clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            harness.stop(process)
        total, distinct = count_pledges(database_url)
        made = sum(1 for status in results if status == 303)
        print(f"database: {database_url.split(':')[0]}; gunicorn {args.workers} workers; {args.clients} donors at once")
        print(f"pledges: {made} answered 303 in {elapsed:.1f} s = {made / elapsed:.1f} pledges/s "
              f"(other answers: {sorted(set(results) - {303}) or 'none'}, errors: {len(errors)})")
        print(f"stored: {total - before} new pledges, {distinct - before} distinct references "
              f"({'none lost' if total - before == made == distinct - before else 'MISMATCH'})")
        if errors:
            print("first error:", errors[0])
        if args.confirm:
            matching, confirming, received = confirm_many(database_url, args.confirm)
            print(f"statement of {min(args.confirm, made)} lines: read and matched in {matching:.1f} s, "
                  f"the ticked matches confirmed in one step in {confirming:.1f} s "
                  f"({received} pledges now received, one ledger line and certificate each)")


if __name__ == "__main__":
    main()
