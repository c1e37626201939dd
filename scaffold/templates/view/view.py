"""[[class]]: a LiveView made by `djust new view`. Its public attributes are the
state its template shows; each @event_handler runs when the page sends its event."""

from typing import Any

from djust import LiveView
from djust.decorators import event_handler


class [[class]](LiveView):
    template_name = "[[app]]/[[snake]].html"
    # Who may open the page: True sends visitors to LOGIN_URL first (djust check S005).
    login_required = False

    def mount(self, request: Any, **kwargs: Any) -> None:
[[state_init]]

    @event_handler
    def increment(self, **kwargs: Any) -> None:
        """The button: one more."""
        self.[[counter]] += 1
