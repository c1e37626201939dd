"""Product search: ORM filtering that returns plain dicts for LiveView state."""

from django.db.models import Q

from .models import Product

FIELDS = ("id", "name", "sku", "price", "stock", "category__name")


def search_products(query="", category=None, in_stock_only=False, limit=50) -> list[dict]:
    qs = Product.objects.select_related("category")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(sku__icontains=query))
    if category:
        qs = qs.filter(category__slug=category)
    if in_stock_only:
        qs = qs.filter(stock__gt=0)
    return list(qs.values(*FIELDS)[:limit])
