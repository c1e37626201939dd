#!/usr/bin/env python3
"""Generate runtime/tests/django/corpus.json: the differential corpus for the template
engine (rendered by Django with scripts/django_render.py, compared byte for byte by
runtime/tests/django_differential.rs).

Cases cover values of every kind, variables and lookups, literals, filters with their
arguments, every implemented tag and its options, inheritance and include, autoescape
on and off, string_if_invalid, and syntax and render errors.
"""

import json
import sys

D = lambda s: {"$decimal": s}
T = lambda *xs: {"$tuple": list(xs)}
S = lambda s: {"$safe": s}
DT = lambda s: {"$datetime": s}
DA = lambda s: {"$date": s}
TI = lambda s: {"$time": s}

VALUES = {
    "int": 42,
    "zero": 0,
    "neg": -7,
    "big": 12345678,
    "one": 1,
    "float": 3.14159,
    "float_int": 2.0,
    "float_small": 0.00001,
    "float_big": 1e16,
    "float_neg": -2.5,
    "dec": D("12.50"),
    "dec_exp": D("1E+2"),
    "dec_zero": D("0.00"),
    "dec_neg": D("-3.456"),
    "str": "hello world",
    "str_html": "<b>\"Tom\" & 'Jerry'</b>",
    "str_num": "123",
    "str_float": "4.5",
    "str_empty": "",
    "str_unicode": "Crème brûlée – naïve café",
    "str_multiline": "line one\nline two\n\nnew para\r\nwindows",
    "str_spaces": "  padded  text  ",
    "safe_html": S("<i>safe</i> & sound"),
    "none": None,
    "true": True,
    "false": False,
    "list": [1, 2, 3],
    "list_str": ["a", "b<", "c&d"],
    "list_empty": [],
    "list_nested": ["x", ["y", ["z"]], "w"],
    "tuple": T(1, "two"),
    "dict": {"k": "v", "n": 2},
    "dict_empty": {},
    "dt": DT("2024-03-05T14:07:09.000123"),
    "dt_midnight": DT("2023-01-01T00:00:00"),
    "dt_noon": DT("2021-12-31T12:00:00"),
    "dt_aware": DT("2024-07-04T09:05:00+02:00"),
    "d": DA("2024-02-29"),
    "d_old": DA("1999-11-11"),
    "t": TI("23:59:58"),
    "t_noon": TI("12:00"),
}

ARGS = {
    "add": ["1", '"x"', "-3", '"5"', "2.5", "list", "none"],
    "center": ["10", '"3"', "15"],
    "ljust": ["10", "2"],
    "rjust": ["10", "2"],
    "cut": ['" "', '"l"', '"&"'],
    "default": ['"fallback"', "0", "none"],
    "default_if_none": ['"fallback"', '""'],
    "divisibleby": ["2", "3", '"7"'],
    "floatformat": [None, "0", "1", "2", "3", "-1", "-2", "-3", '"2g"', '"g"', '"2u"', '"-3g"', '"abc"'],
    "get_digit": ["1", "2", "9", "0", '"x"'],
    "join": ['", "', '"<br>"', '""'],
    "pluralize": [None, '"es"', '"y,ies"', '"a,b,c"'],
    "slice": ['":2"', '"1:"', '"::-1"', '"-2:"', '"0"', '"1:3:2"', '"x"'],
    "stringformat": ['"s"', '"d"', '"05d"', '".2f"', '"x"', '"r"', '"10s"', '"-10s|"', '"E"'],
    "truncatechars": ["5", "1", "0", "20", '"x"'],
    "truncatewords": ["1", "2", "0", '"x"'],
    "yesno": [None, '"yeah,nope"', '"yeah,nope,dunno"', '"one"'],
    "urlencode": [None, '""', '"/ "'],
    "dictsort": ['"k"'],
    "dictsortreversed": ['"k"'],
}

NOARG = [
    "addslashes",
    "capfirst",
    "escape",
    "force_escape",
    "escapejs",
    "first",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "linenumbers",
    "lower",
    "upper",
    "title",
    "make_list",
    "phone2numeric",
    "safe",
    "slugify",
    "wordcount",
    "filesizeformat",
    "iriencode",
    "unordered_list",
    "escapeseq",
    "safeseq",
]

# Filters whose failure on some inputs is an exception in Django too (compared by class).
cases = []


def add(name, template, context=None, **extra):
    # The shared VALUES context is stored once in the corpus and referenced by name.
    case = {"name": name, "template": template, "context": "values" if context is None else context}
    case.update(extra)
    cases.append(case)


# --- variables and values -----------------------------------------------------------
for key in VALUES:
    add(f"value/{key}", "[{{ %s }}]" % key)
    add(f"value/{key}/noescape", "[{{ %s }}]" % key, autoescape=False)
for expr in [
    "dict.k",
    "dict.n",
    "dict.missing",
    "dict.items",
    "dict.keys",
    "dict.values",
    "list.0",
    "list.2",
    "list.-1",
    "list.9",
    "list_nested.1.1.0",
    "tuple.1",
    "str.upper",
    "str.0",
    "str.-1",
    "missing",
    "missing.attr",
    "none.attr",
    "int.real",
    "dict.k.upper",
    "str.strip",
]:
    for sii in ["", "INVALID", "INVALID(%s)"]:
        add(f"lookup/{expr}/sii={sii}", "[{{ %s }}]" % expr, string_if_invalid=sii)
    add(f"lookup/{expr}/filtered", "[{{ %s|default:'dflt' }}]" % expr)
for lit in [
    "1",
    "-3",
    "+4",
    "1.5",
    ".5",
    "1e3",
    "1E-2",
    "1_000",
    '"quoted"',
    "'single'",
    '"with \\"escaped\\" quotes"',
    '"<b>safe literal</b>"',
    "2.",
    "0x10",
    "True",
    "None",
]:
    add(f"literal/{lit}", "[{{ %s }}]" % lit)
    add(f"literal/{lit}/upper", "[{{ %s|upper }}]" % lit)

# --- filters ------------------------------------------------------------------------
for f in NOARG:
    for key in VALUES:
        add(f"filter/{f}/{key}", "[{{ %s|%s }}]" % (key, f))
    add(f"filter/{f}/noescape", "[{{ str_html|%s }}]" % f, autoescape=False)
    add(f"filter/{f}/safe_in", "[{{ safe_html|%s }}]" % f)
for f, args in ARGS.items():
    for arg in args:
        for key in VALUES:
            expr = f"{key}|{f}" if arg is None else f"{key}|{f}:{arg}"
            add(f"filter/{f}:{arg}/{key}", "[{{ %s }}]" % expr)
add(
    "filter/dictsort/records",
    "{% for r in rows|dictsort:'age' %}{{ r.name }} {% endfor %}",
    {"rows": [{"name": "b", "age": 3}, {"name": "a", "age": 1}, {"name": "c", "age": 3}]},
)
add(
    "filter/dictsortreversed/records",
    "{% for r in rows|dictsortreversed:'age' %}{{ r.name }} {% endfor %}",
    {"rows": [{"name": "b", "age": 3}, {"name": "a", "age": 1}, {"name": "c", "age": 3}]},
)
add(
    "filter/dictsort/nested",
    "{% for r in rows|dictsort:'p.x' %}{{ r.p.x }}{% endfor %}",
    {"rows": [{"p": {"x": 2}}, {"p": {"x": 1}}]},
)
add("filter/dictsort/private", "{{ rows|dictsort:'_x' }}", {"rows": [{"_x": 1}]})
add("filter/dictsort/mixed", "[{{ rows|dictsort:'k' }}]", {"rows": [{"k": 1}, {"k": "a"}]})
add("filter/chain", "{{ str|upper|cut:'O'|truncatechars:6|default:'x' }}")
add("filter/chain/safe", "{{ str_html|safe|lower }}")
add("filter/chain/escape_then_safe", "{{ str_html|escape|safe }}")
add("filter/arg_var", "{{ int|add:one }}")
add("filter/arg_missing", "{{ int|add:missing }}")
add("filter/spaces", "{{ str | upper }}")
add("filter/join/autoescape_off", "{% autoescape off %}{{ list_str|join:'<br>' }}{% endautoescape %}")
add("filter/join/ints_off", "{% autoescape off %}{{ list|join:',' }}{% endautoescape %}")
add("filter/linebreaks/off", "{% autoescape off %}{{ str_multiline|linebreaks }}{% endautoescape %}")

# --- dates ----------------------------------------------------------------------------
for key in ["dt", "dt_midnight", "dt_noon", "dt_aware", "d", "d_old", "t", "t_noon"]:
    for fmt in [
        None,
        '"DATE_FORMAT"',
        '"DATETIME_FORMAT"',
        '"SHORT_DATE_FORMAT"',
        '"SHORT_DATETIME_FORMAT"',
        '"YEAR_MONTH_FORMAT"',
        '"MONTH_DAY_FORMAT"',
        '"TIME_FORMAT"',
        '"Y-m-d"',
        '"H:i"',
        '"c"',
        '"r"',
        '"U"',
        '"aAbdDEfFgGhHiIjlLmMnNoOPsStTuwWyYzZ"',
        '"\\Y\\e\\s jS"',
        '"e"',
        '""',
    ]:
        for f in ["date", "time"]:
            expr = f"{key}|{f}" if fmt is None else f"{key}|{f}:{fmt}"
            add(f"dates/{expr}", "[{{ %s }}]" % expr)
    for attr in ["year", "month", "day", "hour", "minute", "second", "microsecond", "date", "time"]:
        add(f"dates/{key}.{attr}", "[{{ %s.%s }}]" % (key, attr))
for day in range(1, 32, 3):
    add(f"dates/suffix/{day}", "{{ v|date:'jS W o z t L w' }}", {"v": DA(f"2021-01-{day:02d}")})
for year in [2020, 2021, 2022, 2026, 2027]:
    for md in ["01-01", "01-03", "12-28", "12-31"]:
        add(f"dates/isoweek/{year}-{md}", "{{ v|date:'o-W l' }}", {"v": DA(f"{year}-{md}")})
for a_, b_ in [
    ("2024-03-05T14:07:09", "2024-03-05T14:07:09"),
    ("2024-03-05T14:07:09", "2024-03-05T14:08:00"),
    ("2024-01-31T10:00:00", "2024-03-01T09:00:00"),
    ("2020-02-29T00:00:00", "2024-02-28T23:59:00"),
    ("2023-05-01T00:00:00", "2024-06-15T12:30:00"),
    ("2024-06-15T12:30:00", "2023-05-01T00:00:00"),
    ("2024-03-05T14:07:09", "2024-03-19T15:08:09"),
    ("2024-03-05T00:00:00+02:00", "2024-03-06T00:00:00+00:00"),
    ("2010-01-01T00:00:00", "2024-12-31T23:59:59"),
]:
    ctx = {"a": DT(a_), "b": DT(b_), "da": DA(a_[:10])}
    add(
        f"dates/timesince/{a_}/{b_}",
        "[{{ a|timesince:b }}][{{ a|timeuntil:b }}][{{ b|timesince:a }}][{{ da|timesince:b }}]",
        ctx,
    )
add(
    "dates/timesince/bad",
    "[{{ s|timesince:b }}][{{ none|timesince }}][{{ a|timesince:s }}]",
    {"s": "x", "none": None, "a": DT("2024-01-01T00:00:00"), "b": DT("2024-02-01T00:00:00")},
)
for key in list(VALUES) + ["nested"]:
    add(
        f"json_script/{key}",
        "{{ %s|json_script:'data' }}" % key,
        dict(nested={"a": [1, T(2, "<3>"), {"k": None}], "é": "x"}, **{k: v for k, v in VALUES.items()}),
    )
add("json_script/no_id", "{{ str_html|json_script }}")
add("json_script/empty_id", "{{ list|json_script:'' }}")
add("json_script/id_escaped", "{{ list|json_script:'a\"b' }}")
add(
    "dates/compare",
    "{% if a < b %}lt{% endif %}{% if a == a2 %}eq{% endif %}",
    {"a": DA("2024-01-01"), "b": DA("2024-01-02"), "a2": DA("2024-01-01")},
)
add("dates/str_value", "[{{ s|date:'Y' }}]", {"s": "2024-01-01"})
add("dates/int_value", "[{{ i|date }}][{{ i|time }}]", {"i": 5})

# --- the benchmark pages (runtime/benches/render.rs), on small contexts ------------------
with open("runtime/benches/render.rs", encoding="utf-8") as bench:
    BENCH_SOURCE = bench.read()
PRODUCT_TABLE = BENCH_SOURCE.split('const PRODUCT_TABLE: &str = r#"')[1].split('"#;')[0]
add(
    "bench/product_table",
    PRODUCT_TABLE,
    {
        "products": [
            {
                "id": i,
                "name": f"Galvanised shackle {i} <8mm> & pin",
                "sku": f"SH-{i:05d}",
                "price": D(f"{3 + i}.{i:02d}"),
                "stock": i % 3,
                "updated": DT(f"2026-0{1 + i}-0{1 + i}T0{i}:1{i}:00"),
                "notes": None if i % 2 else "restocked",
            }
            for i in range(4)
        ]
    },
)
add("bench/product_table_empty", PRODUCT_TABLE, {"products": []})

# --- regroup, lorem, now, load -----------------------------------------------------------
PEOPLE = {
    "people": [
        {"first": "George", "last": "Bush", "gender": "Male", "city": {"name": "Austin"}},
        {"first": "Bill", "last": "Clinton", "gender": "Male", "city": {"name": "Hope"}},
        {"first": "Margaret", "last": "Thatcher", "gender": "Female", "city": {"name": "Grantham"}},
        {"first": "Condoleezza", "last": "Rice", "gender": "Female", "city": {"name": "Birmingham"}},
        {"first": "Pat", "last": "Smith", "gender": "Unknown", "city": {"name": "Hope"}},
        {"first": "Bob", "last": "Jones", "gender": "Male", "city": {"name": "Austin"}},
    ]
}
add(
    "regroup/basic",
    "{% regroup people by gender as groups %}{% for g in groups %}{{ g.grouper }}:{% for p in g.list %}{{ p.first }},{% endfor %};{% endfor %}",
    PEOPLE,
)
add(
    "regroup/unpack",
    "{% regroup people by gender as groups %}{% for gender, members in groups %}{{ gender }}={{ members|length }} {% endfor %}",
    PEOPLE,
)
add(
    "regroup/nested_attr",
    "{% regroup people by city.name as c %}{% for g in c %}{{ g.grouper }}({{ g.list|length }}){% endfor %}",
    PEOPLE,
)
add(
    "regroup/dictsort",
    "{% regroup people|dictsort:'gender' by gender as g %}{% for x in g %}{{ x.grouper }}{{ x.list|length }}{% endfor %}",
    PEOPLE,
)
add("regroup/repr", "{% regroup people|slice:':2' by gender as g %}{{ g }}", PEOPLE)
add("regroup/missing", "{% regroup nope by x as g %}[{{ g }}]", PEOPLE)
add("regroup/missing_key", "{% regroup people by nope as g %}{% for x in g %}[{{ x.grouper }}]{% endfor %}", PEOPLE)
add("regroup/error/args", "{% regroup people by gender %}", PEOPLE)
add("regroup/error/by", "{% regroup people with gender as g %}", PEOPLE)
add("regroup/error/as", "{% regroup people by gender to g %}", PEOPLE)
for t in [
    "{% lorem %}",
    "{% lorem 3 w %}",
    "{% lorem 19 w %}",
    "{% lorem 1 p %}",
    "{% lorem 1 b %}",
    "{% lorem 0 w %}",
    "{% lorem n w %}",
    "{% lorem 'x' w %}",
    "{% lorem w %}",
    "{% lorem 1 2 3 %}",
]:
    add(f"lorem/{t}", t, {"n": 5})
add("now/escaped", "{% now '\\N\\o\\w' %}")
add("now/as", "{% now 'Y' as y %}{{ y|length }}")
add("now/named", "{% now 'SHORT_DATE_FORMAT' as d %}{{ d|length }}")
add("now/error", "{% now %}")
add("now/error_as", "{% now 'Y' as %}")
add("load/none", "{% load %}ok")
add("load/unknown", "{% load nope %}")
add("load/from", "{% load x from y %}")

for text in [
    "Joel is a slug",
    "a\tb\tc d",
    "  leading and trailing  ",
    "line one\nline two is long\n",
    "x\r\ny\rz\u2028w",
    "supercalifragilistic word",
    "a  b   c",
    "\n\n",
    "",
    "   ",
]:
    for width in [1, 4, 8, 12]:
        add(f"wordwrap/{text!r}/{width}", "[{{ t|wordwrap:%d }}]" % width, {"t": text})
STRIP = [
    "<p>Hello <b>world</b></p>",
    "a < b and c > d",
    "<a href='x'>link</a> &amp; &copy &#169; &#xA9; &#12a; &x",
    "<script>alert('<b>')</script>after",
    "<style>p{}</style>x",
    "<!-- c -->text<!-- unclosed",
    "<br/>br<hr />",
    '<p class="a>b">q</p>',
    "<<b>>nested<</b>>",
    "<scr<script>ipt>x",
    "x<",
    "x &",
    "&#",
    "a&b",
    "<?php x ?>y",
    "<!DOCTYPE html><html>z</html>",
    "<![CDATA[ raw ]]>w",
    "<div\n  class='c'\n>multi</div>",
    "</>",
    "</ p>",
    "<p>é &eacute; ü</p>",
    "<a b='x>",
    "<img src=x onerror=y>",
    "<P>Upper</P>",
    "<a =x>t</a>",
    "<b>unclosed",
    "plain text",
    "",
    "<<<>>>",
    "<a/b>c</a/b>",
    "&lt;b&gt;",
]
for t in STRIP:
    add(f"striptags/{t!r}", "[{{ t|striptags }}]", {"t": t})
# Seeded random fragments: the port of html.parser must agree on messy input too.
_rnd = __import__("random").Random(7)


def _random_text(pieces, most):
    """1 to `most` pieces drawn from `pieces` with the seeded generator."""
    return "".join(_rnd.choice(pieces) for _ in range(_rnd.randint(1, most)))


_PIECES = [
    "<",
    ">",
    "</",
    "/>",
    "<b>",
    "</b>",
    "<a href='",
    "'",
    '"',
    "=",
    " ",
    "\n",
    "&",
    "&amp;",
    "&#",
    "&#x4",
    "1;",
    ";",
    "<!--",
    "-->",
    "--",
    "<!",
    "<?",
    "<script>",
    "</script>",
    "<style>",
    "</style >",
    "x",
    "é",
    "<p class=a>",
    "<br/",
    "CDATA",
    "<![",
    "]]>",
    "&nbsp",
    "</p",
    "\t",
]
for n in range(1000):
    t = _random_text(_PIECES, 14)
    add(f"striptags/random/{n}", "[{{ t|striptags }}]", {"t": t})
add("striptags/safe", "[{{ t|striptags }}]", {"t": S("<b>x</b> &amp;")})
# truncatechars_html / truncatewords_html: the same parser with convert_charrefs=True.
TRUNC_HTML = STRIP + [
    "<p>one two three four five six seven eight nine ten eleven</p>",
    "<p>one <b>two <i>three</i> four</b> five</p>",
    "abcdefghijk",
    "<p>abc</p>",
    "a &amp",
    "a &amp; b &lt; c",
    "hello <b>world",
    "<br>one<br/>two<hr>three four five",
    "<div><span>x</span></p></div> y z w",
    "  spaced   out   words  here  ",
    "e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301",
    "<b>é&eacute;ü &copy &notit; &#x80; &#0; &#55296;</b> tail words here",
    "<p>Joel is a slug</p><p>second para</p>",
    "<custom-el attr=1>text here</custom-el> more text",
]
for t in TRUNC_HTML:
    for n in ["1", "4", "10", "0", '"x"']:
        add(f"truncatechars_html/{t!r}/{n}", "[{{ t|truncatechars_html:%s }}]" % n, {"t": t})
        add(f"truncatewords_html/{t!r}/{n}", "[{{ t|truncatewords_html:%s }}]" % n, {"t": t})
add(
    "truncatechars_html/safe",
    "{{ t|truncatechars_html:3 }}|{{ u|truncatechars_html:3 }}",
    {"t": S("<b>x &amp; y</b>"), "u": "<b>x &amp; y</b>"},
)
add("truncatewords_html/noescape", "{{ t|truncatewords_html:2 }}", {"t": "<b>a & b c</b>"}, autoescape=False)
_WORDS = _PIECES + ["one ", "two ", "three", " four", "five six", "<i>", "</i>", "<hr>", "&eacute;"]
for n in range(600):
    t = _random_text(_WORDS, 16)
    f = "truncatechars_html" if n % 2 else "truncatewords_html"
    add(f"{f}/random/{n}", "[{{ t|%s:%d }}]" % (f, _rnd.randint(1, 8)), {"t": t})
# urlize / urlizetrunc: Django's Urlizer (punctuation, entities, e-mail validation,
# smart_urlquote).
URLIZE = [
    "http://example.com",
    "https://example.com/path?q=1&r=two words",
    "Go to www.djangoproject.com now.",
    "djangoproject.org",
    "djangoproject.org/path/",
    "djangoproject.xyz",
    "example.com@x",
    "mail me at joe@example.com, or (bob@example.co.uk).",
    "joe@localhost",
    "joe@[127.0.0.1]",
    "joe@[::1]",
    "joe@[1.2.3]",
    '"quoted local"@example.com',
    "a.b@c-d.example.org",
    "a..b@example.com",
    "x@-bad.com",
    "x@bad-.com",
    "x@example.c",
    "x@example.xn--p1ai",
    "x@пример.рф",
    "(see http://example.com/foo_(bar))",
    "[http://example.com]",
    "http://example.com/a)b)",
    "((www.example.com))",
    "http://example.com.",
    "http://example.com!!!",
    "http://example.com/?q=&amp;",
    "http://example.com/?x=1&amp;y=2",
    "www.example.com/&lt;script&gt;",
    "http://example.com/&quot;;",
    "http://a.b/?a=%20b+c&d=%E2%82%AC&e",
    "http://a.b/ü?ü=ß#frag ment",
    "http://a.b/path%2",
    "http://[::1]:8000/x",
    "http://[1.2.3.4]/",
    "http://[vf.x]/",
    "http://user:pass@example.com:8080/p",
    "HTTPS://EXAMPLE.COM/UPPER",
    "httpx://nope.com",
    "ftp://example.com",
    "mailto:joe@example.com",
    "<b>http://example.com</b>",
    "'http://example.com'",
    '"www.example.com"',
    "no links here",
    "a.b c:d e@f",
    "http://" + "x" * 60 + ".com/" + "y" * 40,
    "www.ex\u00e4mple.com",
    "http://example.com/a;b;;",
    "www.example.com;;",
    "x&amp;y www.example.com&amp;;",
    "&lt;http://example.com&gt;",
    "http://example.com/\u2100",
    "http://ex\u2100ample.com/",
    "",
]
for t in URLIZE:
    add(f"urlize/{t!r}", "[{{ t|urlize }}]", {"t": t})
    add(f"urlize/noescape/{t!r}", "[{{ t|urlize }}]", {"t": t}, autoescape=False)
    add(f"urlizetrunc/{t!r}", "[{{ t|urlizetrunc:15 }}]", {"t": t})
add("urlize/safe", "{{ t|urlize }}", {"t": S("<i>http://example.com?a=1&amp;b=2</i>")})
add(
    "urlizetrunc/limits",
    "{{ t|urlizetrunc:0 }}|{{ t|urlizetrunc:1 }}|{{ t|urlizetrunc:30 }}",
    {"t": "http://example.com/long/path"},
)
add("urlizetrunc/bad", "{{ t|urlizetrunc:'x' }}", {"t": "http://example.com"})
_URLP = [
    "http://",
    "https://",
    "www.",
    "example",
    ".com",
    ".org",
    ".xyz",
    "/",
    "?",
    "&",
    "=",
    "#",
    "@",
    "joe",
    ".",
    ",",
    ";",
    ":",
    "!",
    "(",
    ")",
    "[",
    "]",
    "&amp;",
    "&lt;",
    "%20",
    "%",
    "é",
    " ",
    "'",
    "<",
    ">",
    '"',
    "-",
    "_",
    "~",
    "+",
    "[::1]",
]
for n in range(800):
    t = _random_text(_URLP, 12)
    add(f"urlize/random/{n}", "[{{ t|urlize }}]", {"t": t})
# querystring (Django 5.1+): request.GET or a given QueryDict, edited by keyword.
QD = {"$querydict": "a=1&b=2&a=3&c=x+y&d=%E2%82%AC"}
for tpl in [
    "{% querystring %}",
    "{% querystring a=9 %}",
    "{% querystring a=None %}",
    "{% querystring a=None b=None c=None d=None %}",
    "{% querystring new='v w' %}",
    "{% querystring a=l %}",
    "{% querystring a=t %}",
    "{% querystring a=n %}",
    "{% querystring b=s %}",
    "{% querystring qd %}",
    "{% querystring qd a=0 %}",
    "{% querystring empty %}",
    "{% querystring empty x=None %}",
    "{% querystring empty x=1 %}",
    "{% querystring query_dict=qd b=None %}",
    "{% querystring None page=2 %}",
    "{% querystring qd as q %}[{{ q }}]",
    "{% querystring d %}",
    "{% querystring qd qd %}",
    "{% querystring 'a' 'b' %}",
]:
    for get in ["a=1&b=2&a=3", "", "x=%26&y=%2B"]:
        add(
            f"querystring/{tpl}/{get}",
            "[" + tpl + "]",
            {
                "qd": QD,
                "empty": {"$querydict": ""},
                "l": [1, "two"],
                "t": {"$tuple": []},
                "n": None,
                "s": "<&>",
                "d": {"k": 1},
            },
            request_get=get,
        )
add("querystring/noescape", "{% querystring a='<&>' %}", {}, request_get="x=1", autoescape=False)
add("querystring/no-request", "[{% querystring a=1 %}]", {})
# The rest of the i18n library: languages, language info, bidi, the language_* filters.
I18N = [
    "{% get_available_languages as langs %}{% for c, n in langs %}{{ c }}={{ n }};{% endfor %}",
    "{% get_available_languages as langs %}{{ langs|length }} {{ langs.0.1 }}",
    "{% get_current_language_bidi as b %}{{ b }}",
    "{% language 'ar' %}{% get_current_language_bidi as b %}{{ b }}{% endlanguage %}",
    "{% language 'he-il' %}{% get_current_language_bidi as b %}{{ b }}{% endlanguage %}",
    "{% get_language_info for 'de' as l %}{{ l.code }} {{ l.name }} {{ l.name_local }} {{ l.bidi }} {{ l.name_translated }}",
    "{% get_language_info for code as l %}{{ l.name_local }}|{{ l.bidi|yesno:'rtl,ltr' }}",
    "{% get_language_info for 'zh-cn' as l %}{{ l.code }} {{ l.name }}",
    "{% get_language_info for 'de-at' as l %}{{ l.code }}",
    "{% get_language_info for 'xx' as l %}{{ l.code }}",
    "{% get_language_info for 'xx-yy' as l %}{{ l.code }}",
    "{% get_language_info_list for codes as ls %}{% for l in ls %}{{ l.code }}:{{ l.name_local }};{% endfor %}",
    "{% get_language_info_list for pairs as ls %}{% for l in ls %}{{ l.name }};{% endfor %}",
    "{{ 'fr'|language_name }} {{ 'fr'|language_name_local }} {{ 'he'|language_bidi }} {{ 'de'|language_name_translated }}",
    "{{ code|language_name }}",
    "{{ 'xx'|language_name }}",
    "{% get_available_languages %}",
    "{% get_available_languages as %}",
    "{% get_current_language_bidi as b extra %}",
    "{% get_language_info 'de' as l %}",
    "{% get_language_info_list for codes %}",
]
for i, body in enumerate(I18N):
    ctx = {"code": "ar", "codes": ["en", "ar", "pt-br"], "pairs": [["de", "German"], ["fr", "French"]]}
    add(f"i18n/more/{i}", "{% load i18n %}[" + body + "]", ctx)
add("i18n/filter-needs-load", "[{{ 'fr'|language_name }}]", {})
for body in [
    "{% get_static_prefix %}",
    "{% get_static_prefix as p %}{{ p }}x",
    "{% get_media_prefix %}",
    "{% get_media_prefix as m %}{{ m }}",
    "{% get_static_prefix to p %}",
]:
    add(f"static/prefix/{body}", "{% load static %}[" + body + "]", {})
add("debug/off", "[{% debug %}][{% debug extra args %}]", {"x": 1})
for key in VALUES:
    add(f"pprint/{key}", "{{ %s|pprint }}" % key)
add("pprint/long", "{{ v|pprint }}", {"v": {"k" + str(i): ["item %d" % j for j in range(i)] for i in range(8)}})
add("pprint/longstr", "{{ v|pprint }}", {"v": "lorem ipsum dolor sit amet " * 8 + "\nsecond line " * 5})
add(
    "pprint/nested-long",
    "{{ v|pprint }}",
    {"v": [{"name": "x" * 30, "tags": ["a" * 20, "b" * 20, {"$tuple": ["c" * 40]}]}] * 3},
)
add("pprint/mixed-keys", "{{ v|pprint }}", {"v": {"b": 1, "a": {"z": [3, 2, 1], "y": "w " * 50}}})
add("random/single", "{{ l|random }}", {"l": ["only"]})
add("random/empty", "[{{ l|random }}]", {"l": []})
add("random/string", "{{ s|random }}", {"s": "aaa"})

# --- i18n (no catalogs: Django's identity translation) -------------------------------------
I18N = [
    '{% translate "Hello" %}',
    '{% trans "<b>bold</b> & co" %}',
    "{% translate html %}",
    '{% translate "50%" %}',
    "{% translate pct %}",
    '{% translate "abc"|upper %}',
    '{% translate "50%"|length %}',
    '{% translate "x" noop %}',
    '{% translate "May" context "month" %}',
    '{% translate "t" as v %}[{{ v }}]',
    "{% translate missing %}[]",
    '{% translate "a" context %}',
    '{% translate "a" context as %}',
    '{% translate "a" as %}',
    '{% translate "a" noop noop %}',
    '{% translate "a" bogus %}',
    "{% translate %}",
    "{% blocktranslate %}Hi {{ name }}, 100%{% endblocktranslate %}",
    "{% blocktrans with n=html %}<{{ n }}>{% endblocktrans %}",
    "{% blocktranslate %}{{ obj.attr }} {{ name|upper }}{% endblocktranslate %}|",
    "{% blocktranslate trimmed %}\n  one\n   two  \n{% endblocktranslate %}",
    "{% blocktranslate count c=num %}{{ c }} apple{% plural %}{{ c }} apples{% endblocktranslate %}",
    "{% blocktranslate count c=one %}{{ c }} apple{% plural %}{{ c }} apples{% endblocktranslate %}",
    "{% blocktranslate count c=name %}x{% plural %}y{% endblocktranslate %}",
    "{% blocktranslate asvar msg %}Dear {{ name }}{% endblocktranslate %}[{{ msg }}]",
    '{% blocktranslate with a=1 b=2 context "ctx" %}{{ a }}{{ b }}{% endblocktranslate %}',
    "{% blocktranslate %}a{% if x %}{% endif %}{% endblocktranslate %}",
    "{% blocktranslate %}a{# c #}{% endblocktranslate %}",
    "{% blocktranslate count %}x{% endblocktranslate %}",
    "{% blocktranslate with %}x{% endblocktranslate %}",
    "{% blocktranslate foo %}x{% endblocktranslate %}",
    "{% blocktranslate count c=num %}one{% endblocktranslate %}",
    "{% blocktranslate asvar %}x{% endblocktranslate %}",
    "{% get_current_language as lang %}{{ lang }}",
    '{% language "de" %}{% get_current_language as l %}{{ l }}{% endlanguage %}',
]
for t in I18N:
    add(
        f"i18n/{t}",
        "{% load i18n %}" + t,
        {"html": "<i>", "pct": "5%", "name": "Ann", "num": 3, "one": 1, "obj": {"attr": "A"}, "x": 1},
    )
add("i18n/not_loaded", '{% translate "x" %}')
add(
    "i18n/sii",
    "{% load i18n %}{% blocktranslate %}[{{ nope }}]{% endblocktranslate %}",
    {},
    string_if_invalid="INV(%s)",
)

# --- custom tags (a host-registered library; Django registers the same in the script) ----
CUSTOM = [
    "{% hello 'Ann' %}",
    "{% hello name %}",
    "{% hello %}",
    "{% hello 'a' 'b' %}",
    "{% hello name='Bo' %}",
    "{% hello nme='x' %}",
    "{% hello name='a' name='b' %}",
    "{% greet 'Hi' %}",
    "{% greet 'Hi' 'Ann' %}",
    "{% greet greeting='Yo' name=html %}",
    "{% greet name='x' %}",
    "{% greet 'a' name='b' 'c' %}",
    "{% count_all 1 2 3 a=1 b=2 %}",
    "{% count_all %}",
    "{% raw_html %}",
    "{% safe_html %}",
    "{% autoescape off %}{% raw_html %}{% endautoescape %}",
    "{% hello 'x' as v %}[{{ v }}]",
    "{% raw_html as r %}{{ r }}",
    "{% whoami %}",
    "{% show_items list_str %}",
    "{% show_items list_str title='T<' %}",
    "{% show_items %}",
    "{% shout %}hi {{ name }}{% endshout %}",
    "{% wrap %}x{% endwrap %}",
    "{% wrap tag='p' %}{{ html }}{% endwrap %}",
    "{% shout as s %}q{% endshout %}[{{ s }}]",
    "{% shout %}unclosed",
]
for t in CUSTOM:
    add(
        f"custom/{t}",
        "{% load corpus_tags %}" + t,
        {"name": "<N>", "html": "<i>", "user": "u1", "list_str": ["a", "<b>"]},
        templates={"items.html": "<h3>{{ title }}</h3>{% for i in items %}<li>{{ i }}</li>{% endfor %}{{ name }}|"},
    )
add("custom/not_loaded", "{% hello 'x' %}")

# --- url and static (host hooks) --------------------------------------------------------
for t in [
    "{% url 'home' %}",
    "{% url 'product' 5 %}",
    "{% url 'product' pk=7 %}",
    "{% url 'product' n %}",
    "{% url 'product' 'x' %}",
    "{% url 'nope' %}",
    "{% url 'nope' as u %}[{{ u }}]",
    "{% url 'product' 3 as u %}<{{ u }}>",
    "{% url name 9 %}",
    "{% url 'search' 'a b/c?d' %}",
    "{% url 'search' q='é&<' %}",
    "{% url 'amp' %}",
    "{% autoescape off %}{% url 'amp' %}{% endautoescape %}",
    "{% url %}",
    "{% url 'product' pk=1 2 %}",
]:
    add(f"url/{t}", t, {"n": 12, "name": "product"})
for t in [
    "{% load static %}{% static 'css/site.css' %}",
    "{% load static %}{% static 'a b&c.css' %}",
    "{% load static %}{% static p %}",
    "{% load static %}{% static 'x.js' as js %}[{{ js }}]",
    "{% static 'css/site.css' %}",
    "{% load static %}{% static %}",
]:
    add(f"static/{t}", t, {"p": "img/logo.png"})

# --- if -----------------------------------------------------------------------------
conds = [
    "int",
    "zero",
    "not zero",
    "int == 42",
    "int != 42",
    "int > 40",
    "int >= 42",
    "int < 0",
    "int <= 41",
    "str == 'hello world'",
    "'hello' in str",
    "'z' not in str",
    "1 in list",
    "9 in list",
    "'k' in dict",
    "none is None",
    "none is not None",
    "true is True",
    "int is 42",
    "zero or int",
    "zero and int",
    "not int and zero or one",
    "int > 1 and not false",
    "list",
    "list_empty",
    "dict_empty",
    "str_num == 123",
    "dec == 12.5",
    "float_int == 2",
    "missing",
    "missing == None",
    "not missing",
    "int < 'a'",
    "str|length > 5",
    "list|length == 3",
    "int|add:1 == 43",
    "true == 1",
    "one == True",
    "dec_zero",
    "a == b",
    "1 < 2 < 3",
    "not not one",
    "none == none",
]
for c in conds:
    add(f"if/{c}", "{% if " + c + " %}yes{% else %}no{% endif %}")
add("if/elif", "{% if zero %}a{% elif none %}b{% elif int %}c{% else %}d{% endif %}")
add("if/elif_none", "{% if zero %}a{% elif none %}b{% endif %}.")
add("if/nested", "{% if int %}{% if zero %}x{% else %}y{% endif %}{% endif %}")
for bad in ["", "and", "int and", "int int", "not", "==", "int ==", "int = 1", "(int)", "int in"]:
    add(f"if/error/{bad}", "{% if " + bad + " %}x{% endif %}")
add("if/error/unclosed", "{% if int %}x")
add("if/error/malformed", "{% if int %}x{% else %}y{% else %}z{% endif %}")

# --- for ----------------------------------------------------------------------------
add("for/basic", "{% for x in list %}{{ x }},{% endfor %}")
add("for/reversed", "{% for x in list reversed %}{{ x }},{% endfor %}")
add("for/empty", "{% for x in list_empty %}{{ x }}{% empty %}none{% endfor %}")
add("for/missing", "{% for x in missing %}{{ x }}{% empty %}none{% endfor %}")
add("for/none", "{% for x in none %}{{ x }}{% empty %}none{% endfor %}")
add("for/string", "{% for c in str %}{{ c }}|{% endfor %}")
add("for/dict", "{% for k in dict %}{{ k }};{% endfor %}")
add("for/items", "{% for k, v in dict.items %}{{ k }}={{ v }};{% endfor %}")
add("for/unpack_spaces", "{% for k , v in dict.items %}{{ k }}={{ v }};{% endfor %}")
add("for/unpack_wrong", "{% for a, b, c in dict.items %}{{ a }}{% endfor %}")
add("for/unpack_strings", "{% for a, b in pairs %}{{ a }}-{{ b }} {% endfor %}", {"pairs": ["xy", "zw"]})
add(
    "for/forloop",
    "{% for x in list %}{{ forloop.counter }}{{ forloop.counter0 }}{{ forloop.revcounter }}{{ forloop.revcounter0 }}{{ forloop.first }}{{ forloop.last }}{{ forloop.length }} {% endfor %}",
)
add(
    "for/parentloop",
    "{% for a in list %}{% for b in list_str %}{{ forloop.parentloop.counter }}.{{ forloop.counter }} {% endfor %}{% endfor %}",
)
add("for/nested_empty", "{% for a in list %}{% for b in list_empty %}{% empty %}[{{ a }}]{% endfor %}{% endfor %}")
add("for/filter_seq", "{% for x in list_str|slice:':2' %}{{ x }}{% endfor %}")
add("for/int_error", "{% for x in int %}{{ x }}{% endfor %}")
add("for/var_scope", "{% for x in list %}{% endfor %}[{{ x }}]")
add(
    "for/if_first_last",
    "{% for x in list %}{% if forloop.first %}<{% endif %}{{ x }}{% if not forloop.last %},{% else %}>{% endif %}{% endfor %}",
)
for bad in ["for x", "for x in", "for x on list", "for x, in list", "for 'x' in list", "for x|y in list"]:
    add(f"for/error/{bad}", "{% " + bad + " %}{% endfor %}")
add("for/error/unclosed", "{% for x in list %}")

# --- with, firstof, cycle, ifchanged, widthratio, templatetag, filter -----------------
add("with/basic", "{% with a=int b=str %}{{ a }} {{ b }}{% endwith %}[{{ a }}]")
add("with/legacy", "{% with int as a %}{{ a }}{% endwith %}")
add("with/legacy_and", "{% with int as a and str as b %}{{ a }}{{ b }}{% endwith %}")
add("with/filter", "{% with n=list|length %}{{ n }}{% endwith %}")
add("with/shadow", "{% with int=1 %}{{ int }}{% endwith %}{{ int }}")
add("with/error/none", "{% with %}{% endwith %}")
add("with/error/junk", "{% with a=1 junk %}{% endwith %}")
add("firstof/basic", "{% firstof zero none str %}")
add("firstof/escape", "{% firstof zero str_html %}")
add("firstof/literal", "{% firstof zero 'x<y' %}")
add("firstof/none", "[{% firstof zero none missing %}]")
add("firstof/as", "{% firstof zero int as v %}[{{ v }}]")
add("firstof/error", "{% firstof %}")
add("cycle/basic", "{% for x in list %}{% cycle 'a' 'b' %}{% endfor %}")
add("cycle/vars", "{% for x in list %}{% cycle int str_html %}{% endfor %}")
add("cycle/named", "{% for x in list %}{% cycle 'r1' 'r2' as row %}-{{ row }} {% endfor %}")
add("cycle/silent", "{% for x in list %}{% cycle 'r1' 'r2' as row silent %}{{ row }}{% endfor %}")
add("cycle/named_reuse", "{% cycle 'a' 'b' 'c' as c %}{% cycle c %}{% cycle c %}{% cycle c %}")
add("cycle/reset", "{% for x in list %}{% cycle 'a' 'b' %}{% resetcycle %}{% endfor %}")
add(
    "cycle/reset_named",
    "{% for x in list %}{% cycle 'a' 'b' as ab %}{% cycle '1' '2' as nums %}{% resetcycle ab %}{% endfor %}",
)
add("cycle/error/one", "{% cycle %}")
add("cycle/error/undefined", "{% cycle foo %}")
add("cycle/error/missing_named", "{% cycle 'a' 'b' as x %}{% cycle y %}")
add("cycle/error/flag", "{% cycle 'a' 'b' as x loud %}")
add("resetcycle/error/none", "{% resetcycle %}")
add("resetcycle/error/named", "{% resetcycle nope %}")
add(
    "ifchanged/basic",
    "{% for x in items %}{% ifchanged %}{{ x }}{% endifchanged %}{% endfor %}",
    {"items": [1, 1, 2, 2, 1]},
)
add(
    "ifchanged/var",
    "{% for x in items %}{% ifchanged x %}[{{ x }}]{% else %}.{% endifchanged %}{% endfor %}",
    {"items": [1, 1, 2, 2, 1]},
)
add(
    "ifchanged/nested",
    "{% for a in outer %}{% for b in inner %}{% ifchanged b %}{{ b }}{% endifchanged %}{% endfor %}|{% endfor %}",
    {"outer": [1, 2], "inner": [1, 1, 2]},
)
add("widthratio/basic", "{% widthratio int 100 50 %}")
add("widthratio/half_even", "{% widthratio 5 10 1 %}{% widthratio 15 10 1 %}{% widthratio 25 10 1 %}")
add("widthratio/zero", "{% widthratio int 0 100 %}")
add("widthratio/as", "{% widthratio int 100 50 as w %}[{{ w }}]")
add("widthratio/missing", "[{% widthratio missing 100 50 %}]")
add("widthratio/strings", "{% widthratio '5' '10' '100' %}")
add("widthratio/bad_width", "{% widthratio 1 2 'x' %}")
add("widthratio/error/args", "{% widthratio 1 2 %}")
add("widthratio/error/as", "{% widthratio 1 2 3 to w %}")
for t in [
    "openblock",
    "closeblock",
    "openvariable",
    "closevariable",
    "openbrace",
    "closebrace",
    "opencomment",
    "closecomment",
]:
    add(f"templatetag/{t}", "{% templatetag " + t + " %}")
add("templatetag/error", "{% templatetag nope %}")
add("filter/tag", "{% filter upper %}Hi {{ str_html }}{% endfilter %}")
add("filter/tag_chain", "{% filter force_escape|lower %}<B>{% endfilter %}")
add("filter/tag_error_safe", "{% filter safe %}x{% endfilter %}")
add("filter/tag_error_escape", "{% filter escape %}x{% endfilter %}")

# --- autoescape, spaceless, comment, verbatim, csrf --------------------------------
add("autoescape/off", "{% autoescape off %}{{ str_html }}{% endautoescape %}{{ str_html }}")
add(
    "autoescape/on_in_off",
    "{% autoescape off %}{% autoescape on %}{{ str_html }}{% endautoescape %}{% endautoescape %}",
)
add("autoescape/error", "{% autoescape maybe %}{% endautoescape %}")
add("autoescape/error_args", "{% autoescape %}{% endautoescape %}")
add("spaceless/basic", "{% spaceless %}  <p>\n  <a href='x'> x </a>\n</p>  {% endspaceless %}")
add("comment/block", "a{% comment %}{{ missing.x }}{% if %}{% endcomment %}b")
add("comment/note", "a{% comment 'why' %}x{% endcomment %}b")
add("comment/inline", "a{# {% if %} #}b")
add("comment/unclosed", "a{% comment %}b")
add("verbatim/basic", "{% verbatim %}{{ raw }}{% if %}{% endverbatim %}{{ int }}")
add("verbatim/named", "{% verbatim x %}{% endverbatim %}{% endverbatim x %}")
add("csrf/present", "{% csrf_token %}", {"csrf_token": "abc<>"})
add("csrf/notprovided", "[{% csrf_token %}]", {"csrf_token": "NOTPROVIDED"})
add("csrf/absent", "[{% csrf_token %}]", {})
add("load/builtin_ok", "{% load %}x")

# --- lexer edge cases ----------------------------------------------------------------
for t in [
    "{{ int }}}",
    "{% if int %}x{% endif %}%}",
    "{{\nint }}",
    "{% if\nint %}",
    "{#\n#}",
    "{{}}",
    "{% %}",
    "{",
    "{{",
    "}}",
    "{% endif %}",
    "{{ int|nope }}",
    "{{ int| }}",
    "{{ |upper }}",
    "{{ int:1 }}",
    "{{ _private }}",
    "{{ a._b }}",
    "{{ 'unterminated }}",
    "{{ int|add:'x' |upper }}",
    "{{ int|add }}",
    "{{ int|upper:1 }}",
    "{{ int|cut }}",
    "{% bogus %}",
    "{% if int %}{% bogus %}{% endif %}",
    "{% endfor %}",
    "{% block a %}{% endblock b %}",
    "{% block %}{% endblock %}",
    "{% block a %}{% endblock %}{% block a %}{% endblock %}",
]:
    add(f"syntax/{t}", t)

# --- inheritance and include -----------------------------------------------------------
TPL = {
    "base.html": "<title>{% block title %}Base{% endblock %}</title><main>{% block content %}base content{% endblock %}</main>{% block footer %}(c){% endblock %}",
    "child.html": "{% extends 'base.html' %}{% block title %}Child{% endblock %}{% block content %}[{{ block.super }}] child {{ int }}{% endblock %}",
    "grandchild.html": "{% extends 'child.html' %}{% block content %}gc {{ block.super }}{% endblock %}",
    "row.html": "<li>{{ item }}|{{ extra }}|{{ int }}</li>",
    "cycle_inc.html": "{% cycle 'x' 'y' %}",
    "self.html": "{% include 'self.html' %}",
    "loop_a.html": "{% extends 'loop_b.html' %}",
    "loop_b.html": "{% extends 'loop_a.html' %}",
    "dir/page.html": "{% extends './base.html' %}{% block content %}rel{% endblock %}",
    "dir/base.html": "<div>{% block content %}{% endblock %}</div>",
    "dir/inc.html": "{% include '../row.html' %}",
    "nested_blocks.html": "{% extends 'outer.html' %}{% block inner %}INNER{% endblock %}",
    "outer.html": "{% block outer %}O[{% block inner %}i{% endblock %}]{% endblock %}",
    # A child's blocks count wherever they are nested (Django: get_nodes_by_type), and
    # render where the parent puts them: the tags around them in the child do not apply.
    "lang_child.html": "{% extends 'base.html' %}{% load i18n %}{% language 'de' %}{% block content %}"
    "{% get_current_language as l %}in {{ l }}{% endblock %}{% endlanguage %}",
    "wrapped_child.html": "{% extends 'base.html' %}{% with x=1 %}{% block title %}W{{ x }}{% endblock %}{% endwith %}"
    "{% filter upper %}{% block footer %}f{% endblock %}{% endfilter %}"
    "{% if false %}{% block content %}from a false branch{% endblock %}{% endif %}",
}
add("extends/child", "", main="child.html", templates=TPL)
add("extends/grandchild", "", main="grandchild.html", templates=TPL)
add(
    "extends/inline",
    "{% extends 'base.html' %}{% block footer %}{{ block.super }}+{% endblock %}ignored",
    templates=TPL,
)
add("extends/var", "{% extends parent %}{% block title %}V{% endblock %}", {"parent": "base.html"}, templates=TPL)
add("extends/missing", "{% extends 'nope.html' %}", templates=TPL)
add("extends/empty_var", "{% extends missing %}", templates=TPL)
add("extends/not_first", "{{ int }}{% extends 'base.html' %}", templates=TPL)
add("extends/twice", "{% extends 'base.html' %}{% extends 'base.html' %}", templates=TPL)
add("extends/relative", "", main="dir/page.html", templates=TPL)
add("extends/nested_blocks", "", main="nested_blocks.html", templates=TPL)
add("extends/block_in_language", "", main="lang_child.html", templates=TPL)
add("extends/blocks_in_with_filter_if", "", main="wrapped_child.html", templates=TPL)
add("extends/super_in_base", "{% block a %}{{ block.super }}x{% endblock %}", templates=TPL)
add("include/basic", "<ul>{% for item in list %}{% include 'row.html' %}{% endfor %}</ul>", templates=TPL)
add("include/with", "{% include 'row.html' with item='w' extra=str_html %}", templates=TPL)
add("include/only", "{% include 'row.html' with item='o' only %}", templates=TPL)
add("include/var", "{% include name %}", {"name": "row.html", "int": 1}, templates=TPL)
add("include/missing", "{% include 'nope.html' %}", templates=TPL)
add("include/cycle_isolated", "{% include 'cycle_inc.html' %}{% include 'cycle_inc.html' %}", templates=TPL)
add("include/relative", "", main="dir/inc.html", templates=TPL)
add("include/error/args", "{% include %}", templates=TPL)
add("include/error/with_empty", "{% include 'row.html' with %}", templates=TPL)
add("include/error/unknown_option", "{% include 'row.html' foo %}", templates=TPL)
add("include/error/twice", "{% include 'row.html' only only %}", templates=TPL)

corpus = {"contexts": {"values": VALUES}, "templates": {"tpl": TPL}, "cases": cases}
for case in cases:
    if case.get("templates") is TPL:
        case["templates"] = "tpl"
if len(sys.argv) < 2:
    json.dump(corpus, sys.stdout, indent=1, ensure_ascii=False)
else:
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(corpus, out, indent=1, ensure_ascii=False)
print(f"{len(cases)} cases", file=sys.stderr)
