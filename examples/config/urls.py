from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("catalog/", include("catalog.urls")),
    path("cart/", include("cart.urls")),
    path("accounts/", include("accounts.urls")),
    path("support/", include("support.urls")),
    path("dashboard/", include("dashboard.urls")),
    # djust's profile endpoint (`djust profile http://127.0.0.1:8000`): served with DEBUG
    # to loopback clients, or to whoever sends the server's DJUST_PROFILE_TOKEN.
    path("_djust/", include("djust.urls")),
]
