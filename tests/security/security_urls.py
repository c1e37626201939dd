"""The example's URLs plus a staff-only LiveView (behind Django's own
staff_member_required, as the issue found it) and a LiveView whose sizes come from
the client."""

from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from security_views import PadView, QueriesView, RoomView, StaffSecretView

urlpatterns = [
    path("staff/secret/", staff_member_required(StaffSecretView.as_view())),
    path("pad/", PadView.as_view()),
    path("queries/", QueriesView.as_view()),
    path("room/", RoomView.as_view()),
    path("", include("config.urls")),
]
