"""Where a gift goes, on /donate: a few places are radio buttons showing each name in full; many, a list."""

from __future__ import annotations

import re

from factories_donations import giving_ready, open_project

from charity_site.donations.forms import FEW_DESIGNATIONS


def designation_inputs(body: str) -> tuple[list[str], list[str]]:
    radios = re.findall(r'<input[^>]*name="designation"[^>]*type="radio"[^>]*>|'
                        r'<input[^>]*type="radio"[^>]*name="designation"[^>]*>', body)
    select = re.search(r'<select[^>]*name="designation"[^>]*>(.*?)</select>', body, re.S)
    return radios, re.findall(r"<option[^>]*>", select.group(1)) if select else []


def test_a_few_places_are_radio_buttons_with_the_chosen_one_ticked(app, client):
    giving_ready()
    project = open_project()

    body = client.get(f"/donate?project={project.id}").get_data(as_text=True)
    radios, options = designation_inputs(body)

    assert len(radios) == 2 and not options  # the general fund and the project
    ticked = [radio for radio in radios if "checked" in radio]
    assert len(ticked) == 1 and f'value="project-{project.id}"' in ticked[0]
    assert "助学测试项目</span>" in body  # the name in full beside its button


def test_many_places_stay_a_drop_down_list(app, client):
    giving_ready()
    for _ in range(FEW_DESIGNATIONS):
        open_project()

    radios, options = designation_inputs(client.get("/donate").get_data(as_text=True))

    assert not radios and len(options) == FEW_DESIGNATIONS + 1
