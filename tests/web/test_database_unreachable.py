"""The database out of reach: pages answer 503 in the site's layout, and the site recovers by itself.

The same app (no restart) meets a database that is not there yet and then is; on PostgreSQL it also
meets one that goes away while the site runs (its connections cut, new ones refused) and comes back.
PostgreSQL is reached through a small switchable TCP relay, so "down" is a real refused connection.
"""

from __future__ import annotations

import socket
import threading
from contextlib import closing, suppress

import pytest
from conftest import make_app, postgres_url, reset_postgres
from factories import login, make_user
from sqlalchemy.engine import make_url

from charity_site.extensions import db


class Relay:
    """Forwards TCP connections to the database while on; while off, refuses new ones and has cut the open ones."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        with closing(socket.socket()) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.listener: socket.socket | None = None
        self.open_sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []

    def on(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.05)
        self.listener = listener
        self._start(self._accept, listener)

    def off(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
        for sock in self.open_sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.open_sockets.clear()
        for thread in self.threads:
            thread.join(timeout=2)
        self.threads.clear()

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(self.target)
            self.open_sockets += [client, upstream]
            self._start(self._pump, client, upstream)
            self._start(self._pump, upstream, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def assert_unavailable(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert 'class="site-header"' in body and 'class="site-footer"' in body
    assert "暂时无法访问" in body
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body


def production_like_app(database_url: str, tmp_path):
    """The test app, but errors are answered as in production instead of being raised into the test."""
    return make_app(database_url, tmp_path, PROPAGATE_EXCEPTIONS=False)


def create_tables(database_url: str, tmp_path) -> None:
    """What an administrator does to bring the database back: from another process, not this app."""
    other = make_app(database_url, tmp_path)
    with other.app_context():
        db.create_all()
        make_user("back@example.org", roles=("admin",))
        db.session.remove()
        db.engine.dispose()


def test_a_database_that_is_not_there_yet_gives_503_until_it_is(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        unreachable = f"sqlite:///{tmp_path / 'not-yet' / 'site.sqlite3'}"  # its folder does not exist yet
        relay = None
    else:
        relay = Relay(make_url(database_url).host, make_url(database_url).port or 5432)
        unreachable = make_url(database_url).set(host="127.0.0.1", port=relay.port).render_as_string(
            hide_password=False)
    app = production_like_app(unreachable, tmp_path)
    client = app.test_client()
    try:
        # pages, a page that does not exist, and a feed
        for url in ("/", "/projects/", "/ledger/", "/admin/login", "/no-such-page", "/disclosures/42",
                    "/feeds/news.atom"):
            assert_unavailable(client.get(url))
        # robots.txt needs no database (its cache headers come from the page cache's generation)
        assert client.get("/robots.txt").status_code == 200

        if relay is None:
            (tmp_path / "not-yet").mkdir()
            create_tables(unreachable, tmp_path)
        else:
            create_tables(database_url, tmp_path)
            relay.on()

        assert client.get("/").status_code == 200
        assert client.get("/projects/").status_code == 200
        assert login(client, "back@example.org").status_code == 302
        assert client.get("/admin/").status_code == 200
    finally:
        if relay is not None:
            relay.off()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def postgresql_url() -> str:
    """PostgreSQL only: an embedded SQLite file cannot go away under the connections open on it."""
    url = postgres_url()
    reset_postgres(url)
    return url


def test_a_postgresql_database_that_goes_away_and_comes_back(postgresql_url, tmp_path):
    database_url = postgresql_url
    relay = Relay(make_url(database_url).host, make_url(database_url).port or 5432)
    relay.on()
    through_relay = make_url(database_url).set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    create_tables(database_url, tmp_path)
    app = production_like_app(through_relay, tmp_path)
    staff, visitor = app.test_client(), app.test_client()
    try:
        assert login(staff, "back@example.org").status_code == 302
        assert visitor.get("/").status_code == 200

        relay.off()  # the database restarts: open connections are cut, new ones refused
        stored = visitor.get("/")  # a page stored in the page cache is still served, without the database
        assert stored.status_code == 200 and stored.headers["X-Page-Cache"] == "hit"
        assert_unavailable(visitor.get("/disclosures/"))
        assert_unavailable(staff.get("/admin/"))  # even the signed-in user cannot be loaded

        relay.on()
        assert visitor.get("/").status_code == 200
        assert staff.get("/admin/").status_code == 200  # still signed in: nothing was lost
    finally:
        relay.off()
        with app.app_context():
            db.engine.dispose()
