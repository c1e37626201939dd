"""A project's own template loader class (``OPTIONS["loaders"]`` in the backend tests):
a template ``rev/x`` has its name reversed as its source."""

from django.template import Origin, TemplateDoesNotExist
from django.template.loaders.base import Loader


class ReversingLoader(Loader):
    def get_template_sources(self, template_name):
        yield Origin(name=template_name, template_name=template_name, loader=self)

    def get_contents(self, origin):
        if not origin.name.startswith("rev/"):
            raise TemplateDoesNotExist(origin)
        return origin.name[::-1]
