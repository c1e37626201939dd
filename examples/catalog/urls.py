from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.ProductListView.as_view(), name="list"),
    path("browse/", views.CategoryBrowserView.as_view(), name="browse"),
    path("<int:pk>/", views.ProductDetailView.as_view(), name="detail"),
]
