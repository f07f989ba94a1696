"""The desk's forms (Flask-WTF: each carries its CSRF token). They check what a person can get
wrong in a form; what a report may hold is judged by the same schema as the API's
(submissions.load_submission)."""

from __future__ import annotations

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


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class PasswordForm(FlaskForm):
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


class ReportForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Write a title."))])
    body = TextAreaField(_l("Report"), validators=[DataRequired(_l("Write the report."))])
    body_format = SelectField(
        _l("Written as"),
        choices=[SelectChoice("text", _l("Plain text")), SelectChoice("markdown", _l("Markdown"))],
        default="text",
    )
    photo = FileField(_l("Photo"))
    photo_alt = StringField(_l("What the photo shows"), validators=[Optional(), Length(max=300)])
    photo_caption = StringField(_l("Caption"), validators=[Optional(), Length(max=500)])
    photo_credit = StringField(_l("Photo credit"), validators=[Optional(), Length(max=200)])
    remove_photo = BooleanField(_l("Remove the photo"))
    external_id = StringField(
        _l("The office's own reference"), validators=[Optional(), Length(max=200)]
    )
    publish_at = DateTimeLocalField(
        _l("Publish at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=2000)])
    # The revision the form was opened at (the edit's revision check), the photo uploaded with
    # a preview, and the key that makes sending the form twice harmless.
    revision = HiddenField()
    media = HiddenField()
    key = HiddenField()


class RetractForm(FlaskForm):
    revision = HiddenField()


class LogoutForm(FlaskForm):
    pass
