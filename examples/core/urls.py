from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("counter/", views.CounterView.as_view(), name="counter"),
    path("clock/", views.ClockView.as_view(), name="clock"),
]
