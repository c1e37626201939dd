//! Property test (the template engine's fuzz target): for random templates built from
//! the language's own pieces, well-formed or not, lexing, parsing (strict and lenient)
//! and rendering return a value or an error and never panic.
//!
//! `PROPTEST_CASES=N` sets the number of cases (default 512); the long run recorded in
//! the issue note used `PROPTEST_CASES=400000` (about 10 minutes).

use djust_runtime::template::parser::{parse, ParseOptions};
use djust_runtime::template::{tokenize, Engine, EngineOptions, Loader, Value};
use proptest::prelude::*;
use std::collections::HashMap;

const TEXT: &[&str] = &[
    "x",
    " ",
    "\n",
    "<div dj-root>",
    "</div>",
    "<!--",
    "-->",
    "é",
    "😀",
    "{",
    "}",
    "%",
    "#",
    "\\",
];
const OPERANDS: &[&str] = &[
    "items",
    "item",
    "item.name",
    "item.n",
    "x",
    "missing",
    "forloop.counter",
    "forloop.parentloop",
    "block.super",
    "0",
    "-1",
    "1.5",
    "1e3",
    "\"s\"",
    "'<b>'",
    "_(\"t\")",
    "None",
    "True",
    "items.0",
    "items.-1",
    "x.real",
];
const FILTERS: &[&str] = &[
    "upper",
    "default:\"-\"",
    "floatformat:2",
    "floatformat:\"-3g\"",
    "slice:\":2\"",
    "join:\", \"",
    "truncatechars:3",
    "add:1",
    "add:x",
    "pluralize",
    "stringformat:\"05d\"",
    "length",
    "first",
    "safe",
    "escape",
    "cut:\" \"",
    "yesno:\"a,b\"",
    "dictsort:\"n\"",
    "unordered_list",
    "linebreaks",
    "slugify",
    "center:7",
    "get_digit:1",
    "nosuch",
    "",
    "upper:1",
];
const TAGS: &[&str] = &[
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "empty",
    "endfor",
    "with",
    "endwith",
    "block",
    "endblock",
    "extends",
    "include",
    "cycle",
    "resetcycle",
    "firstof",
    "ifchanged",
    "endifchanged",
    "comment",
    "endcomment",
    "verbatim",
    "endverbatim",
    "autoescape",
    "endautoescape",
    "spaceless",
    "endspaceless",
    "filter",
    "endfilter",
    "widthratio",
    "templatetag",
    "csrf_token",
    "load",
    "regroup",
    "lorem",
    "now",
    "querystring",
    "debug",
    "partialdef",
    "endpartialdef",
    "partial",
    "bogus",
];
const ARGS: &[&str] = &[
    "item",
    "in",
    "items",
    "reversed",
    "as",
    "v",
    "and",
    "or",
    "not",
    "==",
    "!=",
    "<",
    ">=",
    "is",
    "a=1",
    "b=item",
    "\"a.html\"",
    "'b.html'",
    "\"main.html\"",
    "only",
    "with",
    "silent",
    "on",
    "off",
    "openblock",
    "upper",
    "1",
    "2",
    "content",
    "x",
    ",",
    "'./a.html'",
    "\"../up.html\"",
];

fn expr() -> impl Strategy<Value = String> {
    (
        prop::sample::select(OPERANDS),
        prop::collection::vec(prop::sample::select(FILTERS), 0..3),
    )
        .prop_map(|(op, filters)| filters.iter().fold(op.to_string(), |acc, f| format!("{acc}|{f}")))
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TEXT).prop_map(str::to_string),
        expr().prop_map(|e| format!("{{{{ {e} }}}}")),
        (
            prop::sample::select(TAGS),
            prop::collection::vec(prop::sample::select(ARGS), 0..5)
        )
            .prop_map(|(t, args)| format!("{{% {t} {} %}}", args.join(" "))),
        prop::sample::select(ARGS).prop_map(|a| format!("{{# {a} #}}")),
    ]
}

fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 0..40).prop_map(|parts| parts.concat())
}

fn context() -> HashMap<String, Value> {
    let item = Value::dict([("name", Value::str("<n>")), ("n", Value::Int(2))]);
    [
        ("items".to_string(), Value::list(vec![item.clone(), item])),
        ("x".to_string(), Value::Float(1.5)),
    ]
    .into()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn lex_parse_render_never_panic(main in template(), a in template(), b in template()) {
        let tokens = tokenize(&main);
        // Tokens cover the input exactly, in order.
        let mut at = 0;
        for t in &tokens {
            prop_assert_eq!(t.span.start, at);
            at = t.span.end;
        }
        prop_assert_eq!(at, main.len());

        let registry = djust_runtime::template::filters::builtins();
        let lenient = parse(&main, &registry, &ParseOptions { lenient: true, name: Some("main.html".into()) });
        // Lenient parsing only gives up on absurd nesting, which 60 pieces cannot reach.
        prop_assert!(lenient.is_ok(), "lenient parse failed: {:?}", lenient.err());
        let _ = parse(&main, &registry, &ParseOptions::default());

        let templates: HashMap<String, String> =
            [("a.html".to_string(), a), ("b.html".to_string(), b), ("main.html".to_string(), main.clone())].into();
        let engine = Engine::new(vec![Loader::Memory(templates)], EngineOptions::default());
        if let Ok(t) = engine.get_template("main.html") {
            let _ = engine.render(&t, &context());
            // The next render after this one, with loop iterations reused, builds the
            // tree a fresh build gives (`tests/vdom_reuse.rs` has the targeted cases).
            use djust_runtime::vdom::build::{render_document, render_document_after};
            use djust_runtime::vdom::IdAllocator;
            if let Ok(prev) = render_document(&engine, &t, &context(), &mut IdAllocator::new()) {
                let next = render_document_after(&engine, &t, &next_context(), &mut IdAllocator::new(), &prev);
                let fresh = render_document(&engine, &t, &next_context(), &mut IdAllocator::new());
                // `{% now %}` may tick between the two renders.
                if let (Ok(next), Ok(fresh)) = (next, fresh) {
                    if next.html == fresh.html {
                        prop_assert_eq!(next.root.ok().map(|r| r.to_element()), fresh.root.ok().map(|r| r.to_element()));
                    }
                }
            }
        }
    }
}

/// [`context`] after an event: an item changed and one added.
fn next_context() -> HashMap<String, Value> {
    let item = Value::dict([("name", Value::str("<n>")), ("n", Value::Int(2))]);
    let changed = Value::dict([("name", Value::str("m</p>")), ("n", Value::Int(3))]);
    [
        (
            "items".to_string(),
            Value::list(vec![changed, item.clone(), item]),
        ),
        ("x".to_string(), Value::Float(1.5)),
    ]
    .into()
}

/// The generator reaches real templates: a good share parse strictly and render.
#[test]
fn generator_produces_renderable_templates() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let registry = djust_runtime::template::filters::builtins();
    let (mut parsed, mut rendered, mut with_tags) = (0, 0, 0);
    for _ in 0..2000 {
        let src = template()
            .new_tree(&mut runner)
            .map(|t| t.current())
            .unwrap_or_default();
        if let Ok(p) = parse(&src, &registry, &ParseOptions::default()) {
            parsed += 1;
            if p.nodes
                .iter()
                .any(|n| !matches!(n, djust_runtime::template::Node::Text(_)))
            {
                with_tags += 1;
            }
            let engine = Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default());
            if engine.render_str(&src, &context()).is_ok() {
                rendered += 1;
            }
        }
    }
    assert!(
        parsed > 100 && rendered > 80 && with_tags > 40,
        "parsed {parsed}, rendered {rendered}, with tags {with_tags}"
    );
}

/// Pieces of HTML, URLs and e-mail addresses for the text-processing filters.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<b>"),
        Just("</b>"),
        Just("<br/>"),
        Just("<a href='"),
        Just("'>"),
        Just("<!--"),
        Just("<![x"),
        Just("http://"),
        Just("www."),
        Just(".com"),
        Just("@"),
        Just("&amp;"),
        Just("&#x"),
        Just("&"),
        Just(";"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("%"),
        Just("%E2"),
        Just("é"),
        Just("\u{301}"),
        Just(" "),
        Just("\n"),
        Just("::1"),
        Just("xn--"),
        Just("-"),
        Just("."),
        Just("\""),
        Just("word"),
    ];
    (prop::collection::vec(piece, 0..24), any::<String>()).prop_map(|(v, tail)| {
        let mut s = v.concat();
        s.extend(tail.chars().take(8));
        s
    })
}

proptest! {
    /// urlize, the HTML truncators, striptags and pprint on arbitrary text never panic
    /// (errors are allowed where Django raises too).
    #[test]
    fn text_filters_never_panic(text in messy_text(), n in -2i64..40) {
        let engine = Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default());
        let ctx: HashMap<String, Value> = [("t".to_string(), Value::str(text)), ("n".to_string(), Value::Int(n))].into();
        for f in ["urlize", "urlizetrunc:n", "truncatechars_html:n", "truncatewords_html:n", "striptags", "pprint"] {
            let _ = engine.render_str(&format!("{{{{ t|{f} }}}}"), &ctx);
        }
    }
}

/// Sizes a hostile page can put into a filter argument or a tag: huge, negative,
/// past `i64`, not numbers at all.
const HUGE: &[&str] = &[
    "1000000000000",
    "-1000000000000",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999999",
    "1e308",
    "-1e308",
    "nan",
    "16777217",
    "0",
];

/// Filters and tags whose output size comes from an argument.
const SIZED: &[&str] = &[
    "{{ t|rjust:n }}",
    "{{ t|ljust:n }}",
    "{{ t|center:n }}",
    "{{ f|floatformat:n }}",
    "{{ t|truncatechars:n }}",
    "{{ t|truncatewords:n }}",
    "{{ t|wordwrap:n }}",
    "{{ t|get_digit:n }}",
    "{{ t|slice:n }}",
    "{{ f|stringformat:s }}",
    "{{ t|stringformat:s }}",
    "{% lorem n w %}",
    "{% lorem n p %}",
    "{% lorem n b random %}",
    "{% widthratio n n n %}",
    "{% widthratio f n 100 %}",
    "{{ t|urlizetrunc:n }}",
    "{{ t|truncatechars_html:n }}",
];

/// A value nested `depth` levels deep: lists, tuples and dicts in turn.
fn nested(depth: usize) -> Value {
    let mut v = Value::str("leaf");
    for i in 0..depth {
        v = match i % 3 {
            0 => Value::list(vec![v, Value::Int(1)]),
            1 => Value::Tuple(std::sync::Arc::new(vec![v])),
            _ => Value::dict([("k", v)]),
        };
    }
    v
}

/// Numbers a hostile page can hand `floatformat`, `stringformat` and friends as the
/// value: exponents at the ends of `i64`, a million leading zeros.
fn numbers() -> Vec<Value> {
    vec![
        Value::Float(1.5),
        Value::Float(f64::MAX),
        Value::Int(i64::MIN),
        Value::str("1E-9223372036854775808"),
        Value::str("1E+9223372036854775807"),
        Value::str("-1e999999999999"),
        Value::Decimal(std::sync::Arc::from("9.99E+9223372036854775800")),
        Value::str(format!("{}1.5", "0".repeat(1_000_000))),
    ]
}

/// Every size × every sized filter or tag × every number: each render returns (an
/// allocation failure would abort the process; an overflow would panic), and an
/// over-limit size is an error, never a huge string.
#[test]
fn huge_sizes_are_refused_not_allocated() {
    let engine = Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default());
    let limit = EngineOptions::default().max_generated_size;
    for n in HUGE {
        let n_value = n
            .parse::<i64>()
            .map(Value::Int)
            .unwrap_or_else(|_| Value::str(*n));
        for f in numbers() {
            let ctx: HashMap<String, Value> = [
                ("t".to_string(), Value::str("ab cd")),
                ("f".to_string(), f),
                ("n".to_string(), n_value.clone()),
                ("s".to_string(), Value::str(format!("0{n}d"))),
            ]
            .into();
            for tpl in SIZED {
                if let Ok(out) = engine.render_str(tpl, &ctx) {
                    assert!(out.len() <= limit + 64, "{tpl} with n={n}: {} bytes", out.len());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..config() })]

    /// Random `stringformat` specs with huge widths and precisions never abort.
    #[test]
    fn huge_stringformat_specs_are_refused_not_allocated(
        spec in "%?[-+ #0]{0,2}[0-9]{0,20}(\\.[0-9]{0,20})?[hlL]?[sdifeExXorc%]",
        value in prop::sample::select(vec!["1.5", "-7", "abc", "1e308"]),
    ) {
        let engine = Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default());
        let v = value.parse::<f64>().map(Value::Float).unwrap_or_else(|_| Value::str(value));
        let ctx: HashMap<String, Value> =
            [("v".to_string(), v), ("s".to_string(), Value::str(spec.trim_start_matches('%')))].into();
        if let Ok(out) = engine.render_str("{{ v|stringformat:s }}", &ctx) {
            prop_assert!(out.len() <= EngineOptions::default().max_generated_size + 64);
        }
    }
}

/// Values nested thousands deep render, compare, print, pprint and encode as JSON on a
/// 256 KB stack without overflowing it (every recursion over a value grows the stack).
/// The value is built and dropped on a thread with a large stack: a host bounds the
/// depth of what it hands the engine (the Python binding converts 32 levels, then
/// reads lazily).
#[test]
fn deep_values_never_overflow_the_stack() {
    let run = || {
        let engine = Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default());
        // pprint is quadratic in the depth (as Python's is): a shallower value for it.
        for (depth, sources) in [
            (
                20_000,
                &[
                    "{{ d }}",
                    "{{ d|safe|length }}",
                    "{% if d == e %}same{% endif %}",
                    "{% if d in e %}in{% endif %}",
                    "{{ d|json_script:'x'|length }}",
                    "{{ d|unordered_list|length }}",
                    "{{ d|stringformat:'r'|length }}",
                    "{% for x in d %}{{ x|length }}{% endfor %}",
                ][..],
            ),
            (3_000, &["{{ d|pprint|length }}"][..]),
        ] {
            let deep = nested(depth);
            let ctx: HashMap<String, Value> =
                [("d".to_string(), deep.clone()), ("e".to_string(), deep)].into();
            for src in sources {
                let out = std::thread::scope(|scope| {
                    std::thread::Builder::new()
                        .stack_size(256 * 1024)
                        .spawn_scoped(scope, || engine.render_str(src, &ctx).map(|s| s.len()))
                        .map(|h| h.join().is_ok_and(|r| r.is_ok()))
                });
                assert!(matches!(out, Ok(true)), "{src}: {out:?}");
            }
        }
    };
    let big = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(run);
    assert!(big.is_ok_and(|h| h.join().is_ok()));
}

/// `PROPTEST_CASES` cases (default 512), no regression files.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// HTML-like noise: tags (any case, odd attribute syntax), character references,
/// comments, doctypes, CDATA, raw text and arbitrary characters.
fn html_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "<[/!?]?[a-zA-Z]{0,7}( [a-zA-Z:-]{1,6}(=(\"[^\"]{0,6}\"|'[^']{0,4}'|[^ >]{0,5}))?){0,3} ?/?>",
        "&#?[xX]?[a-zA-Z0-9]{0,8};?",
        "<!--[^>]{0,6}-{0,3}!?>",
        "[^<&]{0,8}",
        prop::sample::select(vec![
            "<!DOCTYPE html>",
            "<![CDATA[",
            "]]>",
            "<script>",
            "</script>",
            "<textarea>",
            "<svg>",
            "<math>",
            "<table>",
            "<tr>",
            "<td>",
            "<select>",
            "<template>",
            "<p>",
            "<li>",
            "<a>",
            "<b>",
            "<div dj-root>",
            "dj-key=\"k\"",
            "\0",
            "\r\n",
            "<pre>\n",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config())]

    /// The VDOM's fuzz target: building (fast path, streamed in chunks, html5ever),
    /// fragment parsing in any context, diffing two trees and applying the patches
    /// never panic on any input.
    #[test]
    fn html_parsing_and_diffing_never_panic(a in html_soup(), b in html_soup(), cut in any::<prop::sample::Index>()) {
        use djust_runtime::vdom::build::DocumentBuilder;
        use djust_runtime::vdom::diff::diff_trees;
        use djust_runtime::vdom::{apply, build_document, parse_fragment, parse_fragment_with_ids, IdAllocator, Namespace};
        let mut c = cut.index(a.len() + 1);
        while !a.is_char_boundary(c) {
            c -= 1;
        }
        let mut builder = DocumentBuilder::new();
        builder.advance(&a[..c]);
        builder.advance(&a);
        let mut ids = IdAllocator::new();
        let old = builder.finish(&a, &mut ids);
        let new = build_document(&b, &mut IdAllocator::new());
        if let (Ok(old), Ok(mut new)) = (old, new) {
            let patches = diff_trees(&old, &mut new, &mut ids);
            let mut t = old.to_element();
            let _ = apply(&mut t, &patches);
            let _ = new.to_html();
        }
        for ctx in ["div", "tbody", "tr", "select", "textarea", "script"] {
            let _ = parse_fragment(&b, ctx, &mut IdAllocator::new());
        }
        let _ = parse_fragment_with_ids(&b, "svg", Namespace::Svg);
    }
}
