import redis
from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from djust.decorators import event_handler

from catalog.models import Product
from core.integrations import connect_warehouse, fetch_stock_levels
from core.mixins import StaffLiveView
from support.models import Ticket


class MetricsView(StaffLiveView):
    template_name = "dashboard/metrics.html"

    def mount(self, request, **kwargs):
        self.cache = redis.from_url(settings.REDIS_URL)
        self.range_days = 7
        self._compute()

    def _compute(self):
        since = timezone.now() - timezone.timedelta(days=self.range_days)
        self.open_tickets = Ticket.objects.filter(status="open").count()
        self.new_tickets = Ticket.objects.filter(created_at__gte=since).count()
        self.stock_value = str(Product.objects.aggregate(total=Sum("price"))["total"] or 0)
        self.visitors = int(self.cache.get("visitors") or 0)

    @event_handler
    def set_range(self, value="7", **kwargs):
        self.range_days = int(value)
        self._compute()


class OrdersView(StaffLiveView):
    template_name = "dashboard/orders.html"

    def mount(self, request, **kwargs):
        self.page = 1
        self.per_page = 25
        self._load()

    def _load(self):
        qs = Ticket.objects.values("customer__username").annotate(n=Count("id")).order_by("-n")
        start = (self.page - 1) * self.per_page
        self.rows = list(qs[start : start + self.per_page])
        self.has_next = qs.count() > start + self.per_page

    @event_handler
    def next_page(self, **kwargs):
        if self.has_next:
            self.page += 1
            self._load()

    @event_handler
    def previous_page(self, **kwargs):
        if self.page > 1:
            self.page -= 1
            self._load()


class InventoryView(StaffLiveView):
    template_name = "dashboard/inventory.html"

    def mount(self, request, **kwargs):
        self.warehouse = connect_warehouse()
        self.levels = fetch_stock_levels()
        self.low_stock = [row for row in self.levels if row["available"] < 5]

    @event_handler
    def refresh(self, **kwargs):
        self.levels = fetch_stock_levels()
        self.low_stock = [row for row in self.levels if row["available"] < 5]


class AuditLogView(StaffLiveView):
    """Reads the audit trail; the client is rebuilt on every request by design."""

    template_name = "dashboard/audit_log.html"

    def mount(self, request, **kwargs):
        self.audit_client = connect_warehouse()  # noqa: V006 -- short-lived, dropped after mount
        self.entries = self.audit_client.stock_levels()[:50]
        del self.audit_client
