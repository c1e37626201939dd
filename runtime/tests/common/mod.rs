//! Generators shared by the VDOM tests.
#![allow(dead_code)]

pub mod cases;

use djust_runtime::vdom::{CompactString, Element, IdAllocator, Namespace, VNode};
use proptest::prelude::*;

/// Random trees of elements that nest freely in HTML, with attributes, keys and text.
pub fn tree() -> impl Strategy<Value = VNode> {
    let text = "[a-z<>&\"' \u{e9}\u{a0}]{1,8}"
        .prop_filter("not only spaces", |t: &String| !t.chars().all(|c| c == ' '));
    let leaf = text.prop_map(|t| VNode::Text(t.into()));
    leaf.prop_recursive(5, 64, 6, |inner| {
        (
            prop::sample::select(vec!["div", "span", "section", "b", "em", "ul", "article", "main"]),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["class", "title", "dj-click", "data-x", "dj-key"]),
                    "[a-z&\"<> ]{0,6}",
                ),
                0..3,
            ),
            prop::collection::vec(inner, 0..5),
        )
            .prop_map(|(tag, attrs, children)| {
                let mut seen = std::collections::HashSet::new();
                let attrs: Vec<(CompactString, CompactString)> = attrs
                    .into_iter()
                    .filter(|(k, _)| seen.insert(*k))
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect();
                // Adjacent texts merge in the DOM: join them here too.
                let mut merged: Vec<VNode> = Vec::new();
                for c in children {
                    match (merged.last_mut(), c) {
                        (Some(VNode::Text(prev)), VNode::Text(t)) => prev.push_str(&t),
                        (_, c) => merged.push(c),
                    }
                }
                VNode::Element(Element::new(tag, Namespace::Html, attrs, merged))
            })
    })
}

/// Number the elements of `n` in document order, as the parser does.
pub fn renumber(n: &mut VNode, ids: &mut IdAllocator) {
    if let VNode::Element(e) = n {
        e.id = ids.next_id();
        for c in &mut e.children {
            renumber(c, ids);
        }
    }
}
