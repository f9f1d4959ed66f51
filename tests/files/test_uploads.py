"""Uploads: type by content, images re-encoded without metadata, files served only by their recorded names."""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from pathlib import Path

import pytest
from conftest import configured_app
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from charity_site.extensions import db
from charity_site.files import uploads
from charity_site.files.kinds import UploadRejected
from charity_site.files.uploads import store_upload
from charity_site.models import Attachment, AuditLog

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(fmt: str = "PNG", size=(40, 30), mode: str = "RGB", color=(200, 30, 30), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **options)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    exif[ORIENTATION] = 6  # shown rotated 90° clockwise
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (22.0, 56.0, 30.0)
    gps[3] = "E"
    gps[4] = (113.0, 23.0, 5.0)
    return image_bytes("JPEG", size=(60, 30), exif=exif)


def upload(data: bytes, filename: str, content_type: str = "application/octet-stream") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def attachment_count() -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


def refused(app, data: bytes, filename: str, **kwargs) -> UploadRejected:
    with app.test_request_context(), pytest.raises(UploadRejected) as caught:
        store_upload(upload(data, filename, **kwargs), title="测试")
    assert caught.value.message
    assert attachment_count() == 0
    assert stored_files(app) == []
    return caught.value


# ---- refused by content -------------------------------------------------------------------------

def test_png_renamed_pdf_is_refused_because_the_name_contradicts_the_content(app):
    rejection = refused(app, image_bytes("PNG"), "年度报告.pdf", content_type="application/pdf")
    assert rejection.code == "mismatch"
    assert ".pdf" in rejection.message
    assert rejection.status == 400


def test_pdf_renamed_jpg_is_refused(app):
    assert refused(app, pdf_bytes(), "photo.jpg", content_type="image/jpeg").code == "mismatch"


def test_html_renamed_png_is_refused(app):
    html = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
    assert refused(app, html, "photo.png", content_type="image/png").code == "unsupported"


def test_svg_is_refused(app):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refused(app, svg, "logo.svg", content_type="image/svg+xml").code == "unsupported"
    assert refused(app, svg, "logo.png", content_type="image/png").code == "unsupported"


def test_gif_and_other_formats_are_refused(app):
    assert refused(app, image_bytes("GIF"), "anim.gif").code == "unsupported"
    assert refused(app, b"PK\x03\x04 zip archive", "report.pdf").code == "unsupported"


def test_empty_file_is_refused(app):
    assert refused(app, b"", "empty.png").code == "empty"


def test_missing_file_is_refused(app):
    with app.test_request_context(), pytest.raises(UploadRejected) as caught:
        store_upload(None)
    assert caught.value.code == "missing"


def test_oversized_file_is_refused_with_the_limit_in_the_message(database_url, tmp_path):
    with configured_app(database_url, tmp_path, MAX_UPLOAD_BYTES=2048) as app:
        data = Image.effect_noise((100, 100), 64).convert("RGB")
        buffer = io.BytesIO()
        data.save(buffer, "PNG")
        assert len(buffer.getvalue()) > 2048
        rejection = refused(app, buffer.getvalue(), "noise.png")
        assert rejection.code == "too_large"
        assert rejection.status == 413
        assert "2 KB" in rejection.message


def test_upload_limit_is_10_mb_by_default_and_configurable(database_url, tmp_path):
    with configured_app(database_url, tmp_path) as app:
        assert uploads.max_upload_bytes() == 10 * 1024 * 1024
        assert app.config["MAX_CONTENT_LENGTH"] > uploads.max_upload_bytes()
        app.config["MAX_UPLOAD_BYTES"] = 1000
        assert uploads.max_upload_bytes() == 1000


def test_damaged_image_is_refused(app):
    data = image_bytes("PNG", size=(300, 200), color=(10, 120, 200))
    assert refused(app, data[: len(data) // 2], "broken.png").code == "damaged"
    jpeg = image_bytes("JPEG", size=(300, 200))
    assert refused(app, jpeg[:200], "broken.jpg").code == "damaged"


def test_pdf_without_end_marker_is_refused(app):
    data = pdf_bytes().replace(b"%%EOF", b"%%XXX")
    assert refused(app, data, "report.pdf").code == "damaged"


def forged_pdf(catalog: bytes, *objects: bytes) -> bytes:
    """A small PDF whose catalog (object 1) and further objects are written by hand."""
    body = b"%PDF-1.7\n"
    for number, content in enumerate((catalog, b"<< /Type /Pages /Kids [] /Count 0 >>", *objects), start=1):
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def stream_object(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


CATALOG = b"/Type /Catalog /Pages 2 0 R"


@pytest.mark.parametrize(("pdf", "what"), [
    (forged_pdf(b"<< %s /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>" % CATALOG), "脚本"),
    (forged_pdf(b"<< %s /OpenAction 3 0 R >>" % CATALOG, b"<< /S /J#61vaScript /J#53 (this.print\\(\\)) >>"), "脚本"),
    (forged_pdf(b"<< %s /AA << /O << /S /Launch /F (cmd.exe) >> >> >>" % CATALOG), "启动其他程序"),
    (forged_pdf(b"<< %s /Names << /EmbeddedFiles 3 0 R >> >>" % CATALOG,
                b"<< /Names [(a.exe) << /Type /Filespec /EF << /F 4 0 R >> >>] >>",
                stream_object(b"/Type /EmbeddedFile", b"MZ")), "嵌入的文件"),
    # PDF 1.5+ writers pack dictionaries into compressed object streams: the script hides in one.
    (forged_pdf(b"<< %s /OpenAction 4 0 R >>" % CATALOG,
                stream_object(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode",
                              zlib.compress(b"4 0 << /S /JavaScript /JS (app.launchURL\\(1\\)) >>"))), "脚本"),
], ids=["open-action-script", "hex-escaped-names", "launch", "embedded-file", "script-in-object-stream"])
def test_a_pdf_with_active_content_is_refused_with_what_it_contains(app, pdf, what):
    rejection = refused(app, pdf, "年度报告.pdf")
    assert rejection.code == "active_content" and rejection.status == 400
    assert what in rejection.message and "重新" in rejection.message


def test_a_pdf_that_only_opens_at_a_page_is_accepted_whatever_its_image_bytes_look_like(app):
    # A plain /OpenAction (open at page 1, fit to window), and image data that happens to hold "/JS ".
    pdf = forged_pdf(b"<< %s /OpenAction [3 0 R /Fit] >>" % CATALOG,
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 60 80] >>",
                     stream_object(b"/Type /XObject /Subtype /Image /Width 2 /Height 2", b"\x01/JS /Launch\x02"))
    with app.test_request_context():
        attachment = store_upload(upload(pdf, "年度报告.pdf"), title="年度报告")
    assert attachment.content_type == "application/pdf" and attachment_count() == 1


@pytest.mark.parametrize("size", [(1500, 1000), (3000, 1000)])
def test_decompression_bombs_are_refused(database_url, tmp_path, size):
    with configured_app(database_url, tmp_path, IMAGE_MAX_PIXELS=1_000_000) as app:
        data = image_bytes("PNG", size=size, mode="1", color=0)
        assert len(data) < 20_000
        rejection = refused(app, data, "bomb.png")
        assert rejection.code == "too_many_pixels"
        assert "1000 × 1000" in rejection.message


# ---- stored images ---------------------------------------------------------------------------------

def test_jpeg_exif_and_gps_are_removed_and_orientation_applied(app):
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as source:
        assert source.getexif().get_ifd(GPS_IFD)[1] == "N"
    with app.test_request_context():
        attachment = store_upload(upload(data, "IMG_0001.JPG", "image/jpeg"), title="合影")
    assert attachment.content_type == "image/jpeg"
    assert (attachment.width, attachment.height) == (30, 60)  # rotated upright
    root = Path(app.config["UPLOAD_DIR"])
    for path in (root / attachment.stored_name, root / "thumbs" / attachment.thumbnail_name):
        raw = path.read_bytes()
        assert b"Exif" not in raw and b"PhoneMaker" not in raw
        with Image.open(path) as stored:
            assert stored.format == "JPEG"
            assert len(stored.getexif()) == 0
            assert stored.getexif().get_ifd(GPS_IFD) == {}
            assert "exif" not in stored.info and "xmp" not in stored.info and "icc_profile" not in stored.info


def metadata_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD)[1] = "N"
    return exif


@pytest.mark.parametrize("fmt, filename", [("WEBP", "a.webp"), ("PNG", "a.png")])
def test_webp_and_png_metadata_is_removed(app, fmt, filename):
    from PIL import PngImagePlugin

    options = {"exif": metadata_exif()}
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", "Zhang San 13800000000")
        options["pnginfo"] = text
    else:
        options["xmp"] = b"<x:xmpmeta>GPSLatitude</x:xmpmeta>"
    data = image_bytes(fmt, size=(80, 60), **options)
    assert b"PhoneMaker" in data
    with app.test_request_context():
        attachment = store_upload(upload(data, filename), title="图")
    raw = (Path(app.config["UPLOAD_DIR"]) / attachment.stored_name).read_bytes()
    for secret in (b"PhoneMaker", b"Zhang San", b"xmpmeta", b"Exif"):
        assert secret not in raw
    with Image.open(io.BytesIO(raw)) as stored:
        assert stored.format == fmt
        assert len(stored.getexif()) == 0


def test_sixteen_bit_greyscale_png_keeps_its_tones(app):
    with app.test_request_context():
        attachment = store_upload(upload(image_bytes("PNG", size=(50, 50), mode="I;16", color=32768), "scan.png"),
                                  title="扫描件")
    with Image.open(Path(app.config["UPLOAD_DIR"]) / attachment.stored_name) as stored:
        assert stored.mode == "L"
        assert stored.getpixel((0, 0)) == 128


def test_large_image_is_capped_at_1600_with_a_400_thumbnail(app):
    with app.test_request_context():
        attachment = store_upload(upload(image_bytes("PNG", size=(4000, 1000)), "banner.png"), title="横幅")
    root = Path(app.config["UPLOAD_DIR"])
    with Image.open(root / attachment.stored_name) as stored:
        assert stored.size == (1600, 400)
        assert stored.format == "PNG"
    with Image.open(root / "thumbs" / attachment.thumbnail_name) as thumbnail:
        assert thumbnail.size == (400, 100)
    assert (attachment.width, attachment.height) == (1600, 400)
    assert uploads.thumbnail_size(attachment) == (400, 100)
    data = (root / attachment.stored_name).read_bytes()
    assert attachment.size_bytes == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_image_max_side_comes_from_config(database_url, tmp_path):
    with configured_app(database_url, tmp_path, IMAGE_MAX_SIDE=800) as app, app.test_request_context():
        attachment = store_upload(upload(image_bytes("JPEG", size=(1000, 2000)), "tall.jpg"), title="竖图")
        assert (attachment.width, attachment.height) == (400, 800)


def test_small_image_is_not_enlarged(app):
    with app.test_request_context():
        attachment = store_upload(upload(image_bytes("PNG", size=(120, 80)), "small.png"), title="小图")
    assert (attachment.width, attachment.height) == (120, 80)
    with Image.open(Path(app.config["UPLOAD_DIR"]) / "thumbs" / attachment.thumbnail_name) as thumbnail:
        assert thumbnail.size == (120, 80)


def test_webp_stays_webp_and_png_keeps_transparency(app):
    with app.test_request_context():
        webp = store_upload(upload(image_bytes("WEBP", size=(50, 40)), "pic.webp"), title="webp")
        png = store_upload(upload(image_bytes("PNG", size=(50, 40), mode="RGBA", color=(0, 0, 0, 0)),
                                  "logo.png"), title="logo")
    root = Path(app.config["UPLOAD_DIR"])
    assert webp.content_type == "image/webp" and webp.stored_name.endswith(".webp")
    with Image.open(root / webp.stored_name) as stored:
        assert stored.format == "WEBP"
    with Image.open(root / png.stored_name) as stored:
        assert stored.mode == "RGBA"
        assert stored.getpixel((0, 0))[3] == 0


def test_type_follows_content_when_name_has_no_extension(app):
    with app.test_request_context():
        attachment = store_upload(upload(image_bytes("JPEG"), "微信图片", "text/plain"), title="")
    assert attachment.content_type == "image/jpeg"
    assert attachment.title == "微信图片"


def test_names_are_random_and_original_name_is_metadata(app):
    with app.test_request_context():
        first = store_upload(upload(image_bytes("PNG"), "C:\\fakepath\\捐赠 照片.png"), title="  一张   照片 ")
        second = store_upload(upload(image_bytes("PNG"), "捐赠 照片.png"), title="另一张")
    assert re.fullmatch(r"[0-9a-f]{32}\.png", first.stored_name)
    assert uploads.STORED_NAME.fullmatch(first.thumbnail_name)
    assert first.stored_name != second.stored_name
    assert first.original_name == "捐赠 照片.png"
    assert first.title == "一张 照片"
    assert all("照片" not in path.name for path in stored_files(app))


def test_upload_is_audited(app):
    with app.test_request_context():
        attachment = store_upload(upload(pdf_bytes(), "审计报告.pdf"), title="2024年度审计报告")
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "upload")).one()
    assert entry.object_type == "attachment"
    assert entry.object_id == attachment.id
    assert entry.changes["stored_name"] == [None, attachment.stored_name]


def test_files_are_removed_when_the_database_write_fails(app, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(uploads, "record_audit", broken_audit)
    with app.test_request_context(), pytest.raises(RuntimeError):
        store_upload(upload(image_bytes("PNG"), "photo.png"), title="照片")
    assert stored_files(app) == []
    assert attachment_count() == 0


def test_markdown_escapes_the_title(app):
    with app.test_request_context():
        image = store_upload(upload(image_bytes("PNG"), "a.png"), title="活动[现场]_照片")
        document = store_upload(upload(pdf_bytes(), "b.pdf"), title="2024年度报告")
        assert uploads.markdown_for(image) == f"![活动\\[现场\\]\\_照片](/uploads/{image.stored_name})"
        assert uploads.markdown_for(document) == f"[2024年度报告](/uploads/{document.stored_name})"
    assert document.thumbnail_name is None and document.width is None


# ---- public serving --------------------------------------------------------------------------------

def test_pdf_is_served_inline_as_pdf_with_its_original_name(app, client):
    with app.test_request_context():
        attachment = store_upload(upload(pdf_bytes(), "2024年度审计报告.pdf", "application/pdf"), title="审计报告")
    response = client.get(f"/uploads/{attachment.stored_name}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''2024%E5%B9%B4%E5%BA%A6" in disposition
    assert response.data == pdf_bytes() or response.data.startswith(b"%PDF-")
    assert "immutable" in response.headers["Cache-Control"]

    download = client.get(f"/uploads/{attachment.stored_name}?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.mimetype == "application/pdf"


def test_images_and_thumbnails_are_served_with_their_type_and_a_long_cache(app, client):
    with app.test_request_context():
        attachment = store_upload(upload(image_bytes("WEBP", size=(800, 600)), "p.webp"), title="图")
    for url in (f"/uploads/{attachment.stored_name}", f"/uploads/thumbs/{attachment.thumbnail_name}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "image/webp"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers.get("ETag")
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


@pytest.mark.parametrize("path", [
    "/uploads/../config.py",
    "/uploads/..%2F..%2Fcharity_site%2Fconfig.py",
    "/uploads/%2e%2e%2fsecret_key",
    "/uploads/thumbs/..%2Fsecret_key",
    "/uploads/thumbs/%2e%2e/secret_key",
    "/uploads/....//secret_key",
    "/uploads/" + "0" * 32 + ".png",
    "/uploads/" + "0" * 32 + ".PNG",
    "/uploads/not-a-name.png",
    "/uploads/thumbs/",
])
def test_unknown_and_traversal_names_are_404(app, client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_files_not_in_the_table_and_crossed_folders_are_404(app, client):
    root = Path(app.config["UPLOAD_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    stray = "a" * 32 + ".png"
    (root / stray).write_bytes(image_bytes("PNG"))
    assert client.get(f"/uploads/{stray}").status_code == 404
    with app.test_request_context():
        attachment = store_upload(upload(image_bytes("PNG"), "p.png"), title="图")
    assert client.get(f"/uploads/{attachment.thumbnail_name}").status_code == 404
    assert client.get(f"/uploads/thumbs/{attachment.stored_name}").status_code == 404
