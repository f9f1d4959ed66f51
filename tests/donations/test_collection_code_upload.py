"""Collection code (收款码) images uploaded from the campaign form and the giving settings."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from factories import login
from factories_donations import campaign_values, giving_ready, make_pledge, open_project
from PIL import Image

from charity_site.donations import queries
from charity_site.donations.models import PaymentMethod
from charity_site.extensions import db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (20, 160, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def project(app):
    giving_ready()
    return open_project()


def campaign_form(**changes) -> dict:
    values = campaign_values()
    return {**values, "is_open": "y", "goal_fen": "50000", "starts_on": values["starts_on"].isoformat(),
            "ends_on": values["ends_on"].isoformat(), **changes}


def stored_file(app, address: str) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / address.removeprefix("/uploads/")


def test_an_image_uploaded_on_the_campaign_form_is_shown_on_the_pledge_page(app, client, finance, project):
    login(client, finance.email)

    response = client.post(f"/admin/pledges/campaigns/project/{project.id}",
                           data=campaign_form(collection_code_file=(io.BytesIO(png_bytes()), "收款码.png")),
                           content_type="multipart/form-data")

    assert response.status_code == 303
    address = queries.campaign_of(project=project).collection_code
    assert re.fullmatch(r"/uploads/[\w.-]+", address) and stored_file(app, address).is_file()
    pledge = make_pledge(project, method=PaymentMethod.WECHAT)
    body = client.get(f"/pledge/{pledge.access_token}").get_data(as_text=True)
    assert f'<img class="collection-code" src="{address}"' in body


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


@pytest.mark.parametrize("data, name", [(b"not a picture at all", "收款码.png"), (pdf_bytes(), "收款码.pdf")])
def test_a_non_image_is_refused_in_chinese_and_nothing_changes(app, client, finance, project, data, name):
    login(client, finance.email)

    response = client.post(f"/admin/pledges/campaigns/project/{project.id}",
                           data=campaign_form(collection_code_file=(io.BytesIO(data), name)),
                           content_type="multipart/form-data")

    assert response.status_code == 400
    assert "收款码须为图片：JPEG、PNG 或 WebP。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert queries.campaign_of(project=project).collection_code == ""
    assert not any(Path(app.config["UPLOAD_DIR"]).glob("*.*"))


def test_the_organisation_default_is_uploaded_in_the_giving_settings(app, client, finance, project):
    login(client, finance.email)
    settings = queries.giving_settings()
    form = {"public_fundraising_qualified": "y", "qualification_number": settings.qualification_number,
            "bank_account_name": settings.bank_account_name, "bank_name": settings.bank_name,
            "bank_account_number": settings.bank_account_number, "preset_amounts": "50,100,500,1000",
            "min_amount_fen": "1", "max_amount_fen": "100000", "expire_after_days": "30", "collection_code": "",
            "collection_code_file": (io.BytesIO(png_bytes()), "默认收款码.png")}

    response = client.post("/admin/pledges/settings", data=form, content_type="multipart/form-data")

    assert response.status_code == 303
    address = queries.giving_settings().collection_code
    assert address.startswith("/uploads/") and stored_file(app, address).is_file()
    pledge = make_pledge(project, method=PaymentMethod.ALIPAY)
    assert f'src="{address}"' in client.get(f"/pledge/{pledge.access_token}").get_data(as_text=True)
