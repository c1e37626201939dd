"""Django integration of djust's template engine (see :mod:`djust.template.backends`)."""
