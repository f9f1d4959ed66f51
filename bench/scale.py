"""Every public page on the demo content, then with 100k projects, 1M ledger lines, 100k pledges, 10k funds.

    python bench/scale.py [--projects 100000] [--lines 1000000] [--pledges 100000] [--funds 10000]
                          [--requests 15] [--database-url URL]
    BENCH_DATABASE_URL=postgresql://... python bench/scale.py --skip-sqlite   # PostgreSQL only

The database is a throwaway (SQLite in a temporary folder, or the given PostgreSQL database,
whose public schema is DROPPED). It is made as a new site makes it: `python app.py --migrate-only`
with LOAD_DEMO_CONTENT=1. Each public page's median time is measured on that demo content, then the
generated rows are added beside it (inside the database: a recursive CTE / generate_series, as in
bench/ledger_million.py), `flask search reindex` indexes the new projects, and the same pages are
measured again. The goal (issue #14): every page within 1.5x of its demo time. Requests go through
the Flask test client, one at a time, a fresh database session each, with the page cache off (every
request is rendered: this measures the cache misses); the figures are for comparing changes on one machine.

Downloads (open data, which stream every row by design) are not pages and are left out.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from charity_site import create_app  # noqa: E402
from charity_site.config import normalise_database_url  # noqa: E402
from charity_site.core.public_changes import public_change_now  # noqa: E402
from charity_site.extensions import db  # noqa: E402
from charity_site.models import Disclosure, Fund, NewsPost, Project  # noqa: E402

GOAL = 1.5
APP_ENV_TO_DROP = ("DATABASE_URL", "SECRET_KEY", "CONFIG", "FLASK_ENV", "LOAD_DEMO_CONTENT", "CONTENT_DIR",
                   "UPLOAD_DIR", "REDIS_URL", "INSTANCE_PATH", "LEDGER_IMPORT_DIR", "TRUSTED_PROXIES")


@dataclass(frozen=True)
class Sizes:
    projects: int = 100_000
    lines: int = 1_000_000
    pledges: int = 100_000
    funds: int = 10_000

    def describe(self) -> str:
        return (f"+{self.projects:,} projects, +{self.lines:,} ledger lines, +{self.pledges:,} pledges, "
                f"+{self.funds:,} funds")


# -- making the database --------------------------------------------------------------------------

def app_environment(database_url: str, folder: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in APP_ENV_TO_DROP}
    environment.update({"CONFIG": "development", "DATABASE_URL": database_url, "INSTANCE_PATH": str(folder),
                        "UPLOAD_DIR": str(folder / "uploads"), "PYTHONDONTWRITEBYTECODE": "1"})
    return environment


def reset_postgres(url: str) -> None:
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def new_demo_site(database_url: str, folder: Path) -> None:
    """A database as `python app.py` makes it for a new site: newest migration, demo content, search index."""
    if database_url.startswith("postgres"):
        reset_postgres(database_url)
    subprocess.run([sys.executable, "app.py", "--migrate-only"], cwd=ROOT, check=True, capture_output=True,
                   env={**app_environment(database_url, folder), "LOAD_DEMO_CONTENT": "1"})


def flask_command(database_url: str, folder: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, check=True,
                            capture_output=True, text=True, env=app_environment(database_url, folder))
    return result.stdout.strip()


def _series(dialect: str) -> tuple[str, str]:
    """The numbers 1..:count as n(x): (prefix before INSERT, FROM clause)."""
    if dialect == "postgresql":
        return "", "FROM generate_series(1, :count) AS n(x)"
    return "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :count) ", "FROM n"


def _minutes_before_now(dialect: str) -> str:
    if dialect == "postgresql":
        return "CAST(:now AS timestamp) - x * INTERVAL '1 minute'"
    return "datetime(:now, '-' || x || ' minutes')"


def _days_from_2010(dialect: str, days: str) -> str:
    if dialect == "postgresql":
        return f"DATE '2010-01-01' + ({days})"
    return f"date('2010-01-01', '+' || ({days}) || ' days')"


FUNDS_SQL = """{with_}INSERT INTO funds (kind, area, slug, title, summary, body_md, status, published_at, version,
                                created_at, updated_at)
SELECT 'community', '第' || (x % 277) || '村', 'scale-fund-' || x, '社区慈善基金' || x, '批量生成的测试基金。',
       '批量生成的测试基金，用于测量大数据量下的页面速度。', 'published', {published}, 1, :now, :now {from_}"""

PROJECTS_SQL = """{with_}INSERT INTO projects (category, project_status, budget_fen, beneficiaries, responsible_person,
                                   contact, featured, fund_id, slug, title, summary, body_md, status, published_at,
                                   version, created_at, updated_at)
SELECT CASE x % 6 WHEN 0 THEN '助学支教' WHEN 1 THEN '扶贫济困' WHEN 2 THEN '安老助医' WHEN 3 THEN '社区慈善'
                  WHEN 4 THEN '慈善救助' ELSE '特殊群体关爱' END,
       CASE x % 3 WHEN 0 THEN 'preparing' WHEN 1 THEN 'active' ELSE 'completed' END,
       100000 * (1 + x % 50), x % 200, '', '', x < 0, :fund0 + x % :funds, 'scale-project-' || x,
       '社区助学项目' || x, '批量生成的测试项目。', '批量生成的测试项目，用于测量大数据量下的页面速度。',
       'published', {published}, 1, :now, :now {from_}"""

LEDGER_SQL = """{with_}INSERT INTO ledger_entries (kind, occurred_on, amount_fen, fund_id, project_id, category, channel,
                                         counterparty, counterparty_type, voucher_no, summary, note, voided,
                                         void_reason, created_at, updated_at)
SELECT CASE WHEN x % 3 = 0 THEN 'expense' ELSE 'income' END, {day},
       1000 + ((x % 65536) * 7919) % 500000, :fund0 + x % :funds,
       CASE WHEN x % 4 = 0 THEN NULL ELSE :project0 + x % :projects END,
       CASE WHEN x % 3 = 0 THEN '救助' ELSE '捐赠收入' END, '银行转账', '测试捐赠人',
       CASE WHEN x % 2 = 0 THEN 'person' ELSE 'organisation' END,
       'S-' || x, '批量测试记录' || x, '', x % 97 = 0, CASE WHEN x % 97 = 0 THEN '重复登记' ELSE '' END, :now, :now
{from_}"""

PLEDGES_SQL = """{with_}INSERT INTO pledges (reference, amount_fen, fund_id, project_id, donor_name, display, phone, message,
                                  show_message, wants_receipt, wants_updates, method, received_channel,
                                  receipt_number, consent_at, consent_text_version, status, created_at, updated_at)
SELECT 'SCALE' || x, 10000 + (x * 7919) % 1000000, :fund0 + x % :funds,
       CASE WHEN x % 2 = 0 THEN NULL ELSE :project0 + x % :projects END, '测试捐赠人',
       CASE x % 3 WHEN 0 THEN 'full_name' WHEN 1 THEN 'masked' ELSE 'anonymous' END, '13800000000', '',
       x % 7 = 0, x % 5 = 0, x % 11 = 0, 'bank', '', '', :now, 'v1',
       CASE x % 4 WHEN 0 THEN 'pending' WHEN 1 THEN 'received' WHEN 2 THEN 'cancelled' ELSE 'expired' END,
       :now, :now {from_}"""


def generate(sizes: Sizes) -> dict[str, float]:
    """Add the generated rows beside what is there (in the app context); seconds per table."""
    dialect = db.engine.dialect.name
    with_, from_ = _series(dialect)
    now = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
    published = _minutes_before_now(dialect)
    timings = {}

    def insert(label: str, sql: str, count: int, **params) -> None:
        started = time.perf_counter()
        if count:
            db.session.execute(text(sql.format(with_=with_, from_=from_, published=published,
                                               day=_days_from_2010(dialect, "x / 200"))),
                               {"count": count, "now": now, **params})
            db.session.commit()
        timings[label] = time.perf_counter() - started

    def first_id(model, slug: str) -> int:
        return db.session.scalar(select(func.min(model.id)).where(model.slug.like(slug)))

    insert("funds", FUNDS_SQL, sizes.funds)
    fund0 = first_id(Fund, "scale-fund-%")
    insert("projects", PROJECTS_SQL, sizes.projects, fund0=fund0, funds=sizes.funds)
    project0 = first_id(Project, "scale-project-%")
    refs = {"fund0": fund0, "funds": sizes.funds, "project0": project0, "projects": sizes.projects}
    insert("ledger lines", LEDGER_SQL, sizes.lines, **refs)
    insert("pledges", PLEDGES_SQL, sizes.pledges, **refs)
    return timings


def analyse() -> None:
    """What autovacuum / a long-running SQLite database would have: statistics (and PostgreSQL's visibility map).

    The summary tables are rewritten too: a million lines loaded at once are a million trigger updates of
    their rows, which leave PostgreSQL's fund_money at 57 MB for 10,000 rows (a sum over it: 15 ms instead
    of 1 ms). Lines that arrive over years, with autovacuum between them, leave no such bloat."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM FULL fund_money, project_money"))
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


# -- measuring -----------------------------------------------------------------------------------

def public_pages() -> dict[str, str]:
    """Every public page, named the same on both data sets (in the app context)."""
    def first(model, *order) -> str:
        return db.session.scalar(select(model.slug).where(~model.slug.like("scale-%")).order_by(*order).limit(1))

    project = first(Project, Project.featured.desc(), Project.id)
    fund = first(Fund, Fund.id)
    news = first(NewsPost, NewsPost.published_at.desc())
    disclosure = db.session.scalar(select(func.min(Disclosure.id)))

    def last_page(count_sql: str, per_page: int) -> int:
        return max(1, ceil(db.session.scalar(text(count_sql)) / per_page))

    last_projects = last_page("SELECT count(*) FROM projects WHERE status = 'published'", 12)
    last_funds = last_page("SELECT count(*) FROM funds WHERE status = 'published'", 20)
    last_ledger = last_page("SELECT count(*) FROM ledger_entries", 50)

    pages = {
        "home": "/",
        "projects list": "/projects/",
        "projects list, last page": f"/projects/?page={last_projects}",
        "projects list, one category": "/projects/?category=助学支教",
        "project page": f"/projects/{project}",
        "project QR code": f"/projects/{project}/qr.svg",
        "news list": "/news/",
        "news article": f"/news/{news}",
        "disclosures list": "/disclosures/",
        "disclosure": f"/disclosures/{disclosure}",
        "disclosure, print": f"/disclosures/{disclosure}/print",
        "ledger": "/ledger/",
        "ledger, last page": f"/ledger/?page={last_ledger}",
        "ledger, one fund": f"/ledger/?fund={fund}",
        "funds list": "/funds/",
        "funds list, last page": f"/funds/?page={last_funds}",
        "fund page": f"/funds/{fund}",
        "search": "/search?q=救助",
        "about": "/about",
        "donate": "/donate",
        "volunteer": "/volunteer",
        "open data (the page)": "/open-data/",
        "news feed": "/feeds/news.atom",
        "updates feed": "/feeds/updates.atom",
        "sitemap": "/sitemap.xml",
        "robots.txt": "/robots.txt",
    }
    return pages


def measure(app, requests: int) -> dict[str, tuple[str, float, int]]:
    """Each page's median time over ``requests`` rounds (every page once a round, so a moment of noise on
    the machine touches one request of many pages, not many requests of one), and its size in bytes."""
    with app.app_context():
        pages = public_pages()
    # Requests outside any app context, as a server makes them: each gets its own context, so
    # nothing a request keeps in `g` or in its session serves the next one.
    client = app.test_client()
    for path in pages.values():  # templates compiled, caches of the process warm
        client.get(path)
    timings: dict[str, list[float]] = {name: [] for name in pages}
    sizes: dict[str, int] = {}
    for _round in range(requests):
        for name, path in pages.items():
            started = time.perf_counter()
            response = client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            sizes[name] = len(response.get_data())
    return {name: (path, statistics.median(timings[name]), sizes[name]) for name, path in pages.items()}


def counts() -> str:
    tables = ("projects", "funds", "ledger_entries", "pledges", "search_entries")
    return ", ".join(f"{db.session.scalar(text(f'SELECT count(*) FROM {table}')):,} {table}" for table in tables)


def run(label: str, database_url: str, sizes: Sizes, requests: int, folder: Path) -> list[tuple]:
    print(f"\n== {label}")
    new_demo_site(database_url, folder)
    app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
                      "UPLOAD_DIR": str(folder / "uploads"),
                      # Every page rendered: the page cache would answer a repeated request without any query.
                      "PAGE_CACHE": False})
    with app.app_context():
        print(f"   demo: {counts()}")
        analyse()  # both data sets measured with fresh statistics: a new database has none yet
    demo = measure(app, requests)

    with app.app_context():
        timings = generate(sizes)
        public_change_now()  # rows written with SQL: announced, as `flask cache clear` does
        print("   " + flask_command(database_url, folder, "ledger", "rebuild-totals"))
        started = time.perf_counter()
        db.session.remove()
    reindexed = flask_command(database_url, folder, "search", "reindex")
    reindex_seconds = time.perf_counter() - started
    with app.app_context():
        started = time.perf_counter()
        analyse()
        analyse_seconds = time.perf_counter() - started
        print(f"   scale: {counts()}")
        print("   generated in " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
              + f"; search reindex {reindex_seconds:.0f} s ({reindexed}); analyse {analyse_seconds:.0f} s")
    scale = measure(app, requests)
    with app.app_context():
        db.engine.dispose()

    rows = []
    print(f"   {'page':30} {'demo ms':>9} {'scale ms':>9} {'ratio':>6}        {'demo KB':>8} {'scale KB':>8}  "
          "path on the scale data")
    for name, (_path, demo_ms, demo_bytes) in demo.items():
        scale_path, scale_ms, scale_bytes = scale[name]
        ratio = scale_ms / demo_ms
        verdict = "" if ratio <= GOAL else f"  > {GOAL}x"
        print(f"   {name:30} {demo_ms:9.1f} {scale_ms:9.1f} {ratio:6.2f}{verdict:7} {demo_bytes / 1024:8.1f} "
              f"{scale_bytes / 1024:8.1f}  {scale_path}")
        rows.append((label, name, demo_ms, scale_ms, ratio))
    slow = [row for row in rows if row[4] > GOAL]
    print(f"   {len(rows) - len(slow)} of {len(rows)} pages within {GOAL}x of their demo time")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Sizes()
    parser.add_argument("--projects", type=int, default=defaults.projects)
    parser.add_argument("--lines", type=int, default=defaults.lines)
    parser.add_argument("--pledges", type=int, default=defaults.pledges)
    parser.add_argument("--funds", type=int, default=defaults.funds)
    parser.add_argument("--requests", type=int, default=15, help="requests per page; the median is shown")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (its schema is dropped)")
    parser.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL")
    args = parser.parse_args()
    sizes = Sizes(args.projects, args.lines, args.pledges, args.funds)
    print(f"scale data: {sizes.describe()}; load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")

    postgres = args.database_url or os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_sqlite:
            run("SQLite", f"sqlite:///{folder / 'scale.sqlite3'}", sizes, args.requests, folder)
        if postgres:
            run("PostgreSQL", postgres, sizes, args.requests, folder)
    print(f"load average at the end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
