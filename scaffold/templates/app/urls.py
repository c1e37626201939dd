"""URLs of [[app]], included by the project's urls.py under "[[app]]/"."""

app_name = "[[app]]"

urlpatterns = []
