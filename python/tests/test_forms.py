"""LiveForm (issue 22, point 3): live validation from a spec with Django's validators
and messages, from a Django ``Form`` (its ``clean_<field>`` and ``clean()``) and from a
model (``live_form_from_model``, the model's own validation); a LiveForm is LiveView
state, kept and restored as JSON; and a LiveView drives one over the test client."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from djust_test_views import ContactForm, no_example_addresses

from djust import state
from djust.forms import FormSpecError, LiveForm, live_form_from_model
from djust.testing import LiveViewTestClient


def message(spec_rules: dict, value: object) -> str | None:
    form = LiveForm({"f": spec_rules})
    return None if form.validate_field("f", value) else form.errors["f"]


def test_each_rule_gives_djangos_message() -> None:
    assert message({"required": True}, "") == "This field is required."
    assert message({"required": True}, "   ") == "This field is required."
    assert message({"min_length": 3}, "ab") == "Ensure this value has at least 3 characters (it has 2)."
    assert message({"max_length": 2}, "abc") == "Ensure this value has at most 2 characters (it has 3)."
    assert message({"pattern": r"[A-Z]{3}"}, "ABCD") == "Enter a valid value."
    assert message({"pattern": r"[A-Z]{3}"}, "ABC") is None
    assert message({"email": True}, "not-an-address") == "Enter a valid email address."
    assert message({"email": True}, "ada@lovelace.org") is None
    assert message({"url": True}, "nowhere") == "Enter a valid URL."
    assert message({"url": True}, "https://djust.org/") is None
    assert message({"min": 18}, "17") == "Ensure this value is greater than or equal to 18."
    assert message({"max": 10}, "10.5") == "Ensure this value is less than or equal to 10."
    assert message({"min": 0}, "ten") == "Enter a number."
    assert message({"min": 0, "max": 10}, "7") is None
    assert message({"choices": [("free", "Free"), ("pro", "Pro")]}, "gold") == (
        "Select a valid choice. gold is not one of the available choices."
    )
    assert message({"choices": ["free", "pro"]}, "pro") is None


def test_empty_values_skip_the_rules_unless_required_and_messages_can_be_replaced() -> None:
    assert message({"email": True, "min_length": 5}, "") is None
    assert message({"required": True, "messages": {"required": "Tell us your name."}}, "") == "Tell us your name."
    assert message({"min_length": 3, "messages": {"min_length": "Too short."}}, "ab") == "Too short."


def test_custom_validators_return_a_message_or_raise() -> None:
    def no_spaces(value: str) -> None:
        if " " in value:
            raise ValidationError("No spaces, please.")

    assert message({"validators": [no_example_addresses]}, "me@example.com") == "Use your own address."
    assert message({"validators": [no_example_addresses]}, "me@djust.org") is None
    assert message({"validators": no_spaces}, "a b") == "No spaces, please."


def test_validate_field_shows_one_field_valid_covers_all_validate_all_shows_all() -> None:
    form = LiveForm({"name": {"required": True, "min_length": 2}, "email": {"required": True, "email": True}})
    assert not form.valid and form.errors == {}
    assert not form.validate_field("email", "bad")
    assert form.errors == {"email": "Enter a valid email address."}
    assert form.validate_field("email", "ada@lovelace.org")
    assert form.errors == {}
    assert not form.valid  # the name is still empty, though not shown
    assert not form.validate_all()
    assert form.errors == {"name": "This field is required."}
    form.set_values({"name": "Ada", "submit": "ignored"})
    assert form.valid and "submit" not in form.data
    assert form.validate_all() and form.errors == {}
    assert form.cleaned_data == {"name": "Ada", "email": "ada@lovelace.org"}
    form.reset()
    assert form.data == {"name": "", "email": ""} and not form.valid and form.errors == {}
    with pytest.raises(ValueError, match="not valid"):
        _ = form.cleaned_data


def test_cleaned_data_converts_numbers_and_strips_text() -> None:
    form = LiveForm({"age": {"min": 18}, "price": {"max": 100}, "name": {}}, initial={"name": "  Ada "})
    form.set_values({"age": "42", "price": "9.50"})
    assert form.cleaned_data == {"age": 42, "price": __import__("decimal").Decimal("9.50"), "name": "Ada"}


def test_a_bad_spec_is_refused_when_built_and_an_unknown_field_when_validated() -> None:
    with pytest.raises(FormSpecError, match=r"field 'name': unknown rule\(s\) minlength"):
        LiveForm({"name": {"minlength": 2}})
    with pytest.raises(FormSpecError, match="min_length is a number of characters"):
        LiveForm({"name": {"min_length": "2"}})
    with pytest.raises(FormSpecError, match="is not a regex"):
        LiveForm({"code": {"pattern": "("}})
    with pytest.raises(FormSpecError, match="exactly one"):
        LiveForm()
    with pytest.raises(KeyError, match="no field 'age'"):
        LiveForm({"name": {}}).validate_field("age", "3")


class Signup(forms.Form):
    username = forms.CharField(max_length=12)
    password = forms.CharField(min_length=8)
    again = forms.CharField()

    def clean_username(self):
        if self.cleaned_data["username"].lower() == "admin":
            raise ValidationError("That username is taken.")
        return self.cleaned_data["username"]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("again"):
            raise ValidationError("The passwords differ.")
        return data


def test_a_django_form_decides_with_its_fields_clean_methods_and_clean() -> None:
    form = LiveForm(form_class=Signup)
    assert form.fields == ["username", "password", "again"]
    assert not form.validate_field("username", "admin")
    assert form.errors == {"username": "That username is taken."}
    assert not form.validate_field("password", "short")
    assert form.errors["password"] == "Ensure this value has at least 8 characters (it has 5)."
    form.set_values({"username": "ada", "password": "difference", "again": "different"})
    assert not form.validate_all()
    assert form.errors == {} and form.non_field_errors == ["The passwords differ."]
    form.set_values({"again": "difference"})
    assert form.validate_all() and form.non_field_errors == []
    assert form.cleaned_data == {"username": "ada", "password": "difference", "again": "difference"}


def test_a_model_form_checks_the_models_rules_and_uniqueness_and_saves(database: None) -> None:
    Group.objects.create(name="editors")
    form = live_form_from_model(Group, exclude=["permissions"])
    assert form.fields == ["name"]
    assert not form.validate_field("name", "")
    assert form.errors == {"name": "This field is required."}
    assert not form.validate_field("name", "x" * 151)
    assert form.errors["name"] == "Ensure this value has at most 150 characters (it has 151)."
    assert not form.validate_field("name", "editors")
    assert form.errors["name"] == "Group with this Name already exists."
    assert form.validate_field("name", "authors") and form.valid
    saved = form.bound_form().save()
    assert Group.objects.filter(pk=saved.pk, name="authors").exists()

    # Editing an instance: its values are the initial data; its own name is no clash.
    editing = live_form_from_model(Group, fields=["name"], instance=saved)
    assert editing.data == {"name": "authors"} and editing.valid
    assert live_form_from_model(Group, fields=["name"]).form_class is editing.form_class


def kept(value: object) -> object:
    """``value`` through JSON as a state backend keeps it, then restored."""
    data = json.loads(json.dumps(value.__djust_state__()))
    return type(value).__djust_restore__(data)


def test_a_live_form_is_state_kept_as_json_and_restored_as_it_was(database: None) -> None:
    spec = LiveForm({"email": {"required": True, "validators": [no_example_addresses]}})
    spec.validate_field("email", "me@example.com")
    back = kept(spec)
    assert (back.data, back.errors, back.valid) == (spec.data, spec.errors, False)
    assert back.validate_field("email", "me@djust.org") and back.valid  # the validator came back

    django_form = LiveForm(form_class=Signup)
    django_form.validate_field("username", "admin")
    assert kept(django_form).errors == {"username": "That username is taken."}
    assert state.problem("form", django_form) is None

    group = Group.objects.create(name="readers")
    model_form = live_form_from_model(Group, fields=["name"], instance=group)
    restored = kept(model_form)
    assert restored.form_class is model_form.form_class and restored.instance == group
    assert restored.validate_field("name", "readers")  # still its own name


def test_a_form_that_cannot_be_kept_is_named_by_the_state_check() -> None:
    form = LiveForm({"email": {"validators": [lambda value: None]}})
    found = state.problem("form", form)
    assert found is not None
    path, what = found
    assert path == "form"
    assert "cannot be kept as state" in what and "field 'email'" in what and "module's top level" in what


def test_a_liveview_validates_as_the_user_types_and_on_submit() -> None:
    client = LiveViewTestClient(ContactForm)
    assert 'disabled="">Send</button>' in client.html
    client.event("validate", field="email", value="me@example.com")
    assert 'data-field="email">Use your own address.</p>' in client.html
    assert 'data-field="name">' not in client.html  # not typed yet: no message
    client.event("validate", field="email", value="ada@lovelace.org")
    assert "Use your own address." not in client.html
    client.event("submit", name="A", email="ada@lovelace.org")
    assert "Ensure this value has at least 2 characters (it has 1)." in client.html
    client.event("validate", field="name", value="Ada")
    assert ">Send</button>" in client.html and "disabled" not in client.html
    client.event("submit", name="Ada", email="ada@lovelace.org")
    assert 'class="sent">Thanks, Ada</p>' in client.html
    assert 'value=""' in client.html and 'disabled="">Send' in client.html  # reset
