"""Requests per second of the public pages under load, as ratios to a ceiling measured in the same run.

    python bench/http.py [--size demo|scale] [--database-url URL] [--mode hit|shared|miss|edit|both|all]
                         [--edit-every 1.0] [--no-nginx] [--duration 5] [--rounds 2] [--connections 16]
                         [--threads 2] [--workers 2] [--page PATH ...]

Starts the site under gunicorn (deploy/gunicorn.conf.py, CONFIG=production) on a fresh data set:
the demo content on SQLite by default (`--size scale` adds bench/scale.py's 100k projects, 1M
ledger lines, 100k pledges, 10k funds; `--database-url` uses a throwaway PostgreSQL database,
whose schema is dropped). Beside it, under the same gunicorn settings, a bare Flask app serves
each page's HTML, fetched once from the site, as a constant string: the framework's ceiling.
With nginx (unless --no-nginx) the shipped deploy/nginx/charity-site.conf runs in front of the
site (TLS, micro-cache) and a second nginx server serves the same HTML as static files: nginx's
ceiling. wrk (Debian's `wrk`) then loads each page, alternating between the targets, and the
table shows req/s, p50 and p99 latency and the ratio to the ceiling of the same page.

Modes:
  hit   the same URL again and again: whatever cache exists serves it (nginx's micro-cache;
        the app's own page cache once it exists).
  shared  every request a URL never seen before, as a crowd from a link shared in WeChat arrives:
        the link's address with the app's parameters, a unique one each time
        (?from=groupmessage&isappinstalled=0&clicktime=...). nginx's micro-cache, keyed on the URL,
        cannot answer; the app's page cache can when the page does not read those parameters.
        `flask cache clear` runs before each such run, so its first request renders.
  miss  every request rendered: the same site started beside the first with its page cache off
        (PAGE_CACHE=0), what each request would cost if it were the first view after an edit.
        Not run through nginx (its micro-cache would answer). Beside it, the issue's comparison:
        a naive page, a bare Flask-SQLAlchemy app on the same database that answers every path
        with three queries (the project, its ledger total, the latest news) in a small template,
        its ratio taken against the same page's ceiling.
  edit  the same URL again and again while, beside the crowd, a gift to the bench's project is
        recorded in the ledger (a public change, committed as staff would) every --edit-every
        seconds: each one makes every stored page out of date, so the next view of each page after
        it is rendered. The fundraising day: a crowd on one page while the money comes in.
`both` is hit and miss; `all` (the default) is all four.

Goals (issue #14): anonymous pages (cache hit) >= 0.8 of the ceiling with p99 <= 50 ms at 16
connections; cache miss >= 0.3; behind nginx >= 0.7 of nginx serving the page as a static file.
"""

# This file is named http.py, as issue #14 asks, which is also the name of a standard-library
# package: a script run from bench/ (python bench/x.py) has bench/ first on sys.path, so `import
# http` anywhere in it (werkzeug, urllib, gunicorn) finds this file. Imported under that name, it
# puts the standard library's package in its place; nothing below runs anything on import.
if __name__ == "http":
    import importlib.machinery as _machinery
    import importlib.util as _util
    import os as _os
    import sys as _sys

    _here = _os.path.dirname(_os.path.abspath(__file__))
    _spec = _machinery.PathFinder.find_spec(
        "http", [entry for entry in _sys.path if _os.path.abspath(entry or ".") != _here])
    _stdlib_http = _util.module_from_spec(_spec)
    _sys.modules["http"] = _stdlib_http
    _spec.loader.exec_module(_stdlib_http)

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_PAGES = ("/", "/projects/{project}", "/ledger/")
REDIS_URL = "redis://127.0.0.1:6379/5"

CEILING_APP = '''"""The ceiling: a bare Flask app returning each page's HTML as a constant string."""
import json

from flask import Flask, Response

PAGES = json.loads(open({pages!r}, encoding="utf-8").read())
app = Flask(__name__)


@app.get("/", defaults={{"path": ""}})
@app.get("/<path:path>")
def page(path):
    return Response(PAGES["/" + path], mimetype="text/html")
'''

STATIC_SERVER = """
server {{
    listen 127.0.0.1:{port} ssl http2;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:bench_static_tls:10m;
    access_log {log} charity;
    root {root};
    default_type text/html;
    location / {{
        try_files $uri $uri/index.html =404;
    }}
}}
"""

SHARED_SCRIPT = """-- every request a link shared in WeChat, opened once: the app's parameters, a unique click each time
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. separator .. "from=groupmessage&isappinstalled=0&clicktime={run}"
                    .. thread_id .. "-" .. counter)
end
"""


NAIVE_APP = '''"""The naive page: plain uncached Flask-SQLAlchemy, three queries and a small template, whatever the path."""
from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = {database_url!r}
db = SQLAlchemy(app)
PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{{{{ project.title }}}}</title></head>
<body><h1>{{{{ project.title }}}}</h1><p>{{{{ project.summary }}}}</p><p>已收到 {{{{ "%.2f" % (income / 100) }}}} 元</p>
<ul>{{% for post in news %}}<li>{{{{ post.title }}}} {{{{ post.published_at }}}}</li>{{% endfor %}}</ul></body></html>"""


@app.get("/", defaults={{"path": ""}})
@app.get("/<path:path>")
def page(path):
    project = db.session.execute(text("SELECT id, title, summary FROM projects WHERE slug = :slug"),
                                 {{"slug": {slug!r}}}).one()
    income = db.session.execute(text("SELECT coalesce(sum(amount_fen), 0) FROM ledger_entries "
                                     "WHERE project_id = :id AND kind = 'income'"), {{"id": project.id}}).scalar()
    news = db.session.execute(text("SELECT title, published_at FROM news_posts ORDER BY published_at DESC LIMIT 5")).all()
    return render_template_string(PAGE, project=project, income=income, news=news)
'''
NAIVE = "naive page (3 queries)"


# Run with the site's environment: records a gift of ¥100 to the bench's project, booked to its fund,
# every N seconds, each in its own unit of work as a staff member's ledger form would; prints the count
# so far after each.
EDITOR = """
import sys, time
from datetime import date

from sqlalchemy import select

from charity_site import create_app
from charity_site.core.transaction import transaction
from charity_site.extensions import db
from charity_site.finance.ledger import record_entry
from charity_site.finance.models import CounterpartyType, EntryKind, Fund
from charity_site.projects.models import Project

slug, every = sys.argv[1], float(sys.argv[2])
app = create_app()
with app.app_context():
    project = db.session.scalar(select(Project).where(Project.slug == slug))
    fund_id = project.fund_id or db.session.scalar(select(Fund.id).order_by(Fund.id).limit(1))
    line = {"kind": EntryKind.INCOME, "fund_id": fund_id, "project_id": project.id, "category": "捐赠收入",
            "channel": "银行转账", "counterparty": "爱心人士", "counterparty_type": CounterpartyType.PERSON,
            "voucher_no": None, "summary": "网络捐赠（压力测试）", "note": ""}
    db.session.rollback()
    print("ready", flush=True)
    count = 0
    while True:
        started = time.monotonic()
        with transaction():
            record_entry({**line, "occurred_on": date.today(), "amount_fen": 100_00})
        count += 1
        print(count, flush=True)
        time.sleep(max(0.0, every - (time.monotonic() - started)))
"""


class Editor:
    """The editing process beside a run: started before wrk, stopped after; counts its public changes."""

    def __init__(self, environment: dict, slug: str, every: float):
        self.process = subprocess.Popen([sys.executable, "-c", EDITOR, slug, str(every)], cwd=ROOT, env=environment,
                                        stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            self.process.kill()
            raise RuntimeError("the editor did not start: see its error above")

    def stop(self) -> int:
        self.process.terminate()
        output, _ = self.process.communicate(timeout=30)
        counts = [int(line) for line in output.split() if line.isdigit()]
        return counts[-1] if counts else 0


@dataclass
class Result:
    requests_per_second: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    errors: int = 0
    edits: int = 0

    def add(self, run: dict) -> None:
        self.requests_per_second.append(run["rps"])
        self.p50_ms.append(run["p50"])
        self.p99_ms.append(run["p99"])
        self.errors += run["errors"]

    @property
    def rps(self) -> float:
        return statistics.mean(self.requests_per_second)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # wrk prints e.g. 812.00us, 1.20ms
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def wrk(url: str, args, script: Path | None = None, headers: tuple[str, ...] = ()) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    if "Latency Distribution" not in output or not re.search(r"^\s+99%", output, re.MULTILINE):
        raise RuntimeError(f"wrk gave no latency distribution for {url}:\n{output}")
    distribution = output.split("Latency Distribution", 1)[1]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _milliseconds(re.search(r"^\s+50%\s+(\S+)\s*$", distribution, re.MULTILINE).group(1)),
        "p99": _milliseconds(re.search(r"^\s+99%\s+(\S+)\s*$", distribution, re.MULTILINE).group(1)),
        "errors": errors,
    }


def fetch(url: str, context=None) -> tuple[int, bytes, dict]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=900, context=context) as response:
        return response.status, response.read(), dict(response.headers)


def drain(site: str) -> None:
    """Wait until the site has finished the requests wrk left behind when it stopped: sync workers
    still render every request they accepted, and the next run must not queue behind them."""
    fetch(site + "/robots.txt")


def has_cache_command(environment: dict) -> bool:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "cache", "clear", "--help"], cwd=ROOT,
                            env=environment, capture_output=True, text=True)
    return result.returncode == 0


def clear_app_cache(environment: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "cache", "clear"], cwd=ROOT, env=environment,
                   check=True, capture_output=True)


def redis_url() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return REDIS_URL
    except Exception:
        return None


def prepare_data(args, folder: Path) -> str:
    """A fresh database with the demo content (and the scale data); returns its URL."""
    import scale

    database_url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    started = time.perf_counter()
    scale.new_demo_site(database_url, folder)
    if args.size == "scale":
        from charity_site import create_app
        from charity_site.config import normalise_database_url
        from charity_site.extensions import db

        app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url)})
        with app.app_context():
            scale.generate(scale.Sizes())
            db.session.remove()
            scale.flask_command(database_url, folder, "search", "reindex")
            scale.analyse()
            db.engine.dispose()
    print(f"data: {args.size} on {database_url.split(':')[0]}, ready in {time.perf_counter() - started:.0f} s")
    return database_url


def demo_project(database_url: str) -> str:
    """The first featured project of the demo content (the same page on every data size)."""
    from sqlalchemy import create_engine, text

    from charity_site.config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        slug = connection.scalar(text("SELECT slug FROM projects WHERE slug NOT LIKE 'scale-%' AND status = 'published' "
                                      "ORDER BY featured DESC, id LIMIT 1"))
    engine.dispose()
    return slug


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("demo", "scale"), default="demo")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (its schema is dropped)")
    parser.add_argument("--mode", choices=("hit", "shared", "miss", "edit", "both", "all"), default="all",
                        help="both: hit and miss; all (the default): hit, shared, miss and edit")
    parser.add_argument("--edit-every", type=float, default=1.0,
                        help="seconds between the public changes of an edit run (default 1)")
    parser.add_argument("--no-redis", action="store_true",
                        help="the one-server default: page cache and rate limits in each process, no Redis")
    parser.add_argument("--no-nginx", action="store_true", help="only the app and the Flask ceiling")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs per target and page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for the site and the ceiling")
    parser.add_argument("--page", action="append", help="a path to load (default: / , a project page, /ledger/)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    use_nginx = not args.no_nginx
    if use_nginx and (shutil.which("nginx") is None or shutil.which("openssl") is None):
        sys.exit("nginx and openssl are needed (apt-get install -y nginx), or run with --no-nginx")

    sys.path[:0] = [str(ROOT), str(BENCH), str(ROOT / "tests" / "stack")]
    import harness

    print(f"load average at start: {load_average()} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "logs").mkdir()
        database_url = prepare_data(args, folder)
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("DATABASE_URL", "REDIS_URL", "CONFIG", "FLASK_ENV", "INSTANCE_PATH")}
        environment.update({
            "CONFIG": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
            "ALLOW_SQLITE_IN_PRODUCTION": "1", "UPLOAD_DIR": str(folder / "uploads"), "TRUSTED_PROXIES": "1",
            "INSTANCE_PATH": str(folder), "PYTHONDONTWRITEBYTECODE": "1",
        })
        if redis_url() and not args.no_redis:
            environment["REDIS_URL"] = REDIS_URL
        cache_command = has_cache_command(environment)
        if cache_command:  # Redis outlives a run: pages stored by an earlier run (other data) must not answer
            clear_app_cache(environment)
        processes, nginx = [], None
        try:
            site_port, ceiling_port = harness.free_port(), harness.free_port()
            processes.append(harness.gunicorn(site_port, environment, folder / "logs", "site", workers=args.workers))
            site = f"http://127.0.0.1:{site_port}"

            project = demo_project(database_url)
            pages = [page.format(project=project) for page in (args.page or DEFAULT_PAGES)]
            bodies = {}
            static_root = folder / "static-pages"
            for page in pages:
                status, body, _headers = fetch(site + page)
                assert status == 200, (page, status)
                bodies[page] = body.decode()
                target = static_root / page.lstrip("/")
                target = target / "index.html" if page.endswith("/") else target
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
            (folder / "pages.json").write_text(json.dumps(bodies, ensure_ascii=False), encoding="utf-8")
            (folder / "ceiling").mkdir()
            (folder / "ceiling" / "ceiling_app.py").write_text(
                CEILING_APP.format(pages=str(folder / "pages.json")), encoding="utf-8")
            processes.append(harness.gunicorn(ceiling_port, {**environment, "PYTHONPATH": str(folder / "ceiling")},
                                              folder / "logs", "ceiling", workers=args.workers,
                                              app="ceiling_app:app", cwd=folder / "ceiling"))
            ceiling = f"http://127.0.0.1:{ceiling_port}"

            targets = {"ceiling (bare Flask)": (ceiling, None), "site": (site, None)}
            modes = {"both": ["hit", "miss"], "all": ["hit", "shared", "miss", "edit"]}.get(args.mode, [args.mode])
            uncached = None
            if "miss" in modes:
                uncached_port, naive_port = harness.free_port(), harness.free_port()
                processes.append(harness.gunicorn(uncached_port, {**environment, "PAGE_CACHE": "0"}, folder / "logs",
                                                  "site-uncached", workers=args.workers))
                uncached = f"http://127.0.0.1:{uncached_port}"
                from charity_site.config import normalise_database_url

                (folder / "naive").mkdir()
                (folder / "naive" / "naive_app.py").write_text(
                    NAIVE_APP.format(database_url=normalise_database_url(database_url), slug=project), encoding="utf-8")
                processes.append(harness.gunicorn(naive_port, {**environment, "PYTHONPATH": str(folder / "naive")},
                                                  folder / "logs", "naive", workers=args.workers,
                                                  app="naive_app:app", cwd=folder / "naive"))
                naive = f"http://127.0.0.1:{naive_port}"
                status, body, _headers = fetch(naive + "/")
                assert status == 200 and "元" in body.decode(), (status, body[:200])
                targets[NAIVE] = (naive, None)
            if use_nginx:
                cert, key = harness.self_signed_certificate(folder)
                https_port, static_port = harness.free_port(), harness.free_port()
                site_config = harness.render_site(harness.SiteValues(
                    http_port=harness.free_port(), https_port=https_port, app_servers=[f"127.0.0.1:{site_port}"],
                    static_dir=ROOT / "static", upload_dir=folder / "uploads", cache_dir=folder / "nginx-cache",
                    log_dir=folder / "logs", cert=cert, key=key,
                ))
                static_server = STATIC_SERVER.format(port=static_port, cert=cert, key=key, root=static_root,
                                                     log=folder / "logs" / "static.log")
                nginx = harness.Nginx(folder / "nginx", site_config, extra_http=static_server,
                                      worker_processes=os.cpu_count() or 1)
                nginx.start(https_port)
                harness.wait_for_port(static_port, nginx.process)
                import ssl

                unverified = ssl._create_unverified_context()
                for page in pages:
                    assert fetch(f"https://127.0.0.1:{static_port}{page}", unverified)[1].decode() == bodies[page]
                targets["nginx, static file"] = (f"https://127.0.0.1:{static_port}", None)
                targets["nginx + site"] = (f"https://127.0.0.1:{https_port}", None)

            print(f"site: gunicorn, {args.workers} sync workers, CONFIG=production, "
                  f"REDIS_URL {'set' if 'REDIS_URL' in environment else 'not set'}; "
                  f"wrk -t{args.threads} -c{args.connections}, {args.duration} s a run, {args.rounds} rounds")
            print("in-app page cache: " + ("`flask cache clear` found: run before each shared run" if cache_command
                                           else "none found (no `flask cache clear`)"))
            if uncached:
                print("miss runs: the site's second instance, page cache off (PAGE_CACHE=0): every request rendered")
            if "edit" in modes:
                print(f"edit runs: a gift to /projects/{project} recorded every {args.edit_every:g} s during each run")
            results = run_all(args, pages, targets, modes, folder, environment, cache_command, site, project, uncached)
            report(results, pages, modes, use_nginx)
        finally:
            if nginx is not None:
                nginx.stop()
            for process in processes:
                harness.stop(process)
    print(f"load average at the end: {load_average()}")


def run_all(args, pages, targets, modes, folder, environment, cache_command, site, project, uncached) -> dict:
    results: dict[tuple[str, str, str], Result] = {}
    for page in pages:
        wrk_args = argparse.Namespace(**{**vars(args), "duration": 1})
        for base in [base for base, _unused in targets.values()] + ([uncached] if uncached else []):
            wrk(base + page, wrk_args)  # warm up: templates compiled, connections made
            drain(site)
        for _round in range(args.rounds):
            for name, (base, _unused) in targets.items():
                ceiling = name.startswith(("ceiling", "nginx, static")) or name == NAIVE
                for mode in ["hit"] if ceiling else modes:  # a ceiling (and the naive page) answers every URL the same
                    if mode == "miss" and name != "site":
                        continue  # nginx's micro-cache would answer: only the app's rendering is measured
                    script, target = None, uncached if mode == "miss" else base
                    if mode == "shared":
                        script = folder / "shared.lua"
                        script.write_text(SHARED_SCRIPT.replace("{run}", secrets.token_hex(4)), encoding="utf-8")
                        if cache_command:
                            clear_app_cache(environment)
                    result = results.setdefault((page, name, mode), Result())
                    editor, before = None, None
                    if mode == "edit":
                        before = fetch(site + page)[1]
                        editor = Editor(environment, project, args.edit_every)
                    try:
                        result.add(wrk(target + page, args, script))
                    finally:
                        if editor is not None:
                            result.edits += editor.stop()
                    drain(uncached if target == uncached else site)
                    if mode == "edit" and fetch(site + page)[1] == before:
                        raise RuntimeError(f"{page} looks the same after the edits: they did not reach the site")
            print(f"  {page}: round {_round + 1} done (load average {load_average()})", flush=True)
    return results


def report(results, pages, modes, use_nginx) -> None:
    print()
    print(f"{'page':34} {'target':22} {'mode':6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}  errors")
    for page in pages:
        ceilings = {"site": results[(page, "ceiling (bare Flask)", "hit")].rps}
        ceilings[NAIVE] = ceilings["site"]
        if use_nginx:
            ceilings["nginx + site"] = results[(page, "nginx, static file", "hit")].rps
        for (result_page, name, mode), result in results.items():
            if result_page != page:
                continue
            ceiling = ceilings.get(name)
            ratio = f"{result.rps / ceiling:6.2f}" if ceiling else "     -"
            if result.rps:
                latency = f"{statistics.mean(result.p50_ms):8.1f} {statistics.mean(result.p99_ms):8.1f}"
            else:  # not one answer within wrk's 10 s timeout
                latency = f"{'> 10 s':>8} {'> 10 s':>8}"
            edits = f"  ({result.edits} edits)" if mode == "edit" else ""
            shown_mode = "miss" if name == NAIVE else mode  # it renders every request
            print(f"{page[:34]:34} {name:22} {shown_mode:6} {result.rps:9.1f} {latency} {ratio}  "
                  f"{result.errors or ''}{edits}")
    print("ratio: the site's req/s over its ceiling's on the same page: the bare Flask app for the site alone "
          "(and for the naive page, every request rendered like the site's miss), nginx serving the page as a static "
          "file for nginx + site")


if __name__ == "__main__":
    main()
