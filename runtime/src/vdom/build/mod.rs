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
//! html5ever); SVG and MathML elements with the standard's name adjustments;
//! misnested formatting elements closed early and reopened ([`formatting`]: the list of
//! active formatting elements, the adoption agency algorithm without a block inside);
//! text fostered out of a table ([`foster`]). Where the standard does something this
//! builder does not model — elements fostered out of a table, formatting elements
//! around a block, `<template>`, frameset, legacy doctypes and the like — it stops
//! with [`Unsupported`] and
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

mod elements;
mod formatting;
mod foster;
mod reuse;
mod tokenizer;
mod tree_builder;

use elements::*;
pub use elements::{SVG_ATTRS, SVG_TAGS};
use formatting::Active;
use foster::OpenTable;
use reuse::*;
use tokenizer::*;
use tree_builder::*;

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
    /// A child changed after its hash was taken (text fostered into it): the hash is
    /// computed again from the children when the element closes.
    rehash: bool,
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
    /// The list of active formatting elements ([`formatting`]).
    active: Vec<Active>,
    /// The open tables, outermost first ([`foster`]).
    tables: Vec<OpenTable>,
    /// The current run of character data in a table is being fostered (the whole
    /// run goes, whitespace included, once any of it is not whitespace).
    fostering: bool,
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

fn unsupported(at: usize, reason: &'static str) -> Unsupported {
    Unsupported { at, reason }
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
                rehash: false,
            }],
            tree,
            text: String::new(),
            attr_buf: Vec::new(),
            phase: Phase::Initial,
            form_open: false,
            selects: 0,
            active: Vec::new(),
            tables: Vec::new(),
            fostering: false,
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
}
