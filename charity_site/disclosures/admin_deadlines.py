"""Staff pages for disclosure deadlines: mark an owed item as published on another platform, or take it back.

For the people who publish disclosures (the same roles as the disclosures pages). The list itself is
on the dashboard (staff/dashboard.py); these pages only write, each through disclosures.elsewhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from charity_site.core.formatting import local_today
from charity_site.core.roles import Role
from charity_site.disclosures import deadlines, elsewhere
from charity_site.extensions import db
from charity_site.web.access import staff_blueprint
from charity_site.web.forms import ConfirmForm
from charity_site.web.input import BoundedDateField, SiteForm

bp = staff_blueprint("admin_deadlines", __name__, "/admin/deadlines", roles=(Role.EDITOR, Role.FINANCE))


def _web_address(form, field):
    if not field.data:
        return
    try:
        parts = urlsplit(field.data)
    except ValueError:  # e.g. an unclosed [ in the host
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Please enter a web address starting with http:// or https://."))


def _not_in_the_future(form, field):
    if field.data is not None and field.data > local_today():
        raise ValidationError(_l("This date is in the future. Please enter the day it was published."))


class PublishedElsewhereForm(SiteForm):
    url = StringField(
        _l("Where it is published"), filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(_l("Please enter the address of the published report.")),
                    Length(max=500, message=_l("At most %(max)d characters.")), _web_address],
        description=_l("The address of the report on the other platform, e.g. on 慈善中国 "
                       "(https://cszg.mca.gov.cn/...), starting with https://."),
        render_kw={"inputmode": "url", "autocomplete": "url"},
    )
    published_on = BoundedDateField(
        _l("Published on"), validators=[DataRequired(_l("Please enter the date it was published.")),
                                        _not_in_the_future],
        description=_l("The day it was published there, e.g. 2026-10-20."),
    )


def _owed(key: str) -> deadlines.Obligation:
    if len(key) > 80:
        abort(404)
    obligation = deadlines.find_obligation(key)
    if obligation is None:
        abort(404)
    return obligation


@bp.route("/<key>/published-elsewhere", methods=["GET", "POST"])
def mark(key: str):
    obligation = _owed(key)
    form = PublishedElsewhereForm()
    status = 200
    if obligation.elsewhere is not None:
        return render_template("admin/deadlines/mark.html", item=obligation, form=None), 200
    if form.is_submitted():
        status = 400
        if form.validate():
            elsewhere.mark(obligation.key, obligation.title, form.url.data, form.published_on.data,
                           actor=current_user)
            flash(_("“%(title)s” is marked as published elsewhere. It no longer counts as owed.",
                    title=obligation.title), "success")
            return redirect(url_for("admin_dashboard.index") + "#deadlines-heading")
    return render_template("admin/deadlines/mark.html", item=obligation, form=form), status


@bp.post("/marks/<int:mark_id>/remove")
def unmark(mark_id: int):
    item = db.get_or_404(elsewhere.PublishedElsewhere, mark_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    label = item.label
    elsewhere.unmark(item, actor=current_user)
    flash(_("“%(title)s” is no longer marked as published elsewhere.", title=label), "success")
    return redirect(url_for("admin_dashboard.index") + "#deadlines-heading")
