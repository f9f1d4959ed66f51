"""Site settings, for administrators: the organisation's particulars shown on every page."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from charity_site.core import site_settings
from charity_site.core.audit import snapshot
from charity_site.core.roles import Role
from charity_site.core.site_settings import FIELDS as SETTINGS_FIELDS
from charity_site.staff.forms import SiteSettingsForm
from charity_site.web.access import staff_blueprint

bp = staff_blueprint("admin_settings", __name__, "/admin/settings", roles=(Role.ADMIN,),
                     menu_label=_l("Site settings"), menu_view="edit")


def _conflicts(form: SiteSettingsForm, current) -> list[tuple]:
    """(field, their saved value, your typed value) for every field where the two differ."""
    if current is None:
        return []
    saved, typed = snapshot(current, SETTINGS_FIELDS), form.settings_data()
    typed = {name: value.isoformat() if isinstance(value, date) else value for name, value in typed.items()}
    return [(form[name], saved[name], typed[name]) for name in SETTINGS_FIELDS
            if (saved[name] or None) != (typed[name] or None)]


@bp.route("/", methods=["GET", "POST"])
def edit():
    settings = site_settings.get_settings()
    form = SiteSettingsForm(obj=settings if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = settings.version if settings else ""
        form.disclosures_start_on.data = site_settings.disclosures_start(settings)
    conflicts, status = None, 200
    if form.validate_on_submit():
        try:
            site_settings.update_settings(form.settings_data(), form.expected_version(), actor=current_user)
        except site_settings.StaleEdit as stale:
            conflicts = _conflicts(form, stale.current)
            form.version.data = stale.current.version if stale.current else ""
            status = 409
        else:
            flash(_("The site settings have been saved. Every page now shows them."), "success")
            return redirect(url_for(".edit"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/settings/edit.html", form=form, conflicts=conflicts), status
