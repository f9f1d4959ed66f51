"""Where a gift goes, on /donate: a few places are radio buttons showing each name in full; many, a list."""

from __future__ import annotations

from factories_donations import form_state, giving_ready, open_project

from charity_site.donations.forms import FEW_DESIGNATIONS


def test_a_few_places_are_radio_buttons_with_the_chosen_one_ticked(app, client):
    giving_ready()
    project = open_project()

    body = client.get(f"/donate?project={project.id}").get_data(as_text=True)
    shown = form_state(body)

    assert shown.shown_as["designation"] == "radio"
    assert len(shown.offered["designation"]) == 2  # the general fund and the project
    assert shown.chosen("designation") == f"project-{project.id}"
    assert "助学测试项目</span>" in body  # the name in full beside its button


def test_many_places_stay_a_drop_down_list(app, client):
    giving_ready()
    for _ in range(FEW_DESIGNATIONS):
        open_project()

    shown = form_state(client.get("/donate").get_data(as_text=True))

    assert shown.shown_as["designation"] == "select"
    assert len(shown.offered["designation"]) == FEW_DESIGNATIONS + 1
