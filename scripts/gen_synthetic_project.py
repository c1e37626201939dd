#!/usr/bin/env python3
"""Generate a synthetic Django + djust project for benchmarking `djust check`.

Usage: gen_synthetic_project.py OUT_DIR [--py 10000] [--templates 5000] [--seed 1]

The tree looks like a large real project: apps with views (LiveViews with mount(),
event handlers, ORM queries), models, forms, services, tests and utilities, and
templates that extend layouts, include components and carry djust directives. About 2%
of files contain each anti-pattern so every rule has work to do. Deterministic for a
given seed.
"""

import argparse
import os
import random

VIEW = '''"""Views for the {app} app (module {n})."""
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404

from djust import LiveView
from djust.decorators import event_handler, debounce

from .models import {Model}
from .services import summarize_{app}


class {Name}ListView(LiveView):
    """List of {plural} with search and sorting."""

    template_name = "{app}/{lower}_list_{n}.html"

    def mount(self, request, **kwargs):
        self.query = request.GET.get("q", "")
        self.sort = "name"
        self.page = 1
        self.selected = []
{mount_extra}        self._refresh()

    def _refresh(self):
        qs = {Model}.objects.all()
        if self.query:
            qs = qs.filter(Q(name__icontains=self.query) | Q(code__icontains=self.query))
        self.rows = list(qs.order_by(self.sort).values("id", "name", "code", "amount")[:50])
        self.total = str(sum((Decimal(r["amount"]) for r in self.rows), Decimal("0")))

    @event_handler
    @debounce(wait=0.3)
    def search(self, value="", **kwargs):
        self.query = value
        self._refresh()

    @event_handler
    def sort_by(self, column="name", **kwargs):
        self.sort = column if self.sort != column else f"-{{column}}"
        self._refresh()

    @event_handler
    def select(self, item_id{handler_tail}):
        if item_id in self.selected:
            self.selected.remove(item_id)
        else:
            self.selected.append(item_id)

    @event_handler()
    def next_page(self, **kwargs):
        self.page += 1
        self._refresh()


class {Name}DetailView(LiveView):
    template_name = "{app}/{lower}_detail_{n}.html"

    def mount(self, request, pk=None, **kwargs):
        obj = get_object_or_404({Model}, pk=pk)
        self.item = {{"id": obj.pk, "name": obj.name, "amount": str(obj.amount)}}
        self.summary = summarize_{app}(obj)
        self.editing = False

    @event_handler
    def toggle_edit(self, **kwargs):
        self.editing = not self.editing

    @event_handler
    def save(self, name="", amount="0", **kwargs):
        {Model}.objects.filter(pk=self.item["id"]).update(name=name, amount=Decimal(amount))
        self.item.update(name=name, amount=amount)
        self.editing = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.request.user.has_perm("{app}.change_{lower}")
        return context
'''

MODEL = """from django.db import models


class {Model}(models.Model):
    name = models.CharField(max_length=120)
    code = models.CharField(max_length=32, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["code"])]

    def __str__(self):
        return f"{{self.name}} ({{self.code}})"

    @property
    def is_large(self):
        return self.amount > 1000
"""

SERVICE = '''"""Service helpers for {app} (module {n})."""
import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass
class Summary{n}:
    count: int
    label: str


def summarize_{app}(obj):
    label = obj.name.title() if obj.name else "untitled"
    logger.debug("summarizing %s", obj.pk)
    return {{"count": 1, "label": label}}


def batch_{n}(items, size=100):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def normalize_{n}(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
'''

FORM = """from django import forms

from .models import {Model}


class {Model}Form{n}(forms.ModelForm):
    class Meta:
        model = {Model}
        fields = ["name", "code", "amount", "notes"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not code.isalnum():
            raise forms.ValidationError("Codes are letters and digits only.")
        return code
"""

TEST = """from django.test import TestCase

from .models import {Model}


class {Model}Tests{n}(TestCase):
    def setUp(self):
        self.obj = {Model}.objects.create(name="a", code="A{n}", amount=5)

    def test_str(self):
        self.assertIn("A{n}", str(self.obj))

    def test_large(self):
        self.assertFalse(self.obj.is_large)
"""

LIST_TEMPLATE = """{{% extends "layouts/app.html" %}}
{{% load static %}}
{{% block title %}}{plural} · Synthetic{{% endblock %}}
{{% block content %}}
<div {root_attrs} class="list {lower}">
  <header class="toolbar">
    <input type="search" value="{{{{ query }}}}" dj-input="search" dj-debounce="300" aria-label="Search">
    {{% include "components/sort_menu.html" with options=sort_options %}}
  </header>
  <table>
    <thead><tr><th dj-click="sort_by" data-column="name">Name</th><th>Code</th><th>Amount</th></tr></thead>
    <tbody>
    {{% for row in rows %}}
      <tr dj-key="{{{{ row.id }}}}" class="{{% cycle 'odd' 'even' %}}">
        <td><a href="{{% url '{app}:detail' row.id %}}">{{{{ row.name|truncatechars:40 }}}}</a></td>
        <td>{{{{ row.code }}}}</td>
        <td>{{{{ row.amount|floatformat:2 }}}}</td>
        <td><button dj-click="select" data-item-id="{{{{ row.id }}}}">Select</button></td>
      </tr>
    {{% empty %}}
      <tr><td colspan="4">{{% include "components/empty.html" %}}</td></tr>
    {{% endfor %}}
    </tbody>
  </table>
  {{# pagination #}}
  <button dj-click="next_page">Next</button>
  <p>Total: {{{{ total }}}}</p>
</div>
{{% endblock %}}
"""

DETAIL_TEMPLATE = """{{% extends "layouts/app.html" %}}
{{% block content %}}
<article dj-root dj-view="{app}.views_{n}.{Name}DetailView">
  <h1>{{{{ item.name }}}}</h1>
  {{% if editing %}}
    <form dj-submit="save">
      {{% csrf_token %}}
      <input name="name" value="{{{{ item.name }}}}">
      <input name="amount" value="{{{{ item.amount }}}}">
      <button type="submit">Save</button>
    </form>
  {{% else %}}
    <p>{{{{ summary.label }}}} — {{{{ item.amount }}}}</p>
    {{% if can_edit %}}<button dj-click="toggle_edit">Edit</button>{{% endif %}}
  {{% endif %}}
  {{% comment %}}Older layout kept for reference: <div dj-root>{{% endcomment %}}
</article>
{{% endblock %}}
"""

PARTIAL = """{{# djust:partial #}}
<li dj-key="{{{{ item.id }}}}" class="item">
  <span>{{{{ item.name|default:"—" }}}}</span>
  <button dj-click="remove" data-id="{{{{ item.id }}}}" dj-confirm="Remove?">×</button>
</li>
"""

LAYOUT = """{% load static %}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}Synthetic{% endblock %}</title>
<link rel="stylesheet" href="{% static 'site.css' %}"></head>
<body>{% include "components/nav.html" %}<main>{% block content %}{% endblock %}</main></body></html>
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--py", type=int, default=10000)
    ap.add_argument("--templates", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    out = args.out
    os.makedirs(out, exist_ok=True)

    def write(rel, text):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    py_per_app, tpl_per_app = 20, 10
    apps = max(1, args.py // py_per_app)
    write(
        "manage.py",
        "import os\nimport sys\n\nif __name__ == '__main__':\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'project.settings')\n",
    )
    write("project/__init__.py", "")
    write(
        "project/settings.py",
        "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nTEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [BASE_DIR / 'templates'], 'APP_DIRS': True}]\n",
    )
    write("templates/layouts/app.html", LAYOUT)
    write("templates/components/nav.html", '<nav><a href="/">Home</a></nav>\n')
    write("templates/components/empty.html", '<p class="empty">Nothing here.</p>\n')
    write(
        "templates/components/sort_menu.html",
        '<select dj-change="sort_by">{% for o in options %}<option>{{ o }}</option>{% endfor %}</select>\n',
    )
    py_count, tpl_count = 2, 4
    for a in range(apps):
        app = f"app{a:04d}"
        Model = f"Record{a}"
        files = {f"{app}/__init__.py": "", f"{app}/models.py": MODEL.format(Model=Model)}
        n = 0
        while len(files) < py_per_app and py_count + len(files) <= args.py:
            kind = n % 4
            if kind == 0:
                name = f"Item{a}x{n}"
                mount_extra = ""
                if rnd.random() < 0.02:
                    mount_extra = "        self.client = ReportingAPIClient(timeout=3)\n"
                tail = "" if rnd.random() < 0.02 else ", **kwargs"
                files[f"{app}/views_{n}.py"] = VIEW.format(
                    app=app,
                    n=n,
                    Model=Model,
                    Name=name,
                    lower=name.lower(),
                    plural=f"{name}s",
                    mount_extra=mount_extra,
                    handler_tail=tail,
                )
            elif kind == 1:
                files[f"{app}/services_{n}.py"] = SERVICE.format(app=app, n=n)
            elif kind == 2:
                files[f"{app}/forms_{n}.py"] = FORM.format(Model=Model, n=n)
            else:
                files[f"{app}/tests/test_{n}.py"] = TEST.format(Model=Model, n=n)
            n += 1
        files[f"{app}/services.py"] = SERVICE.format(app=app, n=0)
        for rel, text in files.items():
            write(rel, text)
        py_count += len(files)
        for t in range(tpl_per_app):
            if tpl_count >= args.templates:
                break
            name = f"Item{a}x{t * 4}"
            if t % 3 == 0:
                root = 'dj-root dj-view="%s.views_%d.%sListView"' % (app, t * 4, name)
                r = rnd.random()
                if r < 0.02:
                    root = 'dj-view="%s.views_%d.%sListView"' % (app, t * 4, name)
                elif r < 0.04:
                    root = 'dj-view="%s.views_%d.%sListView"><div dj-root' % (app, t * 4, name)
                text = LIST_TEMPLATE.format(app=app, lower=name.lower(), plural=f"{name}s", root_attrs=root)
                write(f"{app}/templates/{app}/{name.lower()}_list_{t * 4}.html", text)
            elif t % 3 == 1:
                write(
                    f"{app}/templates/{app}/{name.lower()}_detail_{t * 4}.html",
                    DETAIL_TEMPLATE.format(app=app, n=t * 4, Name=name),
                )
            else:
                write(f"{app}/templates/{app}/partials/item_{t}.html", PARTIAL.format())
            tpl_count += 1
        if py_count >= args.py and tpl_count >= args.templates:
            break
    print(f"generated {py_count} Python files and {tpl_count} templates in {out}")


if __name__ == "__main__":
    main()
