"""[[class]]: a live component made by `djust new component`. Render it in a
LiveView's template, with an id unique on the page and any props:

    {% live_component "[[component_path]]" id="[[snake]]" %}

It keeps its own state between renders; events from inside it reach its handlers.
"""

from typing import Any

from djust import LiveComponent
from djust.decorators import event_handler


class [[class]](LiveComponent):
    template_name = "[[app]]/components/[[snake]].html"

    def mount(self, **props: Any) -> None:
        self.count = 0
        super().mount(**props)

    @event_handler
    def increment(self, **kwargs: Any) -> None:
        self.count += 1
