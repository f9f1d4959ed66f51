"""Filters of the audit log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from charity_site.web.input import BoundedDateField, SiteForm


class AuditFilterForm(SiteForm):
    """Read from the query string; the choices are filled in by the view from what the log holds."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), validators=[Optional()], validate_choice=False)
    object_type = SelectField(_l("Kind of item"), validators=[Optional()], validate_choice=False)
    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    date_from = BoundedDateField(_l("From"), validators=[Optional()], description=_l("Date, Beijing time"))
    date_to = BoundedDateField(_l("Until"), validators=[Optional()], description=_l("Date, Beijing time"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))
