"""Small forms shared by several areas."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the button of a POST-only confirmation page."""
