//! The runtime's VDOM: one LiveView root as flat arrays.
//!
//! A [`Tree`] stores its nodes in document (pre-)order, each with the size of its
//! subtree, so a node's children are found by skipping (`first child = i + 1`, next
//! sibling `= j + size(j)`), a subtree is a contiguous range, and copying the ids of
//! an unchanged subtree is one `copy_from_slice`. Tag names, attribute names and
//! values and text live in one string buffer; attributes in one array. Building a
//! tree of a 1,000-row page therefore allocates a handful of growing buffers instead
//! of a few allocations per node, and dropping it frees four.
//!
//! Every node carries a subtree hash (tag, namespace, attributes, children's hashes;
//! ids ignored), computed by whoever builds the tree ([`super::build`] as each
//! element closes, [`Tree::from_element`] otherwise), with one process-wide seed drawn
//! at random. The diff ([`super::diff::diff_trees`]) takes equal hashes as equal
//! subtrees.
//!
//! [`super::Element`] remains the owned, easy-to-edit form (html5ever's output, the
//! Rust patch applier, tests); [`Tree::from_element`] and [`Tree::to_element`] convert
//! between the two.

use super::{CompactString, Element, Namespace, NodeId, VNode};
use std::hash::{BuildHasher, Hash, Hasher};

/// The largest document a [`Tree`] holds: offsets are `u32`.
pub const MAX_BYTES: usize = (u32::MAX / 2) as usize;

/// A range of a tree's string buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An element in a namespace.
    Element(Namespace),
    /// Text (entities decoded).
    Text,
    /// A kept comment.
    Comment,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    kind: Kind,
    /// The tag of an element; the content of a text or comment.
    name: Span,
    attrs_start: u32,
    attrs_len: u32,
    key: Option<Span>,
    /// Nodes in this subtree, this one included.
    size: u32,
    hash: u64,
}

/// A LiveView root's VDOM in flat arrays (see the module documentation). Node
/// indices are positions in document order; [`Tree::root`] is the root element.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    nodes: Vec<Node>,
    /// `dj-id` per node (elements; `0` for text and comments).
    ids: Vec<NodeId>,
    attrs: Vec<(Span, Span)>,
    strings: String,
    root: usize,
    /// How many times the node arrays were edited after the build
    /// ([`Tree::splice_children`]); a builder's record of where nodes are
    /// ([`super::build::Rendered`]) holds only while this is unchanged.
    edits: u32,
}

/// The lengths of a tree's buffers at one moment of a build: a builder records them
/// at both ends of a stretch of input to copy what it produced later
/// ([`Tree::append_region`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Mark {
    pub(crate) nodes: u32,
    pub(crate) attrs: u32,
    pub(crate) strings: u32,
}

/// The process-wide hasher of subtree hashes: foldhash's quality variant, seeded at
/// random once per process, so hashes agree between all trees of the process but
/// cannot be predicted (or collided on purpose) from outside.
fn hasher() -> &'static foldhash::quality::FixedState {
    static STATE: std::sync::OnceLock<foldhash::quality::FixedState> = std::sync::OnceLock::new();
    STATE.get_or_init(|| {
        let seed = foldhash::quality::RandomState::default().hash_one(0x0064_6a75_7374_u64);
        foldhash::quality::FixedState::with_seed(seed)
    })
}

/// The hash of a text (`comment` false) or comment node.
pub(crate) fn text_hash(comment: bool, text: &str) -> u64 {
    hasher().hash_one((u8::from(comment), text))
}

/// The token a keyed element is matched by in the diff: a hash of its namespace, tag
/// and key (with the tree hasher's seed, in a space of its own).
pub(crate) fn key_token(ns: Namespace, tag: &str, key: &str) -> u64 {
    hasher().hash_one((3u8, ns as u8, tag, key))
}

/// The start of an element's hash; feed each child's hash with `write_u64`, then
/// `finish`.
pub(crate) fn element_hasher<'a>(
    tag: &str,
    ns: Namespace,
    attrs: impl ExactSizeIterator<Item = (&'a str, &'a str)>,
) -> ElementHasher {
    let mut h = hasher().build_hasher();
    (2u8, tag, ns as u8).hash(&mut h);
    h.write_usize(attrs.len());
    for (k, v) in attrs {
        k.hash(&mut h);
        v.hash(&mut h);
    }
    h
}

/// The hasher type [`element_hasher`] returns.
pub(crate) type ElementHasher = foldhash::quality::FoldHasher<'static>;

impl Tree {
    /// An empty tree (no nodes); builders fill it.
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Tree {
            nodes: Vec::with_capacity(bytes / 16),
            ids: Vec::new(),
            attrs: Vec::with_capacity(bytes / 32),
            strings: String::with_capacity(bytes / 2),
            root: 0,
            edits: 0,
        }
    }

    /// An empty tree whose buffers hold what `like`'s hold plus `margin` (a fraction)
    /// without growing: the next render of a page is about the size of the last.
    pub(crate) fn with_capacity_of(like: &Tree, margin: f64) -> Self {
        let more = |n: usize| n + (n as f64 * margin) as usize + 16;
        Tree {
            nodes: Vec::with_capacity(more(like.nodes.len())),
            ids: Vec::new(),
            attrs: Vec::with_capacity(more(like.attrs.len())),
            strings: String::with_capacity(more(like.strings.len())),
            root: 0,
            edits: 0,
        }
    }

    /// The buffers' lengths now.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            nodes: self.nodes.len() as u32,
            attrs: self.attrs.len() as u32,
            strings: self.strings.len() as u32,
        }
    }

    /// How many times the nodes were edited since the build.
    pub(crate) fn edits(&self) -> u32 {
        self.edits
    }

    /// Append the nodes that `other` gained between `from` and `to` (whole subtrees,
    /// as a builder appends them), with their sizes and hashes; their strings and
    /// attributes are copied as two blocks and the spans shifted. Returns the index of
    /// the first appended node.
    pub(crate) fn append_region(&mut self, other: &Tree, from: Mark, to: Mark) -> usize {
        let first = self.nodes.len();
        // Offsets move by these (modulo 2^32: the new buffers may be shorter).
        let shift = (self.strings.len() as u32).wrapping_sub(from.strings);
        let attr_shift = (self.attrs.len() as u32).wrapping_sub(from.attrs);
        self.strings
            .push_str(&other.strings[from.strings as usize..to.strings as usize]);
        let attrs_first = self.attrs.len();
        self.attrs
            .extend_from_slice(&other.attrs[from.attrs as usize..to.attrs as usize]);
        for (k, v) in &mut self.attrs[attrs_first..] {
            k.start = k.start.wrapping_add(shift);
            v.start = v.start.wrapping_add(shift);
        }
        self.nodes
            .extend_from_slice(&other.nodes[from.nodes as usize..to.nodes as usize]);
        for n in &mut self.nodes[first..] {
            n.name.start = n.name.start.wrapping_add(shift);
            if let Some(k) = &mut n.key {
                k.start = k.start.wrapping_add(shift);
            }
            if let Kind::Element(_) = n.kind {
                n.attrs_start = n.attrs_start.wrapping_add(attr_shift);
            }
        }
        first
    }

    fn intern(&mut self, s: &str) -> Span {
        let start = self.strings.len();
        self.strings.push_str(s);
        Span {
            start: start as u32,
            len: s.len() as u32,
        }
    }

    /// Append an element (its subtree is what is appended until
    /// [`Tree::close_element`]); returns its index.
    pub(crate) fn open_element(
        &mut self,
        tag: &str,
        ns: Namespace,
        attrs: &[(CompactString, CompactString)],
    ) -> usize {
        let name = self.intern(tag);
        let attrs_start = self.attrs.len() as u32;
        for (k, v) in attrs {
            let (ks, vs) = (self.intern(k), self.intern(v));
            self.attrs.push((ks, vs));
        }
        let key = super::key_index(attrs).map(|i| self.attrs[attrs_start as usize + i].1);
        self.nodes.push(Node {
            kind: Kind::Element(ns),
            name,
            attrs_start,
            attrs_len: attrs.len() as u32,
            key,
            size: 1,
            hash: 0,
        });
        self.nodes.len() - 1
    }

    /// Close the element at `i`: everything appended since is its subtree.
    pub(crate) fn close_element(&mut self, i: usize, hash: u64) {
        let size = (self.nodes.len() - i) as u32;
        if let Some(n) = self.nodes.get_mut(i) {
            n.size = size;
            n.hash = hash;
        }
    }

    /// Insert a text node before node `at` (an open element, whose subtree is the
    /// rest of the arrays): the nodes from `at` on move one place up. Foster parenting
    /// (`super::build`), which puts text found in a table before the table. Returns
    /// the text's hash.
    pub(crate) fn insert_text_before(&mut self, at: usize, text: &str) -> u64 {
        let node = self.text_node(false, text);
        self.nodes.insert(at.min(self.nodes.len()), node);
        node.hash
    }

    /// A text (`comment` false) or comment node of `text`, its string interned.
    fn text_node(&mut self, comment: bool, text: &str) -> Node {
        Node {
            kind: if comment { Kind::Comment } else { Kind::Text },
            name: self.intern(text),
            attrs_start: 0,
            attrs_len: 0,
            key: None,
            size: 1,
            hash: text_hash(comment, text),
        }
    }

    /// Append `more` to text node `i` (the standard's "insert a character" into the
    /// adjacent text node); returns its new hash.
    pub(crate) fn extend_text(&mut self, i: usize, more: &str) -> u64 {
        let text = format!("{}{more}", self.name(i));
        let name = self.intern(&text);
        let hash = text_hash(false, &text);
        if let Some(n) = self.nodes.get_mut(i) {
            n.name = name;
            n.hash = hash;
        }
        hash
    }

    /// Whether elements `a` and `b` have the same tag, namespace and attributes (as a
    /// set): the HTML standard's test for the "Noah's Ark" clause of the list of
    /// active formatting elements.
    pub(crate) fn same_start_tag(&self, a: usize, b: usize) -> bool {
        let (na, nb) = (&self.nodes[a], &self.nodes[b]);
        na.kind == nb.kind
            && na.attrs_len == nb.attrs_len
            && self.name(a) == self.name(b)
            && self
                .attrs(a)
                .all(|(k, v)| self.attrs(b).any(|(k2, v2)| k == k2 && v == v2))
    }

    /// The hasher of open element `i` as it would be after its children so far (those
    /// appended after it, each skipped by its size): for an element one of whose
    /// children changed after it was hashed ([`Tree::extend_text`]).
    pub(crate) fn open_element_hasher(&self, i: usize) -> ElementHasher {
        let ns = match self.nodes[i].kind {
            Kind::Element(ns) => ns,
            _ => Namespace::Html,
        };
        let mut h = element_hasher(self.name(i), ns, self.attrs(i));
        let mut c = i + 1;
        while c < self.nodes.len() {
            h.write_u64(self.nodes[c].hash);
            c += self.nodes[c].size.max(1) as usize;
        }
        h
    }

    /// Append a text (`comment` false) or comment node; returns its hash.
    pub(crate) fn push_text(&mut self, comment: bool, text: &str) -> u64 {
        let node = self.text_node(comment, text);
        self.nodes.push(node);
        node.hash
    }

    /// Make the element at `root` the tree's root and number its elements from `ids`
    /// in document order. Nodes outside its subtree stay in the buffers, unused.
    pub(crate) fn set_root(&mut self, root: usize, ids: &mut super::IdAllocator) {
        self.root = root;
        self.ids = vec![NodeId(0); self.nodes.len()];
        for i in self.range(root) {
            if matches!(self.nodes[i].kind, Kind::Element(_)) {
                self.ids[i] = ids.next_id();
            }
        }
    }

    /// The tree of `root` (ids, keys and everything as they are), hashed.
    pub fn from_element(root: &Element) -> Tree {
        let mut t = Tree::with_capacity(0);
        t.add_element(root);
        t.ids = Vec::with_capacity(t.nodes.len());
        collect_ids(root, &mut t.ids);
        t
    }

    fn add_element(&mut self, e: &Element) -> u64 {
        let i = self.open_element(&e.tag, e.ns, &e.attrs);
        // The element's own key field wins (it normally equals the attributes' key).
        self.nodes[i].key = e.key.as_ref().map(|k| self.intern(k));
        let mut h = element_hasher(
            &e.tag,
            e.ns,
            e.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        for c in &e.children {
            let ch = match c {
                VNode::Element(c) => stacker::maybe_grow(32 * 1024, 1024 * 1024, || self.add_element(c)),
                VNode::Text(t) => self.push_text(false, t),
                VNode::Comment(t) => self.push_text(true, t),
            };
            h.write_u64(ch);
        }
        let hash = h.finish();
        self.close_element(i, hash);
        hash
    }

    /// The root element's index.
    pub fn root(&self) -> usize {
        self.root
    }

    /// Number of nodes in the root's subtree.
    pub fn len(&self) -> usize {
        self.nodes.get(self.root).map_or(0, |n| n.size as usize)
    }

    /// Whether the tree has no root.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The indices of node `i`'s subtree (`i` first).
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        i..i + self.nodes.get(i).map_or(0, |n| n.size as usize)
    }

    /// The kind of node `i`.
    pub fn kind(&self, i: usize) -> Kind {
        self.nodes[i].kind
    }

    fn str(&self, s: Span) -> &str {
        self.strings
            .get(s.start as usize..(s.start + s.len) as usize)
            .unwrap_or("")
    }

    /// An element's tag, or a text's or comment's content.
    pub fn name(&self, i: usize) -> &str {
        self.str(self.nodes[i].name)
    }

    /// The attributes of node `i`, in source order.
    pub fn attrs(&self, i: usize) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        let n = &self.nodes[i];
        self.attrs[n.attrs_start as usize..(n.attrs_start + n.attrs_len) as usize]
            .iter()
            .map(|&(k, v)| (self.str(k), self.str(v)))
    }

    /// The value of attribute `name` of node `i`.
    pub fn attr(&self, i: usize, name: &str) -> Option<&str> {
        self.attrs(i).find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// The key (`dj-key`, else `data-key`) of node `i`.
    pub fn key(&self, i: usize) -> Option<&str> {
        self.nodes[i].key.map(|k| self.str(k))
    }

    /// The `dj-id` of node `i`.
    pub fn id(&self, i: usize) -> NodeId {
        self.ids.get(i).copied().unwrap_or_default()
    }

    /// The subtree hash of node `i`.
    pub fn hash(&self, i: usize) -> u64 {
        self.nodes[i].hash
    }

    /// The children of node `i`, as indices.
    pub fn children(&self, i: usize) -> Children<'_> {
        let end = i + self.nodes.get(i).map_or(1, |n| n.size as usize);
        Children {
            tree: self,
            next: i + 1,
            end,
        }
    }

    /// The ids of all nodes, indexed like them.
    pub(crate) fn ids(&self) -> &[NodeId] {
        &self.ids
    }

    /// The ids, for the diff to write.
    pub(crate) fn ids_vec(&mut self) -> &mut Vec<NodeId> {
        &mut self.ids
    }

    /// Nodes in the buffers (the root's subtree and what the builder left around it).
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The root as an owned [`Element`].
    pub fn to_element(&self) -> Element {
        self.element_at(self.root)
    }

    /// The element at `i` as an owned [`Element`].
    pub fn element_at(&self, i: usize) -> Element {
        let ns = match self.nodes.get(i).map(|n| n.kind) {
            Some(Kind::Element(ns)) => ns,
            _ => Namespace::Html,
        };
        let children = self
            .children(i)
            .map(|c| match self.nodes[c].kind {
                Kind::Element(_) => {
                    VNode::Element(stacker::maybe_grow(32 * 1024, 1024 * 1024, || self.element_at(c)))
                }
                Kind::Text => VNode::Text(self.name(c).into()),
                Kind::Comment => VNode::Comment(self.name(c).into()),
            })
            .collect();
        Element {
            tag: self.name(i).into(),
            ns,
            attrs: self.attrs(i).map(|(k, v)| (k.into(), v.into())).collect(),
            children,
            key: self.key(i).map(CompactString::from),
            id: self.id(i),
        }
    }

    /// Serialise node `i` and its subtree as HTML with `dj-id`s, as
    /// [`Element::write_html`] does; `raw`: `i` is a text inside `script`/`style`.
    pub fn write_html(&self, i: usize, out: &mut String, raw: bool) {
        self.write_html_with_ids(i, out, raw, &self.ids);
    }

    /// [`Tree::write_html`] with the ids taken from `ids` (indexed like the nodes).
    pub(crate) fn write_html_with_ids(&self, i: usize, out: &mut String, raw: bool, ids: &[NodeId]) {
        match self.nodes[i].kind {
            Kind::Text if raw => out.push_str(self.name(i)),
            Kind::Text => super::escape_text(self.name(i), out),
            Kind::Comment => {
                out.push_str("<!--");
                out.push_str(self.name(i));
                out.push_str("-->");
            }
            Kind::Element(ns) => {
                let tag = self.name(i);
                let id = ids.get(i).copied().unwrap_or_default();
                super::write_start_tag(tag, id, self.attrs(i), out);
                if ns == Namespace::Html && super::VOID_ELEMENTS.contains(&tag) {
                    return;
                }
                let raw = super::is_raw_text_element(tag, ns);
                if ns == Namespace::Html && matches!(tag, "pre" | "textarea" | "listing") {
                    if let Some(c) = self.children(i).next() {
                        if self.nodes[c].kind == Kind::Text && self.name(c).starts_with('\n') {
                            out.push('\n');
                        }
                    }
                }
                for c in self.children(i) {
                    stacker::maybe_grow(32 * 1024, 1024 * 1024, || {
                        self.write_html_with_ids(c, out, raw, ids)
                    });
                }
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
        }
    }

    /// The root and its subtree as HTML, `dj-id`s stamped (the first render).
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(self.strings.len() + self.len() * 12);
        if !self.nodes.is_empty() {
            self.write_html(self.root, &mut out, false);
        }
        out
    }

    /// Replace the children of `at` (an element of this tree) with copies of the
    /// children of `from` in `other`, ids included, and fix the subtree sizes of `at`
    /// and its ancestors. Hashes stay as they were (those of this tree's render).
    pub(crate) fn splice_children(&mut self, at: usize, other: &Tree, from: usize) {
        self.edits = self.edits.wrapping_add(1);
        let old_end = at + self.nodes[at].size as usize;
        let mut nodes = Vec::new();
        let mut ids = Vec::new();
        for j in other.range(from).skip(1) {
            let mut n = other.nodes[j];
            n.name = self.intern(other.str(n.name));
            let attrs_start = self.attrs.len() as u32;
            for &(k, v) in &other.attrs[n.attrs_start as usize..(n.attrs_start + n.attrs_len) as usize] {
                let (k, v) = (self.intern(other.str(k)), self.intern(other.str(v)));
                self.attrs.push((k, v));
            }
            n.attrs_start = attrs_start;
            n.key = n.key.map(|k| self.intern(other.str(k)));
            nodes.push(n);
            ids.push(other.id(j));
        }
        let delta = nodes.len() as i64 - (old_end - at - 1) as i64;
        let path = self.path_to(at);
        self.nodes.splice(at + 1..old_end, nodes);
        self.ids.splice(at + 1..old_end, ids);
        for i in path {
            self.nodes[i].size = (self.nodes[i].size as i64 + delta) as u32;
        }
    }

    /// The root, then each ancestor of `at` down to `at` itself: the nodes whose range
    /// contains it.
    fn path_to(&self, at: usize) -> Vec<usize> {
        let mut path = vec![self.root];
        let mut i = self.root;
        while i != at {
            let Some(c) = self
                .children(i)
                .find(|&c| c <= at && at < c + self.nodes[c].size as usize)
            else {
                break;
            };
            path.push(c);
            i = c;
        }
        path
    }
}

impl Tree {
    /// Give `at` and its ancestors hashes no render produces (after
    /// [`Tree::splice_children`] changed what is under them): a diff against this tree
    /// then never takes them for unchanged subtrees.
    pub(crate) fn mark_stale(&mut self, at: usize) {
        static STALE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        for i in self.path_to(at) {
            // Values from a counter mixed into the random hash space.
            let n = STALE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.nodes[i].hash = hasher().hash_one(("stale", n, i));
        }
        self.edits = self.edits.wrapping_add(1);
    }
}

fn collect_ids(e: &Element, out: &mut Vec<NodeId>) {
    out.push(e.id);
    for c in &e.children {
        match c {
            VNode::Element(c) => stacker::maybe_grow(32 * 1024, 1024 * 1024, || collect_ids(c, out)),
            _ => out.push(NodeId(0)),
        }
    }
}

/// The children of a node (see [`Tree::children`]).
pub struct Children<'a> {
    tree: &'a Tree,
    next: usize,
    end: usize,
}

impl Iterator for Children<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next += self.tree.nodes.get(i).map_or(1, |n| n.size.max(1) as usize);
        Some(i)
    }
}
