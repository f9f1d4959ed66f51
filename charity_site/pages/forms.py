"""The staff form for standing pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional

from charity_site.web.input import BoundedIntegerField
from charity_site.web.publishable_form import PublishableForm


class PageForm(PublishableForm):
    nav_order = BoundedIntegerField(_l("Order in menus"), validators=[Optional()], maximum=999)
