"""Staff pages for uploads: access by role, the upload form, the JSON endpoint and the editor's picker."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import configured_app
from flask import render_template_string
from flask_login import login_user
from PIL import Image
from sqlalchemy import func, select

from charity_site.extensions import db
from charity_site.files import kinds, uploads
from charity_site.files.queries import picker_images
from charity_site.models import Attachment, Role
from charity_site.staff.accounts import create_user

PASSWORD = "lanterns-over-the-river-7"


def image_bytes(fmt: str = "PNG", size=(40, 30), color=(30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


def make_staff(email: str, *roles: Role):
    return create_user(email, PASSWORD, roles or (Role.EDITOR,))


def sign_in(client, email: str, csrf_token: str | None = None):
    data = {"email": email, "password": PASSWORD}
    if csrf_token:
        data["csrf_token"] = csrf_token
    response = client.post("/admin/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def form_data(data: bytes, filename: str, title: str = "活动照片", **extra) -> dict:
    return {"upload-file": (io.BytesIO(data), filename), "upload-title": title, **extra}


def attachment_count() -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


def _rejection(data: bytes, filename: str):
    from werkzeug.datastructures import FileStorage

    with pytest.raises(kinds.UploadRejected) as caught:
        uploads.store_upload(FileStorage(io.BytesIO(data), filename=filename), title="x")
    return caught.value


def _html_text(message: str) -> str:
    return message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace(
        "'", "&#39;")


@pytest.fixture
def editor(app, client):
    make_staff("editor@example.org", Role.EDITOR)
    sign_in(client, "editor@example.org")
    return client


# ---- access ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/uploads/", "/admin/uploads/picker?kind=image"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


def test_anonymous_api_post_is_sent_to_sign_in_and_stores_nothing(client):
    response = client.post("/admin/uploads/api", data=form_data(image_bytes(), "a.png"))
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]
    assert attachment_count() == 0


def test_coordinator_is_forbidden(app, client):
    make_staff("coordinator@example.org", Role.COORDINATOR)
    sign_in(client, "coordinator@example.org")
    assert client.get("/admin/uploads/").status_code == 403
    assert client.get("/admin/uploads/picker").status_code == 403
    assert client.post("/admin/uploads/api", data=form_data(image_bytes(), "a.png")).status_code == 403
    assert attachment_count() == 0


@pytest.mark.parametrize("role", [Role.EDITOR, Role.FINANCE, Role.ADMIN])
def test_editor_finance_and_admin_may_open_the_page(app, client, role):
    make_staff(f"{role.value}@example.org", role)
    sign_in(client, f"{role.value}@example.org")
    response = client.get("/admin/uploads/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in body
    assert 'name="upload-file"' in body and 'type="file"' in body
    assert response.headers["Cache-Control"] == "private, no-store"


# ---- the upload form -------------------------------------------------------------------------------

def test_upload_form_stores_redirects_and_shows_the_markdown(app, editor):
    response = editor.post("/admin/uploads/", data=form_data(image_bytes(size=(800, 200)), "合影.png", "重阳节合影"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/uploads/")
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.title == "重阳节合影"
    assert attachment.uploaded_by_id is not None

    body = editor.get("/admin/uploads/").get_data(as_text=True)
    assert f"![重阳节合影](/uploads/{attachment.stored_name})" in body
    assert f'src="/uploads/thumbs/{attachment.thumbnail_name}"' in body
    assert 'alt="重阳节合影" width="400" height="100"' in body
    assert "合影.png" in body


def test_refused_upload_shows_the_message_next_to_the_field(app, editor):
    response = editor.post("/admin/uploads/", data=form_data(image_bytes(), "report.pdf"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    with app.test_request_context():
        rejection = _rejection(image_bytes(), "report.pdf")
    assert 'class="field-error"' in body
    assert _html_text(rejection.message) in body
    assert attachment_count() == 0


def test_upload_without_title_or_file_is_refused(app, editor):
    response = editor.post("/admin/uploads/", data=form_data(image_bytes(), "a.png", title=""))
    assert response.status_code == 400
    response = editor.post("/admin/uploads/", data={"upload-title": "只有标题"})
    assert response.status_code == 400
    assert attachment_count() == 0


def test_original_name_is_shown_escaped(app, editor):
    editor.post("/admin/uploads/", data=form_data(image_bytes(), "<img src=x onerror=alert(1)>.png", "图"))
    body = editor.get("/admin/uploads/").get_data(as_text=True)
    assert "<img src=x onerror" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in body


@pytest.mark.parametrize("next_url, expected", [
    ("/admin/news/new", "/admin/news/new"),
    ("https://evil.example/steal", "/admin/uploads/"),
    ("//evil.example/steal", "/admin/uploads/"),
])
def test_next_parameter_is_followed_only_on_this_site(app, editor, next_url, expected):
    page = editor.get(f"/admin/uploads/?next={next_url}").get_data(as_text=True)
    assert 'name="upload-next"' in page
    response = editor.post("/admin/uploads/", data=form_data(image_bytes(), "a.png", **{"upload-next": next_url}))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(expected)
    assert "evil.example" not in response.headers["Location"]


def test_flash_carries_the_markdown_when_going_back_to_the_editor(app, editor):
    editor.post("/admin/uploads/", data=form_data(pdf_bytes(), "年报.pdf", "2024年报", **{"upload-next": "/admin/"}))
    attachment = db.session.scalars(select(Attachment)).one()
    body = editor.get("/admin/").get_data(as_text=True)
    assert f"[2024年报](/uploads/{attachment.stored_name})" in body


def test_list_filters_and_pages(app, editor):
    for number in range(25):
        editor.post("/admin/uploads/", data=form_data(image_bytes(), f"p{number}.png", f"图片{number}"))
    editor.post("/admin/uploads/", data=form_data(pdf_bytes(), "r.pdf", "年度报告"))
    first = editor.get("/admin/uploads/").get_data(as_text=True).split('class="upload-grid"')[1]
    assert first.index("年度报告") < first.index("图片24") < first.index("图片2<")
    assert first.count('class="upload-item"') == 24
    assert "?page=2" in first
    second = editor.get("/admin/uploads/?page=2").get_data(as_text=True)
    assert second.count('class="upload-item"') == 2
    pdfs = editor.get("/admin/uploads/?kind=pdf").get_data(as_text=True)
    assert pdfs.count('class="upload-item"') == 1 and "年度报告" in pdfs
    images = editor.get("/admin/uploads/?kind=image").get_data(as_text=True)
    assert "年度报告" not in images


def test_request_over_max_content_length_gets_a_friendly_page(database_url, tmp_path):
    with configured_app(database_url, tmp_path, MAX_CONTENT_LENGTH=4096) as app:
        client = app.test_client()
        make_staff("editor@example.org", Role.EDITOR)
        sign_in(client, "editor@example.org")
        big = bytes(8192)
        response = client.post("/admin/uploads/", data=form_data(big, "huge.png"))
        assert response.status_code == 413
        body = response.get_data(as_text=True)
        with app.test_request_context():
            message = uploads.too_large_message()
        assert _html_text(message) in body
        assert 'name="upload-file"' in body

        api = client.post("/admin/uploads/api", data=form_data(big, "huge.png"))
        assert api.status_code == 413
        assert api.get_json() == {"error": message}
        assert attachment_count() == 0


# ---- the JSON endpoint -----------------------------------------------------------------------------

def test_api_returns_the_markdown(app, editor):
    response = editor.post("/admin/uploads/api", data=form_data(image_bytes(size=(2000, 1000)), "a.png", "义诊现场"),
                           headers={"Accept": "application/json"})
    assert response.status_code == 201, response.get_data(as_text=True)
    payload = response.get_json()
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.content_type == "image/png"
    assert payload == {
        "url": f"/uploads/{attachment.stored_name}",
        "thumbnail_url": f"/uploads/thumbs/{attachment.thumbnail_name}",
        "markdown": f"![义诊现场](/uploads/{attachment.stored_name})",
        "width": 1600,
        "height": 800,
        "title": "义诊现场",
        "content_type": "image/png",
    }


def test_api_refusals_are_json_with_a_message(app, editor):
    html = b"<html><script>alert(1)</script></html>"
    response = editor.post("/admin/uploads/api", data=form_data(html, "photo.png"))
    assert response.status_code == 400
    with app.test_request_context():
        expected = _rejection(html, "photo.png").message
    assert response.get_json() == {"error": expected}

    missing_title = editor.post("/admin/uploads/api", data=form_data(image_bytes(), "a.png", title=""))
    assert missing_title.status_code == 400
    assert missing_title.get_json()["error"]
    assert attachment_count() == 0


def test_api_size_limit_answers_413(database_url, tmp_path):
    with configured_app(database_url, tmp_path, MAX_UPLOAD_BYTES=1024) as app:
        client = app.test_client()
        make_staff("finance@example.org", Role.FINANCE)
        sign_in(client, "finance@example.org")
        noise = io.BytesIO()
        Image.effect_noise((80, 80), 50).convert("RGB").save(noise, "PNG")
        response = client.post("/admin/uploads/api", data=form_data(noise.getvalue(), "noise.png"))
        assert response.status_code == 413
        assert "1 KB" in response.get_json()["error"]


def _token(page: str) -> str:
    match = re.search(r'name="(?:upload-)?csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_api_needs_the_csrf_header_when_csrf_is_on(database_url, tmp_path):
    with configured_app(database_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        make_staff("editor@example.org", Role.EDITOR)
        sign_in(client, "editor@example.org", csrf_token=_token(client.get("/admin/login").get_data(as_text=True)))
        token = _token(client.get("/admin/uploads/").get_data(as_text=True))

        refused = client.post("/admin/uploads/api", data=form_data(image_bytes(), "a.png"))
        assert refused.status_code == 400
        assert refused.get_json()["error"]
        assert attachment_count() == 0

        accepted = client.post("/admin/uploads/api", data=form_data(image_bytes(), "a.png"),
                               headers={"X-CSRFToken": token})
        assert accepted.status_code == 201
        assert accepted.get_json()["markdown"].startswith("![活动照片](/uploads/")


# ---- the picker ------------------------------------------------------------------------------------

def test_picker_fragment_lists_latest_images_with_insert_buttons(app, editor):
    editor.post("/admin/uploads/", data=form_data(image_bytes(), "a.png", "捐赠仪式"))
    editor.post("/admin/uploads/", data=form_data(pdf_bytes(), "r.pdf", "审计报告"))
    response = editor.get("/admin/uploads/picker?kind=image")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    image = db.session.scalars(select(Attachment).where(Attachment.content_type == "image/png")).one()
    assert "<html" not in body and "<body" not in body
    assert f'data-markdown="![捐赠仪式](/uploads/{image.stored_name})"' in body
    assert "插入" in body or "Insert" in body
    assert "审计报告" not in body


def test_picker_fragment_is_capped_at_24(app, editor):
    for number in range(26):
        editor.post("/admin/uploads/", data=form_data(image_bytes(), f"p{number}.png", f"图{number}"))
    body = editor.get("/admin/uploads/picker").get_data(as_text=True)
    assert body.count("data-markdown=") == 24


def test_picker_macro_works_without_javascript(app):
    user = make_staff("editor@example.org", Role.EDITOR)
    with app.test_request_context("/admin/news/new"):
        login_user(user)
        from werkzeug.datastructures import FileStorage

        attachment = uploads.store_upload(FileStorage(io.BytesIO(image_bytes()), filename="a.png"), title="义卖")
        html = render_template_string(
            '{% from "admin/uploads/_picker.html" import image_picker %}{{ image_picker(images) }}'
            '{{ image_picker([], target="text_md", upload=false) }}', images=picker_images(),
        )
    markdown = f"![义卖](/uploads/{attachment.stored_name})"
    assert '<code class="markdown-snippet"' in html and markdown in html
    assert f'data-markdown="{markdown}" hidden' in html
    assert 'data-upload-api="/admin/uploads/api"' in html and 'data-target="body_md"' in html
    assert 'target="_blank"' in html and 'action="/admin/uploads/"' in html
    assert 'name="upload-file"' in html and 'name="upload-title"' in html
    assert 'data-target="text_md"' in html
    assert html.count("<form") == 1


def test_image_picker_script_is_served(client):
    response = client.get("/static/js/image-picker.js")
    assert response.status_code == 200
    assert b"data-upload-api" in response.data


def test_stored_files_stay_under_the_upload_dir(app, editor):
    editor.post("/admin/uploads/", data=form_data(image_bytes(), "../../etc/passwd.png", "图"))
    root = Path(app.config["UPLOAD_DIR"])
    names = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    assert len(names) == 2
    assert all(uploads.STORED_NAME.fullmatch(name.removeprefix("thumbs/")) for name in names)
    assert db.session.scalars(select(Attachment)).one().original_name == "passwd.png"
