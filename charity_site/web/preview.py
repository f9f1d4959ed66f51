"""Live Markdown preview for those who write Markdown (editors; finance for disclosures and funds; admins
for the settings): the same renderer and sanitiser as the public pages."""

from __future__ import annotations

from flask import jsonify

from charity_site.core.markdown import render_page_markdown
from charity_site.core.roles import Role
from charity_site.web.access import staff_blueprint
from charity_site.web.publishable_form import PreviewForm

bp = staff_blueprint("admin_preview", __name__, "/admin/preview", roles=(Role.EDITOR, Role.FINANCE))


@bp.post("/")
def render():
    form = PreviewForm()
    if not form.validate_on_submit():
        return jsonify({"error": "invalid"}), 400
    return jsonify({"html": str(render_page_markdown(form.body_md.data))})
