"""Live form validation: :class:`LiveForm` validates a form's fields as they are typed
and on submit, and keeps what the template shows (the values, one message per field,
whether the whole form is valid) as LiveView state.

A form is either a *spec*, a dict of fields to rules, checked with Django's own
validators and messages::

    self.form = LiveForm({
        "name": {"required": True, "min_length": 2},
        "email": {"required": True, "email": True},
        "age": {"min": 18, "max": 130},
        "plan": {"choices": ["free", "pro"]},
    })

or a Django ``Form``/``ModelForm`` class, whose fields, ``clean_<field>`` methods and
``clean()`` decide (``LiveForm(form_class=SignupForm)``;
:func:`live_form_from_model` builds one from a model). Either way the handler calls
``validate_field(field, value)`` on ``dj-change``/``dj-input`` and
``set_values(params)`` then ``validate_all()`` on ``dj-submit``; the template reads
``form.data.<field>``, ``form.errors.<field>`` (the first message, or nothing),
``form.non_field_errors`` and ``form.valid``.

Rules of a spec field (each optional): ``required``, ``min_length``, ``max_length``,
``pattern`` (a regular expression the whole value must match), ``email``, ``url``,
``min``, ``max`` (the value is then a number: ``"Enter a number."`` otherwise),
``choices`` (values, or ``(value, label)`` pairs), ``validators`` (callables that raise
Django's ``ValidationError`` or return a message; ``None`` means valid) and
``messages`` (a rule's message replaced: ``{"required": "Tell us your name."}``). An
empty value that is not required skips the other rules, as in Django.

Source: upstream djust's ``LiveForm`` (the spec and the method names, after Phoenix's
changesets), Django's ``Form`` for the messages. Differences from upstream: the messages
are Django's (translated) and the rules are Django's validators; a form backed by a
Django ``Form`` runs that form's own cleaning, so a model form checks uniqueness too;
and a ``LiveForm`` is LiveView state (it serialises itself, see :meth:`__djust_state__`).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms as django_forms
from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

#: The rules a spec field may have.
RULES = frozenset(
    {
        "required",
        "min_length",
        "max_length",
        "pattern",
        "email",
        "url",
        "min",
        "max",
        "choices",
        "validators",
        "messages",
    }
)


class FormSpecError(ValueError):
    """A spec that cannot be checked: an unknown field rule, a bad argument (raised by
    :class:`LiveForm` when it is built, naming the field and the rule)."""


class LiveForm:
    """A form validated live. Build it from ``spec`` (``{field: {rule: argument}}``) or
    from ``form_class`` (a Django ``Form``/``ModelForm`` class, importable by its
    dotted path so the form can be kept as state); ``initial`` gives starting values;
    ``instance`` (a model instance, for a ``ModelForm``) is the object edited.

    What the template reads: ``data`` (``{field: value}`` as typed), ``errors``
    (``{field: first message}`` for the fields checked so far), ``non_field_errors``
    (messages of the Django form's ``clean()``), ``valid`` (whether every field of the
    current data passes, checked or not). Raises :class:`FormSpecError` for a spec it
    cannot check."""

    def __init__(
        self,
        spec: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        form_class: type[django_forms.BaseForm] | None = None,
        initial: Mapping[str, Any] | None = None,
        instance: Any = None,
    ) -> None:
        if (spec is None) == (form_class is None):
            raise FormSpecError("LiveForm takes a spec ({field: {rule: argument}}) or a form_class, exactly one")
        self.spec: dict[str, dict[str, Any]] = _checked_spec(spec) if spec is not None else {}
        self.form_class = form_class
        self._instance_ref = _model_ref(instance) if instance is not None else None
        self._instance = instance
        self.fields: list[str] = list(self.spec) if form_class is None else list(form_class.base_fields)
        self.initial = dict(initial or {})
        if form_class is not None and instance is not None:
            self.initial = {**django_forms.models.model_to_dict(instance, fields=self.fields), **self.initial}
        self.data: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.non_field_errors: list[str] = []
        self.valid = False
        self.reset()

    # What handlers call.

    def validate_field(self, field: str, value: Any = None) -> bool:
        """Set ``field`` to ``value`` (when given) and check it: its message goes in
        ``errors[field]``, or leaves it. Whether the field is valid. A field the form
        does not have raises ``KeyError`` (the client named it: the handler decides)."""
        if field not in self.fields:
            raise KeyError(f"the form has no field {field!r} (its fields: {', '.join(self.fields)})")
        if value is not None:
            self.data[field] = value
        messages, _ = self._check()
        self.errors.pop(field, None)
        if field in messages:
            self.errors[field] = messages[field]
        return field not in self.errors

    def validate_all(self) -> bool:
        """Check every field (and a Django form's ``clean()``): ``errors`` and
        ``non_field_errors`` then hold every message. Whether the form is valid."""
        messages, non_field = self._check()
        self.errors = messages
        self.non_field_errors = non_field
        return self.valid

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Set the form's fields from ``values`` (a submit's params; keys that are not
        fields, such as a button's name, are ignored) without showing messages;
        ``valid`` is brought up to date."""
        for field in self.fields:
            if field in values:
                self.data[field] = values[field]
        self._check()

    def reset(self) -> None:
        """Back to the initial values, with no messages."""
        self.data = {field: self.initial.get(field, "") for field in self.fields}
        self.errors = {}
        self.non_field_errors = []
        self._check()

    @property
    def cleaned_data(self) -> dict[str, Any]:
        """The data converted as the rules read it (stripped text, numbers for ``min``/
        ``max`` fields) or, for a Django form, its ``cleaned_data``. ``ValueError`` when
        the form is not valid."""
        if self.form_class is not None:
            form = self.bound_form()
            if not form.is_valid():
                raise ValueError("the form is not valid: call validate_all() and show its errors")
            return dict(form.cleaned_data)
        messages, cleaned = self._check_spec()
        if messages:
            raise ValueError("the form is not valid: call validate_all() and show its errors")
        return cleaned

    def bound_form(self) -> django_forms.BaseForm:
        """The Django form (``form_class``) bound to the current data and the
        instance, for ``save()`` or anything else Django's API offers. ``TypeError``
        for a spec form."""
        if self.form_class is None:
            raise TypeError("a spec LiveForm has no Django form; use cleaned_data")
        kwargs: dict[str, Any] = {"data": self.data}
        instance = self.instance
        if instance is not None:
            kwargs["instance"] = instance
        return self.form_class(**kwargs)

    @property
    def instance(self) -> Any:
        """The model instance a ``ModelForm`` edits (fetched again after a restore)."""
        if self._instance is None and self._instance_ref is not None:
            self._instance = _load_model(self._instance_ref)
        return self._instance

    # Checking.

    def _check(self) -> tuple[dict[str, str], list[str]]:
        if self.form_class is not None:
            form = self.bound_form()
            form.is_valid()
            field_errors = {name: str(errs[0]) for name, errs in form.errors.items() if name in self.fields}
            non_field = [str(m) for m in form.non_field_errors()]
            self.valid = not form.errors
            return field_errors, non_field
        messages, _ = self._check_spec()
        self.valid = not messages
        return messages, []

    def _check_spec(self) -> tuple[dict[str, str], dict[str, Any]]:
        messages: dict[str, str] = {}
        cleaned: dict[str, Any] = {}
        for field, rules in self.spec.items():
            try:
                cleaned[field] = _check_value(self.data.get(field), rules)
            except ValidationError as exc:
                messages[field] = _first_message(exc)
        return messages, cleaned

    # LiveView state (djust.state): what the form keeps, and how it comes back.

    def __djust_state__(self) -> dict[str, Any]:
        """The form as JSON data: its spec (custom validators by import path), or its
        form class's path and the instance's model and key; the data and messages.
        ``TypeError`` for a validator or class that cannot be imported by name."""
        return {
            "spec": {field: _spec_state(field, rules) for field, rules in self.spec.items()},
            "form_class": _form_class_state(self.form_class) if self.form_class is not None else None,
            "instance": self._instance_ref,
            "initial": self.initial,
            "data": self.data,
            "errors": self.errors,
            "non_field_errors": self.non_field_errors,
            "valid": self.valid,
        }

    @classmethod
    def __djust_restore__(cls, saved: Mapping[str, Any]) -> LiveForm:
        """The form :meth:`__djust_state__` described (no validation runs)."""
        form = cls.__new__(cls)
        form.spec = {field: _spec_restore(rules) for field, rules in saved["spec"].items()}
        form.form_class = _form_class_restore(saved["form_class"]) if saved["form_class"] else None
        form._instance_ref = saved["instance"]
        form._instance = None
        form.fields = list(form.spec) if form.form_class is None else list(form.form_class.base_fields)
        form.initial = dict(saved["initial"])
        form.data = dict(saved["data"])
        form.errors = dict(saved["errors"])
        form.non_field_errors = list(saved["non_field_errors"])
        form.valid = bool(saved["valid"])
        return form

    def __repr__(self) -> str:
        source = self.form_class.__name__ if self.form_class is not None else "spec"
        return f"<LiveForm {source} fields={self.fields} valid={self.valid}>"


def live_form_from_model(
    model: type[Any],
    *,
    fields: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    initial: Mapping[str, Any] | None = None,
    instance: Any = None,
) -> LiveForm:
    """A :class:`LiveForm` over the ``ModelForm`` Django builds for ``model``
    (``modelform_factory``) with ``fields`` (default: every editable field) minus
    ``exclude``: the model's own validation (``blank``, ``max_length``, choices,
    validators, uniqueness) decides. The form class is kept importable, so the
    form can be LiveView state."""
    return LiveForm(
        form_class=model_form_class(model, tuple(fields) if fields is not None else None, tuple(exclude or ())),
        initial=initial,
        instance=instance,
    )


#: The model form classes :func:`live_form_from_model` built: (label, fields, exclude) → class.
_MODEL_FORMS: dict[tuple[str, tuple[str, ...] | None, tuple[str, ...]], type[django_forms.ModelForm]] = {}


def model_form_class(
    model: type[Any], fields: tuple[str, ...] | None, exclude: tuple[str, ...]
) -> type[django_forms.ModelForm]:
    """The ``ModelForm`` class for ``model`` with ``fields`` (``None``: every editable
    field) minus ``exclude``, built once per process. It remembers how it was built
    (``_djust_model_form``), so a form kept as state rebuilds it in another process."""
    key = (model._meta.label, fields, exclude)
    found = _MODEL_FORMS.get(key)
    if found is None:
        if fields is not None:
            chosen = list(fields)
        else:
            chosen = [f.name for f in model._meta.get_fields() if getattr(f, "editable", False) and not f.auto_created]
        found = django_forms.modelform_factory(model, fields=[f for f in chosen if f not in exclude])
        found._djust_model_form = [key[0], list(fields) if fields is not None else None, list(exclude)]
        _MODEL_FORMS[key] = found
    return found


def _form_class_state(form_class: type[Any]) -> Any:
    built = form_class.__dict__.get("_djust_model_form")
    return {"model": built} if built is not None else _import_path(form_class)


def _form_class_restore(saved: Any) -> type[Any]:
    if isinstance(saved, dict):
        from django.apps import apps

        label, fields, exclude = saved["model"]
        return model_form_class(apps.get_model(label), tuple(fields) if fields is not None else None, tuple(exclude))
    return _import(saved)


# The rules.


def _checked_spec(spec: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for field, rules in spec.items():
        if not isinstance(field, str) or not field.isidentifier():
            raise FormSpecError(f"a LiveForm field is a name (an identifier), not {field!r}")
        if not isinstance(rules, Mapping):
            raise FormSpecError(f"field {field!r}: its rules are a dict such as {{'required': True}}, not {rules!r}")
        unknown = sorted(set(rules) - RULES)
        if unknown:
            raise FormSpecError(
                f"field {field!r}: unknown rule(s) {', '.join(unknown)}; the rules are {', '.join(sorted(RULES))}"
            )
        checked = dict(rules)
        for rule in ("min_length", "max_length"):
            if rule in checked and (not isinstance(checked[rule], int) or checked[rule] < 0):
                raise FormSpecError(f"field {field!r}: {rule} is a number of characters, not {checked[rule]!r}")
        for rule in ("min", "max"):
            if rule in checked and _number(checked[rule]) is None:
                raise FormSpecError(f"field {field!r}: {rule} is a number, not {checked[rule]!r}")
        if "pattern" in checked:
            try:
                re.compile(checked["pattern"])
            except (re.error, TypeError) as exc:
                raise FormSpecError(f"field {field!r}: pattern {checked['pattern']!r} is not a regex: {exc}") from None
        if "choices" in checked:
            checked["choices"] = [c[0] if isinstance(c, (list, tuple)) else c for c in checked["choices"]]
        validators = checked.get("validators", [])
        if callable(validators):
            validators = [validators]
        if not all(callable(v) for v in validators):
            raise FormSpecError(f"field {field!r}: validators are callables")
        checked["validators"] = list(validators)
        out[field] = checked
    return out


def _check_value(value: Any, rules: Mapping[str, Any]) -> Any:
    """``value`` checked against ``rules``: the cleaned value, or Django's
    ``ValidationError`` with the first failing rule's message."""
    messages = rules.get("messages") or {}
    text = value.strip() if isinstance(value, str) else value
    if text in (None, "", [], ()):
        if rules.get("required"):
            raise ValidationError(messages.get("required") or gettext("This field is required."), code="required")
        return text
    checks: list[tuple[str, Callable[[Any], None]]] = []
    cleaned: Any = text
    if "min" in rules or "max" in rules:
        number = _number(text)
        if number is None:
            raise ValidationError(messages.get("number") or gettext("Enter a number."), code="invalid")
        cleaned = number
        if "min" in rules:
            checks.append(("min", django_validators.MinValueValidator(_number(rules["min"]))))
        if "max" in rules:
            checks.append(("max", django_validators.MaxValueValidator(_number(rules["max"]))))
    else:
        cleaned = str(text) if not isinstance(text, (list, tuple)) else text
        if "min_length" in rules:
            checks.append(("min_length", django_validators.MinLengthValidator(rules["min_length"])))
        if "max_length" in rules:
            checks.append(("max_length", django_validators.MaxLengthValidator(rules["max_length"])))
        if "pattern" in rules:
            pattern = rules["pattern"]
            checks.append(("pattern", django_validators.RegexValidator(rf"\A(?:{pattern})\Z")))
        if rules.get("email"):
            checks.append(("email", django_validators.EmailValidator()))
        if rules.get("url"):
            checks.append(("url", django_validators.URLValidator()))
    for rule, check in checks:
        try:
            check(cleaned)
        except ValidationError as exc:
            raise ValidationError(messages.get(rule) or _first_message(exc), code=rule) from None
    if "choices" in rules and str(cleaned) not in {str(c) for c in rules["choices"]}:
        default = gettext("Select a valid choice. %(value)s is not one of the available choices.")
        raise ValidationError(messages.get("choices") or default % {"value": cleaned}, code="invalid_choice")
    for validator in rules.get("validators", []):
        result = validator(cleaned)
        if isinstance(result, str) and result:
            raise ValidationError(result, code="invalid")
    return cleaned


def _number(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                return None
            return number if number.is_finite() else None
    return None


def _first_message(exc: ValidationError) -> str:
    return str(next(iter(exc.messages), gettext("Enter a valid value.")))


# State.


def _import_path(obj: Any) -> str:
    path = f"{obj.__module__}.{obj.__qualname__}"
    try:
        found = _import(path) if "<" not in path else None
    except ImportError:
        found = None
    if found is not obj:
        raise TypeError(f"{path} cannot be imported by name, so a LiveForm using it cannot be kept as state")
    return path


def _import(path: str) -> Any:
    """The object at the dotted ``path``: the longest importable module prefix, then
    attributes (a nested class). ``ImportError`` when there is none."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, _MISSING)
            if obj is _MISSING:
                raise ImportError(f"cannot import {path!r}: {'.'.join(parts[:cut])} has no {attr!r}")
        return obj
    raise ImportError(f"cannot import {path!r}: no module of that name")


_MISSING = object()


def _spec_state(field: str, rules: Mapping[str, Any]) -> dict[str, Any]:
    saved = dict(rules)
    try:
        saved["validators"] = [_import_path(v) for v in rules.get("validators", [])]
    except TypeError as exc:
        raise TypeError(f"field {field!r}: {exc}; use a function defined at a module's top level") from None
    return saved


def _spec_restore(saved: Mapping[str, Any]) -> dict[str, Any]:
    rules = dict(saved)
    rules["validators"] = [_import(path) for path in saved.get("validators", [])]
    return rules


def _model_ref(instance: Any) -> list[Any]:
    if instance.pk is None:
        raise TypeError("a LiveForm's instance is a saved model instance (it has a primary key)")
    return [instance._meta.label, instance.pk]


def _load_model(ref: list[Any]) -> Any:
    from django.apps import apps

    label, pk = ref
    return apps.get_model(label)._default_manager.get(pk=pk)
