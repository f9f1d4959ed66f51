"""Fields that speak the site's invariants: money in fen, times in Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields import DateTimeLocalField

from charity_site.core.formatting import (
    MAX_AMOUNT_FEN,
    MoneyFormatError,
    format_yuan,
    is_supported_date,
    local_to_utc,
    to_local,
    yuan_text,
    yuan_to_fen,
)


class YuanField(StringField):
    """Typed in yuan ('199,300.00'), held as integer fen in ``data`` (0..MAX_AMOUNT_FEN); empty means None."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return yuan_text(self.data) or ""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            fen = yuan_to_fen(valuelist[0])
        except MoneyFormatError:
            raise ValueError(_l("Enter an amount in yuan with at most two decimals, e.g. 1234.50.")) from None
        if fen < 0:
            raise ValueError(_l("The amount must not be negative."))
        if fen > MAX_AMOUNT_FEN:
            raise ValueError(_("The amount is too large. Please check it (at most %(limit)s).",
                               limit=format_yuan(MAX_AMOUNT_FEN)))
        self.data = fen


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read as Asia/Shanghai time; ``data`` is aware UTC."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            return to_local(self.data).strftime("%Y-%m-%dT%H:%M")
        return ""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date and time such as 2025-01-15 10:00.")) from None
        if self.data is not None and not is_supported_date(self.data):
            self.data = None
            raise ValueError(_l("Enter a date and time such as 2025-01-15 10:00."))
        if self.data is not None:
            self.data = local_to_utc(self.data)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; rendered by the forms macro as a fieldset."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
    # A long list gets a scrolling box, and with JavaScript a text box that filters it; this labels that box.
    filter_label = _l("Filter the list")


class OneOfFewField(SelectField):
    """A choice of one, shown as radio buttons while the choices are few (each name in full beside its button; a
    closed drop-down list cuts a long name at the box's edge) and as a drop-down list when there are more."""

    def __init__(self, label=None, validators=None, most_buttons: int = 8, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.most_buttons = most_buttons

    @property
    def as_buttons(self) -> bool:
        """Whether the forms macro draws this as a group of radio buttons."""
        return len(self.choices or ()) <= self.most_buttons

    @property
    def option_widget(self):
        return widgets.RadioInput() if self.as_buttons else widgets.Option()


def drawn_as_choices(field) -> bool:
    """Whether the forms macro draws ``field`` as a group of radio buttons or checkboxes (a fieldset whose first
    choice is where a link to the field points), not as one box. The Jinja test ``choice_group``."""
    return field.type in ("RadioField", "MultiCheckboxField") or getattr(field, "as_buttons", False)
