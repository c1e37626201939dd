"""djust's own URLs: the profile endpoint (:mod:`djust.profile_views`). Include them
under a prefix of your choice::

    urlpatterns = [
        ...,
        path("_djust/", include("djust.urls")),
    ]
"""

from django.urls import path

from djust import profile_views

urlpatterns = [
    path("profile/", profile_views.snapshot, name="djust-profile"),
    path("profile/stream/", profile_views.stream, name="djust-profile-stream"),
    path("profile/traceback/", profile_views.last_traceback, name="djust-profile-traceback"),
    path("profile/state/", profile_views.view_state, name="djust-profile-state"),
]
