"""Shared LiveView behaviour."""

from django.contrib.auth.mixins import LoginRequiredMixin
from djust import LiveView
from djust.decorators import event_handler


class FlashMixin:
    """Adds a dismissible flash message to any LiveView."""

    flash = ""

    def notify(self, message):
        self.flash = message

    @event_handler
    def dismiss_flash(self, **kwargs):
        self.flash = ""


class AppLiveView(FlashMixin, LiveView):
    """Base for every page of the shop: flash messages and the nav's cart count."""

    abstract = True
    # The shop's pages are public; the staff dashboard's base below requires a login.
    login_required = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cart_count"] = self.request.session.get("cart_count", 0)
        return context


class StaffLiveView(LoginRequiredMixin, AppLiveView):
    """Base for the staff dashboard."""

    abstract = True
    login_required = True

    def check_permissions(self, request):
        return request.user.is_staff
