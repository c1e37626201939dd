from django.contrib.auth import get_user_model
from djust.decorators import event_handler

from core.mixins import AppLiveView

from .forms import ProfileForm, SignupForm


class ProfileView(AppLiveView):
    """A validated form: errors appear as you type, the save is one event."""

    template_name = "accounts/profile.html"
    login_required = True

    def mount(self, request, **kwargs):
        user = request.user
        self.values = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": "",
        }
        self.errors = {}
        self.saved = False

    @event_handler
    def validate(self, field="", value="", **kwargs):
        self.values[field] = value
        form = ProfileForm(data=self.values)
        form.is_valid()
        self.errors = {name: errs[0] for name, errs in form.errors.items() if name == field}

    @event_handler
    def save(self, **form_data):
        form = ProfileForm(data=form_data)
        if not form.is_valid():
            self.errors = {name: errs[0] for name, errs in form.errors.items()}
            return
        user = self.request.user
        for field in ("first_name", "last_name", "email"):
            setattr(user, field, form.cleaned_data[field])
        user.save(update_fields=["first_name", "last_name", "email"])
        self.values.update(form.cleaned_data)
        self.errors = {}
        self.saved = True


class NotificationSettingsView(AppLiveView):
    template_name = "accounts/notifications.html"
    login_required = True

    CHANNELS = ("order_updates", "restock_alerts", "newsletter")

    def mount(self, request, **kwargs):
        prefs = request.session.get("notification_prefs", {})
        self.prefs = {name: prefs.get(name, name != "newsletter") for name in self.CHANNELS}

    @event_handler
    def toggle(self, channel="", **kwargs):
        if channel in self.prefs:
            self.prefs[channel] = not self.prefs[channel]
            self.request.session["notification_prefs"] = self.prefs


class SignupView(AppLiveView):
    template_name = "accounts/signup.html"

    def mount(self, request, **kwargs):
        self.values = {"username": "", "email": ""}
        self.errors = {}

    @event_handler
    def validate(self, field="", value="", **kwargs):
        """Check one field as it is typed; show only that field's error."""
        if field in self.values:
            self.values[field] = value
        form = SignupForm(data={**self.values, field: value})
        form.is_valid()
        self.errors = {k: v for k, v in self.errors.items() if k != field}
        if field in form.errors:
            self.errors[field] = form.errors[field][0]

    @event_handler
    def submit(self, **form_data):
        form = SignupForm(data=form_data)
        self.values = {k: form_data.get(k, "") for k in ("username", "email")}
        if not form.is_valid():
            self.errors = {name: errs[0] for name, errs in form.errors.items()}
            return
        get_user_model().objects.create_user(**form.cleaned_data)
        self.redirect("accounts:login")
