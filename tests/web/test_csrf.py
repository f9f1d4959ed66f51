"""With CSRF protection on (as in production), a POST without the form's token is refused."""

from __future__ import annotations

import re

import pytest
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_user
from sqlalchemy import func, select

from charity_site.extensions import db
from charity_site.models import NewsPost


@pytest.fixture
def csrf_app(database_url, tmp_path):
    with configured_app(database_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        yield app


def token_from(client, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_posts_without_the_token_are_refused(csrf_app):
    make_user("editor@example.org", roles=("editor",))
    client = csrf_app.test_client()
    refused_login = client.post("/admin/login", data={"email": "editor@example.org", "password": DEFAULT_TEST_PASSWORD})
    assert refused_login.status_code == 400

    signed_in = client.post("/admin/login", data={"email": "editor@example.org", "password": DEFAULT_TEST_PASSWORD,
                                                   "csrf_token": token_from(client, "/admin/login")})
    assert signed_in.status_code == 302

    forged = client.post("/admin/news/new", data={"title": "伪造的新闻", "status": "published"})
    assert forged.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(NewsPost)) == 0

    genuine = client.post("/admin/news/new", data={"title": "真实的新闻", "status": "published", "body_md": "",
                                                    "csrf_token": token_from(client, "/admin/news/new")})
    assert genuine.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(NewsPost)) == 1


def test_a_forged_sign_out_is_refused(csrf_app):
    make_user("editor@example.org", roles=("editor",))
    client = csrf_app.test_client()
    client.post("/admin/login", data={"email": "editor@example.org", "password": DEFAULT_TEST_PASSWORD,
                                      "csrf_token": token_from(client, "/admin/login")})
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200
