"""gunicorn settings for the charity site: ``gunicorn -c deploy/gunicorn.conf.py app:app``.

Every value can be changed from the environment (the systemd unit reads /etc/charity-site/env):

GUNICORN_BIND         address(es) to listen on, comma-separated (default 127.0.0.1:8000); nginx's
                      ``upstream charity_app`` lists them
GUNICORN_WORKERS      worker processes (default: 2 × CPU cores + 1)
GUNICORN_THREADS      threads per worker (default 1: sync workers, which nginx's buffering suits;
                      more than 1 switches to gthread workers)
GUNICORN_MAX_REQUESTS requests after which a worker is replaced (default 100000; 0: never)
GUNICORN_TIMEOUT      seconds a request may take before its worker is restarted (default 120:
                      the open-data downloads stream the whole ledger)
GUNICORN_ACCESS_LOG   access log file, ``-`` for standard output / the journal (default ``-``)
GUNICORN_PRELOAD      1 (default): the app is loaded once in the master and every worker is forked
                      from it, so replacing a worker (max_requests) takes milliseconds instead of
                      the second a fresh import and create_app take; new code then needs a restart
                      (``systemctl restart``), as a reload (HUP) forks from the code already loaded.
                      0: each worker imports the app itself
FORWARDED_ALLOW_IPS   addresses whose X-Forwarded-Proto gunicorn trusts (default 127.0.0.1,::1:
                      set nginx's address when it runs on another host; the app itself trusts
                      X-Forwarded-For with TRUSTED_PROXIES=1)
"""

import multiprocessing
import os


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]
workers = _number("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _number("GUNICORN_THREADS", 1)
timeout = _number("GUNICORN_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip() != "0"
# A worker is replaced after about 100,000 requests: a safety net against slow memory growth (the
# app's own caches are bounded). Each replacement leaves one worker fewer for up to a tenth of a second
# (gunicorn staggers its spawns), which under a crowd shows as a p99 of 100-200 ms instead of 5 ms;
# without preloading it also imported the app again, a second each time.
max_requests = _number("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = max_requests // 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The client's address as nginx saw it, and the time taken in milliseconds.
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
errorlog = "-"
loglevel = "info"
proc_name = "charity-site"
# No control socket (gunicorn >= 25): systemctl reload/restart manage the server, and the default
# socket, ~/.gunicorn/gunicorn.ctl, is one path for every instance of a user and read-only under
# the unit's ProtectSystem=strict.
control_socket_disable = True
# Worker heartbeats in memory, not on a disk that may be slow or full.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def _freeze_loaded_objects():
    """Move what is loaded now into the garbage collector's permanent generation (as
    charity_site/core/heap.py does for ``python app.py``; written out here because this file also
    runs the bench's bare apps): full collections then skip the ~200,000 objects of a loaded app
    instead of stopping a request for 100-190 ms, and forked workers keep sharing those pages."""
    import gc

    gc.collect()
    gc.freeze()


def pre_fork(server, worker):
    """With the app preloaded, the master freezes what it loaded before forking a worker from it."""
    if preload_app:
        _freeze_loaded_objects()


def post_worker_init(worker):
    """Without preloading, each worker loads the app itself and freezes what it loaded."""
    if not preload_app:
        _freeze_loaded_objects()


def post_fork(server, worker):
    """A forked worker must not share the master's database connections: drop (without closing) any
    the master opened while loading the app, so each worker opens its own."""
    if not preload_app:
        return
    import sys

    app_module = sys.modules.get("app")
    flask_app = getattr(app_module, "app", None)
    if flask_app is None or "sqlalchemy" not in getattr(flask_app, "extensions", {}):
        return
    with flask_app.app_context():
        for engine in flask_app.extensions["sqlalchemy"].engines.values():
            engine.dispose(close=False)
