//! HTML → VDOM (html5ever tree construction plus the VDOM's rules) and VDOM → HTML:
//! whitespace, comments, keys, ids, root selection, foreign content, and the
//! round-trip property `parse(serialize(tree)) == tree` on random trees.

use djust_runtime::vdom::{
    parse_document, parse_fragment, Element, IdAllocator, Namespace, NodeId, ParseError, VNode,
};
use proptest::prelude::*;

mod common;
use common::{renumber, tree};

fn doc(html: &str) -> Element {
    parse_document(html, &mut IdAllocator::new()).unwrap_or_else(|e| panic!("{html}: {e}"))
}

fn tags(children: &[VNode]) -> Vec<String> {
    children
        .iter()
        .map(|c| match c {
            VNode::Element(e) => e.tag.to_string(),
            VNode::Text(t) => format!("#{t}"),
            VNode::Comment(t) => format!("<!{t}>"),
        })
        .collect()
}

fn el(n: &VNode) -> &Element {
    n.as_element().unwrap_or_else(|| panic!("not an element: {n:?}"))
}

#[test]
fn whitespace_only_text_is_dropped_except_in_preformatted_elements() {
    let root = doc("<div>\n  <p> a </p>\n  <pre>\n  x\n</pre><textarea>\n\n</textarea>\u{a0}</div>");
    assert_eq!(tags(&root.children), ["p", "pre", "textarea", "#\u{a0}"]);
    assert_eq!(tags(&el(&root.children[0]).children), ["# a "]);
    // The parser eats the newline right after <pre> / <textarea>, as browsers do.
    assert_eq!(tags(&el(&root.children[1]).children), ["#  x\n"]);
    assert_eq!(tags(&el(&root.children[2]).children), ["#\n"]);
}

#[test]
fn implied_end_tags_and_table_structure_follow_the_standard() {
    // (With a doctype: in quirks mode a <table> does not close an open <p>.)
    let root = doc("<!DOCTYPE html><div><ul><li>a<li>b</ul><p>one<p>two<table><tr><td>1<td>2</table></div>");
    let ul = el(&root.children[0]);
    assert_eq!(tags(&ul.children), ["li", "li"]);
    assert_eq!(tags(&root.children), ["ul", "p", "p", "table"]);
    let table = el(&root.children[3]);
    assert_eq!(tags(&table.children), ["tbody"]);
    let tr = el(&el(&table.children[0]).children[0]);
    assert_eq!(tags(&tr.children), ["td", "td"]);
}

#[test]
fn raw_text_and_entities() {
    let root = doc("<div><script>if (a < b && c) {}</script><p>&lt;&amp;&eacute;&nbsp;&#x41;</p></div>");
    assert_eq!(tags(&el(&root.children[0]).children), ["#if (a < b && c) {}"]);
    assert_eq!(tags(&el(&root.children[1]).children), ["#<&é\u{a0}A"]);
}

#[test]
fn keys_come_from_dj_key_then_data_key_and_ids_are_assigned_in_document_order() {
    let root = doc(
        "<ul dj-id='zz'><li dj-key='a'>1</li><li data-key='b'>2</li><li dj-key='' data-key='c'>3</li><li id='x'>4</li></ul>",
    );
    let keys: Vec<Option<&str>> = root.children.iter().map(|c| el(c).key.as_deref()).collect();
    assert_eq!(keys, [Some("a"), Some("b"), Some("c"), None]);
    // A user-supplied dj-id is ignored; ids are 0 (root), 1, 2, 3, 4.
    assert_eq!(root.id, NodeId(0));
    assert_eq!(root.attr("dj-id"), None);
    let ids: Vec<u64> = root.children.iter().map(|c| el(c).id.0).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
}

#[test]
fn node_ids_are_base62() {
    for (n, s) in [
        (0, "0"),
        (9, "9"),
        (10, "a"),
        (35, "z"),
        (36, "A"),
        (61, "Z"),
        (62, "10"),
        (3843, "ZZ"),
    ] {
        assert_eq!(NodeId(n).to_string(), s);
        assert_eq!(NodeId::parse(s), Some(NodeId(n)));
    }
    assert_eq!(NodeId::parse("a-b"), None);
    assert_eq!(NodeId::parse(""), None);
}

#[test]
fn the_root_is_the_dj_root_element_else_the_first_body_element() {
    let root = doc("<html><body><nav>x</nav><main><div dj-view='app.V'><b>y</b></div></main></body></html>");
    assert_eq!(root.tag, "div");
    assert_eq!(root.attr("dj-view"), Some("app.V"));
    let root = doc("text<section>s</section><aside></aside>");
    assert_eq!(root.tag, "section");
    assert_eq!(
        parse_document("only text", &mut IdAllocator::new()),
        Err(ParseError::NoRoot)
    );
}

#[test]
fn only_dj_if_comments_are_kept() {
    let root = doc("<div><!-- note --><!--dj-if--><!--dj-if id=\"if-1-0\"-->x<!--/dj-if--></div>");
    assert_eq!(
        tags(&root.children),
        ["<!dj-if>", "<!dj-if id=\"if-1-0\">", "#x", "<!/dj-if>"]
    );
}

#[test]
fn svg_and_mathml_names_keep_their_case() {
    let root = doc("<div><svg viewbox='0 0 1 1'><lineargradient gradientunits='x'/><foreignobject><p>h</p></foreignobject></svg><math><mi>x</mi></math></div>");
    let svg = el(&root.children[0]);
    assert_eq!(svg.ns, Namespace::Svg);
    assert_eq!(svg.attrs, [("viewBox".into(), "0 0 1 1".into())]);
    assert_eq!(tags(&svg.children), ["linearGradient", "foreignObject"]);
    assert_eq!(el(&svg.children[0]).attrs[0].0, "gradientUnits");
    let p = el(&el(&svg.children[1]).children[0]);
    assert_eq!((p.tag.as_str(), p.ns), ("p", Namespace::Html));
    assert_eq!(el(&root.children[1]).ns, Namespace::MathMl);
}

#[test]
fn fragments_parse_in_their_context() {
    let rows = parse_fragment(
        "<tr><td>1</td></tr><tr><td>2</td></tr>",
        "tbody",
        &mut IdAllocator::new(),
    );
    assert_eq!(tags(&rows), ["tr", "tr"]);
    let cells = parse_fragment("<td>a<td>b", "tr", &mut IdAllocator::new());
    assert_eq!(tags(&cells), ["td", "td"]);
}

#[test]
fn serialisation_stamps_ids_and_escapes() {
    let root = doc("<div class='a&quot;b'><br><p>x &lt; y &amp;\u{a0}</p><script>a<b</script></div>");
    assert_eq!(
        VNode::Element(root).to_html(),
        "<div dj-id=\"0\" class=\"a&quot;b\"><br dj-id=\"1\"><p dj-id=\"2\">x &lt; y &amp;&nbsp;</p>\
         <script dj-id=\"3\">a<b</script></div>"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// What we serialise, a browser (html5ever) parses back to the same tree.
    #[test]
    fn serialise_then_parse_is_the_identity(mut t in tree()) {
        renumber(&mut t, &mut IdAllocator::new());
        let html = t.to_html();
        let back = parse_fragment(&html, "div", &mut IdAllocator::new());
        prop_assert_eq!(back.len(), 1, "{}", html);
        prop_assert_eq!(&back[0], &t, "{}", html);
    }
}
