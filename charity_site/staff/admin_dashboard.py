"""The staff dashboard at /admin."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from charity_site.staff import dashboard
from charity_site.staff.admin_audit import actor_label
from charity_site.web.access import staff_blueprint

bp = staff_blueprint("admin_dashboard", __name__, "/admin",
                     menu_label=_l("Dashboard"))


@bp.get("/")
def index():
    drafts, scheduled = dashboard.needing_attention()
    return render_template(
        "admin/dashboard.html",
        counts=dashboard.status_counts(),
        drafts=drafts,
        scheduled=scheduled,
        changes=dashboard.recent_changes(),
        deadlines=dashboard.disclosure_deadlines(current_user),
        deadlines_start=dashboard.deadlines_start(),
        actor_label=actor_label,  # 系统 for changes made by the system, as in the audit log
    )
