"""The upload form for images and PDF documents.

Its fields carry the prefix ``upload-`` (upload-file, upload-title, upload-csrf_token),
so the form can sit on an editor page next to the editor's own ``title`` field.
The file itself is checked by services.uploads (by content, not by name).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from charity_site.web.input import SiteForm

PREFIX = "upload"
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"


class UploadForm(SiteForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Please choose a file to upload."))],
        render_kw={"accept": ACCEPT},
    )
    title = StringField(
        _l("Caption of the picture or file"),
        validators=[DataRequired(_l("Please enter a caption.")), Length(max=200)],
        description=_l("A few words on what it is, e.g. 2024年重阳敬老活动合影 or 2024年度审计报告. "
                       "For a picture it is read aloud to blind visitors; for a document it is the link text."),
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)

    def first_error(self) -> str | None:
        for name in ("csrf_token", "file", "title", "next"):
            field = self._fields.get(name)
            if field is not None and field.errors:
                return str(field.errors[0])
        return None
