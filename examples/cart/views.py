import stripe
from django.conf import settings
from djust.decorators import event_handler

from core.mixins import AppLiveView

from .services import cart_lines, cart_total


class CartView(AppLiveView):
    template_name = "cart/cart.html"

    def mount(self, request, **kwargs):
        self._load()

    def _load(self):
        self.lines = cart_lines(self.request.session.get("cart", {}))
        self.total = cart_total(self.lines)

    @event_handler
    def update_quantity(self, line_id, value=1, **kwargs):
        cart = self.request.session.get("cart", {})
        cart[str(line_id)] = max(1, int(value))
        self.request.session["cart"] = cart
        self._load()

    @event_handler
    def remove_line(self, line_id):
        cart = self.request.session.get("cart", {})
        cart.pop(str(line_id), None)
        self.request.session["cart"] = cart
        self._load()
        self.notify("Removed from your cart.")


class CheckoutView(AppLiveView):
    template_name = "cart/checkout.html"

    def mount(self, request, **kwargs):
        self.stripe = stripe.StripeClient(settings.STRIPE_SECRET_KEY)
        self.lines = cart_lines(request.session.get("cart", {}))
        self.total = cart_total(self.lines)
        self.email = request.user.email if request.user.is_authenticated else ""
        self.errors = {}
        self.paid = False

    @event_handler
    def pay(self, email="", card_token="", **kwargs):
        self.email = email.strip()
        self.errors = {}
        if "@" not in self.email:
            self.errors["email"] = "Enter a valid email address."
        if not card_token:
            self.errors["card"] = "Card details are missing."
        if self.errors:
            return
        self.stripe.payment_intents.create(
            params={"amount": int(float(self.total) * 100), "currency": "usd", "receipt_email": self.email}
        )
        self.paid = True
