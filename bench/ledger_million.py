"""Time the public ledger on a million lines: page 1 and the last page, all funds and one fund.

    python bench/ledger_million.py [--lines 1000000] [--requests 5] [--keep PATH]
    BENCH_DATABASE_URL=postgresql://... python bench/ledger_million.py   # also on PostgreSQL

Lines are generated inside the database (a recursive CTE / generate_series), spread over
6 funds and 4 projects, 200 a day, one in 97 voided. Requests go through the Flask test
client; the figures are medians in milliseconds, for comparing changes on one machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from math import ceil
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy import event, func, select, text

from charity_site import create_app
from charity_site.extensions import db
from charity_site.models import Fund, FundKind, LedgerEntry, Project, PublicationStatus, utcnow

COLUMNS = ("kind, occurred_on, amount_fen, fund_id, project_id, category, channel, counterparty, counterparty_type, "
           "voucher_no, summary, note, voided, void_reason, created_at, updated_at")
VALUES = """
    CASE WHEN x % 3 = 0 THEN 'expense' ELSE 'income' END, {day},
    1000 + ((x % 65536) * 7919) % 500000, :fund0 + x % :funds,
    CASE WHEN x % 4 = 0 THEN NULL ELSE :project0 + x % :projects END,
    CASE WHEN x % 3 = 0 THEN '救助' ELSE '捐赠收入' END, '银行转账', '测试捐赠人',
    CASE WHEN x % 2 = 0 THEN 'person' ELSE 'organisation' END,
    'B-' || x, '批量测试记录' || x, '', x % 97 = 0, CASE WHEN x % 97 = 0 THEN '重复登记' ELSE '' END, :now, :now
"""
SQLITE_FILL = (f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :count) "
               f"INSERT INTO ledger_entries ({COLUMNS}) SELECT "
               + VALUES.format(day="date('2010-01-01', '+' || (x / 200) || ' days')") + " FROM n")
POSTGRES_FILL = (f"INSERT INTO ledger_entries ({COLUMNS}) SELECT "
                 + VALUES.format(day="DATE '2010-01-01' + (x / 200)")
                 + " FROM generate_series(1, :count) AS n(x)")


def fill(lines: int) -> tuple[list[Fund], list[Project]]:
    published = {"status": PublicationStatus.PUBLISHED, "published_at": utcnow() - timedelta(days=1)}
    funds = [Fund(slug=f"bench-fund-{n}", title=f"测试基金{n}", kind=FundKind.COMMUNITY, **published) for n in range(6)]
    db.session.add_all(funds)
    db.session.flush()
    projects = [Project(slug=f"bench-project-{n}", title=f"测试项目{n}", fund_id=funds[0].id, **published)
                for n in range(4)]
    db.session.add_all(projects)
    db.session.commit()
    sql = POSTGRES_FILL if db.engine.dialect.name == "postgresql" else SQLITE_FILL
    started = time.perf_counter()
    db.session.execute(text(sql), {
        "count": lines, "fund0": funds[0].id, "funds": len(funds), "project0": projects[0].id,
        "projects": len(projects), "now": utcnow().replace(tzinfo=None),
    })
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does on a live database: statistics, and the visibility map for index-only scans.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE ledger_entries"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    print(f"  generated {lines:,} lines in {time.perf_counter() - started:.1f} s")
    return funds, projects


def measure(app, label: str, lines: int, requests: int) -> None:
    with app.app_context():
        db.drop_all()
        db.create_all()
        funds, _projects = fill(lines)
        fund = funds[2]
        total = db.session.scalar(select(func.count()).select_from(LedgerEntry))
        in_fund = db.session.scalar(select(func.count()).where(LedgerEntry.fund_id == fund.id))
        db.session.remove()
        queries = {"count": 0}
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: queries.__setitem__("count", queries["count"] + 1))
        client = app.test_client()
        paths = {
            "all lines, page 1": "/ledger/",
            f"all lines, last page ({ceil(total / 50):,})": f"/ledger/?page={ceil(total / 50)}",
            "one fund (balance), page 1": f"/ledger/?fund={fund.slug}",
            f"one fund (balance), last page ({ceil(in_fund / 50):,})": f"/ledger/?fund={fund.slug}&page={ceil(in_fund / 50)}",
            "one fund (balance), middle page": f"/ledger/?fund={fund.slug}&page={ceil(in_fund / 100)}",
            "category filter, page 1": "/ledger/?category=救助",
            "voucher number (index)": "/ledger/?voucher=B-4242",
            "summary words, whole ledger": "/ledger/?q=记录4242",
            "summary words in one fund": f"/ledger/?q=记录4242&fund={fund.slug}",
            "amount range": "/ledger/?min=100&max=120",
            "individuals, income": "/ledger/?party=person&kind=income",
            "no project": "/ledger/?project=none",
            "fund page": f"/funds/{fund.slug}",
            "funds list": "/funds/",
        }
        print(f"{label}: {total:,} lines")
        print(f"  {'request':45} {'median ms':>10} {'max ms':>8} {'queries':>8}")
        for name, path in paths.items():
            timings = []
            for _ in range(requests):
                queries["count"] = 0
                db.session.remove()
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            print(f"  {name:45} {statistics.median(timings):10.0f} {max(timings):8.0f} {queries['count']:8d}")
        db.session.remove()
        db.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL (BENCH_DATABASE_URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [] if args.skip_sqlite else [("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")]
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
        for label, url in targets:
            app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": tmp})
            measure(app, label, args.lines, args.requests)


if __name__ == "__main__":
    main()
