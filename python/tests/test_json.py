"""djust.dumps against json.dumps(obj, cls=DjangoJSONEncoder): the same text, byte
for byte, on fixed cases and on random nested values; the same errors."""

import datetime
import decimal
import json
import random
import uuid

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from djust import dumps

UTC = datetime.timezone.utc
PLUS2 = datetime.timezone(datetime.timedelta(hours=2))


def django(obj, **kwargs) -> str:
    return json.dumps(obj, cls=DjangoJSONEncoder, **kwargs)


CASES = [
    None,
    True,
    False,
    0,
    -7,
    2**70,
    1.0,
    0.1,
    1e16,
    1.5e-7,
    -0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    'quote " backslash \\ newline \n tab \t bell \x07 nul \x00',
    "café ☕ 😀",
    mark_safe("<b>safe</b>"),
    gettext_lazy("Hello"),
    decimal.Decimal("12.50"),
    decimal.Decimal("-0.000001"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    datetime.datetime(2026, 3, 4, 5, 6, 7),
    datetime.datetime(2026, 3, 4, 5, 6, 7, 123456),
    datetime.datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC),
    datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
    datetime.datetime(2026, 3, 4, 5, 6, 7, 5000, tzinfo=PLUS2),
    datetime.date(2026, 11, 22),
    datetime.time(9, 30),
    datetime.time(9, 30, 1, 250000),
    datetime.timedelta(0),
    datetime.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=7),
    datetime.timedelta(days=-1, seconds=5),
    datetime.timedelta(microseconds=-1),
    (1, "two", (3.0,)),
    [],
    {},
    {"a": [1, {"b": None}], 7: "int key", 2.5: "float key", True: "bool", None: "none"},
    {"nested": {"deep": [[[]]]}},
]


@pytest.mark.parametrize("obj", CASES, ids=[repr(c)[:40] for c in CASES])
def test_same_text_as_djangos_encoder(obj) -> None:
    assert dumps(obj) == django(obj)
    assert dumps(obj, compact=True) == django(obj, separators=(",", ":"))
    assert dumps(obj, ensure_ascii=False) == django(obj, ensure_ascii=False)


def random_value(rng: random.Random, depth: int = 0):
    scalars = [
        lambda: None,
        lambda: rng.random() < 0.5,
        lambda: rng.randint(-(2**40), 2**40),
        lambda: rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-12, 12),
        lambda: "".join(
            chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x2FFFF)])) for _ in range(rng.randint(0, 12))
        ),
        lambda: decimal.Decimal(rng.randint(-(10**8), 10**8)) / 100,
        lambda: uuid.UUID(int=rng.getrandbits(128)),
        lambda: (
            datetime.datetime(2000, 1, 1, tzinfo=rng.choice([None, UTC, PLUS2]))
            + datetime.timedelta(seconds=rng.randint(0, 10**9), microseconds=rng.choice([0, rng.randint(0, 999999)]))
        ),
        lambda: datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randint(0, 20000)),
        lambda: datetime.timedelta(seconds=rng.uniform(-1e7, 1e7)),
    ]
    if depth < 4 and rng.random() < 0.4:
        n = rng.randint(0, 5)
        kind = rng.choice(["list", "tuple", "dict"])
        if kind == "dict":
            return {rng.choice([str(rng.random()), rng.randint(0, 99)]): random_value(rng, depth + 1) for _ in range(n)}
        items = [random_value(rng, depth + 1) for _ in range(n)]
        return items if kind == "list" else tuple(items)
    return rng.choice(scalars)()


def test_same_text_on_random_values() -> None:
    rng = random.Random(20261122)
    for _ in range(3000):
        obj = random_value(rng)
        assert dumps(obj) == django(obj), obj
        ours = dumps(obj, compact=True, ensure_ascii=False)
        theirs = django(obj, separators=(",", ":"), ensure_ascii=False)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in theirs):
            # A lone surrogate, which UTF-8 cannot carry: escaped, decoding the same.
            assert json.loads(ours) == json.loads(theirs)
        else:
            assert ours == theirs


def test_same_errors() -> None:
    for bad in [object(), {1, 2}, b"bytes", {"k": {(1, 2): "tuple key"}}]:
        with pytest.raises(TypeError) as ours:
            dumps(bad)
        with pytest.raises(TypeError) as theirs:
            django(bad)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="timezone-aware times"):
        dumps(datetime.time(1, 2, tzinfo=UTC))
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(loop)
    lone = "a\udcff b"
    assert dumps(lone) == django(lone)
    assert json.loads(dumps(lone, ensure_ascii=False)) == lone
    # The same container twice, side by side, is not a cycle.
    shared = [1]
    assert dumps([shared, shared]) == "[[1], [1]]"
