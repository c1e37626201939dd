"""URLs for the template backend tests."""

from django.contrib.auth.decorators import user_passes_test
from django.http import HttpResponse
from django.urls import include, path
from djust_test_components import Shop
from djust_test_views import (
    BrokenMount,
    Counter,
    Host,
    LiveA,
    LiveB,
    LockInDict,
    MembersOnly,
    NobodyAllowed,
    Paged,
    Queries,
    Remembered,
    Room,
    StaffSecret,
    Streamer,
    Typed,
    Uploader,
    WithCycle,
    WithForm,
    Worker,
    WorkerDefault,
)

from djust.navigation import live_session


def view(request, slug="", pk=0):
    return HttpResponse("")


def debug_page(request, name):
    """Render ``name`` with a djust backend whose ``debug`` option is on (the template
    errors feed Django's technical 500 page)."""
    from conftest import TEMPLATES

    from djust.template.backends import DjustTemplates

    backend = DjustTemplates(
        {
            "NAME": "debug",
            "DIRS": [TEMPLATES],
            "APP_DIRS": False,
            "OPTIONS": {"debug": True, "libraries": {"shop": "djust_test_tags"}},
        }
    )
    return HttpResponse(backend.get_template(name).render({}, request))


urlpatterns = [
    path("", view, name="home"),
    path("products/<int:pk>/", view, name="product"),
    path("tags/<slug:slug>/", view, name="tag"),
    path("counter/", Counter.as_view(), name="counter"),
    path("remembered/", Remembered.as_view(), name="remembered"),
    path("room/<str:room>/", Room.as_view(), name="room"),
    path("worker/", Worker.as_view(), name="worker"),
    path("uploader/", Uploader.as_view(), name="uploader"),
    path("host/", Host.as_view(), name="host"),
    path("streamer/", Streamer.as_view(), name="streamer"),
    path("broken/", BrokenMount.as_view(), name="broken"),
    path("paged/", Paged.as_view(), name="paged"),
    path("paged/<int:pk>/", Paged.as_view(), name="paged-item"),
    live_session("live/", [path("a/", LiveA.as_view()), path("b/", LiveB.as_view())]),
    path("worker-default/", WorkerDefault.as_view(), name="worker-default"),
    path("counter/<str:title>/", Counter.as_view(), name="titled-counter"),
    path("members/", MembersOnly.as_view(), name="members"),
    path("nobody/", NobodyAllowed.as_view(), name="nobody"),
    # What `staff_member_required` does, without the admin app.
    path("staff/", user_passes_test(lambda u: u.is_active and u.is_staff, login_url="/login/")(StaffSecret.as_view())),
    path("cycle/", WithCycle.as_view(), name="cycle"),
    path("lock/", LockInDict.as_view(), name="lock"),
    path("typed/", Typed.as_view(), name="typed"),
    path("form/", WithForm.as_view(), name="form"),
    path("plain/", view, name="plain"),
    path("debug/<str:name>", debug_page, name="debug-page"),
    path("shop/", Shop.as_view(), name="shop"),
    path("queries/", Queries.as_view(), name="queries"),
    path("_djust/", include("djust.urls")),
]
