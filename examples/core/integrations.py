"""Clients for the services the shop talks to."""

import httpx
from django.conf import settings


class WarehouseAPIClient:
    """Thin client for the warehouse's stock API."""

    def __init__(self, token, base_url=None):
        self._http = httpx.Client(base_url=base_url or settings.WAREHOUSE_API_URL, timeout=5)
        self._http.headers["Authorization"] = f"Bearer {token}"

    def stock_levels(self):
        return self._http.get("stock/").json()


def connect_warehouse():
    return WarehouseAPIClient(token=settings.WAREHOUSE_API_TOKEN)


def fetch_stock_levels() -> list[dict]:
    """Return stock levels as plain dicts (safe to keep in LiveView state)."""
    return connect_warehouse().stock_levels()
