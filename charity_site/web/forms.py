"""Small forms shared by several areas: the confirmation button and the upload of a file."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from charity_site.web.input import SiteForm

UPLOAD_PREFIX = "upload"
UPLOAD_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"


class ConfirmForm(SiteForm):
    """Only the CSRF token: the button of a POST-only confirmation page."""


class UploadForm(SiteForm):
    """A file with its caption: images and files (the picker too) and a disclosure's attachments.

    Its fields carry the prefix ``upload-`` (upload-file, upload-title, upload-csrf_token), so the form
    can sit on an editor page next to the editor's own ``title`` field. The file itself is checked by
    files.uploads (by content, not by name).
    """

    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Please choose a file to upload."))],
        render_kw={"accept": UPLOAD_ACCEPT},
    )
    title = StringField(
        _l("Caption of the picture or file"),
        validators=[DataRequired(_l("Please enter a caption.")), Length(max=200)],
        description=_l("A few words on what it is, e.g. 2024年重阳敬老活动合影 or 2024年度审计报告. "
                       "For a picture it is read aloud to blind visitors; for a document it is the link text."),
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", UPLOAD_PREFIX)
        super().__init__(*args, **kwargs)

    def first_error(self) -> str | None:
        for name in ("csrf_token", "file", "title", "next"):
            field = self._fields.get(name)
            if field is not None and field.errors:
                return str(field.errors[0])
        return None


def attach_error(form, error) -> None:
    """Show a service's refusal (an error with ``field`` and ``message``) next to its field, or above the form."""
    target = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    else:
        form.form_errors.append(error.message)
