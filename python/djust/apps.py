"""The ``djust`` Django app: add ``"djust"`` to ``INSTALLED_APPS`` to get djust's
system checks (``manage.py check --tag djust``)."""

from django.apps import AppConfig


class DjustConfig(AppConfig):
    name = "djust"
    verbose_name = "djust"

    def ready(self) -> None:
        from djust import checks, conf, profile_workers, profiling

        # A bad settings.DJUST stops start-up with the key and the fix.
        conf.validate()
        checks.register()
        profiling.configure(conf.profiling_on(), conf.profile_ring_size())
        # With a shared channel layer, this worker answers the others' profile endpoint.
        profile_workers.arm()
