"""Helpers for browser journeys: a live server in a thread and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

from support import skip_or_fail
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@contextmanager
def live_server(app):
    """Serve ``app`` on a free local port for the duration of the block."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def chromium_page(base_url: str, *, width: int = 360, height: int = 740, user_agent: str | None = None):
    """A Playwright page that records console errors and refuses requests to any other host.

    Yields (page, problems): problems["console"] and problems["outside"] list what went wrong.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed; browser tests skipped")
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} not found (apt-get install -y chromium); browser tests skipped")

    own_host = urlsplit(base_url).netloc
    problems: dict[str, list[str]] = {"console": [], "outside": [], "page_errors": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                      **({"user_agent": user_agent} if user_agent else {}))

        def guard(route):
            url = route.request.url
            if urlsplit(url).netloc != own_host and not url.startswith(("data:", "about:")):
                problems["outside"].append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda message: problems["console"].append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems["page_errors"].append(str(error)))
        try:
            yield page, problems
        finally:
            context.close()
            browser.close()


def sign_in(page, email: str, password: str) -> None:
    """Fill in and send the staff login form the page was redirected to."""
    page.wait_for_url(re.compile(r"/admin/login"))
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@contextmanager
def demo_site(database_url: str, tmp_path, **overrides):
    """The app with the demo content, served on a local port: yields (app, base_url)."""
    from conftest import CONTENT_DIR, configured_app

    from charity_site.core.transaction import transaction
    from charity_site.demo_content.loader import load_content

    with configured_app(database_url, tmp_path, **overrides) as app:
        with transaction():
            assert load_content(CONTENT_DIR).ok
        with live_server(app) as base_url:
            yield app, base_url
