"""What every public intake form (a pledge, a volunteer sign-up) shares besides CSRF.

- A honeypot: a text field people never see or fill in; a form that arrives with it filled came
  from a bot and is refused without storing anything.
- A submission token: a random value put into the form when it is shown. The record it creates
  keeps the token under a unique constraint, so a double tap, a refresh that re-posts the form or a
  second identical request creates one record, and the repeat is sent to the record already made.
- Rate limits per address are declared on the routes with Flask-Limiter (shared in Redis when
  REDIS_URL is set), with limits read from the config.
"""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Regexp

from charity_site.web.input import SiteForm

TOKEN_LENGTH = 32
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{32}$"


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)  # 24 bytes → 32 characters


class HoneypotField(StringField):
    """Rendered by the forms macro off-screen, hidden from screen readers and skipped by Tab."""


class PublicIntakeForm(SiteForm):
    """Base of public forms that create a record: honeypot and submission token included."""

    # Named like a field a bot fills in gladly; hidden from people by CSS and from screen readers.
    website = HoneypotField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    submission_token = HiddenField(validators=[Length(max=TOKEN_LENGTH),
                                               Regexp(TOKEN_PATTERN, message=_l("The form has expired. Please submit it again."))])

    def ensure_submission_token(self) -> str:
        """Give a freshly shown form its token (a form shown again after an error keeps its own)."""
        if not self.submission_token.data:
            self.submission_token.data = new_submission_token()
        return self.submission_token.data

    def filled_by_bot(self) -> bool:
        return bool((self.website.data or "").strip())
