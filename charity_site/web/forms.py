"""Small forms shared by several areas."""

from charity_site.web.input import SiteForm


class ConfirmForm(SiteForm):
    """Only the CSRF token: the button of a POST-only confirmation page."""


def attach_error(form, error) -> None:
    """Show a service's refusal (an error with ``field`` and ``message``) next to its field, or above the form."""
    target = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if target is not None:
        target.errors = list(target.errors) + [error.message]
    else:
        form.form_errors.append(error.message)
