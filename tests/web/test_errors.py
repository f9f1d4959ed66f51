"""Error pages: shown in the site's layout, never a traceback, and nothing half-saved."""

from __future__ import annotations

import pytest
from conftest import make_app
from demo_samples import settings
from factories import make_page, make_site_settings
from flask import abort, render_template_string
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import select

from charity_site.extensions import db
from charity_site.models import Page

SECRET_DETAIL = "boom-internal-detail-c0ffee"
SETTINGS_FIELDS = ("org_name", "tagline", "address", "phone", "credit_code", "icp_number")


@pytest.fixture
def site(app):
    """The organisation's particulars from content/settings.md, without loading the whole demo."""
    meta = settings()
    make_site_settings(**{key: str(meta[key]) for key in SETTINGS_FIELDS})
    db.session.commit()
    return app


def ui(app, message: str, **values) -> str:
    with app.test_request_context():
        return str(escape(gettext(message, **values)))


def assert_in_site_layout(body: str) -> None:
    assert 'class="site-header"' in body
    assert 'class="main-nav"' in body
    assert 'class="site-footer"' in body
    assert str(escape(settings()["org_name"])) in body


def test_an_exception_in_a_view_gives_the_500_page_and_rolls_the_session_back(app, site):
    @app.get("/test-explodes")
    def explodes():
        make_page(slug="half-saved", title="不应保存的页面")
        raise RuntimeError(SECRET_DETAIL)

    response = app.test_client().get("/test-explodes")
    body = response.get_data(as_text=True)

    assert response.status_code == 500
    assert_in_site_layout(body)
    assert ui(app, "Something went wrong") in body
    assert "Traceback" not in body
    assert SECRET_DETAIL not in body
    assert "RuntimeError" not in body
    assert db.session.scalars(select(Page).where(Page.slug == "half-saved")).first() is None
    db.session.remove()
    assert db.session.scalars(select(Page).where(Page.slug == "half-saved")).first() is None


def test_a_database_error_in_a_view_gives_the_500_page_on_both_backends(app, site):
    @app.get("/test-duplicate")
    def duplicate():
        make_page(slug="duplicate", title="第一次")
        make_page(slug="duplicate", title="重复的页面")
        return "stored"

    response = app.test_client().get("/test-duplicate")
    body = response.get_data(as_text=True)

    assert response.status_code == 500
    assert_in_site_layout(body)
    assert "IntegrityError" not in body
    assert "Traceback" not in body
    assert db.session.scalars(select(Page).where(Page.slug == "duplicate")).first() is None
    assert app.test_client().get("/").status_code == 200


def test_a_database_error_after_the_site_settings_were_read_still_gives_the_500_page(app, site):
    @app.get("/test-explodes-late")
    def explodes_late():
        render_template_string("{{ site.org_name }}")
        make_page(slug="duplicate", title="第一次")
        make_page(slug="duplicate", title="重复")
        return "stored"

    response = app.test_client().get("/test-explodes-late")

    assert response.status_code == 500
    assert_in_site_layout(response.get_data(as_text=True))


def test_a_forbidden_page_is_403_in_the_site_layout(app, site):
    @app.get("/test-forbidden")
    def forbidden():
        abort(403)

    response = app.test_client().get("/test-forbidden")
    body = response.get_data(as_text=True)

    assert response.status_code == 403
    assert_in_site_layout(body)
    assert ui(app, "Access denied") in body


@pytest.mark.parametrize("url", ["/", "/projects/"])
def test_posting_to_a_read_only_page_is_405_in_the_site_layout(app, site, client, url):
    response = client.post(url, data={"x": "1"})
    body = response.get_data(as_text=True)

    assert response.status_code == 405
    assert_in_site_layout(body)
    assert ui(app, "Error %(code)s.", code=405) in body


def test_a_405_response_says_which_methods_the_address_accepts(app, site, client):
    response = client.post("/projects/")

    assert response.status_code == 405
    assert "Allow" in response.headers, "RFC 9110 requires an Allow header on a 405 response"
    assert {method.strip() for method in response.headers["Allow"].split(",")} >= {"GET", "HEAD"}


def test_posting_to_a_read_only_page_is_405_even_with_csrf_protection_on(database_url, tmp_path):
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        try:
            response = app.test_client().post("/projects/")
            assert response.status_code == 405
            assert 'class="site-header"' in response.get_data(as_text=True)
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
