from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="tickets"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="ticket"),
    path("chat/", views.LiveChatView.as_view(), name="chat"),
    path("assistant/", views.AssistantView.as_view(), name="assistant"),
    path("returns/", views.ReturnRequestView.as_view(), name="returns"),
]
