//! Reuse across renders (`vdom::build::render_document_after`): the tree built after
//! a previous render, with unchanged loop iterations copied from it, must be the tree
//! a fresh build gives — same nodes, names, attributes, keys, ids, subtree sizes and
//! hashes — for loops in every insertion context the builder models (table bodies,
//! lists with implied end tags, `pre`, `select`, SVG, raw text, attributes, nested
//! loops, text fostered out of a table, misnested formatting elements) and loop items
//! that open or close elements on their own. And it must
//! actually reuse: the 1,000-row table with one row changed copies the other 999.

use djust_runtime::template::{Engine, EngineOptions, Loader, Value};
use djust_runtime::vdom::build::{render_document, render_document_after, Rendered};
use djust_runtime::vdom::{IdAllocator, Tree};
use proptest::prelude::*;
use std::collections::HashMap;

mod common;

/// Templates with loops in the contexts of the HTML standard the builder models.
const TEMPLATES: &[&str] = &[
    "<ul>{% for x in xs %}\n  <li>{{ x|safe }}</li>{% endfor %}\n</ul>",
    "<ul>{% for x in xs %}<li>{{ x|safe }}{% endfor %}</ul>",
    "<table><tbody>{% for x in xs %}\n<tr dj-key=\"{{ forloop.counter }}\"><td>{{ x|safe }}</td></tr>\n{% endfor %}</tbody></table>",
    "<table>{% for x in xs %}<tr><td>{{ x|safe }}{% endfor %}</table>",
    "<p>{% for x in xs %}{{ x|safe }} {% endfor %}</p>",
    "<pre>{% for x in xs %}\n{{ x|safe }}{% endfor %}</pre>",
    "<select>{% for x in xs %}<option value=\"{{ x }}\">{{ x }}{% endfor %}</select>",
    "<svg viewBox=\"0 0 10 10\">{% for x in xs %}<circle r=\"{{ forloop.counter }}\"/><text>{{ x }}</text>{% endfor %}</svg>",
    "{% for x in xs %}<div>{% for y in xs %}<span>{{ y|safe }}</span>{% endfor %}</div>\n{% endfor %}",
    "{% for x in xs %}<a{% if forloop.first %} class=\"f\"{% endif %} title=\"{{ x }}\">{{ x|safe }}</a>{% endfor %}",
    "<div class=\"{% for x in xs %}{{ x }} {% endfor %}\">{% for x in xs %}<b>{{ x }}</b>{% endfor %}</div>",
    "<textarea>{% for x in xs %}{{ x }}\n{% endfor %}</textarea>{% for x in xs %}<i>{{ x|safe }}</i>{% endfor %}",
    "<div>{% for x in xs %}<!-- dj-if {{ forloop.counter }} --><em>{{ x|safe }}</em>{% endfor %}</div>",
    "<form>{% for x in xs %}<div>{{ x|safe }}</div>{% endfor %}</form>{% for x in xs %}<form><input value=\"{{ x }}\"></form>{% endfor %}",
    "<div dj-update=\"ignore\">{% for x in xs %}<span>{{ x }}</span>{% endfor %}</div>",
    "{% for x in xs %}{{ x|safe }}{% endfor %}",
    // Text that merges with the whitespace before the iteration.
    "<div>{% for x in xs %}{{ x|safe }}<b>b</b>\n{% endfor %}</div>",
    // The same bytes parse differently in SVG and in HTML (`title` is raw text there).
    "<svg>{% for x in xs %}<title>{{ x }}</title>{% endfor %}</svg><div>{% for x in xs %}<title>{{ x }}</title>{% endfor %}</div>",
    // Items between table rows: their text is fostered out of the table.
    "<table>{% for x in xs %}<tr><td>1</td></tr>{{ x|safe }}{% endfor %}</table>",
    // Items inside misnested formatting.
    "<p><b>{% for x in xs %}<i>{{ x|safe }}</b>{{ x|safe }}</i>{% endfor %}</p>",
];

/// Loop items: plain text, whitespace, markup that opens or closes elements on its
/// own, references, comments.
const ITEMS: &[&str] = &[
    "a",
    "  ",
    "<b>b</b>",
    "<p>p",
    "</li>",
    "<li>",
    "&amp; &lt;",
    "&",
    "<i>",
    "</p>",
    "x<br>y",
    "<td>",
    "</tr>",
    "<!-- c -->",
    "<div>d</div>",
    " text ",
    "\n",
    "<span>s",
    "<table>",
    "</div>",
    "<pre>\nq</pre>",
    "<svg><rect/></svg>",
    // Misnested formatting (closed early, reopened) and text a table fosters out.
    "</b>",
    "<b>x<i>y</b>z</i>",
    "<i>q</p>r",
    "</tr>stray",
    "<u>",
];

fn engine() -> Engine {
    Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default())
}

fn context(items: &[usize]) -> HashMap<String, Value> {
    let list = items
        .iter()
        .map(|&i| Value::str(ITEMS[i % ITEMS.len()]))
        .collect();
    [("xs".to_string(), Value::list(list))].into()
}

fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>t</title></head><body><main dj-root>{body}</main></body></html>"
    )
}

/// Every node of the two roots: kind, name, attributes, key, id, size and hash.
fn assert_same(a: &Tree, b: &Tree, what: &str) {
    let (ra, rb) = (a.range(a.root()), b.range(b.root()));
    assert_eq!(ra.len(), rb.len(), "{what}: node counts differ");
    for (i, j) in ra.zip(rb) {
        assert_eq!(a.kind(i), b.kind(j), "{what}: node {i}");
        assert_eq!(a.name(i), b.name(j), "{what}: node {i}");
        assert!(a.attrs(i).eq(b.attrs(j)), "{what}: attributes of node {i}");
        assert_eq!(a.key(i), b.key(j), "{what}: key of node {i}");
        assert_eq!(a.id(i), b.id(j), "{what}: id of node {i}");
        assert_eq!(a.range(i).len(), b.range(j).len(), "{what}: size of node {i}");
        assert_eq!(a.hash(i), b.hash(j), "{what}: hash of node {i}");
    }
}

/// Render `after` following a render of `before` and freshly; the trees must agree.
/// Returns the number of reused fragments.
fn check(engine: &Engine, body: &str, before: &[usize], after: &[usize]) -> usize {
    let t = engine
        .compile(&page(body), Some("reuse.html"))
        .unwrap_or_else(|e| panic!("{e}"));
    let prev = render_document(engine, &t, &context(before), &mut IdAllocator::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let next: Rendered = render_document_after(engine, &t, &context(after), &mut IdAllocator::new(), &prev)
        .unwrap_or_else(|e| panic!("{e}"));
    let fresh = render_document(engine, &t, &context(after), &mut IdAllocator::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(next.html, fresh.html);
    match (&next.root, &fresh.root) {
        (Ok(a), Ok(b)) => assert_same(a, b, &format!("{body:?} {before:?} → {after:?}")),
        (a, b) => assert_eq!(a.is_err(), b.is_err(), "{body:?}: one build has no root"),
    }
    // And a third render after the reused one (its fragments were recorded by copying).
    let third = render_document_after(engine, &t, &context(before), &mut IdAllocator::new(), &next)
        .unwrap_or_else(|e| panic!("{e}"));
    if let (Ok(a), Ok(b)) = (&third.root, &prev.root) {
        assert_same(a, b, &format!("{body:?} third render"));
    }
    next.reused_fragments() + third.reused_fragments()
}

/// `before` and an edit of it: items replaced, inserted, removed, or the list
/// rotated or reversed.
fn lists() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (
        prop::collection::vec(0..ITEMS.len(), 0..8),
        prop::collection::vec((0u8..5, 0usize..8, 0..ITEMS.len()), 0..4),
    )
        .prop_map(|(before, edits)| {
            let mut after = before.clone();
            for (op, at, item) in edits {
                let n = after.len();
                match op {
                    0 if n > 0 => after[at % n] = item,
                    1 => after.insert(at % (n + 1), item),
                    2 if n > 0 => {
                        after.remove(at % n);
                    }
                    3 if n > 0 => after.rotate_left(at % n),
                    _ => after.reverse(),
                }
            }
            (before, after)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn reuse_gives_the_tree_a_fresh_build_gives(t in 0..TEMPLATES.len(), (before, after) in lists()) {
        check(&engine(), TEMPLATES[t], &before, &after);
    }
}

#[test]
fn every_template_reuses_where_it_can() {
    // Items that are whole elements: each context that can reuse must reuse.
    let engine = engine();
    // One item appended (rows keep their `forloop.counter`), then the list reordered.
    let before = [0, 2, 14, 0, 2];
    let edits: [&[usize]; 2] = [&[0, 2, 14, 0, 2, 6], &[2, 0, 2, 14, 0]];
    let reused: Vec<usize> = TEMPLATES
        .iter()
        .map(|t| edits.iter().map(|after| check(&engine, t, &before, after)).sum())
        .collect();
    // Loops whose iterations are balanced and start in body data reuse (next to raw
    // text or attribute loops too); iterations left open for an implied end tag
    // (`li`, `tr`/`td`, `option`) and `pre` (whitespace kept) do not.
    let expect_reuse = [0, 2, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    for (i, &n) in reused.iter().enumerate() {
        if expect_reuse.contains(&i) {
            assert!(n > 0, "template {i} reused nothing: {}", TEMPLATES[i]);
        }
    }
    for i in [1, 3, 5, 6] {
        assert_eq!(reused[i], 0, "template {i} cannot reuse: {}", TEMPLATES[i]);
    }
}

#[test]
fn the_table_with_one_changed_row_reuses_the_other_rows() {
    let engine = common::cases::engine();
    let cases = common::cases::cases(&engine);
    for case in cases.iter().filter(|c| c.name.starts_with("1000 rows")) {
        let prev = render_document(&engine, &case.template, &case.before, &mut IdAllocator::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let next = render_document_after(
            &engine,
            &case.template,
            &case.after,
            &mut IdAllocator::new(),
            &prev,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let fresh = render_document(&engine, &case.template, &case.after, &mut IdAllocator::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let (Ok(a), Ok(b)) = (&next.root, &fresh.root) else {
            panic!("{}: no root", case.name);
        };
        assert_same(a, b, case.name);
        // Every row whose HTML is unchanged is copied: at least 989 of the new rows
        // (10 inserted; one changed; unkeyed rows keep their HTML when shifted).
        assert!(
            next.reused_fragments() >= 989,
            "{}: {} rows reused",
            case.name,
            next.reused_fragments()
        );
    }
}
