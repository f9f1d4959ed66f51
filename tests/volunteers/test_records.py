"""Self-service look-up, service history and the 志愿服务记录证明 with its verify page."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

import zxingcpp
from factories_volunteers import VALID_ID, details, make_opportunity
from PIL import Image, ImageDraw

from charity_site.extensions import db
from charity_site.volunteers import attendance, identity, records, signups
from charity_site.volunteers.models import ServiceCertificate


def volunteer_with_hours(minutes=150, **fields):
    shift = make_opportunity(starts_in=timedelta(hours=-1), **fields).shifts[0]
    signup = signups.sign_up(shift, details(1, **({"id_type": identity.RESIDENT_CARD, "id_number": VALID_ID,
                                                   "id_consent": True} if fields.get("requires_id") else {})),
                             now=shift.starts_at - timedelta(days=1))
    attendance.check_in(signup)
    attendance.confirm_hours(shift, {signup.id: minutes})
    db.session.commit()
    return signup


def qr_image_from_svg(svg: str, scale: int = 8) -> Image.Image:
    root = ElementTree.fromstring(svg)
    size = int(root.get("viewBox").split()[2])
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, length in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\d+z", root.find("{http://www.w3.org/2000/svg}path").get("d")):
        x, y, length = int(x), int(y), int(length)
        draw.rectangle([x * scale, y * scale, (x + length) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def test_certificate_numbers_are_unique_and_without_gaps(app):
    signup = volunteer_with_hours()
    numbers = [records.issue_certificate(signup.volunteer).number for _ in range(3)]
    db.session.commit()
    year = numbers[0][:4]
    assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]
    assert db.session.query(ServiceCertificate).count() == 3


def test_a_volunteer_looks_up_their_hours_and_prints_a_certificate_whose_qr_verifies_it(app, client):
    app.config["SITE_URL"] = "https://cishan.example.org"
    signup = volunteer_with_hours(requires_id=True)
    wrong = client.post("/volunteer/me", data={"phone": "13900000001", "code": "WRONGCODE"})
    assert "没有找到与这个手机号和个人码对应的报名" in wrong.get_data(as_text=True)
    assert client.post("/volunteer/me", data={"phone": "123", "code": "X"}).status_code == 400
    assert client.get("/volunteer/me/records").status_code == 302  # not looked up yet
    response = client.post("/volunteer/me", data={"phone": "139 0000 0001", "code": signup.code.lower()})
    assert response.status_code == 302
    page = client.get("/volunteer/me/records").get_data(as_text=True)
    assert 'data-stat="my-hours">2.5<' in page

    issued = client.post("/volunteer/me/certificate")
    assert issued.status_code == 302
    certificate = client.get(issued.headers["Location"]).get_data(as_text=True)
    number = db.session.query(ServiceCertificate).one().number
    assert number in certificate and "测试志愿者1" in certificate and "1101**********002X" in certificate
    assert VALID_ID not in certificate and "2.5 小时" in certificate
    svg = re.search(r"<svg.*?</svg>", certificate, re.S).group(0)
    decoded = zxingcpp.read_barcodes(qr_image_from_svg(svg))
    assert [code.text for code in decoded] == [f"https://cishan.example.org/verify/volunteer/{number}"]

    verify = app.test_client().get(f"/verify/volunteer/{number}").get_data(as_text=True)
    assert number in verify and "测**" in verify and "测试志愿者1" not in verify and "13900000001" not in verify
    assert app.test_client().get(f"/volunteer/me/certificates/{number}").status_code == 404  # someone else
    assert app.test_client().get("/verify/volunteer/2000-999999").status_code == 404


def test_the_look_up_is_rate_limited(app, client):
    app.config["VOLUNTEER_LOOKUP_LIMIT"] = "3 per minute"
    codes = [client.post("/volunteer/me", data={"phone": "13900000001", "code": f"X{n}"}).status_code for n in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_the_record_lookup_says_where_the_personal_code_is_and_sits_under_the_volunteer_menu(client):
    page = client.get("/volunteer/me").get_data(as_text=True)

    assert "报名成功时页面上显示的8位个人码（字母和数字）；如填写了邮箱，确认邮件里也有。" in page
    current = re.findall(r'<li><a href="([^"]+)" aria-current="page" class="is-current">([^<]+)</a></li>', page)
    assert current == [("/volunteer", "志愿服务")]  # the main menu marks where the visitor is
