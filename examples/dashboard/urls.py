from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.MetricsView.as_view(), name="metrics"),
    path("orders/", views.OrdersView.as_view(), name="orders"),
    path("inventory/", views.InventoryView.as_view(), name="inventory"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
]
