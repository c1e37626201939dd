//! HTML → VDOM with html5ever's tree builder (the HTML standard's algorithm), for
//! input that does not come from the renderer.

use super::{CompactString, Element, IdAllocator, Namespace, VNode, WHITESPACE_PRESERVING};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{ns, Attribute, QualName};
use std::borrow::Cow;
use std::cell::{Ref, RefCell};

/// Why no tree could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The document's `<body>` has no element to use as the root.
    #[error("no root element: the body has no element (expected one with dj-root or dj-view)")]
    NoRoot,
}

#[derive(Debug)]
enum Data {
    Document,
    Element {
        attrs: Vec<Attribute>,
        template: Option<usize>,
    },
    Text(String),
    Comment(String),
    Other,
}

#[derive(Debug)]
struct ArenaNode {
    name: QualName,
    data: Data,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// An arena `TreeSink`: handles are indices.
struct Sink {
    nodes: RefCell<Vec<ArenaNode>>,
}

impl Sink {
    fn new() -> Sink {
        Sink {
            nodes: RefCell::new(vec![ArenaNode {
                name: empty_name(),
                data: Data::Document,
                parent: None,
                children: Vec::new(),
            }]),
        }
    }

    fn push(&self, name: QualName, data: Data) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(ArenaNode {
            name,
            data,
            parent: None,
            children: Vec::new(),
        });
        nodes.len() - 1
    }

    fn detach(&self, node: usize) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(p) = nodes[node].parent.take() {
            nodes[p].children.retain(|&c| c != node);
        }
    }

    /// Insert `child` into `parent` at `pos` (`None`: at the end), merging text
    /// with an adjacent text node as the DOM does.
    fn insert(&self, parent: usize, pos: Option<usize>, child: NodeOrText<usize>) {
        match child {
            NodeOrText::AppendText(text) => {
                let mut nodes = self.nodes.borrow_mut();
                let at = pos.unwrap_or(nodes[parent].children.len());
                if let Some(prev) = at.checked_sub(1).map(|i| nodes[parent].children[i]) {
                    if let Data::Text(t) = &mut nodes[prev].data {
                        t.push_str(&text);
                        return;
                    }
                }
                drop(nodes);
                let id = self.push(empty_name(), Data::Text(text.to_string()));
                let mut nodes = self.nodes.borrow_mut();
                nodes[id].parent = Some(parent);
                nodes[parent].children.insert(at, id);
            }
            NodeOrText::AppendNode(node) => {
                self.detach(node);
                let mut nodes = self.nodes.borrow_mut();
                let at = pos.unwrap_or(nodes[parent].children.len());
                nodes[node].parent = Some(parent);
                nodes[parent].children.insert(at, node);
            }
        }
    }
}

fn empty_name() -> QualName {
    QualName::new(None, ns!(), html5ever::local_name!(""))
}

impl TreeSink for Sink {
    type Handle = usize;
    type Output = Vec<ArenaNode>;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Vec<ArenaNode> {
        self.nodes.into_inner()
    }
    fn parse_error(&self, _msg: Cow<'static, str>) {}
    fn get_document(&self) -> usize {
        0
    }
    fn elem_name<'a>(&'a self, target: &'a usize) -> Ref<'a, QualName> {
        Ref::map(self.nodes.borrow(), |n| &n[*target].name)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> usize {
        let template = flags.template.then(|| self.push(empty_name(), Data::Document));
        self.push(name, Data::Element { attrs, template })
    }
    fn create_comment(&self, text: StrTendril) -> usize {
        self.push(empty_name(), Data::Comment(text.to_string()))
    }
    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.push(empty_name(), Data::Other)
    }
    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        self.insert(*parent, None, child);
    }
    fn append_based_on_parent_node(&self, element: &usize, prev: &usize, child: NodeOrText<usize>) {
        if self.nodes.borrow()[*element].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev, child);
        }
    }
    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}
    fn get_template_contents(&self, target: &usize) -> usize {
        match &self.nodes.borrow()[*target].data {
            Data::Element {
                template: Some(t), ..
            } => *t,
            _ => *target,
        }
    }
    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }
    fn set_quirks_mode(&self, _mode: QuirksMode) {}
    fn append_before_sibling(&self, sibling: &usize, new_node: NodeOrText<usize>) {
        let (parent, pos) = {
            let nodes = self.nodes.borrow();
            let Some(parent) = nodes[*sibling].parent else {
                return;
            };
            let pos = nodes[parent].children.iter().position(|c| c == sibling);
            (parent, pos)
        };
        self.insert(parent, pos, new_node);
    }
    fn add_attrs_if_missing(&self, target: &usize, attrs: Vec<Attribute>) {
        if let Data::Element { attrs: existing, .. } = &mut self.nodes.borrow_mut()[*target].data {
            for a in attrs {
                if !existing.iter().any(|e| e.name == a.name) {
                    existing.push(a);
                }
            }
        }
    }
    fn remove_from_parent(&self, target: &usize) {
        self.detach(*target);
    }
    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let children = std::mem::take(&mut self.nodes.borrow_mut()[*node].children);
        let mut nodes = self.nodes.borrow_mut();
        for c in children {
            nodes[c].parent = Some(*new_parent);
            nodes[*new_parent].children.push(c);
        }
    }
}

/// Converts arena nodes to VNodes, applying the whitespace, comment, key and id rules.
struct Builder<'a> {
    nodes: &'a [ArenaNode],
    ids: &'a mut IdAllocator,
    /// Take ids from `dj-id` attributes (HTML this crate serialised).
    trust_ids: bool,
}

fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// Whether a comment is one the VDOM keeps (`dj-if` markers).
pub fn is_kept_comment(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("dj-if") || t.starts_with("/dj-if")
}

impl Builder<'_> {
    fn children(&mut self, node: usize, keep_space: bool) -> Vec<VNode> {
        let mut out = Vec::new();
        let mut kids = self.nodes[node].children.clone();
        if let Data::Element {
            template: Some(t), ..
        } = &self.nodes[node].data
        {
            kids.extend(self.nodes[*t].children.iter().copied());
        }
        for c in kids {
            match &self.nodes[c].data {
                Data::Text(t) if keep_space || !t.chars().all(is_html_space) => {
                    out.push(VNode::Text(t.as_str().into()))
                }
                Data::Comment(t) if is_kept_comment(t) => out.push(VNode::Comment(t.as_str().into())),
                Data::Element { .. } => {
                    let e = stacker::maybe_grow(32 * 1024, 1024 * 1024, || self.element(c, keep_space));
                    out.push(VNode::Element(e));
                }
                _ => {}
            }
        }
        out
    }

    fn element(&mut self, node: usize, keep_space: bool) -> Element {
        let n = &self.nodes[node];
        let ns = if n.name.ns == ns!(svg) {
            Namespace::Svg
        } else if n.name.ns == ns!(mathml) {
            Namespace::MathMl
        } else {
            Namespace::Html
        };
        let tag = CompactString::from(&*n.name.local);
        let mut attrs: Vec<(CompactString, CompactString)> = Vec::new();
        if let Data::Element { attrs: a, .. } = &n.data {
            for at in a {
                // html5ever gives the foreign attribute `xmlns` an empty prefix.
                let name = match &at.name.prefix {
                    Some(p) if !p.is_empty() => compact_str::format_compact!("{p}:{}", at.name.local),
                    _ => CompactString::from(&*at.name.local),
                };
                // A user-supplied dj-id is ignored: ids are the server's.
                if name != "dj-id" && !attrs.iter().any(|(k, _)| *k == name) {
                    attrs.push((name, CompactString::from(&*at.value)));
                }
            }
        }
        let key = super::key_of(&attrs);
        let given = match &n.data {
            Data::Element { attrs: a, .. } if self.trust_ids => a
                .iter()
                .find(|at| &*at.name.local == "dj-id")
                .and_then(|at| super::NodeId::parse(&at.value)),
            _ => None,
        };
        let id = given.unwrap_or_else(|| self.ids.next_id());
        let keep = keep_space || (ns == Namespace::Html && WHITESPACE_PRESERVING.contains(&tag.as_str()));
        let children = self.children(node, keep);
        Element {
            tag,
            ns,
            attrs,
            children,
            key,
            id,
        }
    }
}

fn find(nodes: &[ArenaNode], from: usize, pred: &dyn Fn(&ArenaNode) -> bool) -> Option<usize> {
    // Iterative pre-order search (document order).
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n != from && pred(&nodes[n]) {
            return Some(n);
        }
        stack.extend(nodes[n].children.iter().rev());
    }
    None
}

fn has_attr(n: &ArenaNode, names: &[&str]) -> bool {
    match &n.data {
        Data::Element { attrs, .. } => attrs.iter().any(|a| names.contains(&&*a.name.local)),
        _ => false,
    }
}

/// Parse a whole document and return its LiveView root: the first element with
/// `dj-root` or `dj-view` inside `<body>`, else the body's first element. Ids come
/// from `ids` in document order.
pub fn parse_document(html: &str, ids: &mut IdAllocator) -> Result<Element, ParseError> {
    let nodes = html5ever::parse_document(Sink::new(), Default::default()).one(html);
    let is_elem = |n: &ArenaNode, tag: &str| matches!(n.data, Data::Element { .. }) && &*n.name.local == tag;
    let body = find(&nodes, 0, &|n| is_elem(n, "body")).ok_or(ParseError::NoRoot)?;
    let root = find(&nodes, body, &|n| has_attr(n, &["dj-root", "dj-view"]))
        .or_else(|| {
            nodes[body]
                .children
                .iter()
                .copied()
                .find(|&c| matches!(nodes[c].data, Data::Element { .. }))
        })
        .ok_or(ParseError::NoRoot)?;
    // Whitespace is kept below any whitespace-preserving ancestor.
    let mut keep = false;
    let mut up = nodes[root].parent;
    while let Some(p) = up {
        keep |= nodes[p].name.ns == ns!(html) && WHITESPACE_PRESERVING.contains(&&*nodes[p].name.local);
        up = nodes[p].parent;
    }
    let mut b = Builder {
        nodes: &nodes,
        ids,
        trust_ids: false,
    };
    Ok(b.element(root, keep))
}

/// Parse `html` as the content of an HTML `context` element (e.g. `"tbody"` for
/// rows), as `innerHTML` would.
pub fn parse_fragment(html: &str, context: &str, ids: &mut IdAllocator) -> Vec<VNode> {
    fragment(html, context, Namespace::Html, ids, false)
}

/// [`parse_fragment`] in a context element of namespace `ns` (an `insert` into an
/// `<svg>` parses SVG), keeping the `dj-id`s written in the HTML (for HTML that
/// djust serialised, such as an `insert` patch); elements without one get ids from 0.
pub fn parse_fragment_with_ids(html: &str, context: &str, ns: Namespace) -> Vec<VNode> {
    fragment(html, context, ns, &mut IdAllocator::new(), true)
}

fn fragment(html: &str, context: &str, ns: Namespace, ids: &mut IdAllocator, trust_ids: bool) -> Vec<VNode> {
    let space = match ns {
        Namespace::Html => ns!(html),
        Namespace::Svg => ns!(svg),
        Namespace::MathMl => ns!(mathml),
    };
    let name = QualName::new(None, space, html5ever::LocalName::from(context));
    let nodes = html5ever::parse_fragment(Sink::new(), Default::default(), name, Vec::new(), false).one(html);
    // The fragment's nodes are the children of the `<html>` element html5ever makes.
    let Some(&html_elem) = nodes[0].children.first() else {
        return Vec::new();
    };
    let keep = ns == Namespace::Html && WHITESPACE_PRESERVING.contains(&context);
    let mut b = Builder {
        nodes: &nodes,
        ids,
        trust_ids,
    };
    b.children(html_elem, keep)
}
