# Generated export of an old view, kept for reference; excluded via [tool.djust].
from legacy.clients import LegacyAPIClient


class Legacy:
    def mount(self, request):
        self.api = LegacyAPIClient()
