"""A project's own tag library, one of every kind Django's ``Library`` registers
(``OPTIONS["libraries"] = {"shop": "djust_test_tags"}`` in the backend tests)."""

from django import template
from django.template.defaultfilters import stringfilter
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def price(value, currency="EUR"):
    return f"{value:.2f} {currency}"


@register.filter(is_safe=True)
@stringfilter
def shout(value):
    return value.upper() + "!"


@register.filter(needs_autoescape=True)
def bold(value, autoescape=True):
    text = conditional_escape(value) if autoescape else value
    return mark_safe(f"<b>{text}</b>")


@register.filter(expects_localtime=True)
def hour(value):
    return f"{value.hour}h{value.tzinfo is not None}"


@register.simple_tag
def greet(name, greeting="Hello", *, punctuation="!"):
    return f"{greeting}, {name}{punctuation}"


@register.simple_tag(takes_context=True)
def whoami(context, prefix):
    return format_html("{}{}<i>{}</i>", prefix, context.get("user_name", "?"), context.autoescape)


@register.simple_tag
def total(*numbers, **scale):
    return sum(numbers) * scale.get("times", 1)


@register.inclusion_tag("tags/item.html")
def item(product, extra=""):
    return {"product": product, "extra": extra}


@register.inclusion_tag("tags/item.html", takes_context=True)
def first_item(context):
    return {"product": context["products"][0], "extra": context.get("q", "")}


@register.simple_block_tag
def box(content, kind="note"):
    return format_html('<div class="{}">{}</div>', kind, content)


@register.simple_block_tag(takes_context=True, end_name="endframe")
def framed(context, content):
    return format_html("[{}:{}]", context.get("q"), content)


class UpperNode(template.Node):
    def __init__(self, nodelist, var):
        self.nodelist, self.var = nodelist, var

    def render(self, context):
        text = self.nodelist.render(context)
        if self.var:
            context[self.var] = text.upper()
            return ""
        return text.upper()


@register.tag
def upper(parser, token):
    """``{% upper [as var] %}…{% endupper %}``: arbitrary Python parsing."""
    bits = token.split_contents()
    if len(bits) not in (1, 3) or (len(bits) == 3 and bits[1] != "as"):
        raise template.TemplateSyntaxError("'upper' takes no arguments or 'as var'")
    nodelist = parser.parse(("endupper",))
    parser.delete_first_token()
    return UpperNode(nodelist, bits[2] if len(bits) == 3 else None)


class Boom(Exception):
    """Raised by the ``boom`` filter: user code's exceptions escape the render."""


@register.filter
def boom(value):
    raise Boom(f"boom on {value}")


@register.tag
def broken(parser, token):
    """A compile function that fails as user code can: Django lets this escape."""
    raise Boom("I am a broken tag")


@register.simple_tag(takes_context=True)
def remember(context, value):
    """Sets a name in its context, as a tag function may."""
    context["remembered"] = value
    return ""


@register.inclusion_tag(["missing.html", "named.html"])
def first_found(name):
    """An inclusion tag with a list of names: the first that exists."""
    return {"name": name}
