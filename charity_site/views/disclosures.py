"""Public disclosures (信息公开)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..extensions import db
from ..models import Disclosure
from ..services import catalog

bp = Blueprint("disclosures", __name__, url_prefix="/disclosures")


@bp.get("/")
def index():
    pagination = catalog.disclosures_page(request.args.get("page", 1, type=int))
    return render_template("disclosures/index.html", pagination=pagination, disclosures=list(pagination.items))


@bp.get("/<int:disclosure_id>")
def detail(disclosure_id: int):
    disclosure = db.first_or_404(
        db.select(Disclosure).where(Disclosure.id == disclosure_id, Disclosure.public_clause())
    )
    return render_template("disclosures/detail.html", disclosure=disclosure)
