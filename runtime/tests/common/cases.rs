//! The VDOM benchmark cases (issue: VDOM, point 7), shared by `benches/vdom.rs`
//! and the test that pins their patch counts and sizes (`tests/vdom_cases.rs`).
//! Each case is a template and two contexts: the render before and after an event.
#![allow(dead_code)]

use djust_runtime::template::{Engine, EngineOptions, Loader, Template, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A LiveView's template: a keyed (`dj-key`) or unkeyed product table, ~150 bytes
/// of HTML per row, as upstream's 1,000-row benchmark page (≈147 KB).
pub const TABLE: &str = r#"<!DOCTYPE html>
<html><head><title>Products</title></head>
<body>
<main dj-root dj-view="shop.views.Products">
  <h1>Products ({{ rows|length }})</h1>
  <table class="table">
    <thead><tr><th>#</th><th>Name</th><th>Price</th><th></th></tr></thead>
    <tbody>
    {% for r in rows %}
      <tr{% if keyed %} dj-key="{{ r.id }}"{% endif %} class="{{ r.class }}">
        <td class="id">{{ r.id }}</td>
        <td class="name">{{ r.name }}</td>
        <td class="price">${{ r.price }}</td>
        <td><button dj-click="remove" data-id="{{ r.id }}">Remove</button></td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
</main>
</body></html>"#;

/// A counter LiveView.
pub const COUNTER: &str = r#"<div dj-root><button dj-click="dec">-</button><span class="count">{{ count }}</span><button dj-click="inc">+</button></div>"#;

/// A form whose field changes class, value and disabled state after validation.
pub const FORM: &str = r#"<form dj-root dj-submit="save" method="post">
  <label for="email">E-mail</label>
  <input id="email" name="email" type="email" class="{{ cls }}" value="{{ value }}"{% if disabled %} disabled{% endif %}>
  <p class="help">We never share it.</p>
  <button type="submit">Save</button>
</form>"#;

/// One table row.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: usize,
    pub name: String,
    pub price: String,
    pub class: String,
}

pub fn rows(n: usize) -> Vec<Row> {
    (0..n).map(row).collect()
}

fn row(i: usize) -> Row {
    Row {
        id: i,
        name: format!("Product {i} <{}>", i % 13),
        price: format!("{}.{:02}", 3 + i % 97, i % 100),
        class: String::from("row"),
    }
}

/// A deterministic permutation (a linear congruential shuffle).
pub fn shuffled<T: Clone>(v: &[T]) -> Vec<T> {
    let mut out = v.to_vec();
    let mut s: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..out.len()).rev() {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((s >> 33) as usize) % (i + 1);
        out.swap(i, j);
    }
    out
}

pub fn table_context(rows: &[Row], keyed: bool) -> HashMap<String, Value> {
    let list = rows
        .iter()
        .map(|r| {
            Value::dict([
                ("id", Value::Int(r.id as i64)),
                ("name", Value::str(r.name.as_str())),
                ("price", Value::str(r.price.as_str())),
                ("class", Value::str(r.class.as_str())),
            ])
        })
        .collect();
    [
        ("rows".to_string(), Value::list(list)),
        ("keyed".to_string(), Value::Bool(keyed)),
    ]
    .into()
}

/// A benchmark case: `template` rendered with `before`, then with `after`.
pub struct Case {
    pub name: &'static str,
    pub template: Arc<Template>,
    pub before: HashMap<String, Value>,
    pub after: HashMap<String, Value>,
}

/// Render `template` with `context` and build its VDOM (ids from `ids`).
pub fn render_tree(
    engine: &Engine,
    template: &Arc<Template>,
    context: &HashMap<String, Value>,
    ids: &mut djust_runtime::vdom::IdAllocator,
) -> djust_runtime::vdom::Tree {
    djust_runtime::vdom::build::render_document(engine, template, context, ids)
        .unwrap_or_else(|e| panic!("{e}"))
        .root
        .unwrap_or_else(|e| panic!("{e}"))
}

/// [`render_tree`] as an owned element.
pub fn render_root(
    engine: &Engine,
    template: &Arc<Template>,
    context: &HashMap<String, Value>,
    ids: &mut djust_runtime::vdom::IdAllocator,
) -> djust_runtime::vdom::Element {
    render_tree(engine, template, context, ids).to_element()
}

pub fn engine() -> Engine {
    Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default())
}

fn compile(engine: &Engine, source: &str, name: &str) -> Arc<Template> {
    engine
        .compile(source, Some(name))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every case of the issue's list.
pub fn cases(engine: &Engine) -> Vec<Case> {
    let table = compile(engine, TABLE, "table.html");
    let t = |name, before: &[Row], after: &[Row], keyed| Case {
        name,
        template: table.clone(),
        before: table_context(before, keyed),
        after: table_context(after, keyed),
    };
    let base = rows(1000);
    let mut one_cell = base.clone();
    one_cell[500].name = String::from("Changed");
    let mut one_class = base.clone();
    one_class[500].class = String::from("row selected");
    let mut inserted = base.clone();
    for k in 0..10 {
        inserted.insert(500 + k, row(5000 + k));
    }
    let mut removed = base.clone();
    removed.drain(500..510);
    let reversed: Vec<Row> = base.iter().rev().cloned().collect();
    let fifty = rows(50);
    let mut appended = fifty.clone();
    appended.push(row(50));

    let counter = compile(engine, COUNTER, "counter.html");
    let form = compile(engine, FORM, "form.html");
    let form_ctx = |cls: &str, value: &str, disabled: bool| -> HashMap<String, Value> {
        [
            ("cls".to_string(), Value::str(cls)),
            ("value".to_string(), Value::str(value)),
            ("disabled".to_string(), Value::Bool(disabled)),
        ]
        .into()
    };
    vec![
        Case {
            name: "counter text change",
            template: counter.clone(),
            before: [("count".to_string(), Value::Int(41))].into(),
            after: [("count".to_string(), Value::Int(42))].into(),
        },
        Case {
            name: "form, 3 attribute changes",
            template: form,
            before: form_ctx("input", "tom@", false),
            after: form_ctx("input is-invalid", "tom@example.com", true),
        },
        t("1000 rows, one cell changed", &base, &one_cell, true),
        t("1000 rows, one class changed", &base, &one_class, true),
        t("1000 rows, 10 inserted mid", &base, &inserted, true),
        t("1000 rows, 10 removed mid", &base, &removed, true),
        t("1000 rows, reversed", &base, &reversed, true),
        t("1000 rows, shuffled", &base, &shuffled(&base), true),
        t("1000 rows, identical", &base, &base, true),
        t("1000 rows unkeyed, 10 inserted mid", &base, &inserted, false),
        t("50 rows, append", &fifty, &appended, true),
        t("50 rows, shuffle", &fifty, &shuffled(&fifty), true),
    ]
}
