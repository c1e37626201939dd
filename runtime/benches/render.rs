//! Criterion benchmarks of the template engine on realistic pages (issue: template
//! engine, point 8). Templates are compiled once outside the timed part; contexts use
//! Decimal prices and datetimes like a Django view would.
//!
//! Run: `cargo bench -p djust-runtime --bench render`. Results: docs/benchmarks.md.

// criterion_group! generates an undocumented `benches` function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use djust_runtime::template::dates::{Date, DateTime, Time};
use djust_runtime::template::{Engine, EngineOptions, Loader, Value};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;

const PRODUCT_TABLE: &str = r#"<table class="products">
  <thead><tr><th>Name</th><th>SKU</th><th>Price</th><th>Stock</th><th>Updated</th><th>Notes</th></tr></thead>
  <tbody>
  {% for p in products %}
    <tr class="{% cycle 'odd' 'even' %}{% if not p.stock %} sold-out{% endif %}" dj-key="{{ p.id }}">
      <td><a href="/products/{{ p.id }}/">{{ p.name|truncatechars:24 }}</a></td>
      <td>{{ p.sku }}</td>
      <td>${{ p.price|floatformat:2 }}</td>
      <td>{{ p.stock|default:"—" }}</td>
      <td><time datetime="{{ p.updated|date:'c' }}">{{ p.updated|date:"M j, Y H:i" }}</time></td>
      <td>{{ p.notes|default:"" }}</td>
    </tr>
  {% empty %}
    <tr><td colspan="6">No products.</td></tr>
  {% endfor %}
  </tbody>
</table>
<p>{{ products|length }} product{{ products|length|pluralize }}</p>"#;

fn products(n: usize) -> Value {
    let rows = (0..n)
        .map(|i| {
            Value::dict([
                ("id", Value::Int(i as i64)),
                ("name", Value::str(format!("Galvanised shackle {i} <8mm> & pin"))),
                ("sku", Value::str(format!("SH-{i:05}"))),
                (
                    "price",
                    Value::Decimal(Arc::from(format!("{}.{:02}", 3 + i % 97, i % 100).as_str())),
                ),
                ("stock", Value::Int((i % 7) as i64)),
                (
                    "updated",
                    Value::DateTime(DateTime {
                        date: Date {
                            year: 2026,
                            month: 1 + (i % 12) as u32,
                            day: 1 + (i % 28) as u32,
                        },
                        time: Time {
                            hour: (i % 24) as u32,
                            minute: (i % 60) as u32,
                            second: 0,
                            microsecond: 0,
                        },
                        offset: None,
                        zone: None,
                        dst: None,
                        keep_zone: false,
                        ambiguous: false,
                    }),
                ),
                (
                    "notes",
                    if i % 3 == 0 {
                        Value::None
                    } else {
                        Value::str("restocked")
                    },
                ),
            ])
        })
        .collect();
    Value::list(rows)
}

fn engine(templates: &[(&str, &str)]) -> Engine {
    Engine::new(
        vec![Loader::Memory(
            templates
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )],
        EngineOptions::default(),
    )
}

fn bench_product_table(c: &mut Criterion) {
    let e = engine(&[("table.html", PRODUCT_TABLE)]);
    let t = e.get_template("table.html").unwrap_or_else(|err| panic!("{err}"));
    let mut group = c.benchmark_group("product_table");
    for n in [100usize, 1000] {
        let ctx: HashMap<String, Value> = [("products".to_string(), products(n))].into();
        let bytes = e.render(&t, &ctx).map(|s| s.len()).unwrap_or(0);
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &ctx, |b, ctx| {
            b.iter(|| black_box(e.render(&t, ctx).map(|s| s.len()).unwrap_or(0)))
        });
    }
    group.finish();
}

fn bench_extends_includes(c: &mut Criterion) {
    let mut templates: Vec<(String, String)> = vec![
        (
            "base.html".into(),
            "<!DOCTYPE html><html><head><title>{% block title %}Shop{% endblock %}</title></head><body>{% include 'nav.html' %}<main>{% block content %}{% endblock %}</main>{% block footer %}<footer>© {{ year }}</footer>{% endblock %}</body></html>".into(),
        ),
        ("nav.html".into(), "<nav>{% for l in links %}<a href=\"{{ l.href }}\">{{ l.label|capfirst }}</a>{% endfor %}</nav>".into()),
        ("layout.html".into(), "{% extends 'base.html' %}{% block content %}<div class=\"layout\">{% block main %}{% endblock %}</div>{% endblock %}".into()),
    ];
    let mut page = String::from("{% extends 'layout.html' %}{% block title %}{{ title }} · {{ block.super }}{% endblock %}{% block main %}");
    for i in 0..20 {
        templates.push((format!("card{i}.html"), format!("<section class=\"card\"><h2>{{{{ card.title|title }}}} {i}</h2><p>{{{{ card.body|truncatewords:12 }}}}</p>{{% if card.badge %}}<span>{{{{ card.badge }}}}</span>{{% endif %}}</section>")));
        page.push_str(&format!(
            "{{% include 'card{i}.html' with card=cards.{} %}}",
            i % 5
        ));
    }
    page.push_str("{% endblock %}");
    templates.push(("page.html".into(), page));
    let refs: Vec<(&str, &str)> = templates.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let e = engine(&refs);
    let t = e.get_template("page.html").unwrap_or_else(|err| panic!("{err}"));
    let card = |i: i64| {
        Value::dict([
            ("title", Value::str(format!("featured item number {i}"))),
            ("body", Value::str("Marine-grade stainless steel, tested to twice the working load, with a captive pin that will not drop overboard.")),
            ("badge", if i % 2 == 0 { Value::str("new") } else { Value::None }),
        ])
    };
    let links = Value::list(
        ["catalog", "cart", "support", "account"]
            .iter()
            .map(|l| Value::dict([("href", Value::str(format!("/{l}/"))), ("label", Value::str(*l))]))
            .collect(),
    );
    let ctx: HashMap<String, Value> = [
        ("title".to_string(), Value::str("Deck hardware")),
        ("year".to_string(), Value::Int(2026)),
        ("links".to_string(), links),
        ("cards".to_string(), Value::list((0..5).map(card).collect())),
    ]
    .into();
    c.bench_function("extends_20_includes", |b| {
        b.iter(|| black_box(e.render(&t, &ctx).map(|s| s.len()).unwrap_or(0)))
    });
}

fn bench_form(c: &mut Criterion) {
    let form = r#"<form method="post" dj-submit="save" novalidate>{% csrf_token %}
{% for field in fields %}
  <div class="field{% if field.errors %} has-error{% endif %}">
    <label for="id_{{ field.name }}">{{ field.label }}{% if field.required %} *{% endif %}</label>
    {% if field.widget == "textarea" %}<textarea id="id_{{ field.name }}" name="{{ field.name }}" rows="4">{{ field.value|default_if_none:"" }}</textarea>
    {% elif field.widget == "select" %}<select id="id_{{ field.name }}" name="{{ field.name }}">{% for o in field.options %}<option value="{{ o.0 }}"{% if o.0 == field.value %} selected{% endif %}>{{ o.1 }}</option>{% endfor %}</select>
    {% else %}<input type="{{ field.widget }}" id="id_{{ field.name }}" name="{{ field.name }}" value="{{ field.value|default_if_none:'' }}" dj-model.lazy="{{ field.name }}">{% endif %}
    {% for e in field.errors %}<p class="error">{{ e }}</p>{% endfor %}
    {% if field.help %}<small>{{ field.help|linebreaksbr }}</small>{% endif %}
  </div>
{% endfor %}
<button type="submit" dj-loading.disable>Save</button></form>"#;
    let e = engine(&[("form.html", form)]);
    let t = e.get_template("form.html").unwrap_or_else(|err| panic!("{err}"));
    let field = |name: &str, widget: &str, errors: Vec<&str>| {
        Value::dict([
            ("name", Value::str(name)),
            ("label", Value::str(name.replace('_', " "))),
            ("widget", Value::str(widget)),
            ("required", Value::Bool(name != "notes")),
            (
                "value",
                if name == "notes" {
                    Value::None
                } else {
                    Value::str(format!("{name} <value>"))
                },
            ),
            (
                "errors",
                Value::list(errors.into_iter().map(Value::str).collect()),
            ),
            (
                "help",
                Value::str("We never share this.\nSee the privacy policy."),
            ),
            (
                "options",
                Value::list(
                    ["a", "b", "c"]
                        .iter()
                        .map(|o| Value::Tuple(Arc::new(vec![Value::str(*o), Value::str(o.to_uppercase())])))
                        .collect(),
                ),
            ),
        ])
    };
    let fields = Value::list(vec![
        field("first_name", "text", vec![]),
        field("last_name", "text", vec![]),
        field("email", "email", vec!["Enter a valid email address."]),
        field("phone", "tel", vec![]),
        field("country", "select", vec![]),
        field("notes", "textarea", vec![]),
    ]);
    let ctx: HashMap<String, Value> = [
        ("fields".to_string(), fields),
        ("csrf_token".to_string(), Value::str("tok123")),
    ]
    .into();
    c.bench_function("form_page", |b| {
        b.iter(|| black_box(e.render(&t, &ctx).map(|s| s.len()).unwrap_or(0)))
    });
}

criterion_group!(benches, bench_product_table, bench_extends_includes, bench_form);
criterion_main!(benches);
