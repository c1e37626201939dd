"""[[class]]: a stateless component made by `djust new component --stateless`. Render
it in any djust template with its props:

    {% component "[[component_path]]" label="New" %}
"""

from djust import Component


class [[class]](Component):
    template_name = "[[app]]/components/[[snake]].html"
