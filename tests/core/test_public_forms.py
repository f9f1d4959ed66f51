"""The honeypot and the submission token every public intake form carries."""

from __future__ import annotations

from flask import render_template_string
from werkzeug.datastructures import MultiDict

from charity_site.web.public_forms import PublicIntakeForm


def test_a_shown_form_gets_a_token_it_keeps_when_shown_again(app):
    with app.test_request_context():
        form = PublicIntakeForm(meta={"csrf": False})
        token = form.ensure_submission_token()
        assert len(token) == 32
        assert form.ensure_submission_token() == token

        again = PublicIntakeForm(MultiDict({"submission_token": token}), meta={"csrf": False})
        assert again.ensure_submission_token() == token


def test_a_filled_honeypot_marks_a_bot_and_an_empty_one_does_not(app):
    with app.test_request_context():
        token = "A" * 32
        bot = PublicIntakeForm(MultiDict({"website": "http://spam.example", "submission_token": token}),
                               meta={"csrf": False})
        person = PublicIntakeForm(MultiDict({"website": "", "submission_token": token}), meta={"csrf": False})
        assert bot.filled_by_bot() and not person.filled_by_bot()
        assert person.validate()


def test_a_forged_token_is_refused(app):
    with app.test_request_context():
        form = PublicIntakeForm(MultiDict({"submission_token": "x'; DROP TABLE pledges; --"}), meta={"csrf": False})
        assert not form.validate()
        assert form.submission_token.errors


def test_the_honeypot_is_rendered_off_screen_and_hidden_from_screen_readers(app):
    with app.test_request_context():
        form = PublicIntakeForm(meta={"csrf": False})
        html = render_template_string(
            "{% from 'macros/forms.html' import render_form %}{{ render_form(form) }}", form=form)
    assert '<div class="field-trap" aria-hidden="true">' in html
    assert 'tabindex="-1"' in html
