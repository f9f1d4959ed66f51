"""個人信息: a donor's phone, e-mail and unmasked name appear on no public page, feed, sitemap, search or export.

Every public route of the URL map is requested (tests/route_walk.py gives the path values), plus
searches for the donor's name, phone and e-mail. Only the donor who opted in has their name shown.
"""

from __future__ import annotations

import io
import zipfile

from factories_donations import giving_ready, make_pledge, open_project
from route_walk import build_url, is_guarded, rules, samples_from_database

from charity_site.core.formatting import local_today
from charity_site.donations import receiving
from charity_site.donations.models import DonorDisplay
from charity_site.extensions import db

SECRETS = {
    "masked": {"donor_name": "司马相如", "phone": "13611112222", "email": "sima@example.org"},
    "anonymous": {"donor_name": "诸葛孔明", "phone": "13633334444", "email": "zhuge@example.org"},
    "pending": {"donor_name": "上官婉儿", "phone": "13655556666", "email": "shangguan@example.org"},
}
OPTED_IN = {"donor_name": "公孙大娘", "phone": "13677778888", "email": "gongsun@example.org"}


def text_of(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":  # an .xlsx export: read every XML part
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def test_personal_data_appears_on_no_public_page(app, client, finance):
    giving_ready()
    project = open_project()
    pledges = {
        "masked": make_pledge(project, display=DonorDisplay.MASKED, message="私信勿公开", **SECRETS["masked"]),
        "anonymous": make_pledge(project, display=DonorDisplay.ANONYMOUS, **SECRETS["anonymous"]),
        "pending": make_pledge(project, **SECRETS["pending"]),
        "opted_in": make_pledge(project, display=DonorDisplay.FULL_NAME, message="愿孩子们好好读书",
                                show_message=True, **OPTED_IN),
    }
    for key in ("masked", "anonymous", "opted_in"):
        receiving.confirm_receipt(pledges[key], amount_fen=pledges[key].amount_fen, received_on=local_today(),
                                  channel="", actor=finance)
    db.session.commit()

    forbidden = [value for secret in SECRETS.values() for value in secret.values()]
    forbidden += [OPTED_IN["phone"], OPTED_IN["email"], "私信勿公开", "13611112222"[-8:]]
    samples = samples_from_database(app)
    pages = 0
    seen = []
    for rule in rules(app):
        if "GET" not in rule.methods or is_guarded(app, rule) or rule.endpoint == "static":
            continue
        for values in samples.combinations(rule, limit=20):
            url = build_url(rule, values)
            response = client.get(url)
            if response.status_code != 200:
                continue
            body = text_of(response)
            pages += 1
            seen.append(body)
            for value in forbidden:
                assert value not in body, f"{value} on {url}"
    for term in ("司马相如", "13611112222", "sima@example.org", "上官婉儿", "诸葛"):
        body = client.get("/search", query_string={"q": term}).get_data(as_text=True)
        for value in forbidden:
            if value not in term and term not in value:  # the search page repeats what was typed
                assert value not in body, f"{value} in a search for {term}"
        assert 'class="search-result"' not in body

    assert pages > 30
    wall = client.get("/donors").get_data(as_text=True)
    assert "公孙大娘" in wall and "愿孩子们好好读书" in wall  # the one who opted in
    assert "司**" in wall and "匿名" in wall
    assert any("公孙大娘" in body for body in seen)
