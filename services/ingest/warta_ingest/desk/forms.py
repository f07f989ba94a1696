"""The desk's forms (Flask-WTF: each carries its CSRF token). They check what a person can get
wrong in a form; what a report may hold is judged by the same schema as the API's
(submissions.load_submission)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from warta.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

# WTForms' own words that the desk's forms can say; named here so that they are in the desk's
# catalogue (WTForms has no Indonesian of its own).
WTFORMS_WORDS = (
    _l("Not a valid datetime value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("This field is required."),
)


class DeskForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> Any:
            # The desk's catalogue (Flask-Babel's, for the request's locale: always `id`).
            return get_translations()


def _at_most(characters: int) -> Length:
    return Length(max=characters, message=_l("At most %(max)d characters."))


class LoginForm(DeskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class PasswordForm(DeskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(
                MIN_PASSWORD_LENGTH,
                MAX_PASSWORD_LENGTH,
                _l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
    )


class ReportForm(DeskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Write a title."))])
    body = TextAreaField(_l("Report"), validators=[DataRequired(_l("Write the report."))])
    body_format = SelectField(
        _l("Written as"),
        choices=[SelectChoice("text", _l("Plain text")), SelectChoice("markdown", _l("Markdown"))],
        default="text",
    )
    photo = FileField(_l("Photo"))
    photo_alt = StringField(_l("What the photo shows"), validators=[Optional(), _at_most(300)])
    photo_caption = StringField(_l("Caption"), validators=[Optional(), _at_most(500)])
    photo_credit = StringField(_l("Photo credit"), validators=[Optional(), _at_most(200)])
    remove_photo = BooleanField(_l("Remove the photo"))
    external_id = StringField(
        _l("The office's own reference"), validators=[Optional(), _at_most(200)]
    )
    publish_at = DateTimeLocalField(
        _l("Publish at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    tags = StringField(_l("Tags"), validators=[Optional(), _at_most(2000)])
    # The revision the form was opened at (the edit's revision check), the photo uploaded with
    # a preview, and the key that makes sending the form twice harmless.
    revision = HiddenField()
    media = HiddenField()
    key = HiddenField()


class RetractForm(DeskForm):
    revision = HiddenField()


class LogoutForm(DeskForm):
    pass
