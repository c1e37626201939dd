import time

from django.conf import settings
from django.shortcuts import get_object_or_404
from djust.decorators import background, event_handler

from core.mixins import AppLiveView

from .models import Category, Product
from .search import search_products


class ProductListView(AppLiveView):
    """Searchable, filterable product list backed by the ORM."""

    template_name = "catalog/product_list.html"

    def mount(self, request, **kwargs):
        self.query = ""
        self.category = ""
        self.in_stock_only = False
        self.sort = "name"
        self.categories = list(Category.objects.values("slug", "name"))

    def handle_params(self, params, uri):
        # The URL holds the search, the category and the sort (live_patch below), so
        # links, reloads and the back button show the same list.
        self.query = params.get("q", "")
        self.category = params.get("category", "")
        sort = params.get("sort", "name")
        self.sort = sort if sort.lstrip("-") in ("name", "price", "stock") else "name"
        self._refresh()

    def _patch_url(self, **changes):
        state = {"q": self.query, "category": self.category, "sort": self.sort, **changes}
        state["sort"] = None if state["sort"] == "name" else state["sort"]
        self.live_patch({key: value or None for key, value in state.items()})

    def _refresh(self):
        rows = search_products(self.query, self.category, self.in_stock_only)
        reverse = self.sort.startswith("-")
        key = self.sort.lstrip("-")
        self.products = sorted(rows, key=lambda r: r[key], reverse=reverse)

    @event_handler
    def search(self, value="", **kwargs):
        self.query = value.strip()
        self._refresh()

    @event_handler
    def filter_category(self, value="", **kwargs):
        self._patch_url(category=value)

    @event_handler
    def toggle_in_stock(self, **kwargs):
        self.in_stock_only = not self.in_stock_only
        self._refresh()

    @event_handler
    def sort_by(self, column="name", **kwargs):
        self._patch_url(sort=f"-{column}" if self.sort == column else column)


class ProductDetailView(AppLiveView):
    template_name = "catalog/product_detail.html"

    def mount(self, request, pk=None, **kwargs):
        product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
        self.product = {
            "id": product.pk,
            "name": product.name,
            "description": product.description,
            "price": str(product.price),
            "stock": product.stock,
            "category": product.category.name,
        }
        self.quantity = 1
        self.delivery = ""
        self.saved = product.pk in request.session.get("saved", [])

    @event_handler
    @background
    def estimate_delivery(self, **kwargs):
        """The carrier's delivery estimate, asked for without blocking the page: the
        button stays disabled until it arrives (djust.background)."""
        # The demo has no carrier API: this pause stands for its round trip.
        time.sleep(settings.CARRIER_QUOTE_SECONDS)
        stock = Product.objects.filter(pk=self.product["id"]).values_list("stock", flat=True).first()
        self.delivery = "Ships in 2 days" if stock else "Ships in 2 weeks (made to order)"

    @event_handler
    def toggle_saved(self, **kwargs):
        """Keep the product for later; the heart flips at once in the browser
        (dj-optimistic) and flips back if the shop refuses."""
        if not self.request.user.is_authenticated:
            self.notify("Sign in to save products for later.")
            return
        saved = set(self.request.session.get("saved", []))
        saved.symmetric_difference_update({self.product["id"]})
        self.request.session["saved"] = sorted(saved)
        self.saved = self.product["id"] in saved

    @event_handler
    def set_quantity(self, value=1, **kwargs):
        self.quantity = max(1, min(int(value or 1), self.product["stock"] or 1))

    @event_handler
    def add_to_cart(self, **kwargs):
        lines = self.request.session.setdefault("cart", {})
        key = str(self.product["id"])
        lines[key] = lines.get(key, 0) + self.quantity
        self.request.session["cart_count"] = sum(lines.values())
        self.notify(f"Added {self.quantity} × {self.product['name']} to your cart.")


class CategoryBrowserView(AppLiveView):
    template_name = "catalog/category_browser.html"

    def mount(self, request, **kwargs):
        self.categories = list(Category.objects.values("slug", "name"))
        self.selected = self.categories[0]["slug"] if self.categories else ""
        self.products = search_products(category=self.selected, limit=12)

    @event_handler
    def select(self, slug="", **kwargs):
        self.selected = slug
        self.products = search_products(category=slug, limit=12)
