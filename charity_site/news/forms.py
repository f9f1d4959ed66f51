"""The staff form for news posts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectField,
    StringField,
)
from wtforms.validators import Length, Optional, ValidationError

from charity_site.web.fields import MultiCheckboxField
from charity_site.web.input import NOT_AN_OPTION, coerce_id
from charity_site.web.publishable_form import PublishableForm


class NewsForm(PublishableForm):
    category = SelectField(_l("Category"), choices=[], default="", invalid_choice_message=NOT_AN_OPTION)
    source = StringField(_l("Source"), validators=[Optional(), Length(max=120)],
                         description=_l("Where the article comes from, e.g. 番禺区慈善会 or 广州民政."))
    author = StringField(_l("Author"), validators=[Optional(), Length(max=120)])
    project_ids = MultiCheckboxField(_l("Related projects"), coerce=coerce_id, choices=[], validate_choice=True,
                                     description=_l("Tick every project the article is about."))
    cover_image = StringField(_l("Cover image"), validators=[Optional(), Length(max=255)],
                              description=_l("An address on this site, e.g. /uploads/… from Images and files."))

    def validate_cover_image(self, field):
        if field.data and not field.data.startswith("/"):
            raise ValidationError(_l("Use an image uploaded to this site (an address starting with /)."))
