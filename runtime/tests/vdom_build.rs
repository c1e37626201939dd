//! The fast HTML → VDOM builder (`vdom::build`) against html5ever (`vdom::parse`),
//! the HTML standard's tree construction: wherever the fast builder accepts its
//! input it must build exactly html5ever's tree, ids included; where it does not,
//! `build_document` must fall back and still give html5ever's tree. Checked on the
//! rendered outputs of the template corpus, on page-like HTML, on fuzzed input, and
//! fed in random chunks (the streaming path the renderer uses).

use djust_runtime::vdom::build::{build_document_fast, DocumentBuilder, SVG_ATTRS, SVG_TAGS};
use djust_runtime::vdom::{build_document, parse_document, Element, IdAllocator, ParseError, Tree};
use proptest::prelude::*;

/// `PROPTEST_CASES`, else 3,000 per property.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

fn reference(html: &str) -> Result<Element, ParseError> {
    parse_document(html, &mut IdAllocator::new())
}

/// A built tree as an owned element, checking on the way that the hashes the builder
/// computed as it went are those of the finished tree (what the diff relies on).
fn owned(tree: Result<Tree, ParseError>) -> Result<Element, ParseError> {
    tree.map(|t| {
        let e = t.to_element();
        let rehashed = Tree::from_element(&e);
        assert_eq!(
            t.hash(t.root()),
            rehashed.hash(rehashed.root()),
            "subtree hash of the built tree"
        );
        e
    })
}

/// Compare the fast builder with html5ever on `html`; `true` when the fast path took it.
fn check(html: &str) -> bool {
    let expected = reference(html);
    let fast = build_document_fast(html, &mut IdAllocator::new());
    let taken = match fast {
        Ok(got) => {
            assert_eq!(
                owned(got),
                expected,
                "fast builder differs from html5ever on {html:?}"
            );
            true
        }
        Err(_) => false,
    };
    assert_eq!(
        owned(build_document(html, &mut IdAllocator::new())),
        expected,
        "build_document differs from html5ever on {html:?}"
    );
    taken
}

/// Feed `html` in chunks that end at `cuts` (byte offsets on char boundaries).
fn streamed(html: &str, cuts: &[usize]) -> Result<Element, ParseError> {
    let mut b = DocumentBuilder::new();
    for &c in cuts {
        b.advance(&html[..c]);
    }
    b.advance(html);
    owned(b.finish(html, &mut IdAllocator::new()))
}

fn corpus_outputs() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/django/expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let cases = v["cases"].as_object().unwrap_or_else(|| panic!("no cases"));
    cases
        .values()
        .filter_map(|c| c["ok"].as_str().map(String::from))
        .collect()
}

#[test]
fn agrees_with_html5ever_on_the_template_corpus_outputs() {
    let outputs = corpus_outputs();
    assert!(outputs.len() > 8000, "corpus has {} outputs", outputs.len());
    let (mut taken, mut total) = (0usize, 0usize);
    for out in &outputs {
        // As a page, and inside a LiveView root.
        for html in [out.clone(), format!("<!DOCTYPE html><div dj-root>{out}</div>")] {
            total += 1;
            taken += usize::from(check(&html));
            // Streaming in three chunks gives the same tree.
            let (a, b) = (html.len() / 3, 2 * html.len() / 3);
            let cuts: Vec<usize> = [a, b]
                .into_iter()
                .map(|mut c| {
                    while !html.is_char_boundary(c) {
                        c -= 1;
                    }
                    c
                })
                .collect();
            assert_eq!(streamed(&html, &cuts), reference(&html), "streamed {html:?}");
        }
    }
    // The fast path is the one renders take: it must cover nearly all of them.
    assert!(
        taken * 100 >= total * 97,
        "fast path took {taken} of {total} documents"
    );
}

/// HTML as templates write it: the fast path must take every one of these.
const PAGES: &[&str] = &[
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>Shop &amp; more</title>\n  <link rel=\"stylesheet\" href=\"/static/app.css\">\n  <script src=\"/static/djust.js\" defer></script>\n  <style>body > p { color: red; }</style>\n</head>\n<body>\n  <nav><ul><li><a href=\"/\">Home</a></li><li class=active><a href=\"?page=2&sort=name\">Next</a></ul></nav>\n  <main dj-root dj-view=\"shop.views.Products\">\n    <h1>Products</h1>\n    <table class=\"table\">\n      <thead><tr><th>Name<th>Price</tr></thead>\n      <tbody>\n        <tr dj-key=\"1\"><td>Tea</td><td>€4.50</td></tr>\n        <tr dj-key=\"2\"><td>Coffee &lt;dark&gt;</td><td>€5.00</td></tr>\n      </tbody>\n    </table>\n  </main>\n</body>\n</html>\n",
    "<div dj-root><form method=post dj-submit=\"save\"><input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"abc\"><label for=\"n\">Name</label><input id=n name=name value=\"Tom &amp; Jerry\" required><select name=\"kind\"><option value=\"a\" selected>A<option value=\"b\">B<optgroup label=\"more\"><option>C</select><textarea name=\"bio\">\nline one\n&lt;b&gt;</textarea><input type=checkbox checked><button type=\"submit\" dj-loading.disable>Save</button></form></div>",
    "<div dj-root><p>One<p>Two<ul><li>a<li>b<li><p>c</ul><dl><dt>t<dd>d<dt>u<dd>e</dl><p>x<div>y</div></div>",
    "<div dj-root><svg xmlns=\"http://www.w3.org/2000/svg\" viewbox=\"0 0 24 24\" class=\"icon\"><title>Close</title><defs><lineargradient id=\"g\" gradientunits=\"userSpaceOnUse\"><stop offset=\"0\"/></lineargradient><clippath id=c><rect width=\"4\" height=\"4\"/></clippath></defs><path d=\"M0 0L24 24\" stroke-linecap=\"round\"/><use xlink:href=\"#g\"/></svg><math><mi>x</mi><mo>=</mo><mn>2</mn></math></div>",
    "<div dj-root><pre>\n  indented\n</pre><pre>\n\nkept</pre><code> a  b </code><!--dj-if--><!-- dropped --><p>a<!-- c -->b</p></div>",
    "<div dj-root><script>if (a < b && c > d) { x = '</div>'; }</script><style>a::after { content: \"<\"; }</style><p>&copy; 2026 &mdash; &#8364;&#x20AC; &NotEqualTilde; &amp;&lt;&gt;&quot;&#39;</p></div>",
    "<div dj-root><table><tr><td>1<td>2<tr><td>3</table><table><tbody><tr><th>h</th></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table></div>",
    "<div dj-root><a href=\"#\" dj-click=\"inc\" data-id=\"7\"><b>+</b> <i>one</i></a><span>a</span> <em>b</em><br><img src=x alt=\"\"><hr><wbr><input></div>",
    "<body><div id=app dj-root><button dj-click=\"dec\">-</button><span>0</span><button dj-click=\"inc\">+</button></div></body>",
];

#[test]
fn agrees_with_html5ever_on_pages_and_takes_the_fast_path() {
    for page in PAGES {
        assert!(check(page), "fast builder refused {page:?}");
    }
}

#[test]
fn svg_and_mathml_name_adjustments_match_html5ever() {
    for (lower, _) in SVG_TAGS {
        let html = format!(
            "<div dj-root><svg><{lower} id=a></{lower}><{}/></svg></div>",
            lower.to_uppercase()
        );
        assert!(check(&html), "{html}");
    }
    for (lower, _) in SVG_ATTRS {
        let html = format!(
            "<div dj-root><svg {lower}=\"1\"><g {}=2 /></svg></div>",
            lower.to_uppercase()
        );
        assert!(check(&html), "{html}");
    }
    assert!(check(
        "<div dj-root><math definitionurl=x><mi xlink:href=y xml:lang=en>x</mi></math></div>"
    ));
}

#[test]
fn unmodelled_input_falls_back_to_html5ever() {
    // Each of these needs an algorithm the fast builder leaves to html5ever.
    for html in [
        "<div dj-root><table><div>fostered</div></table></div>",
        "<div dj-root><b>bold<p>block</b>after</p></div>",
        "<div dj-root><a href=1>one<div>two<a href=2>three</a></div></div>",
        "<div dj-root><p><b>x</p><table>y</table></div>",
        "<div dj-root><template><li>t</template></div>",
        "<div dj-root><svg><div>breakout</div></svg></div>",
        "<div dj-root>\r\n</div>",
    ] {
        assert!(!check(html), "fast builder accepted {html:?}");
    }
}

/// Misnested formatting elements the builder models (the list of active formatting
/// elements: reopened after an early close, the "Noah's Ark" clause, markers at cells;
/// the adoption agency algorithm with no block inside) and text fostered out of
/// tables (before the table, joined to the text node there): the fast path takes
/// each and builds html5ever's tree.
const MISNESTED_AND_FOSTERED: &[&str] = &[
    "<div dj-root><p><b>bold<p>reopened</div>",
    "<div dj-root><a href=1>one<a href=2>two</a></div>",
    "<div dj-root><b><i>x</b>y</i></div>",
    "<div dj-root><p><b>row 0 <i>both</b> tail 0</i></p><p><b>row 1 <i>both</b> tail 1</i></p></div>",
    "<div dj-root><p><b class=x>1</p><p>2</b>3</p></div>",
    "<div dj-root><p><b><b><b><b>four</p>three reopened</div>",
    "<div dj-root><p><b c=1><b c=2><b c=1><b c=1><b c=1>x</p>y</div>",
    "<div dj-root><table><tr><td><b>x</td><td>y</td></tr></table>z</div>",
    "<div dj-root><b>x<table><tr><td>y</td></tr></table>z</b></div>",
    "<div dj-root><ul><li><em>a<li>b</ul>c</div>",
    "<div dj-root><i>a</b>b</i></div>",
    "<div dj-root><b>1</b></b>2<span>3</i>4</span></div>",
    "<div dj-root><p><a href=x>link<p>more</a>text</div>",
    "<div dj-root><b><u><s>x</b>y<img src=z>w</div>",
    "<div dj-root><table><tr><td>1</td></tr>stray 1<tr><td>2</td></tr>stray 2</table></div>",
    "<div dj-root>before<table>x</table>after</div>",
    "<div dj-root>\n<table> x <tr><td>1</table></div>",
    "<div dj-root><!-- c -->text<!-- d --><table>y</table></div>",
    "<div dj-root><span>s</span><table>a &amp; b<tr><td>c</td></tr>d&#32;</table></div>",
    "<div dj-root><table><tr><td><table>inner</table></td></tr>outer</table></div>",
    "<div dj-root><pre><table>x</table></pre></div>",
    "<div dj-root><b>x</b><table>y<!-- c -->z</table></div>",
    "<div dj-root><table><tbody>t<tr>r<td>c</td>s</tr></tbody>u</table><table>v</table></div>",
    "<!DOCTYPE html><html><body><div dj-root><table><tr><td>0</td></tr>stray 0</table></div></body></html>",
];

#[test]
fn misnested_formatting_and_fostered_text_take_the_fast_path() {
    for html in MISNESTED_AND_FOSTERED {
        assert!(check(html), "fast builder refused {html:?}");
        // Fed in every two-part split, as the renderer streams it.
        for cut in (1..html.len()).filter(|&c| html.is_char_boundary(c)) {
            assert_eq!(streamed(html, &[cut]), reference(html), "{html:?} cut at {cut}");
        }
    }
}

fn fragment() -> impl Strategy<Value = String> {
    let tags = prop::sample::select(vec![
        "div",
        "p",
        "span",
        "li",
        "ul",
        "ol",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "a",
        "b",
        "i",
        "em",
        "strong",
        "code",
        "pre",
        "textarea",
        "select",
        "option",
        "optgroup",
        "form",
        "button",
        "input",
        "br",
        "img",
        "hr",
        "h1",
        "h2",
        "svg",
        "path",
        "g",
        "clippath",
        "lineargradient",
        "foreignobject",
        "title",
        "math",
        "mi",
        "script",
        "style",
        "dl",
        "dt",
        "dd",
        "label",
        "section",
        "html",
        "head",
        "body",
        "meta",
        "link",
        "template",
        "font",
        "nobr",
        "iframe",
        "listing",
        "colgroup",
        "col",
        "frameset",
        "plaintext",
        "xmp",
        "noscript",
        "object",
        "marquee",
        "main",
        "nav",
        "header",
        "DIV",
        "Svg",
    ]);
    let attrs = prop::collection::vec(
        prop::sample::select(vec![
            " class=\"x\"",
            " dj-key=k1",
            " dj-key=\"k2\"",
            " data-key=''",
            " viewbox=\"0 0 1 1\"",
            " definitionurl=u",
            " dj-root",
            " dj-view=\"a.B\"",
            " checked",
            " value='a&amp;b'",
            " href=?a=1&b=2&copy=3",
            " title=&notit;",
            " title=\"&not\"",
            " x=&amp",
            " dj-id=\"9\"",
            " id=a id=b",
            " xlink:href=#s",
            " a=\"1\"b=2",
            " / ",
            " color=red",
            " type=hidden",
        ]),
        0..3,
    );
    let start = (tags.clone(), attrs, any::<bool>())
        .prop_map(|(t, a, sc)| format!("<{t}{}{}>", a.concat(), if sc { "/" } else { "" }));
    let end = tags.prop_map(|t| format!("</{t}>"));
    let text = prop::sample::select(vec![
        "hello",
        " ",
        "\n",
        "\n\n",
        "a &amp; b",
        "&lt;",
        "&nbsp;",
        "&#x27;",
        "&copy",
        "&notit;",
        "<",
        "&#128;",
        "&",
        "x&y",
        "&#0;",
        "&#xD800;",
        "&#1114112;",
        "&#65;x",
        "&Aacute",
        "<3",
        "</",
        "&#",
        "&#x;",
        "\u{e9}",
        "\u{a0}",
        "\t",
        "a<b",
        "<!-- c -->",
        "<!--dj-if-->",
        "<!--/dj-if-->",
        "<!---->",
        "<!-->",
        "<!--->",
        "<!doctype html>",
        "<![CDATA[x]]>",
        "<?x?>",
        "</>",
        "\0",
        "\r\n",
    ])
    .prop_map(String::from);
    prop_oneof![3 => start, 2 => end, 3 => text]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random tag soup: the fast builder agrees with html5ever wherever it accepts,
    /// and streaming in random chunks changes nothing.
    #[test]
    fn agrees_with_html5ever_on_fuzzed_input(
        doctype in any::<bool>(),
        parts in prop::collection::vec(fragment(), 0..40),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let html = format!("{}{}", if doctype { "<!DOCTYPE html>" } else { "" }, parts.concat());
        check(&html);
        let mut cuts: Vec<usize> = cuts
            .iter()
            .map(|i| {
                let mut c = i.index(html.len() + 1);
                while !html.is_char_boundary(c) {
                    c -= 1;
                }
                c
            })
            .collect();
        cuts.sort_unstable();
        prop_assert_eq!(streamed(&html, &cuts), reference(&html));
    }
}

/// A random tree shape, interpreted by [`render_shape`] according to its parent so
/// that the HTML looks like a template's output (lists of `li`, tables of rows,
/// options in selects, SVG icons), with end tags omitted where the standard allows.
#[derive(Debug, Clone)]
struct Shape {
    pick: u8,
    attrs: Vec<u8>,
    omit_end: bool,
    text: u8,
    kids: Vec<Shape>,
}

fn shape() -> impl Strategy<Value = Shape> {
    let leaf = (
        any::<u8>(),
        prop::collection::vec(any::<u8>(), 0..3),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(|(pick, attrs, omit_end, text)| Shape {
            pick,
            attrs,
            omit_end,
            text,
            kids: Vec::new(),
        });
    leaf.prop_recursive(5, 80, 6, |inner| {
        (
            any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..3),
            any::<bool>(),
            any::<u8>(),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(pick, attrs, omit_end, text, kids)| Shape {
                pick,
                attrs,
                omit_end,
                text,
                kids,
            })
    })
}

const TEXTS: &[&str] = &[
    "",
    "Tea",
    " ",
    "\n  ",
    "a &amp; b",
    "&lt;script&gt;",
    "&nbsp;",
    "&#x27;quoted&#x27;",
    "caf\u{e9}",
    "&copy; 2026",
    "x &lt; y &gt; z",
    "&quot;q&quot;",
    "1&#44;000",
    "&hellip;",
    "\u{a0}",
    "tab\there",
    "&#128;",
    "&#0;",
    "&amp",
];

const ATTRS: &[&str] = &[
    " class=\"row\"",
    " class=\"row active\"",
    " dj-click=\"select\"",
    " data-id=\"7\"",
    " title=\"Tom &amp; Jerry\"",
    " href=\"?page=2&amp;sort=name\"",
    " href=\"?page=2&sort=name\"",
    " value=\"&lt;v&gt;\"",
    " checked",
    " disabled",
    " style=\"color: red\"",
    " aria-label='x'",
    " data-x=unquoted",
    " hidden=\"\"",
];

fn render_shape(s: &Shape, parent: &str, out: &mut String, key: usize) {
    let choices: &[&str] = match parent {
        "ul" | "ol" => &["li"],
        "table" => &["tr", "tbody", "thead"],
        "tbody" | "thead" => &["tr"],
        "tr" => &["td", "th"],
        "select" => &["option", "option", "optgroup"],
        "optgroup" => &["option"],
        "svg" | "g" => &["g", "path", "circle", "title", "lineargradient", "rect"],
        "dl" => &["dt", "dd"],
        "p" | "span" | "b" | "em" | "a" | "button" | "label" | "h2" | "code" | "li" | "td" | "th" | "dd"
        | "dt" => &[
            "span", "b", "em", "a", "code", "br", "img", "input", "label", "svg", "#text", "#text", "#text",
        ],
        "option" | "textarea" | "title" | "script" | "pre" => &["#text"],
        _ => &[
            "div", "p", "span", "ul", "ol", "table", "pre", "textarea", "select", "h2", "section", "button",
            "dl", "#text", "#text", "form", "svg", "script",
        ],
    };
    let tag = choices[s.pick as usize % choices.len()];
    let text = TEXTS[s.text as usize % TEXTS.len()];
    if tag == "#text" {
        out.push_str(text);
        return;
    }
    out.push('<');
    out.push_str(tag);
    if matches!(tag, "tr" | "li" | "option") && s.pick % 3 == 0 {
        out.push_str(&format!(" dj-key=\"k{key}\""));
    }
    for a in &s.attrs {
        out.push_str(ATTRS[*a as usize % ATTRS.len()]);
    }
    if matches!(tag, "path" | "circle" | "rect") {
        out.push_str(" d=\"M0 0\"/>");
        return;
    }
    out.push('>');
    match tag {
        "br" | "img" | "input" => return,
        "script" => out.push_str("if (a < b && c) { x = '</p>'; }"),
        "textarea" | "pre" => {
            out.push('\n');
            out.push_str(text);
        }
        "option" | "title" => out.push_str(text),
        _ => {
            if !matches!(tag, "table" | "tbody" | "thead" | "tr") {
                out.push_str(text);
            }
            for (i, k) in s.kids.iter().enumerate() {
                render_shape(k, tag, out, key * 7 + i);
            }
        }
    }
    let optional = matches!(
        tag,
        "li" | "p" | "td" | "th" | "tr" | "option" | "dd" | "dt" | "tbody" | "thead"
    );
    if !(optional && s.omit_end) {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Template-like random pages: the fast builder agrees with html5ever wherever it
    /// takes them, and streaming changes nothing.
    #[test]
    fn agrees_with_html5ever_on_generated_pages(
        shapes in prop::collection::vec(shape(), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut html = String::from("<!DOCTYPE html><html><head><title>t</title></head><body><div dj-root>");
        for (i, s) in shapes.iter().enumerate() {
            render_shape(s, "div", &mut html, i);
        }
        html.push_str("</div></body></html>");
        check(&html);
        let mut c = cut.index(html.len() + 1);
        while !html.is_char_boundary(c) {
            c -= 1;
        }
        prop_assert_eq!(streamed(&html, &[c]), reference(&html));
    }
}

#[test]
fn the_fast_path_takes_most_generated_pages() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut taken, mut total) = (0, 0);
    for _ in 0..1000 {
        let shapes = prop::collection::vec(shape(), 1..4)
            .new_tree(&mut runner)
            .map(|t| t.current())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut html = String::from("<div dj-root>");
        for (i, s) in shapes.iter().enumerate() {
            render_shape(s, "div", &mut html, i);
        }
        html.push_str("</div>");
        total += 1;
        taken += usize::from(check(&html));
    }
    eprintln!("fast path took {taken} of {total} generated pages");
    assert!(taken * 100 >= total * 90, "fast path took {taken} of {total}");
}

mod render_path {
    use super::*;
    use djust_runtime::template::render::StreamSink;
    use djust_runtime::template::{Engine, EngineOptions, Loader, Value};
    use djust_runtime::vdom::build::render_document;
    use std::collections::HashMap;

    const PAGE: &str = "<!DOCTYPE html><html><head><title>{{ title }}</title></head><body>\
        <main dj-root><h1>{{ title }}</h1><table><tbody>{% for r in rows %}\
        <tr dj-key=\"{{ r.id }}\" class=\"{% if r.id == sel %}sel{% endif %}\"><td>{{ r.name }}<td>{{ r.price }}\
        {% endfor %}</tbody></table><p>{{ note|linebreaksbr }}{% filter upper %}<b>x</b>{% endfilter %}</main></body></html>";

    fn context(n: i64) -> HashMap<String, Value> {
        let rows = (0..n)
            .map(|i| {
                Value::dict([
                    ("id", Value::Int(i)),
                    ("name", Value::str(format!("Item <{i}> & co"))),
                    ("price", Value::str(format!("{}.50", i * 3))),
                ])
            })
            .collect();
        [
            ("title".to_string(), Value::str("Shop & more")),
            ("rows".to_string(), Value::list(rows)),
            ("sel".to_string(), Value::Int(3)),
            ("note".to_string(), Value::str("a\nb")),
        ]
        .into()
    }

    /// Records what the renderer streams.
    struct Recorder(Vec<usize>, String);
    impl StreamSink for Recorder {
        fn advance(&mut self, rendered: &str) {
            assert!(rendered.starts_with(&self.1), "streamed text must only grow");
            self.1 = rendered.to_string();
            self.0.push(rendered.len());
        }
    }

    #[test]
    fn the_renderer_streams_its_output_in_chunks_while_rendering() {
        let engine = Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default());
        let t = engine
            .compile(PAGE, Some("page.html"))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut rec = Recorder(Vec::new(), String::new());
        let html = engine
            .render_streaming(&t, &context(1000), &mut rec)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            html,
            engine
                .render(&t, &context(1000))
                .unwrap_or_else(|e| panic!("{e}"))
        );
        // A ~100 KB page arrives in many chunks of about STREAM_CHUNK bytes, from
        // inside the loop, before the render ends.
        assert!(rec.0.len() > 10, "{} chunks", rec.0.len());
        assert!(rec.0.iter().all(|&n| n < html.len()));
    }

    #[test]
    fn render_document_builds_the_tree_html5ever_builds_from_the_output() {
        let engine = Engine::new(vec![Loader::Memory(HashMap::new())], EngineOptions::default());
        let t = engine
            .compile(PAGE, Some("page.html"))
            .unwrap_or_else(|e| panic!("{e}"));
        for n in [0, 1, 7, 1000] {
            let r = render_document(&engine, &t, &context(n), &mut IdAllocator::new())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                r.html,
                engine.render(&t, &context(n)).unwrap_or_else(|e| panic!("{e}"))
            );
            let root = owned(r.root);
            assert_eq!(root, reference(&r.html), "{n} rows");
            // And the fast path took it (no fallback).
            assert!(build_document_fast(&r.html, &mut IdAllocator::new()).is_ok());
            let root = root.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(root.tag, "main");
        }
    }
}
