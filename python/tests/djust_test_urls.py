"""URLs for the template backend tests."""

from django.http import HttpResponse
from django.urls import path
from djust_test_views import Counter, MembersOnly, NobodyAllowed


def view(request, slug="", pk=0):
    return HttpResponse("")


urlpatterns = [
    path("", view, name="home"),
    path("products/<int:pk>/", view, name="product"),
    path("tags/<slug:slug>/", view, name="tag"),
    path("counter/", Counter.as_view(), name="counter"),
    path("counter/<str:title>/", Counter.as_view(), name="titled-counter"),
    path("members/", MembersOnly.as_view(), name="members"),
    path("nobody/", NobodyAllowed.as_view(), name="nobody"),
]
