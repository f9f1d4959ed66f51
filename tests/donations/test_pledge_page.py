"""The donor's private pledge page: its QR codes lead back to it, and only the secret or reference + phone open it."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from factories_donations import BANK_ACCOUNT, giving_ready, make_pledge, open_project
from PIL import Image, ImageDraw

from charity_site.core.formatting import local_today
from charity_site.donations import receiving
from charity_site.donations.models import PaymentMethod


@pytest.fixture
def pledge(app):
    giving_ready()
    return make_pledge(open_project(), phone="13912345678")


def decode(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "no QR code found"
    return results[0].text


def rasterise_svg_qr(svg: str, scale: int = 8) -> Image.Image:
    """Draw the qr_svg path (runs "M x,y h n v1 h-n z") as black modules on white."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, length in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\d+z", svg):
        x, y, length = int(x), int(y), int(length)
        draw.rectangle([x * scale, y * scale, (x + length) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def test_the_pages_qr_image_decodes_to_the_status_address_which_shows_the_pledge(client, pledge):
    """An <img>, so that WeChat's long-press can recognise and save it (it cannot with inline SVG)."""
    page = client.get(f"/pledge/{pledge.access_token}")
    body = page.get_data(as_text=True)
    source = re.search(r'<div class="pledge-qr-code"><img src="([^"]+)"', body).group(1)
    image = client.get(source)

    address = decode(Image.open(io.BytesIO(image.data)))

    assert address == f"http://localhost/pledge/{pledge.access_token}"
    shown = client.get(address.removeprefix("http://localhost")).get_data(as_text=True)
    assert f"data-reference>{pledge.reference}<" in shown
    assert page.headers["Cache-Control"] == "private, no-store"


def test_in_wechat_the_save_button_gives_way_to_long_press_guidance(client, pledge):
    """WeChat saves an image by long-press; its browser does nothing with a download link (site.js swaps them)."""
    body = client.get(f"/pledge/{pledge.access_token}").get_data(as_text=True)

    save = re.search(r"<p([^>]*)><a class=\"button\" href=\"[^\"]+/qr.png\" download", body)
    assert save and "data-wechat-hide" in save.group(1)
    assert '<div class="wechat-note" data-wechat-only hidden><p>要保存这个二维码，请长按上面的二维码' in body


def test_the_png_download_decodes_to_the_same_address(client, pledge):
    response = client.get(f"/pledge/{pledge.access_token}/qr.png")

    assert response.mimetype == "image/png"
    assert decode(Image.open(io.BytesIO(response.data))) == f"http://localhost/pledge/{pledge.access_token}"


def test_bank_transfer_instructions_carry_the_reference_for_the_remark(client, pledge):
    body = client.get(f"/pledge/{pledge.access_token}").get_data(as_text=True)

    assert BANK_ACCOUNT in body
    assert f"请在转账附言中填写认捐编号 {pledge.reference}" in body


@pytest.mark.parametrize("token", ["short", "x" * 32, "wrong-token-wrong-token-wrong-tok"])
def test_without_the_secret_the_page_is_not_found(client, pledge, token):
    assert client.get(f"/pledge/{token}").status_code == 404
    assert client.get(f"/pledge/{token}/qr.png").status_code == 404


def test_reference_and_the_last_four_phone_digits_open_the_page(client, pledge):
    response = client.post("/donate/lookup", data={"reference": pledge.reference.lower(), "phone_last4": "5678"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pledge/{pledge.access_token}")


@pytest.mark.parametrize("reference, digits", [("OWN", "5678"), (None, "1234"), (None, "678"), (None, "")])
def test_a_wrong_reference_or_phone_suffix_opens_nothing(client, pledge, reference, digits):
    response = client.post("/donate/lookup", data={"reference": reference or pledge.reference, "phone_last4": digits})

    assert response.status_code in (400, 404)
    assert pledge.access_token not in response.get_data(as_text=True)
    assert "Location" not in response.headers


def test_lookups_are_rate_limited(app, client, pledge):
    app.config["PLEDGE_LOOKUP_LIMIT"] = "3 per 15 minutes"
    statuses = [client.post("/donate/lookup", data={"reference": pledge.reference, "phone_last4": "0000"}).status_code
                for _ in range(3)]
    right = client.post("/donate/lookup", data={"reference": pledge.reference, "phone_last4": "5678"})

    assert statuses == [404, 404, 404]
    assert right.status_code == 429


def test_once_received_the_page_shows_date_amount_ledger_line_certificate_and_receipt(client, pledge, finance):
    receiving.confirm_receipt(pledge, amount_fen=9_000, received_on=local_today(), channel="银行转账", actor=finance)
    receiving.record_receipt(pledge, "粤财0012345", local_today(), actor=finance)
    from charity_site.extensions import db
    db.session.commit()

    body = client.get(f"/pledge/{pledge.access_token}").get_data(as_text=True)

    assert 'data-status="received"' in body and "已到账" in body
    assert "¥90.00" in body
    assert f"认捐编号{pledge.reference}" in body  # the ledger line's summary
    assert f"捐赠证书 第 {pledge.certificate_label} 号" in body
    assert "粤财0012345" in body
    certificate = client.get(f"/pledge/{pledge.access_token}/certificate").get_data(as_text=True)
    assert "玖拾元整" in certificate and "不是财政部门监制的公益事业捐赠票据" in certificate
    svg = re.search(r"<svg.*?</svg>", certificate, re.S).group(0)  # printed, so inline SVG is right here
    assert decode(rasterise_svg_qr(svg)) == f"http://localhost/verify/{pledge.certificate_label}"


def test_wechat_pay_shows_the_campaigns_collection_code_with_long_press_guidance(app, client):
    giving_ready(collection_code="/files/default-code.png")
    project = open_project(collection_code="/files/project-code.png")
    pledge = make_pledge(project, method=PaymentMethod.WECHAT)

    body = client.get(f"/pledge/{pledge.access_token}").get_data(as_text=True)

    assert 'src="/files/project-code.png"' in body and "长按识别" in body
    assert f"请在付款备注中填写认捐编号 {pledge.reference}" in body
    assert BANK_ACCOUNT not in body


def test_the_pledge_lookup_says_where_the_reference_is(client):
    page = client.get("/donate/lookup").get_data(as_text=True)

    assert "认捐页面和确认邮件上的8位编号，也就是转账附言里填写的编号。" in page
