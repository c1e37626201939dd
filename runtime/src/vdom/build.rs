//! The fast path from rendered HTML to the VDOM: a streaming tokenizer and tree
//! builder that consumes the renderer's output as it is produced
//! ([`crate::template::render::StreamSink`]) and builds the flat [`Tree`] directly,
//! with no intermediate DOM: each element is appended in document order and sealed
//! with its size and subtree hash when it closes.
//!
//! It implements the HTML standard's tokenizer and tree construction for what
//! templates produce: void elements; implied end tags (`p`, `li`, `dd`/`dt`,
//! `option`/`optgroup`, table cells and rows); implied `html`/`head`/`body` and
//! `tbody`/`tr`; raw text (`script`, `style`) and escapable raw text (`textarea`,
//! `title`); named and numeric character references (the standard's table, from
//! html5ever); SVG and MathML elements with the standard's name adjustments. Where
//! the standard does something this builder does not model — foster parenting,
//! the adoption agency algorithm for misnested formatting elements, `<template>`,
//! frameset, legacy doctypes and the like — it stops with [`Unsupported`] and
//! [`build_document`] hands the whole text to html5ever
//! ([`super::parse::parse_document`]). Both paths therefore give the tree a browser
//! builds; `runtime/tests/vdom_build.rs` checks that they agree, on the rendered
//! outputs of the template corpus and on fuzzed HTML.
//!
//! **Reuse across renders.** The renderer marks where each `{% for %}` iteration
//! starts and ends ([`StreamSink::mark`]). Between two marks the builder records what
//! the stretch of text produced (a *fragment*: its bytes, the nodes it appended, the
//! open elements around it). The next render of the same LiveView
//! ([`render_document_after`]) looks each new stretch up by its bytes; when the bytes
//! are equal and the builder is in the same state (same open elements, data state, no
//! pending text that could merge), the old nodes are copied, hashes included, instead
//! of tokenizing again. Since the tree construction is a function of that state and
//! the bytes, the copy is exactly what parsing would build
//! (`runtime/tests/vdom_reuse.rs` checks it against a fresh build).

use super::parse::{is_kept_comment, ParseError};
use super::tree::{element_hasher, ElementHasher, Kind, Mark, Tree};
use super::{CompactString, IdAllocator, Namespace, WHITESPACE_PRESERVING};
use crate::template::html::{named_entity, push_codepoints};
use crate::template::render::StreamSink;
use crate::template::{ContextSource, Engine, Template, TemplateError};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

/// Input the fast builder leaves to html5ever: `at` is the byte offset where it
/// stopped, `reason` what it met there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {at}: {reason}")]
pub struct Unsupported {
    /// Byte offset in the input.
    pub at: usize,
    /// What the builder does not model (e.g. "foster parenting").
    pub reason: &'static str,
}

type R<T> = Result<T, Unsupported>;

/// The tree construction stage before and after `<body>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Initial,
    BeforeHtml,
    BeforeHead,
    InHead,
    AfterHead,
    InBody,
    AfterBody,
}

/// The tokenizer state between tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Data,
    /// Raw text up to `</name` (`script`, `style`).
    Raw(&'static str),
    /// Escapable raw text up to `</name` (`textarea`, `title`).
    RcData(&'static str),
}

/// The insertion mode, derived from the current node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Body,
    Table,
    TableBody,
    Row,
    Select,
    Foreign,
}

/// An open element's name.
struct Head {
    tag: CompactString,
    ns: Namespace,
}

struct Open {
    el: Head,
    /// Its index in the tree.
    node: usize,
    /// Its hash so far (tag, attributes, the children closed so far).
    hash: ElementHasher,
    /// Whitespace-only text is kept (inside `pre`, `code`, `textarea`, `script`,
    /// `style`).
    keep: bool,
}

enum Token<'a> {
    Start {
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        self_closing: bool,
    },
    End(Cow<'a, str>),
    Comment(&'a str),
    Doctype,
    /// A `<` that does not start a tag: the text `<`.
    Lt,
}

/// One open element as a fragment sees it: tag, namespace, whitespace kept.
type Frame = (CompactString, Namespace, bool);

/// What one stretch of text between two loop marks produced (see the module
/// documentation): `src..src + len` of the render's HTML appended the tree's nodes
/// between `from` and `to` as children of the current element, with the builder in a
/// clean state at both ends.
#[derive(Debug, Clone)]
struct Fragment {
    src: usize,
    len: usize,
    from: Mark,
    to: Mark,
    /// Index into [`Fragments::stacks`]: the open elements around the fragment.
    stack: u32,
    form_open: bool,
    selects: usize,
    /// The character data pending at the end (whitespace).
    tail: CompactString,
}

/// The fragments of one render, for the next render of the same template to reuse.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fragments {
    list: Vec<Fragment>,
    /// Content hash of a fragment's bytes → its index (the first of equal ones).
    by_hash: HashMap<u64, u32, foldhash::fast::FixedState>,
    /// The distinct stacks of open elements, in order of first use.
    stacks: Vec<Vec<Frame>>,
}

impl Fragments {
    /// Add `f`, whose bytes hash to `hash` (the first of equal fragments stays the one
    /// found by lookups).
    fn record(&mut self, hash: u64, f: Fragment) {
        let index = self.list.len() as u32;
        self.by_hash.entry(hash).or_insert(index);
        self.list.push(f);
    }
}

/// The hash fragments are looked up by: foldhash with a fixed seed (a collision costs
/// a byte comparison, never a wrong tree).
fn content_hash(bytes: &[u8]) -> u64 {
    foldhash::fast::FixedState::with_seed(0x646a_7573_745f_6672).hash_one(bytes)
}

/// A fragment being recorded since the mark at `start`.
#[derive(Debug, Clone, Copy)]
struct Recording {
    start: usize,
    at: Mark,
    /// [`DocumentBuilder::flushes`] at the start.
    flushes: u32,
    depth: usize,
    top: usize,
    stack: u32,
    form_open: bool,
    selects: usize,
}

/// The previous render of the same template, whose fragments may be reused.
#[derive(Debug, Clone, Copy)]
struct Previous<'p> {
    tree: &'p Tree,
    html: &'p str,
    fragments: &'p Fragments,
}

/// A streaming HTML → VDOM builder for one document. Feed it the text rendered so far
/// with [`DocumentBuilder::advance`] (each call passes the whole text, which only
/// grows); finish with [`DocumentBuilder::finish`]. `'p` is the lifetime of the
/// previous render it may reuse fragments of ([`render_document_after`]).
pub struct DocumentBuilder<'p> {
    pos: usize,
    tok: Tok,
    skip_lf: bool,
    stack: Vec<Open>,
    tree: Tree,
    /// Pending character data of the current node.
    text: String,
    /// A spare attribute list, reused from tag to tag.
    attr_buf: Vec<(CompactString, CompactString)>,
    phase: Phase,
    form_open: bool,
    selects: usize,
    /// The current element holds raw text (the standard's "text" insertion mode).
    text_mode: bool,
    error: Option<Unsupported>,
    /// Loop marks from the renderer (byte offsets, increasing).
    marks: Vec<usize>,
    /// The first mark not handled yet.
    next_mark: usize,
    /// Times character data was flushed (whether or not it made a node).
    flushes: u32,
    recording: Option<Recording>,
    fragments: Fragments,
    previous: Option<Previous<'p>>,
    /// Fragments copied from `previous`.
    reused: usize,
    /// The last stack [`Self::stack_index`] saw, as (depth, current node, index): the
    /// same depth and current node mean the same open elements.
    last_stack: (usize, usize, u32),
    /// The last of `previous`'s stacks found equal to the current one, likewise.
    last_prev_stack: (usize, usize, u32),
    /// The expected length of the output (for the renderer's buffer).
    output_bytes: usize,
}

impl Default for DocumentBuilder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Build the LiveView root of `html` (see [`super::parse::parse_document`] for the
/// rule): the fast builder when it models the input, html5ever otherwise. Ids come
/// from `ids` in document order.
pub fn build_document(html: &str, ids: &mut IdAllocator) -> Result<Tree, ParseError> {
    DocumentBuilder::with_capacity(html.len()).finish(html, ids)
}

/// The fast builder alone: `Err(Unsupported)` where it would fall back to html5ever.
/// For tests and measurements; [`build_document`] is the API.
pub fn build_document_fast(
    html: &str,
    ids: &mut IdAllocator,
) -> Result<Result<Tree, ParseError>, Unsupported> {
    let mut builder = DocumentBuilder::new();
    builder.finish_fast(html, ids)
}

/// A render and the VDOM built from it in the same pass. A LiveView session keeps its
/// last one: the next render diffs against [`Rendered::root`] and reuses its loop
/// fragments ([`render_document_after`]).
#[derive(Debug)]
pub struct Rendered {
    /// The rendered HTML (as [`Engine::render`] returns it; no `dj-id`s).
    pub html: String,
    /// The LiveView root with ids from the caller's allocator, or why there is none.
    pub root: Result<Tree, ParseError>,
    /// Where each loop iteration's output landed in `root` (empty after an html5ever
    /// fallback).
    fragments: Fragments,
    /// How many loop iterations were copied from the previous render.
    reused: usize,
}

impl Rendered {
    /// How many loop iterations' subtrees were copied from the previous render instead
    /// of parsed ([`render_document_after`]); 0 for a first render or after an html5ever
    /// fallback. For metrics and tests.
    pub fn reused_fragments(&self) -> usize {
        self.reused
    }
}

/// Render `template` with `context` and build the VDOM of the output while it is
/// produced ([`Engine::render_streaming`]): the builder consumes each chunk as the
/// renderer emits it, so no second pass over the HTML is needed unless the output
/// needs html5ever. Ids come from `ids` in document order.
///
/// Errors: the render's [`TemplateError`]; a missing root is reported in
/// [`Rendered::root`].
pub fn render_document(
    engine: &Engine,
    template: &Arc<Template>,
    context: &dyn ContextSource,
    ids: &mut IdAllocator,
) -> Result<Rendered, TemplateError> {
    render_with(
        engine,
        template,
        context,
        ids,
        DocumentBuilder::with_capacity(64 * 1024),
    )
}

/// [`render_document`] for the next render of a LiveView whose last render was
/// `previous` (same template): the builder's buffers are sized from it, and loop
/// iterations whose output is byte-for-byte the same as one of `previous`'s, in the
/// same surroundings, are copied from its tree instead of parsed again (see the module
/// documentation). The result is the tree a fresh build gives.
///
/// `previous.root` may have been diffed against since (the diff only writes ids into
/// the new tree); a tree whose nodes were spliced (`dj-update="ignore"`) is not reused.
pub fn render_document_after(
    engine: &Engine,
    template: &Arc<Template>,
    context: &dyn ContextSource,
    ids: &mut IdAllocator,
    previous: &Rendered,
) -> Result<Rendered, TemplateError> {
    let bytes = previous.html.len();
    let mut builder = match &previous.root {
        // The same buffer sizes as last time, with room to grow a little.
        Ok(tree) => DocumentBuilder::with_tree(Tree::with_capacity_of(tree, 1.0 / 16.0), bytes + bytes / 16),
        Err(_) => DocumentBuilder::with_capacity(bytes),
    };
    if let Ok(tree) = &previous.root {
        if tree.edits() == 0 && !previous.fragments.list.is_empty() {
            builder.previous = Some(Previous {
                tree,
                html: &previous.html,
                fragments: &previous.fragments,
            });
        }
    }
    render_with(engine, template, context, ids, builder)
}

fn render_with(
    engine: &Engine,
    template: &Arc<Template>,
    context: &dyn ContextSource,
    ids: &mut IdAllocator,
    mut builder: DocumentBuilder<'_>,
) -> Result<Rendered, TemplateError> {
    let html = engine.render_streaming(template, context, &mut builder)?;
    let (root, fragments, reused) = builder.finish_with_fragments(&html, ids);
    Ok(Rendered {
        html,
        root,
        fragments,
        reused,
    })
}

impl StreamSink for DocumentBuilder<'_> {
    fn advance(&mut self, rendered: &str) {
        DocumentBuilder::advance(self, rendered);
    }

    fn mark(&mut self, at: usize) {
        self.marks.push(at);
    }

    fn output_capacity(&self) -> usize {
        self.output_bytes
    }
}

impl DocumentBuilder<'_> {
    /// A builder at the start of a document.
    pub fn new() -> Self {
        Self::with_capacity(64 * 1024)
    }

    /// A builder whose buffers are sized for a document of about `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> Self {
        Self::with_tree(Tree::with_capacity(bytes), bytes)
    }

    /// A builder appending to `tree` (empty, with its buffers reserved) whose output is
    /// expected to be about `bytes` long.
    fn with_tree(mut tree: Tree, bytes: usize) -> Self {
        let node = tree.open_element("#document", Namespace::Html, &[]);
        DocumentBuilder {
            pos: 0,
            tok: Tok::Data,
            skip_lf: false,
            stack: vec![Open {
                el: Head {
                    tag: CompactString::const_new("#document"),
                    ns: Namespace::Html,
                },
                node,
                hash: element_hasher("#document", Namespace::Html, std::iter::empty()),
                keep: false,
            }],
            tree,
            text: String::new(),
            attr_buf: Vec::new(),
            phase: Phase::Initial,
            form_open: false,
            selects: 0,
            text_mode: false,
            error: None,
            marks: Vec::new(),
            next_mark: 0,
            flushes: 0,
            recording: None,
            fragments: Fragments::default(),
            previous: None,
            reused: 0,
            last_stack: (0, 0, u32::MAX),
            last_prev_stack: (0, 0, u32::MAX),
            output_bytes: bytes,
        }
    }

    /// Whether the builder has given up (the text will go to html5ever).
    pub fn is_unsupported(&self) -> bool {
        self.error.is_some()
    }

    /// Consume the complete tokens of `src` past what was consumed before. `src` is
    /// everything rendered so far: each call must pass a text that extends the
    /// previous one.
    pub fn advance(&mut self, src: &str) {
        if self.error.is_none() {
            if let Err(e) = self.run(src, false) {
                self.error = Some(e);
            }
        }
    }

    /// Finish with the complete text `src` and return the LiveView root, falling back
    /// to html5ever where the fast builder stopped.
    pub fn finish(self, src: &str, ids: &mut IdAllocator) -> Result<Tree, ParseError> {
        self.finish_with_fragments(src, ids).0
    }

    /// [`DocumentBuilder::finish`], with the fragments recorded on the fast path.
    fn finish_with_fragments(
        mut self,
        src: &str,
        ids: &mut IdAllocator,
    ) -> (Result<Tree, ParseError>, Fragments, usize) {
        // `finish_fast` takes ids only once it has a tree, so a fallback numbers from
        // the same point.
        match self.finish_fast(src, ids) {
            Ok(result) => (result, std::mem::take(&mut self.fragments), self.reused),
            Err(_) => (
                super::parse::parse_document(src, ids).map(|root| Tree::from_element(&root)),
                Fragments::default(),
                0,
            ),
        }
    }

    fn finish_fast(&mut self, src: &str, ids: &mut IdAllocator) -> R<Result<Tree, ParseError>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if src.len() > super::tree::MAX_BYTES {
            return Err(unsupported(0, "document too large for the fast builder"));
        }
        self.run(src, true)?;
        if self.phase < Phase::InBody {
            // The document ended before the body: html5ever makes an empty one.
            return Ok(Err(ParseError::NoRoot));
        }
        while self.stack.len() > 1 {
            self.pop();
        }
        self.flush_text();
        if let Some(doc) = self.stack.pop() {
            self.tree.close_element(doc.node, doc.hash.finish());
        }
        let mut tree = std::mem::take(&mut self.tree);
        let Some(body) = find_body(&tree) else {
            return Ok(Err(ParseError::NoRoot));
        };
        let Some(root) = find_root(&tree, body) else {
            return Ok(Err(ParseError::NoRoot));
        };
        tree.set_root(root, ids);
        Ok(Ok(tree))
    }

    // ---- tokenizer -------------------------------------------------------------

    fn run(&mut self, src: &str, fin: bool) -> R<()> {
        let b = src.as_bytes();
        loop {
            if !self.at_marks(src, fin) {
                // Wait for the end of the iteration that starts here.
                return Ok(());
            }
            if self.pos >= b.len() {
                return Ok(());
            }
            let pos = self.pos;
            match self.tok {
                Tok::Data => match b[pos] {
                    b'<' => match tag(src, pos, fin, &mut self.attr_buf)? {
                        None => return Ok(()),
                        Some((t, end)) => {
                            self.pos = end;
                            self.token(t, pos)?;
                        }
                    },
                    b'&' => match charref(src, pos, false, fin)? {
                        None => return Ok(()),
                        Some((text, end)) => {
                            self.pos = end;
                            self.chars(&text, pos)?;
                        }
                    },
                    _ => {
                        // Text stops at the next loop mark, so that marks fall between
                        // tokens.
                        let limit = self
                            .marks
                            .get(self.next_mark)
                            .map_or(b.len(), |&m| m.min(b.len()));
                        let end = b[pos..limit]
                            .iter()
                            .position(|&c| matches!(c, b'<' | b'&' | b'\0' | b'\r'))
                            .map_or(limit, |k| pos + k);
                        if end == pos {
                            return Err(unsupported(pos, "NUL or carriage return"));
                        }
                        self.pos = end;
                        self.chars(&src[pos..end], pos)?;
                    }
                },
                Tok::Raw(name) | Tok::RcData(name) => {
                    let Some(end) = raw_end(b, pos, name, fin) else {
                        return Ok(());
                    };
                    let raw = &src[pos..end];
                    if has_nul_or_cr(raw) {
                        return Err(unsupported(pos, "NUL or carriage return"));
                    }
                    if name == "script" && raw.contains("<!--") {
                        return Err(unsupported(pos, "escaped script data"));
                    }
                    let text = match self.tok {
                        Tok::RcData(_) => decode(raw, false, pos)?,
                        _ => Cow::Borrowed(raw),
                    };
                    self.pos = end;
                    self.tok = Tok::Data;
                    self.chars(&text, pos)?;
                    if end == b.len() && fin {
                        // EOF inside raw text: the element is closed at EOF.
                        return Ok(());
                    }
                }
            }
        }
    }

    // ---- fragments (reuse across renders) ----------------------------------------

    /// Handle the loop marks at or before the current position: close the fragment
    /// being recorded, then reuse the next one from the previous render or start
    /// recording it. `false`: the next mark is not known yet (wait for more input).
    fn at_marks(&mut self, src: &str, fin: bool) -> bool {
        while let Some(&m) = self.marks.get(self.next_mark) {
            if m > self.pos {
                return true;
            }
            if m < self.pos {
                // A token ran over the mark: the fragment it ends is not recorded.
                self.recording = None;
                self.next_mark += 1;
                continue;
            }
            if let Some(r) = self.recording.take() {
                self.end_recording(r, src);
            }
            let Some(&end) = self.marks.get(self.next_mark + 1) else {
                if !fin {
                    return false;
                }
                self.next_mark += 1;
                continue;
            };
            self.next_mark += 1;
            if !self.is_clean() {
                continue;
            }
            if end > m && self.reuse(src, m, end) {
                continue;
            }
            self.recording = Some(Recording {
                start: m,
                at: self.tree.mark(),
                flushes: self.flushes,
                depth: self.stack.len(),
                top: self.cur().node,
                stack: self.stack_index(),
                form_open: self.form_open,
                selects: self.selects,
            });
        }
        true
    }

    /// Between tokens in body data with no pending text that a following text could
    /// merge into a node: what a fragment needs at both ends.
    fn is_clean(&self) -> bool {
        self.phase == Phase::InBody
            && self.tok == Tok::Data
            && !self.text_mode
            && !self.skip_lf
            && !self.cur().keep
            && self.text.bytes().all(is_space)
    }

    /// The index in [`Fragments::stacks`] of the current stack of open elements.
    fn stack_index(&mut self) -> u32 {
        let here = (self.stack.len(), self.cur().node);
        if (self.last_stack.0, self.last_stack.1) == here && self.last_stack.2 != u32::MAX {
            return self.last_stack.2;
        }
        let stacks = &mut self.fragments.stacks;
        if !stacks.last().is_some_and(|f| same_stack(f, &self.stack)) {
            stacks.push(
                self.stack
                    .iter()
                    .map(|o| (o.el.tag.clone(), o.el.ns, o.keep))
                    .collect(),
            );
        }
        let index = (stacks.len() - 1) as u32;
        self.last_stack = (here.0, here.1, index);
        index
    }

    /// Whether `previous`'s stack `index` is the current stack of open elements.
    fn same_as_previous_stack(&mut self, prev: &Fragments, index: u32) -> bool {
        let here = (self.stack.len(), self.cur().node);
        if self.last_prev_stack == (here.0, here.1, index) {
            return true;
        }
        let same = prev
            .stacks
            .get(index as usize)
            .is_some_and(|s| same_stack(s, &self.stack));
        if same {
            self.last_prev_stack = (here.0, here.1, index);
        }
        same
    }

    /// Keep what the text since `r.start` produced, if it is a fragment: the builder
    /// is clean again with the same element current, and the text before the first
    /// flush was whitespace only (checked in [`Self::flush_text`]).
    fn end_recording(&mut self, r: Recording, src: &str) {
        let balanced = self.stack.len() == r.depth
            && self.cur().node == r.top
            && self.form_open == r.form_open
            && self.selects == r.selects;
        if !balanced || !self.is_clean() || self.flushes == r.flushes {
            return;
        }
        let hash = content_hash(&src.as_bytes()[r.start..self.pos]);
        self.fragments.record(
            hash,
            Fragment {
                src: r.start,
                len: self.pos - r.start,
                from: r.at,
                to: self.tree.mark(),
                stack: r.stack,
                form_open: r.form_open,
                selects: r.selects,
                tail: CompactString::from(self.text.as_str()),
            },
        );
    }

    /// Copy the previous render's fragment with the bytes `src[start..end]`, if there
    /// is one recorded in the same state; it is recorded again for the next render.
    fn reuse(&mut self, src: &str, start: usize, end: usize) -> bool {
        let Some(prev) = self.previous else {
            return false;
        };
        let bytes = &src.as_bytes()[start..end];
        let hash = content_hash(bytes);
        let Some(f) = prev
            .fragments
            .by_hash
            .get(&hash)
            .and_then(|&i| prev.fragments.list.get(i as usize))
        else {
            return false;
        };
        let same = f.len == bytes.len()
            && prev.html.as_bytes().get(f.src..f.src + f.len) == Some(bytes)
            && f.form_open == self.form_open
            && f.selects == self.selects
            && self.same_as_previous_stack(prev.fragments, f.stack);
        if !same {
            return false;
        }
        // The pending whitespace is what the fragment's first flush would drop.
        self.text.clear();
        self.flushes = self.flushes.wrapping_add(1);
        let from = self.tree.mark();
        let first = self.tree.append_region(prev.tree, f.from, f.to);
        let to = self.tree.mark();
        let cur = self.stack.len() - 1;
        let mut i = first;
        while i < to.nodes as usize {
            self.stack[cur].hash.write_u64(self.tree.hash(i));
            i = self.tree.range(i).end;
        }
        self.text.push_str(&f.tail);
        self.pos = end;
        self.reused += 1;
        let stack = self.stack_index();
        self.fragments.record(
            hash,
            Fragment {
                src: start,
                len: bytes.len(),
                from,
                to,
                stack,
                form_open: self.form_open,
                selects: self.selects,
                tail: f.tail.clone(),
            },
        );
        true
    }

    // ---- tree construction -----------------------------------------------------

    fn cur(&self) -> &Open {
        // The stack always holds the document.
        &self.stack[self.stack.len() - 1]
    }

    fn cur_is(&self, tag: &str) -> bool {
        let c = &self.cur().el;
        c.ns == Namespace::Html && c.tag == tag
    }

    fn flush_text(&mut self) {
        if let Some(r) = self.recording {
            // A fragment's first flush must drop whitespace only: text that could
            // merge with what came before the fragment is not reusable.
            if r.flushes == self.flushes && !self.text.bytes().all(is_space) {
                self.recording = None;
            }
        }
        self.flushes = self.flushes.wrapping_add(1);
        if self.text.is_empty() {
            return;
        }
        let cur = self.stack.len() - 1;
        let open = &mut self.stack[cur];
        if open.keep || !self.text.bytes().all(is_space) {
            let h = self.tree.push_text(false, &self.text);
            open.hash.write_u64(h);
        }
        self.text.clear();
    }

    fn insert(&mut self, name: CompactString, ns: Namespace, attrs: Vec<(CompactString, CompactString)>) {
        self.flush_text();
        let keep =
            self.cur().keep || (ns == Namespace::Html && WHITESPACE_PRESERVING.contains(&name.as_str()));
        if ns == Namespace::Html && name == "select" {
            self.selects += 1;
        }
        let node = self.tree.open_element(&name, ns, &attrs);
        let hash = element_hasher(&name, ns, attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.stack.push(Open {
            el: Head { tag: name, ns },
            node,
            hash,
            keep,
        });
        // Keep the list's allocation for the next tag.
        let mut attrs = attrs;
        attrs.clear();
        self.attr_buf = attrs;
    }

    fn pop(&mut self) {
        self.flush_text();
        if self.stack.len() < 2 {
            return;
        }
        if let Some(o) = self.stack.pop() {
            if o.el.ns == Namespace::Html && o.el.tag == "select" {
                self.selects = self.selects.saturating_sub(1);
            }
            let h = o.hash.finish();
            self.tree.close_element(o.node, h);
            let cur = self.stack.len() - 1;
            self.stack[cur].hash.write_u64(h);
        }
    }

    /// Pop up to and including the HTML element `tag`; popping a formatting element
    /// on the way would leave it to be reconstructed, which is not modelled.
    fn pop_until(&mut self, tags: &[&str], at: usize) -> R<()> {
        while self.stack.len() > 1 {
            let (hit, fmt) = {
                let c = &self.cur().el;
                let html = c.ns == Namespace::Html;
                (
                    html && tags.contains(&c.tag.as_str()),
                    html && is_formatting(&c.tag),
                )
            };
            if hit {
                self.pop();
                return Ok(());
            }
            if fmt {
                return Err(unsupported(at, "formatting element closed implicitly"));
            }
            self.pop();
        }
        Err(unsupported(at, "end tag without its element"))
    }

    fn generate_implied(&mut self, except: Option<&str>) {
        loop {
            let c = &self.cur().el;
            if c.ns == Namespace::Html
                && IMPLIED_END.contains(&c.tag.as_str())
                && Some(c.tag.as_str()) != except
            {
                self.pop();
            } else {
                return;
            }
        }
    }

    /// Whether an HTML `tag` is in scope; `extra` are the scope's additional boundaries
    /// (`button` scope, list item scope); `table` selects table scope.
    fn in_scope(&self, tags: &[&str], extra: &[&str], table: bool) -> bool {
        for o in self.stack.iter().rev() {
            let e = &o.el;
            if e.ns == Namespace::Html && tags.contains(&e.tag.as_str()) {
                return true;
            }
            let boundary = if table {
                e.ns == Namespace::Html
                    && matches!(e.tag.as_str(), "html" | "table" | "template" | "#document")
            } else {
                is_scope_boundary(e) || (e.ns == Namespace::Html && extra.contains(&e.tag.as_str()))
            };
            if boundary {
                return false;
            }
        }
        false
    }

    fn close_p(&mut self, at: usize) -> R<()> {
        if self.in_scope(&["p"], &["button"], false) {
            self.generate_implied(Some("p"));
            self.pop_until(&["p"], at)?;
        }
        Ok(())
    }

    fn mode(&self) -> Mode {
        let c = &self.cur().el;
        if c.ns != Namespace::Html {
            return Mode::Foreign;
        }
        match c.tag.as_str() {
            "table" => Mode::Table,
            "tbody" | "thead" | "tfoot" => Mode::TableBody,
            "tr" => Mode::Row,
            "select" | "option" | "optgroup" if self.selects > 0 => Mode::Select,
            _ => Mode::Body,
        }
    }

    /// Character tokens (already decoded).
    fn chars(&mut self, mut s: &str, at: usize) -> R<()> {
        if s.is_empty() {
            return Ok(());
        }
        if std::mem::take(&mut self.skip_lf) {
            s = s.strip_prefix('\n').unwrap_or(s);
        }
        if self.text_mode {
            self.text.push_str(s);
            return Ok(());
        }
        loop {
            let ws = s.bytes().take_while(|&c| is_space(c)).count();
            match self.phase {
                Phase::Initial | Phase::BeforeHtml | Phase::BeforeHead => {
                    s = &s[ws..];
                    if s.is_empty() {
                        return Ok(());
                    }
                    self.implied_before_body()?;
                }
                Phase::InHead | Phase::AfterHead => {
                    self.text.push_str(&s[..ws]);
                    s = &s[ws..];
                    if s.is_empty() {
                        return Ok(());
                    }
                    self.implied_body();
                }
                Phase::AfterBody => {
                    if ws < s.len() {
                        return Err(unsupported(at, "text after </body>"));
                    }
                    self.text.push_str(s);
                    return Ok(());
                }
                Phase::InBody => {
                    if matches!(self.mode(), Mode::Table | Mode::TableBody | Mode::Row) && ws < s.len() {
                        return Err(unsupported(at, "text in a table (foster parenting)"));
                    }
                    self.text.push_str(s);
                    return Ok(());
                }
            }
        }
    }

    /// Move from before `<html>`/`<head>` to after head with the implied elements.
    fn implied_before_body(&mut self) -> R<()> {
        if self.phase <= Phase::BeforeHtml {
            self.insert(CompactString::const_new("html"), Namespace::Html, Vec::new());
            self.phase = Phase::BeforeHead;
        }
        if self.phase == Phase::BeforeHead {
            self.insert(CompactString::const_new("head"), Namespace::Html, Vec::new());
            self.phase = Phase::InHead;
        }
        if self.phase == Phase::InHead {
            self.pop();
            self.phase = Phase::AfterHead;
        }
        self.implied_body();
        Ok(())
    }

    fn implied_body(&mut self) {
        if self.phase == Phase::InHead {
            self.pop();
            self.phase = Phase::AfterHead;
        }
        if self.phase == Phase::AfterHead {
            self.insert(CompactString::const_new("body"), Namespace::Html, Vec::new());
            self.phase = Phase::InBody;
        }
    }

    fn token(&mut self, t: Token<'_>, at: usize) -> R<()> {
        if !matches!(t, Token::Start { .. } | Token::Lt) {
            self.skip_lf = false;
        }
        match t {
            Token::Comment(c) => {
                self.flush_text();
                if self.phase == Phase::InBody && is_kept_comment(c) {
                    let h = self.tree.push_text(true, c);
                    let cur = self.stack.len() - 1;
                    self.stack[cur].hash.write_u64(h);
                }
                Ok(())
            }
            Token::Doctype if self.phase == Phase::Initial => {
                self.phase = Phase::BeforeHtml;
                Ok(())
            }
            Token::Doctype => Err(unsupported(at, "doctype after the start")),
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                self.skip_lf = false;
                self.start(name, attrs, self_closing, at)
            }
            Token::End(name) => self.end(&name, at),
            Token::Lt => self.chars("<", at),
        }
    }

    fn start(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        self_closing: bool,
        at: usize,
    ) -> R<()> {
        loop {
            match self.phase {
                Phase::Initial | Phase::BeforeHtml => {
                    self.phase = Phase::BeforeHtml;
                    if name == "html" {
                        self.insert(name, Namespace::Html, Vec::new());
                        self.phase = Phase::BeforeHead;
                        return Ok(());
                    }
                    self.insert(CompactString::const_new("html"), Namespace::Html, Vec::new());
                    self.phase = Phase::BeforeHead;
                }
                Phase::BeforeHead => {
                    if name == "head" {
                        self.insert(name, Namespace::Html, Vec::new());
                        self.phase = Phase::InHead;
                        return Ok(());
                    }
                    if name == "html" {
                        return Err(unsupported(at, "a second <html>"));
                    }
                    self.insert(CompactString::const_new("head"), Namespace::Html, Vec::new());
                    self.phase = Phase::InHead;
                }
                Phase::InHead => match name.as_str() {
                    "meta" | "link" | "base" | "title" | "style" | "script" => {
                        return self.head_element(name, attrs, at)
                    }
                    "head" | "html" | "noscript" | "template" | "noframes" | "basefont" | "bgsound" => {
                        return Err(unsupported(at, "unusual element in <head>"))
                    }
                    _ => {
                        self.pop();
                        self.phase = Phase::AfterHead;
                    }
                },
                Phase::AfterHead => match name.as_str() {
                    "body" => {
                        self.insert(name, Namespace::Html, Vec::new());
                        self.phase = Phase::InBody;
                        return Ok(());
                    }
                    "html" | "head" | "frameset" | "base" | "basefont" | "bgsound" | "link" | "meta"
                    | "noframes" | "script" | "style" | "template" | "title" => {
                        return Err(unsupported(at, "head element after </head>"))
                    }
                    _ => self.implied_body(),
                },
                Phase::AfterBody => return Err(unsupported(at, "start tag after </body>")),
                Phase::InBody => return self.start_in_body(name, attrs, self_closing, at),
            }
        }
    }

    fn head_element(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        at: usize,
    ) -> R<()> {
        match name.as_str() {
            "meta" | "link" | "base" => {
                self.insert(name, Namespace::Html, attrs);
                self.pop();
            }
            "title" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::RcData("title");
                self.text_mode = true;
            }
            "style" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::Raw("style");
                self.text_mode = true;
            }
            "script" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::Raw("script");
                self.text_mode = true;
            }
            _ => return Err(unsupported(at, "unusual head element")),
        }
        Ok(())
    }

    fn start_in_body(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        match self.mode() {
            Mode::Foreign => return self.start_foreign(name, attrs, sc, at),
            Mode::Select => {
                return match name.as_str() {
                    "option" => {
                        if self.cur_is("option") {
                            self.pop();
                        }
                        self.insert(name, Namespace::Html, attrs);
                        Ok(())
                    }
                    "optgroup" => {
                        if self.cur_is("option") {
                            self.pop();
                        }
                        if self.cur_is("optgroup") {
                            self.pop();
                        }
                        self.insert(name, Namespace::Html, attrs);
                        Ok(())
                    }
                    _ => Err(unsupported(at, "element in <select>")),
                };
            }
            Mode::Table => {
                return match name.as_str() {
                    "tbody" | "thead" | "tfoot" => {
                        self.insert(name, Namespace::Html, attrs);
                        Ok(())
                    }
                    "tr" | "td" | "th" => {
                        self.insert(CompactString::const_new("tbody"), Namespace::Html, Vec::new());
                        self.start_in_body(name, attrs, sc, at)
                    }
                    "script" | "style" => self.head_element(name, attrs, at),
                    _ => Err(unsupported(at, "element in a table (foster parenting)")),
                };
            }
            Mode::TableBody => {
                return match name.as_str() {
                    "tr" => {
                        self.insert(name, Namespace::Html, attrs);
                        Ok(())
                    }
                    "td" | "th" => {
                        self.insert(CompactString::const_new("tr"), Namespace::Html, Vec::new());
                        self.start_in_body(name, attrs, sc, at)
                    }
                    "tbody" | "thead" | "tfoot" => {
                        self.pop();
                        self.start_in_body(name, attrs, sc, at)
                    }
                    "script" | "style" => self.head_element(name, attrs, at),
                    _ => Err(unsupported(at, "element in a table body (foster parenting)")),
                };
            }
            Mode::Row => {
                return match name.as_str() {
                    "td" | "th" => {
                        self.insert(name, Namespace::Html, attrs);
                        Ok(())
                    }
                    "tr" => {
                        self.pop();
                        self.start_in_body(name, attrs, sc, at)
                    }
                    "tbody" | "thead" | "tfoot" => {
                        self.pop();
                        self.pop();
                        self.start_in_body(name, attrs, sc, at)
                    }
                    "script" | "style" => self.head_element(name, attrs, at),
                    _ => Err(unsupported(at, "element in a table row (foster parenting)")),
                };
            }
            Mode::Body => {}
        }
        match name.as_str() {
            "address" | "article" | "aside" | "blockquote" | "center" | "details" | "dialog" | "dir"
            | "div" | "dl" | "fieldset" | "figcaption" | "figure" | "footer" | "header" | "hgroup"
            | "main" | "menu" | "nav" | "ol" | "p" | "search" | "section" | "summary" | "ul" => {
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.close_p(at)?;
                if HEADINGS.contains(&self.cur().el.tag.as_str()) && self.cur().el.ns == Namespace::Html {
                    return Err(unsupported(at, "heading inside a heading"));
                }
                self.insert(name, Namespace::Html, attrs);
            }
            "pre" | "listing" => {
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
                self.skip_lf = true;
            }
            "form" => {
                if self.form_open {
                    return Err(unsupported(at, "nested <form>"));
                }
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
                self.form_open = true;
            }
            "li" | "dd" | "dt" => {
                let closes: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
                for i in (1..self.stack.len()).rev() {
                    let e = &self.stack[i].el;
                    if e.ns == Namespace::Html && closes.contains(&e.tag.as_str()) {
                        let tag = e.tag.clone();
                        self.generate_implied(Some(&tag));
                        self.pop_until(&[&tag], at)?;
                        break;
                    }
                    if is_special(e) && !matches!(e.tag.as_str(), "address" | "div" | "p") {
                        break;
                    }
                }
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
            }
            "button" => {
                if self.in_scope(&["button"], &[], false) {
                    return Err(unsupported(at, "<button> inside a button"));
                }
                self.insert(name, Namespace::Html, attrs);
            }
            "a" => {
                if self
                    .stack
                    .iter()
                    .any(|o| o.el.ns == Namespace::Html && o.el.tag == "a")
                {
                    return Err(unsupported(at, "<a> inside a link (adoption agency)"));
                }
                self.insert(name, Namespace::Html, attrs);
            }
            "table" => {
                if self.in_scope(&["p"], &["button"], false) {
                    return Err(unsupported(at, "<table> inside <p> (depends on quirks mode)"));
                }
                self.insert(name, Namespace::Html, attrs);
            }
            "area" | "br" | "embed" | "img" | "keygen" | "wbr" | "input" | "param" | "source" | "track" => {
                self.insert(name, Namespace::Html, attrs);
                self.pop();
            }
            "hr" => {
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
                self.pop();
            }
            "textarea" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::RcData("textarea");
                self.text_mode = true;
                self.skip_lf = true;
            }
            "select" => self.insert(name, Namespace::Html, attrs),
            "option" | "optgroup" => {
                if self.cur_is("option") {
                    self.pop();
                }
                self.insert(name, Namespace::Html, attrs);
            }
            "meta" | "link" | "base" | "title" | "style" | "script" => {
                return self.head_element(name, attrs, at)
            }
            "svg" | "math" => {
                let ns = if name == "svg" {
                    Namespace::Svg
                } else {
                    Namespace::MathMl
                };
                let attrs = adjust_attrs(attrs, ns);
                self.insert(name, ns, attrs);
                if sc {
                    self.pop();
                }
            }
            "caption" | "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr" => {
                if !self.in_scope(&["td", "th"], &[], true) {
                    return Err(unsupported(at, "table element outside a table"));
                }
                self.close_cell(at)?;
                return self.start_in_body(name, attrs, sc, at);
            }
            "html" | "body" | "head" | "frameset" | "frame" | "plaintext" | "nobr" | "image" | "xmp"
            | "iframe" | "noembed" | "noframes" | "noscript" | "template" | "rb" | "rp" | "rt" | "rtc"
            | "basefont" | "bgsound" | "isindex" => {
                return Err(unsupported(at, "element with special parsing rules"))
            }
            _ => self.insert(name, Namespace::Html, attrs),
        }
        Ok(())
    }

    fn close_cell(&mut self, at: usize) -> R<()> {
        self.generate_implied(None);
        self.pop_until(&["td", "th"], at)
    }

    fn start_foreign(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        let cur = &self.cur().el;
        let integration = match cur.ns {
            Namespace::Svg => matches!(cur.tag.as_str(), "foreignObject" | "desc" | "title"),
            _ => matches!(
                cur.tag.as_str(),
                "mi" | "mo" | "mn" | "ms" | "mtext" | "annotation-xml"
            ),
        };
        let breakout = matches!(
            name.as_str(),
            "b" | "big"
                | "blockquote"
                | "body"
                | "br"
                | "center"
                | "code"
                | "dd"
                | "div"
                | "dl"
                | "dt"
                | "em"
                | "embed"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "head"
                | "hr"
                | "i"
                | "img"
                | "li"
                | "listing"
                | "menu"
                | "meta"
                | "nobr"
                | "ol"
                | "p"
                | "pre"
                | "ruby"
                | "s"
                | "small"
                | "span"
                | "strong"
                | "strike"
                | "sub"
                | "sup"
                | "table"
                | "tt"
                | "u"
                | "ul"
                | "var"
                | "font"
        );
        if integration || breakout {
            return Err(unsupported(at, "HTML inside SVG or MathML"));
        }
        let ns = cur.ns;
        let name = match ns {
            Namespace::Svg => svg_tag(&name).map_or(name, CompactString::const_new),
            _ => name,
        };
        let attrs = adjust_attrs(attrs, ns);
        self.insert(name, ns, attrs);
        if sc {
            self.pop();
        }
        Ok(())
    }

    fn end(&mut self, name: &str, at: usize) -> R<()> {
        if std::mem::take(&mut self.text_mode) {
            // The end tag that closed raw text ("text" insertion mode): pop that element.
            self.pop();
            return Ok(());
        }
        match self.phase {
            Phase::Initial | Phase::BeforeHtml | Phase::BeforeHead | Phase::AfterHead => {
                return Err(unsupported(at, "end tag before <body>"))
            }
            Phase::InHead => {
                if name == "head" {
                    self.pop();
                    self.phase = Phase::AfterHead;
                    return Ok(());
                }
                return Err(unsupported(at, "end tag in <head>"));
            }
            Phase::AfterBody => {
                return match name {
                    "html" => Ok(()),
                    _ => Err(unsupported(at, "end tag after </body>")),
                }
            }
            Phase::InBody => {}
        }
        match self.mode() {
            Mode::Foreign => {
                if self.cur().el.tag.eq_ignore_ascii_case(name) {
                    self.pop();
                    return Ok(());
                }
                return Err(unsupported(at, "misnested end tag in SVG or MathML"));
            }
            Mode::Select => {
                return match name {
                    "option" if self.cur_is("option") => {
                        self.pop();
                        Ok(())
                    }
                    "optgroup" => {
                        if self.cur_is("option")
                            && self.stack.len() > 2
                            && self.stack[self.stack.len() - 2].el.tag == "optgroup"
                        {
                            self.pop();
                        }
                        if self.cur_is("optgroup") {
                            self.pop();
                            return Ok(());
                        }
                        Err(unsupported(at, "stray </optgroup>"))
                    }
                    "select" => self.pop_until(&["select"], at),
                    _ => Err(unsupported(at, "end tag in <select>")),
                };
            }
            Mode::Table => {
                return match name {
                    "table" => {
                        self.pop();
                        Ok(())
                    }
                    _ => Err(unsupported(at, "end tag in a table")),
                }
            }
            Mode::TableBody => {
                return match name {
                    "tbody" | "thead" | "tfoot" if self.cur_is(name) => {
                        self.pop();
                        Ok(())
                    }
                    "table" => {
                        self.pop();
                        self.end(name, at)
                    }
                    _ => Err(unsupported(at, "end tag in a table body")),
                }
            }
            Mode::Row => {
                return match name {
                    "tr" => {
                        self.pop();
                        Ok(())
                    }
                    "table" => {
                        self.pop();
                        self.end(name, at)
                    }
                    "tbody" | "thead" | "tfoot" if self.in_scope(&[name], &[], true) => {
                        self.pop();
                        self.end(name, at)
                    }
                    _ => Err(unsupported(at, "end tag in a table row")),
                }
            }
            Mode::Body => {}
        }
        match name {
            "body" | "html" => {
                if !self.in_scope(&["body"], &[], false) {
                    return Err(unsupported(at, "</body> without a body in scope"));
                }
                self.phase = Phase::AfterBody;
                Ok(())
            }
            "address" | "article" | "aside" | "blockquote" | "button" | "center" | "details" | "dialog"
            | "dir" | "div" | "dl" | "fieldset" | "figcaption" | "figure" | "footer" | "header"
            | "hgroup" | "listing" | "main" | "menu" | "nav" | "ol" | "pre" | "search" | "section"
            | "summary" | "ul" | "applet" | "marquee" | "object" => {
                if !self.in_scope(&[name], &[], false) {
                    return Err(unsupported(at, "end tag without its element in scope"));
                }
                self.generate_implied(None);
                self.pop_until(&[name], at)
            }
            "form" => {
                if !self.form_open || !self.in_scope(&["form"], &[], false) {
                    return Err(unsupported(at, "stray </form>"));
                }
                self.form_open = false;
                self.generate_implied(None);
                if !self.cur_is("form") {
                    return Err(unsupported(at, "misnested </form>"));
                }
                self.pop();
                Ok(())
            }
            "p" => {
                if !self.in_scope(&["p"], &["button"], false) {
                    return Err(unsupported(at, "</p> without <p>"));
                }
                self.generate_implied(Some("p"));
                self.pop_until(&["p"], at)
            }
            "li" | "dd" | "dt" => {
                let extra: &[&str] = if name == "li" { &["ol", "ul"] } else { &[] };
                if !self.in_scope(&[name], extra, false) {
                    return Err(unsupported(at, "end tag without its element in scope"));
                }
                self.generate_implied(Some(name));
                self.pop_until(&[name], at)
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if !self.in_scope(HEADINGS, &[], false) {
                    return Err(unsupported(at, "heading end tag without a heading"));
                }
                self.generate_implied(None);
                self.pop_until(HEADINGS, at)
            }
            "td" | "th" => {
                if !self.in_scope(&[name], &[], true) {
                    return Err(unsupported(at, "cell end tag outside a cell"));
                }
                self.generate_implied(None);
                self.pop_until(&[name], at)
            }
            "tr" | "tbody" | "thead" | "tfoot" | "table" => {
                if !self.in_scope(&["td", "th"], &[], true) || !self.in_scope(&[name], &[], true) {
                    return Err(unsupported(at, "table end tag outside a table"));
                }
                self.close_cell(at)?;
                self.end(name, at)
            }
            _ if is_formatting(name) => {
                if self.cur_is(name) {
                    self.pop();
                    return Ok(());
                }
                Err(unsupported(at, "misnested formatting element (adoption agency)"))
            }
            "br" | "sarcasm" | "caption" | "col" | "colgroup" | "template" => {
                Err(unsupported(at, "end tag with special parsing rules"))
            }
            _ => {
                // "Any other end tag": the nearest element of that name, unless a
                // special element comes first.
                for i in (1..self.stack.len()).rev() {
                    let e = &self.stack[i].el;
                    if e.ns == Namespace::Html && e.tag == name {
                        self.generate_implied(Some(name));
                        return self.pop_until(&[name], at);
                    }
                    if is_special(e) {
                        break;
                    }
                }
                Err(unsupported(at, "end tag that matches no open element"))
            }
        }
    }
}

/// Whether a recorded stack of open elements is the builder's current one.
fn same_stack(frames: &[Frame], stack: &[Open]) -> bool {
    frames.len() == stack.len()
        && frames
            .iter()
            .zip(stack)
            .all(|((tag, ns, keep), o)| *ns == o.el.ns && *keep == o.keep && *tag == o.el.tag)
}

fn unsupported(at: usize, reason: &'static str) -> Unsupported {
    Unsupported { at, reason }
}

/// `html > body` of the document (node 0): the only place the builder puts a body.
fn find_body(t: &Tree) -> Option<usize> {
    let html = t
        .children(0)
        .find(|&c| t.kind(c) == Kind::Element(Namespace::Html) && t.name(c) == "html")?;
    t.children(html)
        .find(|&c| t.kind(c) == Kind::Element(Namespace::Html) && t.name(c) == "body")
}

/// The first element with `dj-root` or `dj-view` under `body` (document order), else
/// the body's first element child.
fn find_root(t: &Tree, body: usize) -> Option<usize> {
    let is_element = |i: usize| matches!(t.kind(i), Kind::Element(_));
    t.range(body)
        .skip(1)
        .find(|&i| is_element(i) && t.attrs(i).any(|(k, _)| k == "dj-root" || k == "dj-view"))
        .or_else(|| t.children(body).find(|&c| is_element(c)))
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The "generate implied end tags" set.
const IMPLIED_END: &[&str] = &[
    "dd", "dt", "li", "optgroup", "option", "p", "rb", "rp", "rt", "rtc",
];

const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

fn is_formatting(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

fn is_scope_boundary(e: &Head) -> bool {
    match e.ns {
        Namespace::Html => matches!(
            e.tag.as_str(),
            "applet"
                | "caption"
                | "html"
                | "table"
                | "td"
                | "th"
                | "marquee"
                | "object"
                | "template"
                | "#document"
        ),
        Namespace::MathMl => matches!(
            e.tag.as_str(),
            "mi" | "mo" | "mn" | "ms" | "mtext" | "annotation-xml"
        ),
        Namespace::Svg => matches!(e.tag.as_str(), "foreignObject" | "desc" | "title"),
    }
}

/// The standard's "special" category.
fn is_special(e: &Head) -> bool {
    match e.ns {
        Namespace::Html => matches!(
            e.tag.as_str(),
            "address"
                | "applet"
                | "area"
                | "article"
                | "aside"
                | "base"
                | "basefont"
                | "bgsound"
                | "blockquote"
                | "body"
                | "br"
                | "button"
                | "caption"
                | "center"
                | "col"
                | "colgroup"
                | "dd"
                | "details"
                | "dir"
                | "div"
                | "dl"
                | "dt"
                | "embed"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "frame"
                | "frameset"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "head"
                | "header"
                | "hgroup"
                | "hr"
                | "html"
                | "iframe"
                | "img"
                | "input"
                | "keygen"
                | "li"
                | "link"
                | "listing"
                | "main"
                | "marquee"
                | "menu"
                | "meta"
                | "nav"
                | "noembed"
                | "noframes"
                | "noscript"
                | "object"
                | "ol"
                | "p"
                | "param"
                | "plaintext"
                | "pre"
                | "script"
                | "search"
                | "section"
                | "select"
                | "source"
                | "style"
                | "summary"
                | "table"
                | "tbody"
                | "td"
                | "template"
                | "textarea"
                | "tfoot"
                | "th"
                | "thead"
                | "title"
                | "tr"
                | "track"
                | "ul"
                | "wbr"
                | "xmp"
                | "#document"
        ),
        _ => is_scope_boundary(e),
    }
}

/// The standard's SVG element name adjustments (lower case → camel case).
fn svg_tag(name: &str) -> Option<&'static str> {
    SVG_TAGS
        .iter()
        .find(|(lower, _)| *lower == name)
        .map(|(_, adjusted)| *adjusted)
}

/// "Adjust SVG attributes" / "adjust MathML attributes"; foreign (`xlink:`, `xml:`,
/// `xmlns`) attributes keep their written (lower-case) names.
fn adjust_attrs(
    mut attrs: Vec<(CompactString, CompactString)>,
    ns: Namespace,
) -> Vec<(CompactString, CompactString)> {
    for (k, _) in &mut attrs {
        let adjusted = match ns {
            Namespace::Svg => SVG_ATTRS.iter().find(|(l, _)| l == k).map(|(_, a)| *a),
            Namespace::MathMl => (k == "definitionurl").then_some("definitionURL"),
            Namespace::Html => None,
        };
        if let Some(a) = adjusted {
            *k = CompactString::const_new(a);
        }
    }
    attrs
}

/// The HTML standard's SVG tag-name adjustment table.
pub const SVG_TAGS: &[(&str, &str)] = &[
    ("altglyph", "altGlyph"),
    ("altglyphdef", "altGlyphDef"),
    ("altglyphitem", "altGlyphItem"),
    ("animatecolor", "animateColor"),
    ("animatemotion", "animateMotion"),
    ("animatetransform", "animateTransform"),
    ("clippath", "clipPath"),
    ("feblend", "feBlend"),
    ("fecolormatrix", "feColorMatrix"),
    ("fecomponenttransfer", "feComponentTransfer"),
    ("fecomposite", "feComposite"),
    ("feconvolvematrix", "feConvolveMatrix"),
    ("fediffuselighting", "feDiffuseLighting"),
    ("fedisplacementmap", "feDisplacementMap"),
    ("fedistantlight", "feDistantLight"),
    ("fedropshadow", "feDropShadow"),
    ("feflood", "feFlood"),
    ("fefunca", "feFuncA"),
    ("fefuncb", "feFuncB"),
    ("fefuncg", "feFuncG"),
    ("fefuncr", "feFuncR"),
    ("fegaussianblur", "feGaussianBlur"),
    ("feimage", "feImage"),
    ("femerge", "feMerge"),
    ("femergenode", "feMergeNode"),
    ("femorphology", "feMorphology"),
    ("feoffset", "feOffset"),
    ("fepointlight", "fePointLight"),
    ("fespecularlighting", "feSpecularLighting"),
    ("fespotlight", "feSpotLight"),
    ("fetile", "feTile"),
    ("feturbulence", "feTurbulence"),
    ("foreignobject", "foreignObject"),
    ("glyphref", "glyphRef"),
    ("lineargradient", "linearGradient"),
    ("radialgradient", "radialGradient"),
    ("textpath", "textPath"),
];

/// The HTML standard's SVG attribute-name adjustment table.
pub const SVG_ATTRS: &[(&str, &str)] = &[
    ("attributename", "attributeName"),
    ("attributetype", "attributeType"),
    ("basefrequency", "baseFrequency"),
    ("baseprofile", "baseProfile"),
    ("calcmode", "calcMode"),
    ("clippathunits", "clipPathUnits"),
    ("diffuseconstant", "diffuseConstant"),
    ("edgemode", "edgeMode"),
    ("filterunits", "filterUnits"),
    ("glyphref", "glyphRef"),
    ("gradienttransform", "gradientTransform"),
    ("gradientunits", "gradientUnits"),
    ("kernelmatrix", "kernelMatrix"),
    ("kernelunitlength", "kernelUnitLength"),
    ("keypoints", "keyPoints"),
    ("keysplines", "keySplines"),
    ("keytimes", "keyTimes"),
    ("lengthadjust", "lengthAdjust"),
    ("limitingconeangle", "limitingConeAngle"),
    ("markerheight", "markerHeight"),
    ("markerunits", "markerUnits"),
    ("markerwidth", "markerWidth"),
    ("maskcontentunits", "maskContentUnits"),
    ("maskunits", "maskUnits"),
    ("numoctaves", "numOctaves"),
    ("pathlength", "pathLength"),
    ("patterncontentunits", "patternContentUnits"),
    ("patterntransform", "patternTransform"),
    ("patternunits", "patternUnits"),
    ("pointsatx", "pointsAtX"),
    ("pointsaty", "pointsAtY"),
    ("pointsatz", "pointsAtZ"),
    ("preservealpha", "preserveAlpha"),
    ("preserveaspectratio", "preserveAspectRatio"),
    ("primitiveunits", "primitiveUnits"),
    ("refx", "refX"),
    ("refy", "refY"),
    ("repeatcount", "repeatCount"),
    ("repeatdur", "repeatDur"),
    ("requiredextensions", "requiredExtensions"),
    ("requiredfeatures", "requiredFeatures"),
    ("specularconstant", "specularConstant"),
    ("specularexponent", "specularExponent"),
    ("spreadmethod", "spreadMethod"),
    ("startoffset", "startOffset"),
    ("stddeviation", "stdDeviation"),
    ("stitchtiles", "stitchTiles"),
    ("surfacescale", "surfaceScale"),
    ("systemlanguage", "systemLanguage"),
    ("tablevalues", "tableValues"),
    ("targetx", "targetX"),
    ("targety", "targetY"),
    ("textlength", "textLength"),
    ("viewbox", "viewBox"),
    ("viewtarget", "viewTarget"),
    ("xchannelselector", "xChannelSelector"),
    ("ychannelselector", "yChannelSelector"),
    ("zoomandpan", "zoomAndPan"),
];

// ---- tokenizer helpers -----------------------------------------------------------

fn is_tag_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0c')
}

/// The end of raw text starting at `pos`: the next `</name` (any case) followed by a
/// space, `/` or `>`. `None`: not found yet (more input may complete it).
fn raw_end(b: &[u8], pos: usize, name: &str, fin: bool) -> Option<usize> {
    let n = name.len();
    let mut i = pos;
    while let Some(k) = b[i..].windows(2).position(|w| w == b"</") {
        let at = i + k;
        let after = at + 2 + n;
        if after >= b.len() {
            // The candidate is cut off by the end of the input so far.
            return fin.then_some(b.len());
        }
        if b[at + 2..after].eq_ignore_ascii_case(name.as_bytes())
            && (is_tag_space(b[after]) || b[after] == b'/' || b[after] == b'>')
        {
            return Some(at);
        }
        i = at + 2;
    }
    fin.then_some(b.len())
}

fn lower(s: &str) -> CompactString {
    let mut out = CompactString::from(s);
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        out.make_ascii_lowercase();
    }
    out
}

/// Whether `s` holds a NUL or a carriage return (which the builder leaves to html5ever).
fn has_nul_or_cr(s: &str) -> bool {
    s.bytes().any(|c| c == b'\0' || c == b'\r')
}

/// Tokenize the markup starting with `<` at `start`. `Ok(None)`: the token is not
/// complete in the input so far.
fn tag<'a>(
    src: &'a str,
    start: usize,
    fin: bool,
    buf: &mut Vec<(CompactString, CompactString)>,
) -> R<Option<(Token<'a>, usize)>> {
    let b = src.as_bytes();
    let more = |what: &'static str| {
        if fin {
            Err(unsupported(start, what))
        } else {
            Ok(None)
        }
    };
    let Some(&c) = b.get(start + 1) else {
        // A lone `<` at the end: text when the input is complete.
        return if fin {
            Err(unsupported(start, "'<' at end of input"))
        } else {
            Ok(None)
        };
    };
    if c == b'!' {
        let rest = &b[start..];
        if rest.starts_with(b"<!--") {
            let body = start + 4;
            let Some(k) = b[body..].windows(3).position(|w| w == b"-->") else {
                return more("unterminated comment");
            };
            let text = &src[body..body + k];
            if text.starts_with('>')
                || text.starts_with("->")
                || text.ends_with('-')
                || text.contains("--!>")
                || has_nul_or_cr(text)
            {
                return Err(unsupported(start, "malformed comment"));
            }
            return Ok(Some((Token::Comment(text), body + k + 3)));
        }
        if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!doctype") {
            let Some(k) = b[start..].iter().position(|&c| c == b'>') else {
                return more("unterminated doctype");
            };
            let inner = &src[start + 9..start + k];
            if inner
                .trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\x0c'))
                .eq_ignore_ascii_case("html")
                && inner.starts_with([' ', '\t', '\n', '\x0c'])
            {
                return Ok(Some((Token::Doctype, start + k + 1)));
            }
            return Err(unsupported(start, "doctype other than <!DOCTYPE html>"));
        }
        let could_be = |p: &[u8]| rest.len() < p.len() && p[..rest.len()].eq_ignore_ascii_case(rest);
        if !fin && (could_be(b"<!--") || could_be(b"<!doctype")) {
            return Ok(None);
        }
        return Err(unsupported(start, "bogus comment or CDATA"));
    }
    let (end_tag, name_start) = if c == b'/' {
        match b.get(start + 2) {
            None => return more("'</' at end of input"),
            Some(c) if c.is_ascii_alphabetic() => (true, start + 2),
            Some(_) => return Err(unsupported(start, "'</' not followed by a tag name")),
        }
    } else if c.is_ascii_alphabetic() {
        (false, start + 1)
    } else if c == b'?' {
        return Err(unsupported(start, "processing instruction"));
    } else {
        // `<` not starting a tag is text.
        return Ok(Some((Token::Lt, start + 1)));
    };
    let Some(k) = b[name_start..]
        .iter()
        .position(|&c| is_tag_space(c) || matches!(c, b'/' | b'>' | b'\0' | b'\r'))
    else {
        return more("unterminated tag");
    };
    let name_end = name_start + k;
    if matches!(b[name_end], b'\0' | b'\r') {
        return Err(unsupported(name_end, "NUL or carriage return in a tag"));
    }
    let raw_name = &src[name_start..name_end];
    let mut i = name_end;
    let mut attrs = std::mem::take(buf);
    attrs.clear();
    let mut self_closing = false;
    loop {
        while i < b.len() && is_tag_space(b[i]) {
            i += 1;
        }
        let Some(&c) = b.get(i) else {
            return more("unterminated tag");
        };
        match c {
            b'>' => {
                i += 1;
                break;
            }
            b'/' => match b.get(i + 1) {
                Some(b'>') => {
                    self_closing = true;
                    i += 2;
                    break;
                }
                None => return more("unterminated tag"),
                Some(_) => i += 1,
            },
            b'=' | b'"' | b'\'' | b'<' | b'\0' | b'\r' => {
                return Err(unsupported(i, "malformed attribute name"));
            }
            _ => {
                let n0 = i;
                while i < b.len() && !is_tag_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                    if matches!(b[i], b'"' | b'\'' | b'<' | b'\0' | b'\r') {
                        return Err(unsupported(i, "malformed attribute name"));
                    }
                    i += 1;
                }
                if i >= b.len() {
                    return more("unterminated tag");
                }
                let attr = lower(&src[n0..i]);
                while i < b.len() && is_tag_space(b[i]) {
                    i += 1;
                }
                let mut value = Cow::Borrowed("");
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    while i < b.len() && is_tag_space(b[i]) {
                        i += 1;
                    }
                    match b.get(i) {
                        None => return more("unterminated tag"),
                        Some(&q @ (b'"' | b'\'')) => {
                            let Some(k) = b[i + 1..].iter().position(|&c| c == q) else {
                                return more("unterminated attribute value");
                            };
                            let raw = &src[i + 1..i + 1 + k];
                            if has_nul_or_cr(raw) {
                                return Err(unsupported(i, "NUL or carriage return in an attribute"));
                            }
                            value = decode(raw, true, i)?;
                            i += k + 2;
                        }
                        Some(b'>') => {}
                        Some(_) => {
                            let v0 = i;
                            while i < b.len() && !is_tag_space(b[i]) && b[i] != b'>' {
                                if matches!(b[i], b'\0' | b'\r') {
                                    return Err(unsupported(i, "NUL or carriage return in an attribute"));
                                }
                                i += 1;
                            }
                            if i >= b.len() {
                                return more("unterminated tag");
                            }
                            value = decode(&src[v0..i], true, v0)?;
                        }
                    }
                }
                // A duplicate keeps its first value; a written dj-id is ignored.
                if attr != "dj-id" && !attrs.iter().any(|(k, _)| *k == attr) {
                    attrs.push((attr, CompactString::from(value)));
                }
            }
        }
    }
    if end_tag {
        if !attrs.is_empty() || self_closing {
            return Err(unsupported(start, "end tag with attributes"));
        }
        let name = if raw_name.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(raw_name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw_name)
        };
        return Ok(Some((Token::End(name), i)));
    }
    Ok(Some((
        Token::Start {
            name: lower(raw_name),
            attrs,
            self_closing,
        },
        i,
    )))
}

/// Decode the character references of `raw` (`in_attr`: an attribute value).
fn decode(raw: &str, in_attr: bool, at: usize) -> R<Cow<'_, str>> {
    if !raw.contains('&') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(k) = raw[i..].find('&') {
        out.push_str(&raw[i..i + k]);
        let amp = i + k;
        match charref(raw, amp, in_attr, true)? {
            Some((text, end)) => {
                out.push_str(&text);
                i = end;
            }
            None => return Err(unsupported(at + amp, "character reference")),
        }
    }
    out.push_str(&raw[i..]);
    Ok(Cow::Owned(out))
}

/// The character reference at `amp` (`&`): its text and where it ends. `Ok(None)`:
/// not complete in the input so far.
fn charref(src: &str, amp: usize, in_attr: bool, fin: bool) -> R<Option<(Cow<'static, str>, usize)>> {
    let b = src.as_bytes();
    let i = amp + 1;
    let literal = Ok(Some((Cow::Borrowed("&"), i)));
    match b.get(i) {
        None if fin => literal,
        None => Ok(None),
        Some(b'#') => {
            let (start, radix) = match b.get(i + 1) {
                Some(b'x' | b'X') => (i + 2, 16),
                None if !fin => return Ok(None),
                _ => (i + 1, 10),
            };
            let digits = b[start.min(b.len())..]
                .iter()
                .take_while(|c| {
                    if radix == 16 {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            let end = start + digits;
            if end >= b.len() && !fin {
                return Ok(None);
            }
            if digits == 0 {
                return literal;
            }
            let n = src[start..end].chars().try_fold(0u32, |acc, c| {
                let d = c.to_digit(radix)?;
                Some(acc.saturating_mul(radix).saturating_add(d))
            });
            let n = n.unwrap_or(u32::MAX);
            let end = if b.get(end) == Some(&b';') { end + 1 } else { end };
            let c = match n {
                0 | 0xd800..=0xdfff | 0x11_0000.. => '\u{fffd}',
                0x80..=0x9f => html5ever::data::C1_REPLACEMENTS[(n - 0x80) as usize]
                    .or(char::from_u32(n))
                    .unwrap_or('\u{fffd}'),
                _ => char::from_u32(n).unwrap_or('\u{fffd}'),
            };
            Ok(Some((
                ascii_str(c).map_or_else(|| Cow::Owned(c.to_string()), Cow::Borrowed),
                end,
            )))
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            let run = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            let end = i + run;
            if end >= b.len() && !fin {
                return Ok(None);
            }
            let name = &src[i..end];
            if b.get(end) == Some(&b';') {
                // What autoescaping writes, without a table lookup.
                let common = match name {
                    "lt" => Some("<"),
                    "gt" => Some(">"),
                    "amp" => Some("&"),
                    "quot" => Some("\""),
                    _ => None,
                };
                if let Some(text) = common {
                    return Ok(Some((Cow::Borrowed(text), end + 1)));
                }
                if let Some(cp) = entity(&src[i..=end]) {
                    return Ok(Some((Cow::Owned(cp), end + 1)));
                }
            }
            // The longest legacy name (no semicolon) that is a prefix of the run.
            let legacy = (2..=name.len().min(32))
                .rev()
                .find(|&k| named_entity(&name[..k]).is_some());
            let Some(k) = legacy else {
                return literal;
            };
            // In an attribute a legacy name followed by `=` or an alphanumeric stays
            // as written; otherwise it is decoded and the rest of the run is text.
            if in_attr
                && b.get(i + k)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'=')
            {
                return literal;
            }
            match entity(&name[..k]) {
                Some(cp) => Ok(Some((Cow::Owned(cp), i + k))),
                None => literal,
            }
        }
        Some(_) => literal,
    }
}

/// A printable ASCII character as a static one-character string (`&#39;` and the
/// like decode without allocating).
fn ascii_str(c: char) -> Option<&'static str> {
    const ASCII: &str =
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    let i = (c as usize).checked_sub(0x20)?;
    ASCII.get(i..i + 1).filter(|_| c.is_ascii() && c != '\u{7f}')
}

/// The text of a named character reference (`name` without the `&`).
fn entity(name: &str) -> Option<String> {
    let mut s = String::new();
    push_codepoints(&mut s, named_entity(name)?);
    Some(s)
}
