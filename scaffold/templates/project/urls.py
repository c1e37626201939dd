"""URLs of [[project]]."""

from django.urls import path

from [[project]].views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
]
