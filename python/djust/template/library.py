"""Django tag libraries for djust's Rust engine.

A Django ``Library`` (a ``templatetags`` module's ``register``) is read into plain
descriptions the engine registers (``describe``): every ``@register.filter`` and every
``simple_tag``, ``inclusion_tag`` (with a template name) and ``simple_block_tag`` is
called by the Rust renderer with resolved values, exactly as Django's ``SimpleNode``,
``InclusionNode`` and ``SimpleBlockNode`` would call it, with no Django node in
between. A ``@register.tag`` compile function (arbitrary Python parsing) is run by
Django's own ``Parser`` on the template's tokens, and the ``Node`` it returns renders
against a Django ``Context`` view of the render's context (``Host``): those tags are
the ones djust runs "via Python nodes".

Source: ``django/template/library.py`` (``parse_bits``, the helper nodes) and
``django/template/base.py`` (``Parser``, ``FilterExpression.args_check``), Django 5.2.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, ClassVar

from django.template import Context, Origin, Template, TemplateDoesNotExist
from django.template.base import Parser, Token, TokenType
from django.template.defaulttags import load_from_library
from django.template.engine import Engine
from django.template.library import Library

# Libraries whose tags djust's engine compiles itself (``{% load i18n %}``, ``static``).
NATIVE_LIBRARIES = {"django.templatetags.i18n", "django.templatetags.static"}

_LIBRARY_FILE = inspect.getfile(Library)


def _arg_counts(func: Any) -> tuple[int, int]:
    """``(required, total)`` arguments of a filter, the input included, as Django's
    ``FilterExpression.args_check`` counts them from the unwrapped signature."""
    try:
        spec = inspect.getfullargspec(inspect.unwrap(func))
    except TypeError:
        return 1, 2
    total = len(spec.args)
    return total - len(spec.defaults or ()), total


def _qualname(func: Any) -> str:
    """``module.qualname`` of a filter or compile function: how the engine recognises
    the Django functions it has natively."""
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', '')}"


def _closure(func: Any) -> dict[str, Any] | None:
    """The free variables of a compile function Django's ``Library`` made, or ``None``."""
    code, cells = getattr(func, "__code__", None), getattr(func, "__closure__", None)
    if code is None or cells is None:
        return None
    try:
        return {name: cell.cell_contents for name, cell in zip(code.co_freevars, cells)}
    except ValueError:  # an empty cell
        return None


def _helper_tag(name: str, compile_func: Any) -> dict[str, Any] | None:
    """A ``simple_tag``/``inclusion_tag``/``simple_block_tag`` as the engine calls it:
    the function and its signature as ``parse_bits`` checks it. ``None`` for anything
    else, and for a function Django's compile function would reject (the host path
    then raises Django's own error)."""
    # `@wraps(func)` gives the compile function the tag function's name and module;
    # its code object is still Django's.
    code = getattr(compile_func, "__code__", None)
    if code is None or code.co_name != "compile_func" or code.co_filename != _LIBRARY_FILE:
        return None
    free = _closure(compile_func)
    if free is None:
        return None
    kind = "inclusion" if "filename" in free else "block" if "end_name" in free else "simple"
    try:
        params = list(free["params"])
        takes_context = bool(free["takes_context"])
        func = free["func"]
        defaults, varargs, varkw = free["defaults"], free["varargs"], free["varkw"]
        kwonly, kwonly_defaults = list(free["kwonly"]), free["kwonly_defaults"]
    except KeyError:
        return None
    tag: dict[str, Any] = {"name": name, "kind": kind, "func": func, "takes_context": takes_context}
    if kind == "block":
        if takes_context and len(params) >= 2 and params[1] == "content":
            del params[1]
        elif not takes_context and params and params[0] == "content":
            del params[0]
        else:
            return None
        tag["end_name"] = free.get("end_name") or f"end{name}"
    if kind == "inclusion":
        # A name, a list or tuple of names, or a template object: the engine takes
        # each as Django's `InclusionNode` does.
        if "filename" not in free:
            return None
        tag["filename"] = free["filename"]
    if takes_context:
        if not params or params[0] != "context":
            return None
        params = params[1:]
    tag.update(
        params=params,
        defaults=len(defaults or ()),
        varargs=varargs is not None,
        varkw=varkw is not None,
        kwonly=kwonly,
        kwonly_required=[k for k in kwonly if not kwonly_defaults or k not in kwonly_defaults],
    )
    return tag


class Host:
    """The Django side of one engine's libraries: a Django ``Engine`` with the same
    libraries, builtins, loaders and options (Django's parser for ``@register.tag``
    compile functions, and ``context.template.engine`` for the nodes they return).
    ``Host.compiled`` counts the tags compiled through Django's parser in this process
    (how often the "via Python nodes" path ran), ``Host.compiled_by`` the compile
    functions (``module.qualname``) that ran; ``Host.tokens_converted`` the template
    tokens handed to Django's parser (each template's once per parse)."""

    compiled = 0
    compiled_by: ClassVar[set[str]] = set()
    tokens_converted = 0

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.template = Template("", engine=engine)

    def describe(self, library: Library) -> dict[str, Any]:
        """The description ``djust._rust.Engine(libraries=...)`` registers."""
        filters = []
        for name, func in library.filters.items():
            required, total = _arg_counts(func)
            filters.append(
                {
                    "name": name,
                    "func": func,
                    # The engine has some of Django's own filters natively (humanize's
                    # `intcomma`, `ordinal`, `apnumber`, `intword`): found by this name.
                    "qualname": _qualname(func),
                    "is_safe": bool(getattr(func, "is_safe", False)),
                    "needs_autoescape": bool(getattr(func, "needs_autoescape", False)),
                    "expects_localtime": bool(getattr(func, "expects_localtime", False)),
                    "required": required,
                    "total": total,
                }
            )
        tags = []
        for name, compile_func in library.tags.items():
            tag = _helper_tag(name, compile_func) or {
                "name": name,
                "kind": "host",
                # The engine parses some of Django's own (`cache`): found by this name.
                "qualname": _qualname(compile_func),
                "compile": functools.partial(self.compile, compile_func),
                "render": self.render,
            }
            tag["context"] = self.context
            tags.append(tag)
        return {"filters": filters, "tags": tags}

    def context(self, mapping: Any, bound: list, autoescape: bool, template_name: str | None) -> Context:
        """A Django ``Context`` over a render's context: the caller's mapping, then the
        names the template bound (outermost first), then an empty scope that collects
        what a node sets."""
        context = Context(autoescape=autoescape)
        if mapping is not None:
            context.dicts.append(mapping)
            request = mapping.get("request") if hasattr(mapping, "get") else None
            if request is not None:
                context.request = request
        context.dicts.append(dict(bound))
        context.dicts.append({})
        context.template = self.template
        context.render_context.template = self.template
        context.template_name = template_name
        return context

    def compile(
        self,
        compile_func: Any,
        parse: int,
        tokens: list | None,
        at: int,
        loads: list,
        template_name: str | None,
    ) -> tuple[Any, int]:
        """Run ``compile_func`` as Django's ``Parser.parse`` does on the tag at token
        ``at``, with the libraries the template loaded so far. Returns the node and how
        many tokens it consumed.

        ``tokens`` (``(type, contents, start, end, lineno)``, the whole template's) come
        with a parse's first host tag and are ``None`` after: one Django ``Parser`` over
        them serves the parse's tags in order, as in Django, so compiling is linear in
        the template however many host tags it has."""
        Host.compiled += 1
        Host.compiled_by.add(_qualname(compile_func))
        state = getattr(_parses, "state", None)
        if tokens is not None or state is None or state.parse != parse or at < state.at:
            if tokens is None:
                raise RuntimeError("djust: a host tag's parse state is gone; compile the template again")
            Host.tokens_converted += len(tokens)
            made = [
                Token(TokenType(kind), contents, (start, end), lineno) for kind, contents, start, end, lineno in tokens
            ]
            origin = Origin(template_name or "<unknown source>", template_name=template_name)
            parser = Parser(made, self.engine.template_libraries, self.engine.template_builtins, origin)
            state = _ParseState(parse, made, parser, origin)
            _parses.state = state
        parser, made = state.parser, state.made
        # Django's parser has the tokens after `at` left: the engine parsed the others.
        del parser.tokens[len(made) - at - 1 :]
        for library_name, names in loads[state.loads :]:
            library = self.engine.template_libraries.get(library_name)
            if library is not None:
                parser.add_library(load_from_library(library, library_name, names) if names else library)
        state.loads = len(loads)
        state.at = at
        token = made[at]
        command = token.contents.split()[0]
        parser.command_stack.append((command, token))
        node = compile_func(parser, token)
        parser.command_stack.pop()
        node.token = token
        node.origin = state.origin
        return node, len(made) - at - len(parser.tokens)

    def render(self, node: Any, context: Context) -> tuple[str, list]:
        """Render a compiled node; returns the output and what it set in the context."""
        writes = context.dicts[-1]
        output = node.render_annotated(context)
        return str(output), list(writes.items())


_parses = threading.local()


class _ParseState:
    """One template parse's Django ``Parser`` over its tokens (per thread)."""

    def __init__(self, parse: int, made: list, parser: Any, origin: Any) -> None:
        self.parse, self.made, self.parser, self.origin = parse, made, parser, origin
        self.loads = 0
        self.at = -1


def load_source(loader: Any, name: str) -> str | None:
    """A Django loader's source for ``name`` (its first origin that exists), or ``None``."""
    for origin in loader.get_template_sources(name):
        try:
            return loader.get_contents(origin)
        except TemplateDoesNotExist:
            continue
    return None
