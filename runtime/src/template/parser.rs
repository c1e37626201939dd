//! Parser: tokens → a tree of [`Node`]s with byte spans.
//!
//! Mirrors Django 5.2's `Parser.parse` loop and the compile functions of the built-in
//! tags (`django/template/defaulttags.py`, `loader_tags.py`, `smartif.py`), including
//! their error messages. Two modes:
//! * strict (the renderer): the first error is returned, as Django raises it;
//! * lenient (the analyzer, the language server): errors are collected, unknown tags
//!   become [`Node::Unknown`], and parsing goes on, so a half-typed template still
//!   yields its structure.

use super::error::{Result, TemplateError};
use super::expr::{parse_filter_expr, FilterCall, FilterExpr};
use super::lexer::{split_contents, tokenize, Token, TokenKind};
use super::library::{CustomTag, FilterDef, HostCompile, HostNode, Load, Registry, TagDef, TagKind};
use crate::span::{LineIndex, Span};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// `{% if %}` conditions (Django's `smartif`).
#[derive(Debug, Clone)]
pub enum Cond {
    /// An operand: a filter expression.
    Operand(FilterExpr),
    /// `not x`.
    Not(Box<Cond>),
    /// `x <op> y`.
    Binary(BinOp, Box<Cond>, Box<Cond>),
}

/// Binary operators of `{% if %}`, by Django's binding power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or` (6)
    Or,
    /// `and` (7)
    And,
    /// `in` (9)
    In,
    /// `not in` (9)
    NotIn,
    /// `is` (10)
    Is,
    /// `is not` (10)
    IsNot,
    /// `==` (10)
    Eq,
    /// `!=` (10)
    Ne,
    /// `>` (10)
    Gt,
    /// `>=` (10)
    Ge,
    /// `<` (10)
    Lt,
    /// `<=` (10)
    Le,
}

impl BinOp {
    fn from_token(t: &str) -> Option<BinOp> {
        Some(match t {
            "or" => BinOp::Or,
            "and" => BinOp::And,
            "in" => BinOp::In,
            "not in" => BinOp::NotIn,
            "is" => BinOp::Is,
            "is not" => BinOp::IsNot,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            _ => return None,
        })
    }
    fn lbp(self) -> u8 {
        match self {
            BinOp::Or => 6,
            BinOp::And => 7,
            BinOp::In | BinOp::NotIn => 9,
            _ => 10,
        }
    }
}

/// A parsed template node.
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal text.
    Text(Span),
    /// `{{ expr }}`.
    Var(FilterExpr),
    /// `{% if %}…{% elif %}…{% else %}…{% endif %}`: branches in order, `None` for else.
    If(Vec<(Option<Cond>, Vec<Node>)>, Span),
    /// `{% for a, b in seq [reversed] %}…{% empty %}…{% endfor %}`.
    For(Box<ForNode>),
    /// `{% with a=b %}…{% endwith %}`.
    With(Vec<(Arc<str>, FilterExpr)>, Vec<Node>, Span),
    /// `{% autoescape on|off %}…`.
    Autoescape(bool, Vec<Node>, Span),
    /// `{% spaceless %}…`.
    Spaceless(Vec<Node>, Span),
    /// `{% verbatim %}…{% endverbatim %}`: the literal content.
    Verbatim(Span),
    /// `{% comment %}…{% endcomment %}` (renders nothing).
    CommentBlock(Span),
    /// `{% cycle … %}`; `id` identifies the cycle state (shared by `{% cycle name %}`).
    Cycle(Box<CycleNode>),
    /// `{% resetcycle [name] %}`: the id of the cycle to reset.
    ResetCycle(usize, Span),
    /// `{% firstof a b "c" [as var] %}`.
    Firstof(Vec<FilterExpr>, Option<Arc<str>>, Span),
    /// `{% templatetag openblock %}`.
    TemplateTag(&'static str, Span),
    /// `{% widthratio value max width [as var] %}`.
    WidthRatio(Box<[FilterExpr; 3]>, Option<Arc<str>>, Span),
    /// `{% filter f|g %}…{% endfilter %}`.
    Filter(Vec<FilterCall>, Vec<Node>, Span),
    /// `{% ifchanged [vars] %}…{% else %}…{% endifchanged %}`.
    IfChanged(Box<IfChangedNode>),
    /// `{% block name %}…{% endblock %}`.
    Block(Arc<BlockNode>),
    /// `{% extends parent %}`.
    Extends(FilterExpr, Span),
    /// `{% include name [with a=b] [only] %}`.
    Include(Box<IncludeNode>),
    /// `{% csrf_token %}`.
    CsrfToken(Span),
    /// `{% debug %}` (arguments are ignored, as in Django).
    Debug(Span),
    /// `{% load … %}`.
    Load(Span),
    /// `{% regroup list by attr as name %}`.
    Regroup(Box<(FilterExpr, FilterExpr)>, Arc<str>, Span),
    /// `{% lorem [count] [w|p|b] [random] %}`.
    Lorem(FilterExpr, char, bool, Span),
    /// `{% now "format" [as var] %}`.
    Now(Arc<str>, Option<Arc<str>>, Span),
    /// `{% url name arg k=v [as var] %}`.
    Url(Box<UrlNode>),
    /// `{% static path [as var] %}` (library `static`).
    Static(FilterExpr, Option<Arc<str>>, Span),
    /// `{% translate "text" [noop] [context "c"] [as var] %}` (library `i18n`).
    Translate(Box<TranslateNode>),
    /// `{% blocktranslate … %}…{% endblocktranslate %}` (library `i18n`).
    BlockTranslate(Box<BlockTranslateNode>),
    /// `{% get_current_language as var %}` (library `i18n`).
    CurrentLanguage(Arc<str>, Span),
    /// `{% get_static_prefix [as var] %}` (`true`) / `{% get_media_prefix [as var] %}`
    /// (library `static`).
    Prefix(bool, Option<Arc<str>>, Span),
    /// `{% get_current_language_bidi as var %}` (library `i18n`).
    CurrentLanguageBidi(Arc<str>, Span),
    /// `{% get_available_languages as var %}` (library `i18n`).
    AvailableLanguages(Arc<str>, Span),
    /// `{% get_language_info for code as var %}` / `{% get_language_info_list for
    /// codes as var %}` (library `i18n`); the flag is `_list`.
    LanguageInfo(FilterExpr, Arc<str>, bool, Span),
    /// `{% language "code" %}…{% endlanguage %}` (library `i18n`).
    Language(FilterExpr, Vec<Node>, Span),
    /// A custom tag (`simple_tag`, `inclusion_tag`, `simple_block_tag`).
    Custom(Box<CustomNode>),
    /// A tag compiled by the host (Django's `@register.tag`): the tokens it consumed
    /// are inside the node, which the host renders.
    Host(Arc<dyn HostNode>, Span),
    /// `{% partialdef name [inline] %}…{% endpartialdef %}` (Django 6.0): defines a
    /// fragment; renders in place only with `inline`.
    PartialDef(Arc<str>, bool, Arc<Vec<Node>>, Span),
    /// `{% partial name %}` (Django 6.0): renders a fragment defined in this template.
    Partial(Arc<str>, Span),
    /// Lenient mode: a tag that could not be compiled (unknown, or with errors).
    Unknown(Arc<str>, Span),
}

/// `{% for %}`.
#[derive(Debug, Clone)]
pub struct ForNode {
    /// Loop variable names.
    pub loopvars: Vec<Arc<str>>,
    /// The sequence.
    pub sequence: FilterExpr,
    /// `reversed`.
    pub reversed: bool,
    /// The loop body.
    pub body: Vec<Node>,
    /// The `{% empty %}` body.
    pub empty: Vec<Node>,
    /// The opening tag.
    pub span: Span,
}

/// `{% cycle %}`.
#[derive(Debug, Clone)]
pub struct CycleNode {
    /// Identifies the cycle's state.
    pub id: usize,
    /// Values to cycle through.
    pub values: Vec<FilterExpr>,
    /// `as name`.
    pub name: Option<Arc<str>>,
    /// `silent`.
    pub silent: bool,
    /// The tag.
    pub span: Span,
}

/// `{% ifchanged %}`.
#[derive(Debug, Clone)]
pub struct IfChangedNode {
    /// Identifies the node's state.
    pub id: usize,
    /// Values compared (empty: compare the rendered body).
    pub values: Vec<FilterExpr>,
    /// Body when changed.
    pub body: Vec<Node>,
    /// `{% else %}` body.
    pub otherwise: Vec<Node>,
    /// The opening tag.
    pub span: Span,
}

/// `{% block %}`.
#[derive(Debug, Clone)]
pub struct BlockNode {
    /// Block name.
    pub name: Arc<str>,
    /// Body.
    pub body: Vec<Node>,
    /// The opening tag.
    pub span: Span,
}

/// A use of a host-registered tag.
#[derive(Debug, Clone)]
pub struct CustomNode {
    /// The tag definition.
    pub tag: Arc<CustomTag>,
    /// Positional arguments.
    pub args: Vec<FilterExpr>,
    /// Keyword arguments.
    pub kwargs: Vec<(Arc<str>, FilterExpr)>,
    /// `as var` (simple and block tags).
    pub asvar: Option<Arc<str>>,
    /// Body (block tags).
    pub body: Vec<Node>,
    /// The tag.
    pub span: Span,
}

/// `{% translate %}`.
#[derive(Debug, Clone)]
pub struct TranslateNode {
    /// The message (operand translated before the filters run).
    pub message: FilterExpr,
    /// `noop`: mark only, do not translate.
    pub noop: bool,
    /// `context "…"`.
    pub context: Option<FilterExpr>,
    /// `as var`.
    pub asvar: Option<Arc<str>>,
    /// The tag.
    pub span: Span,
}

/// A piece of a `{% blocktranslate %}` message.
#[derive(Debug, Clone)]
pub enum TransPart {
    /// Literal text.
    Text(Span),
    /// `{{ name }}`: a placeholder looked up as a plain name.
    Var(Arc<str>),
}

/// `{% blocktranslate %}`.
#[derive(Debug, Clone)]
pub struct BlockTranslateNode {
    /// `with a=b`.
    pub extra: Vec<(Arc<str>, FilterExpr)>,
    /// The singular message.
    pub singular: Vec<TransPart>,
    /// The plural message (with `count`).
    pub plural: Vec<TransPart>,
    /// `count name=value`.
    pub count: Option<(Arc<str>, FilterExpr)>,
    /// `context "…"`.
    pub context: Option<FilterExpr>,
    /// `trimmed`.
    pub trimmed: bool,
    /// `asvar name`.
    pub asvar: Option<Arc<str>>,
    /// `blocktranslate` or `blocktrans`.
    pub tag: Arc<str>,
    /// The opening tag.
    pub span: Span,
}

/// `{% url %}`.
#[derive(Debug, Clone)]
pub struct UrlNode {
    /// The URL pattern name.
    pub name: FilterExpr,
    /// Positional arguments.
    pub args: Vec<FilterExpr>,
    /// Keyword arguments.
    pub kwargs: Vec<(Arc<str>, FilterExpr)>,
    /// `as var`.
    pub asvar: Option<Arc<str>>,
    /// The tag.
    pub span: Span,
}

/// `{% include %}`.
#[derive(Debug, Clone)]
pub struct IncludeNode {
    /// Template name expression.
    pub template: FilterExpr,
    /// `with a=b`.
    pub extra: Vec<(Arc<str>, FilterExpr)>,
    /// `only`.
    pub only: bool,
    /// The tag.
    pub span: Span,
}

/// Parser options.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Collect errors and keep going instead of failing on the first one.
    pub lenient: bool,
    /// The template's name (for relative `extends`/`include` and error locations).
    pub name: Option<String>,
}

/// The result of parsing one template.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Top-level nodes.
    pub nodes: Vec<Node>,
    /// The tokens the nodes were built from.
    pub tokens: Vec<Token>,
    /// Spans of `{# … #}` comments outside `{% comment %}` blocks.
    pub comments: Vec<Span>,
    /// Errors found (lenient mode; strict mode returns the first as `Err`).
    pub errors: Vec<TemplateError>,
    /// Fragments defined with `{% partialdef %}`, by name.
    pub partials: Vec<(Arc<str>, Arc<Vec<Node>>)>,
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    registry: &'a Registry,
    opts: &'a ParseOptions,
    lines: LineIndex,
    errors: Vec<TemplateError>,
    comments: Vec<Span>,
    command_stack: Vec<(String, Token)>,
    blocks: HashSet<String>,
    named_cycles: Vec<(String, CycleNode)>,
    last_cycle: Option<usize>,
    next_id: usize,
    /// Whether a non-text node has been added at the top level (for `extends`).
    depth: usize,
    /// Native tags of libraries loaded so far (`translate` after `{% load i18n %}`).
    loaded: HashSet<String>,
    /// Custom and host tags of libraries loaded so far, by name (a later load wins).
    loaded_tags: HashMap<String, TagDef>,
    /// The `{% load %}`s so far, in order (what a host tag's compile function sees).
    loads: Vec<Load>,
    /// Set when tags nest past [`MAX_NESTING`]: the parse stops there (in lenient mode
    /// too), so a template of 10,000 nested tags is one error, not one per tag.
    too_deep: bool,
    /// The registry plus the filters of loaded libraries, once a library has some.
    extended: Option<Box<Registry>>,
    partials: Vec<(Arc<str>, Arc<Vec<Node>>)>,
}

pub use super::library::TAGS;

/// Parse `source` into nodes.
pub fn parse(source: &str, registry: &Registry, opts: &ParseOptions) -> Result<Parsed> {
    let tokens = tokenize(source);
    let mut p = Parser {
        src: source,
        tokens: tokens.clone(),
        pos: 0,
        registry,
        opts,
        lines: LineIndex::new(source),
        errors: Vec::new(),
        comments: Vec::new(),
        command_stack: Vec::new(),
        blocks: HashSet::new(),
        named_cycles: Vec::new(),
        last_cycle: None,
        next_id: 0,
        depth: 0,
        loaded: HashSet::new(),
        loaded_tags: HashMap::new(),
        loads: Vec::new(),
        too_deep: false,
        extended: None,
        partials: Vec::new(),
    };
    let nodes = match p.parse_until(&[]) {
        Ok((nodes, _)) => nodes,
        Err(e) => return Err(e.located_with(opts.name.as_deref(), source, &p.lines)),
    };
    if let Some(e) = p.errors.first().filter(|_| !opts.lenient) {
        return Err(e.clone().located_with(opts.name.as_deref(), source, &p.lines));
    }
    let lines = std::mem::replace(&mut p.lines, LineIndex::new(""));
    let errors = p
        .errors
        .into_iter()
        .map(|e| e.located_with(opts.name.as_deref(), source, &lines))
        .collect();
    Ok(Parsed {
        nodes,
        tokens,
        comments: p.comments,
        errors,
        partials: p.partials,
    })
}

/// Django's `get_text_list(items, "or")`: `'a', 'b' or 'c'`.
fn text_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

const MAX_NESTING: usize = 256;
const NESTING_MESSAGE: &str = "Tags are nested more than";

/// The deepest `{% if %}` condition (see `IfParser::expression`).
const MAX_CONDITION_DEPTH: usize = 256;

impl<'a> Parser<'a> {
    /// The filters in scope: the registry plus those of loaded libraries.
    fn reg(&self) -> &Registry {
        self.extended.as_deref().unwrap_or(self.registry)
    }

    fn line(&self, t: &Token) -> usize {
        self.lines.line_of(t.span.start) + 1
    }

    fn content(&self, t: &Token) -> &'a str {
        t.content.slice(self.src)
    }

    /// Record an error: returned at once in strict mode, collected in lenient mode.
    fn fail(&mut self, e: TemplateError) -> Result<()> {
        if self.too_deep && self.opts.lenient && !e.message.starts_with(NESTING_MESSAGE) {
            // Past the nesting limit every enclosing tag is left unclosed: one error
            // (the nesting one) says it all.
            return Ok(());
        }
        if self.opts.lenient {
            self.errors.push(e);
            Ok(())
        } else {
            Err(e)
        }
    }

    /// Parse until a block tag whose first word is in `until`; returns the nodes and
    /// that end token (left consumed), or `None` at the end of the input.
    fn parse_until(&mut self, until: &[&str]) -> Result<(Vec<Node>, Option<Token>)> {
        if self.too_deep {
            return Ok((Vec::new(), None));
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.depth -= 1;
            let span = self
                .tokens
                .get(self.pos.saturating_sub(1))
                .map(|t| t.span)
                .unwrap_or_default();
            // Fatal in lenient mode too: every tag below would fail the same way.
            self.too_deep = true;
            self.pos = self.tokens.len();
            return Err(TemplateError::syntax(
                format!(
                    "{NESTING_MESSAGE} {MAX_NESTING} levels deep; the rest of the template is not parsed."
                ),
                span,
            ));
        }
        let result = stacker::maybe_grow(
            super::render::STACK_RED_ZONE,
            super::render::STACK_SEGMENT,
            || self.parse_until_inner(until),
        );
        self.depth -= 1;
        result
    }

    fn parse_until_inner(&mut self, until: &[&str]) -> Result<(Vec<Node>, Option<Token>)> {
        let mut nodes = Vec::new();
        while self.pos < self.tokens.len() {
            let tok = self.tokens[self.pos];
            self.pos += 1;
            match tok.kind {
                TokenKind::Text => nodes.push(Node::Text(tok.span)),
                TokenKind::Comment => self.comments.push(tok.span),
                TokenKind::Variable => {
                    let content = self.content(&tok);
                    if content.is_empty() {
                        let line = self.line(&tok);
                        self.fail(TemplateError::syntax(
                            format!("Empty variable tag on line {line}"),
                            tok.span,
                        ))?;
                        nodes.push(Node::Unknown("".into(), tok.span));
                        continue;
                    }
                    match parse_filter_expr(content, tok.content.start, self.reg()) {
                        Ok(expr) => {
                            nodes.push(Node::Var(expr));
                        }
                        Err(e) => {
                            self.fail(e.at(tok.span))?;
                            nodes.push(Node::Unknown("".into(), tok.span));
                        }
                    }
                }
                TokenKind::Block => {
                    let content = self.content(&tok);
                    let Some(command) = content.split_whitespace().next() else {
                        let line = self.line(&tok);
                        self.fail(TemplateError::syntax(
                            format!("Empty block tag on line {line}"),
                            tok.span,
                        ))?;
                        nodes.push(Node::Unknown("".into(), tok.span));
                        continue;
                    };
                    if until.contains(&command) {
                        return Ok((nodes, Some(tok)));
                    }
                    self.command_stack.push((command.to_string(), tok));
                    let node = match self.compile_tag(command, tok, until, &nodes) {
                        Ok(n) => n,
                        Err(e) => {
                            self.fail(e.at(tok.span))?;
                            Node::Unknown(command.into(), tok.span)
                        }
                    };
                    self.command_stack.pop();
                    nodes.push(node);
                }
            }
        }
        if !until.is_empty() && !self.too_deep {
            let (command, tok) = self.command_stack.last().cloned().unwrap_or_default_cmd();
            let line = self.line(&tok);
            let e = TemplateError::syntax(
                format!(
                    "Unclosed tag on line {line}: '{command}'. Looking for one of: {}.",
                    until.join(", ")
                ),
                tok.span,
            );
            self.fail(e)?;
        }
        Ok((nodes, None))
    }

    fn new_id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    fn bits(&self, tok: &Token) -> Vec<(&'a str, Span)> {
        split_contents(self.src, tok.content)
            .into_iter()
            .map(|s| (s.slice(self.src), s))
            .collect()
    }

    fn expr(&self, text: &str, span: Span) -> Result<FilterExpr> {
        parse_filter_expr(text, span.start, self.reg())
    }

    fn end_token(&self, tok: Option<Token>) -> Option<&'a str> {
        tok.map(|t| self.content(&t))
    }

    fn compile_tag(&mut self, command: &str, tok: Token, until: &[&str], siblings: &[Node]) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        // A loaded library's tag, then a `builtins` one, wins over the parser's own of
        // the same name (Django's `parser.tags` dict: later libraries override).
        let library_tag = match self
            .loaded_tags
            .get(command)
            .or_else(|| self.registry.tag(command))
        {
            Some(TagDef::Custom(t)) => Some(TagDef::Custom(t.clone())),
            Some(TagDef::Host(h)) => Some(TagDef::Host(h.clone())),
            Some(TagDef::Native) | None => None,
        };
        match library_tag {
            Some(TagDef::Custom(t)) => return self.compile_custom(t, &tok),
            Some(TagDef::Host(h)) => return self.compile_host(&*h, command, &tok),
            _ => {}
        }
        match command {
            "if" => {
                let mut branches = Vec::new();
                let mut bits: Vec<(&str, Span)> = self.bits(&tok).into_iter().skip(1).collect();
                loop {
                    let cond = self.parse_condition(&bits, span)?;
                    let (body, end) = self.parse_until(&["elif", "else", "endif"])?;
                    branches.push((Some(cond), body));
                    match self.end_token(end) {
                        Some(c) if c.split_whitespace().next() == Some("elif") => {
                            let t = end.unwrap_or(tok);
                            bits = self.bits(&t).into_iter().skip(1).collect();
                        }
                        Some("else") => {
                            let (body, end) = self.parse_until(&["endif"])?;
                            branches.push((None, body));
                            return self.expect_end(end, "endif", Node::If(branches, span));
                        }
                        other => {
                            return self.expect_end_content(other, end, "endif", Node::If(branches, span))
                        }
                    }
                }
            }
            "for" => {
                let bits = self.bits(&tok);
                if bits.len() < 4 {
                    return Err(err(format!(
                        "'for' statements should have at least four words: {}",
                        self.content(&tok)
                    )));
                }
                let reversed = bits[bits.len() - 1].0 == "reversed";
                let in_index = bits.len() - if reversed { 3 } else { 2 };
                if bits[in_index].0 != "in" {
                    return Err(err(format!(
                        "'for' statements should use the format 'for x in y': {}",
                        self.content(&tok)
                    )));
                }
                let joined: Vec<&str> = bits[1..in_index].iter().map(|b| b.0).collect();
                let joined = joined.join(" ");
                let mut loopvars: Vec<Arc<str>> = Vec::new();
                for var in split_loopvars(&joined) {
                    if var.is_empty() || var.contains([' ', '"', '\'', '|']) {
                        return Err(err(format!(
                            "'for' tag received an invalid argument: {}",
                            self.content(&tok)
                        )));
                    }
                    loopvars.push(var.into());
                }
                let (seq_text, seq_span) = bits[in_index + 1];
                let sequence = self.expr(seq_text, seq_span)?;
                let (body, end) = self.parse_until(&["empty", "endfor"])?;
                let empty = if self.end_token(end) == Some("empty") {
                    let (empty, end2) = self.parse_until(&["endfor"])?;
                    self.require_end(end2)?;
                    empty
                } else {
                    self.require_end(end)?;
                    Vec::new()
                };
                Ok(Node::For(Box::new(ForNode {
                    loopvars,
                    sequence,
                    reversed,
                    body,
                    empty,
                    span,
                })))
            }
            "with" => {
                let bits = self.bits(&tok);
                let mut rest: Vec<(&str, Span)> = bits[1..].to_vec();
                let kwargs = self.token_kwargs(&mut rest, true)?;
                if kwargs.is_empty() {
                    return Err(err("'with' expected at least one variable assignment".into()));
                }
                if let Some((t, _)) = rest.first() {
                    return Err(err(format!("'with' received an invalid token: '{t}'")));
                }
                let (body, end) = self.parse_until(&["endwith"])?;
                self.require_end(end)?;
                Ok(Node::With(kwargs, body, span))
            }
            "autoescape" => {
                let args: Vec<&str> = self.content(&tok).split_whitespace().collect();
                if args.len() != 2 {
                    return Err(err("'autoescape' tag requires exactly one argument.".into()));
                }
                let on = match args[1] {
                    "on" => true,
                    "off" => false,
                    _ => return Err(err("'autoescape' argument should be 'on' or 'off'".into())),
                };
                let (body, end) = self.parse_until(&["endautoescape"])?;
                self.require_end(end)?;
                Ok(Node::Autoescape(on, body, span))
            }
            "spaceless" => {
                let (body, end) = self.parse_until(&["endspaceless"])?;
                self.require_end(end)?;
                Ok(Node::Spaceless(body, span))
            }
            "verbatim" => {
                let start = tok.span.end;
                let (_, end) = self.parse_until(&["endverbatim"])?;
                let stop = end.map(|t| t.span.start).unwrap_or(self.src.len());
                self.require_end(end)?;
                Ok(Node::Verbatim(Span::new(start, stop)))
            }
            "comment" => {
                while self.pos < self.tokens.len() {
                    let t = self.tokens[self.pos];
                    self.pos += 1;
                    if t.kind == TokenKind::Block && self.content(&t) == "endcomment" {
                        return Ok(Node::CommentBlock(Span::new(span.start, t.span.end)));
                    }
                }
                let line = self.line(&tok);
                Err(err(format!(
                    "Unclosed tag on line {line}: 'comment'. Looking for one of: endcomment."
                )))
            }
            "cycle" => self.compile_cycle(&tok),
            "resetcycle" => {
                let bits = self.bits(&tok);
                if bits.len() > 2 {
                    return Err(err("'resetcycle' tag accepts at most one argument.".into()));
                }
                if let Some((name, _)) = bits.get(1) {
                    return match self.named_cycles.iter().find(|(n, _)| n == name) {
                        Some((_, c)) => Ok(Node::ResetCycle(c.id, span)),
                        None => Err(err(format!("Named cycle '{name}' does not exist."))),
                    };
                }
                match self.last_cycle {
                    Some(id) => Ok(Node::ResetCycle(id, span)),
                    None => Err(err("No cycles in template.".into())),
                }
            }
            "firstof" => {
                let mut bits: Vec<(&str, Span)> = self.bits(&tok).into_iter().skip(1).collect();
                if bits.is_empty() {
                    return Err(err("'firstof' statement requires at least one argument".into()));
                }
                let mut asvar = None;
                if bits.len() >= 2 && bits[bits.len() - 2].0 == "as" {
                    asvar = Some(Arc::from(bits[bits.len() - 1].0));
                    bits.truncate(bits.len() - 2);
                }
                let exprs = bits
                    .iter()
                    .map(|(t, s)| self.expr(t, *s))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Node::Firstof(exprs, asvar, span))
            }
            "templatetag" => {
                let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
                if bits.len() != 2 {
                    return Err(err("'templatetag' statement takes one argument".into()));
                }
                let out = match bits[1] {
                    "openblock" => "{%",
                    "closeblock" => "%}",
                    "openvariable" => "{{",
                    "closevariable" => "}}",
                    "openbrace" => "{",
                    "closebrace" => "}",
                    "opencomment" => "{#",
                    "closecomment" => "#}",
                    other => {
                        return Err(err(format!(
                            "Invalid templatetag argument: '{other}'. Must be one of: ['openblock', 'closeblock', 'openvariable', 'closevariable', 'openbrace', 'closebrace', 'opencomment', 'closecomment']"
                        )))
                    }
                };
                Ok(Node::TemplateTag(out, span))
            }
            "widthratio" => {
                let bits = self.bits(&tok);
                let asvar = match bits.len() {
                    4 => None,
                    6 => {
                        if bits[4].0 != "as" {
                            return Err(err(
                                "Invalid syntax in widthratio tag. Expecting 'as' keyword".into()
                            ));
                        }
                        Some(Arc::from(bits[5].0))
                    }
                    _ => return Err(err("widthratio takes at least three arguments".into())),
                };
                let e = |i: usize| self.expr(bits[i].0, bits[i].1);
                Ok(Node::WidthRatio(Box::new([e(1)?, e(2)?, e(3)?]), asvar, span))
            }
            "filter" => {
                let content = self.content(&tok);
                let rest = content
                    .split_once(char::is_whitespace)
                    .map(|x| x.1.trim_start())
                    .unwrap_or("");
                let rest_start = tok.content.end - rest.len();
                let text = format!("var|{rest}");
                let parsed = parse_filter_expr(&text, rest_start.saturating_sub(4), self.reg())?;
                for f in &parsed.filters {
                    if f.def.name == "escape" || f.def.name == "safe" {
                        return Err(err(format!(
                            "\"filter {}\" is not permitted.  Use the \"autoescape\" tag instead.",
                            f.def.name
                        )));
                    }
                }
                let (body, end) = self.parse_until(&["endfilter"])?;
                self.require_end(end)?;
                Ok(Node::Filter(parsed.filters, body, span))
            }
            "ifchanged" => {
                let bits = self.bits(&tok);
                let (body, end) = self.parse_until(&["else", "endifchanged"])?;
                let otherwise = if self.end_token(end) == Some("else") {
                    let (o, end2) = self.parse_until(&["endifchanged"])?;
                    self.require_end(end2)?;
                    o
                } else {
                    self.require_end(end)?;
                    Vec::new()
                };
                let values = bits[1..]
                    .iter()
                    .map(|(t, s)| self.expr(t, *s))
                    .collect::<Result<Vec<_>>>()?;
                let id = self.new_id();
                Ok(Node::IfChanged(Box::new(IfChangedNode {
                    id,
                    values,
                    body,
                    otherwise,
                    span,
                })))
            }
            "block" => {
                let words: Vec<&str> = self.content(&tok).split_whitespace().collect();
                if words.len() != 2 {
                    return Err(err("'block' tag takes only one argument".into()));
                }
                let name = words[1].to_string();
                if !self.blocks.insert(name.clone()) {
                    return Err(err(format!(
                        "'block' tag with name '{name}' appears more than once"
                    )));
                }
                let (body, end) = self.parse_until(&["endblock"])?;
                match end {
                    Some(t) => {
                        let c = self.content(&t);
                        let named = format!("endblock {name}");
                        if c != "endblock" && c != named {
                            let line = self.line(&t);
                            return Err(TemplateError::syntax(
                                format!(
                                    "Invalid block tag on line {line}: 'endblock', expected {}. Did you forget to register or load this tag?",
                                    text_list(&["endblock", &named])
                                ),
                                t.span,
                            ));
                        }
                    }
                    None => return Err(err("unclosed block".into())),
                }
                Ok(Node::Block(Arc::new(BlockNode {
                    name: name.into(),
                    body,
                    span,
                })))
            }
            "extends" => {
                let bits = self.bits(&tok);
                if bits.len() != 2 {
                    return Err(err("'extends' takes one argument".into()));
                }
                let parent_text = self.relative(bits[1].0, false)?;
                let parent = self.expr(&parent_text, bits[1].1)?;
                // Django parses the rest of the template inside the first `extends`, so
                // a second one is judged only against what follows the first.
                let first = siblings.iter().position(|n| matches!(n, Node::Extends(..)));
                let before = match first {
                    Some(i) => &siblings[i + 1..],
                    None => siblings,
                };
                if self.depth > 1 || before.iter().any(|n| !matches!(n, Node::Text(_))) {
                    return Err(err(format!(
                        "{{% {} %}} must be the first tag in the template.",
                        self.content(&tok)
                    )));
                }
                if first.is_some() {
                    return Err(err(
                        "'extends' cannot appear more than once in the same template".into()
                    ));
                }
                let _ = until;
                Ok(Node::Extends(parent, span))
            }
            "include" => {
                let bits = self.bits(&tok);
                if bits.len() < 2 {
                    return Err(err(
                        "'include' tag takes at least one argument: the name of the template to be included."
                            .into(),
                    ));
                }
                let mut rest: Vec<(&str, Span)> = bits[2..].to_vec();
                let mut extra = Vec::new();
                let (mut seen_with, mut only) = (false, false);
                while !rest.is_empty() {
                    let (option, _) = rest.remove(0);
                    if (option == "with" && seen_with) || (option == "only" && only) {
                        return Err(err(format!(
                            "The '{option}' option was specified more than once."
                        )));
                    }
                    match option {
                        "with" => {
                            seen_with = true;
                            extra = self.token_kwargs(&mut rest, false)?;
                            if extra.is_empty() {
                                return Err(err(
                                    "\"with\" in 'include' tag needs at least one keyword argument.".into(),
                                ));
                            }
                        }
                        "only" => only = true,
                        other => return Err(err(format!("Unknown argument for 'include' tag: '{other}'."))),
                    }
                }
                let name_text = self.relative(bits[1].0, true)?;
                let template = self.expr(&name_text, bits[1].1)?;
                Ok(Node::Include(Box::new(IncludeNode {
                    template,
                    extra,
                    only,
                    span,
                })))
            }
            "partialdef" => {
                let bits = self.bits(&tok);
                let (name, inline) = match bits.as_slice() {
                    [_, (name, _), ("inline", _)] => (*name, true),
                    [_, _, _] => {
                        return Err(err(
                            "The 'inline' argument does not have any parameters; either use 'inline' or remove it completely."
                                .into(),
                        ))
                    }
                    [_, (name, _)] => (*name, false),
                    [_] => return Err(err("'partialdef' tag requires a single argument".into())),
                    _ => return Err(err("'partialdef' tag takes at most 2 arguments".into())),
                };
                let named_end = format!("endpartialdef {name}");
                let (body, end) = self.parse_until(&["endpartialdef"])?;
                if let Some(t) = end {
                    let c = self.content(&t);
                    if c != "endpartialdef" && c != named_end {
                        let line = self.line(&t);
                        return Err(TemplateError::syntax(
                            format!(
                                "Invalid block tag on line {line}: 'endpartialdef', expected {}. Did you forget to register or load this tag?",
                                text_list(&["endpartialdef", &named_end])
                            ),
                            t.span,
                        ));
                    }
                }
                if self.partials.iter().any(|(n, _)| &**n == name) {
                    let origin = self.opts.name.as_deref().unwrap_or("<unknown source>");
                    return Err(err(format!(
                        "Partial '{name}' is already defined in the '{origin}' template."
                    )));
                }
                let body = Arc::new(body);
                self.partials.push((Arc::from(name), body.clone()));
                Ok(Node::PartialDef(Arc::from(name), inline, body, span))
            }
            "partial" => {
                let bits = self.bits(&tok);
                match bits.as_slice() {
                    [_, (name, _)] => Ok(Node::Partial(Arc::from(*name), span)),
                    _ => Err(err("'partial' tag requires a single argument".into())),
                }
            }
            "csrf_token" => Ok(Node::CsrfToken(span)),
            "debug" => Ok(Node::Debug(span)),
            "load" => {
                let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
                let loads: Vec<Load> = if bits.len() >= 4 && bits[bits.len() - 2] == "from" {
                    vec![Load {
                        library: Arc::from(bits[bits.len() - 1]),
                        names: Some(bits[1..bits.len() - 2].iter().map(|n| Arc::from(*n)).collect()),
                    }]
                } else {
                    bits[1..]
                        .iter()
                        .map(|n| Load {
                            library: Arc::from(*n),
                            names: None,
                        })
                        .collect()
                };
                for load in loads {
                    self.load(load).map_err(err)?;
                }
                Ok(Node::Load(span))
            }
            "url" => {
                let bits = self.bits(&tok);
                if bits.len() < 2 {
                    return Err(err(
                        "'url' takes at least one argument, a URL pattern name.".into()
                    ));
                }
                let name = self.expr(bits[1].0, bits[1].1)?;
                let mut rest: Vec<(&str, Span)> = bits[2..].to_vec();
                let mut asvar = None;
                if rest.len() >= 2 && rest[rest.len() - 2].0 == "as" {
                    asvar = Some(Arc::from(rest[rest.len() - 1].0));
                    rest.truncate(rest.len() - 2);
                }
                let (mut args, mut kwargs) = (Vec::new(), Vec::new());
                for (bit, s) in rest {
                    let key_len: usize = bit
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .map(char::len_utf8)
                        .sum();
                    if key_len > 0 && bit[key_len..].starts_with('=') && bit.len() > key_len + 1 {
                        let value =
                            self.expr(&bit[key_len + 1..], Span::new(s.start + key_len + 1, s.end))?;
                        kwargs.push((Arc::from(&bit[..key_len]), value));
                    } else {
                        args.push(self.expr(bit, s)?);
                    }
                }
                Ok(Node::Url(Box::new(UrlNode {
                    name,
                    args,
                    kwargs,
                    asvar,
                    span,
                })))
            }
            "translate" | "trans" if self.loaded.contains(command) => {
                let bits = self.bits(&tok);
                let tag = bits[0].0;
                if bits.len() < 2 {
                    return Err(err(format!("'{tag}' takes at least one argument")));
                }
                let message = self.expr(bits[1].0, bits[1].1)?;
                let mut rest: Vec<(&str, Span)> = bits[2..].to_vec();
                let (mut noop, mut asvar, mut context) = (false, None, None);
                let mut seen: HashSet<&str> = HashSet::new();
                while !rest.is_empty() {
                    let (option, _) = rest.remove(0);
                    if !seen.insert(option) {
                        return Err(err(format!(
                            "The '{option}' option was specified more than once."
                        )));
                    }
                    match option {
                        "noop" => noop = true,
                        "context" => {
                            if rest.is_empty() {
                                return Err(err(format!(
                                    "No argument provided to the '{tag}' tag for the context option."
                                )));
                            }
                            let (value, s) = rest.remove(0);
                            if value == "as" || value == "noop" {
                                return Err(err(format!(
                                    "Invalid argument '{value}' provided to the '{tag}' tag for the context option"
                                )));
                            }
                            context = Some(self.expr(value, s)?);
                        }
                        "as" => {
                            if rest.is_empty() {
                                return Err(err(format!("No argument provided to the '{tag}' tag for the as option.")));
                            }
                            asvar = Some(Arc::from(rest.remove(0).0));
                        }
                        other => {
                            return Err(err(format!(
                                "Unknown argument for '{tag}' tag: '{other}'. The only options available are 'noop', 'context' \"xxx\", and 'as VAR'."
                            )))
                        }
                    }
                }
                Ok(Node::Translate(Box::new(TranslateNode {
                    message,
                    noop,
                    context,
                    asvar,
                    span,
                })))
            }
            "blocktranslate" | "blocktrans" if self.loaded.contains(command) => {
                self.compile_blocktranslate(&tok)
            }
            "get_current_language" | "get_current_language_bidi" | "get_available_languages"
                if self.loaded.contains(command) =>
            {
                // Django splits these on whitespace, not with `split_contents`.
                let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
                if bits.len() != 3 || bits[1] != "as" {
                    return Err(err(format!(
                        "'{command}' requires 'as variable' (got {})",
                        py_list_repr(&bits)
                    )));
                }
                let var = Arc::from(bits[2]);
                Ok(match command {
                    "get_current_language" => Node::CurrentLanguage(var, span),
                    "get_current_language_bidi" => Node::CurrentLanguageBidi(var, span),
                    _ => Node::AvailableLanguages(var, span),
                })
            }
            "get_language_info" | "get_language_info_list" if self.loaded.contains(command) => {
                let bits = self.bits(&tok);
                if bits.len() != 5 || bits[1].0 != "for" || bits[3].0 != "as" {
                    let what = if command == "get_language_info" {
                        "string"
                    } else {
                        "sequence"
                    };
                    let rest: Vec<&str> = bits.iter().skip(1).map(|b| b.0).collect();
                    return Err(err(format!(
                        "'{}' requires 'for {what} as variable' (got {})",
                        bits[0].0,
                        py_list_repr(&rest)
                    )));
                }
                let code = self.expr(bits[2].0, bits[2].1)?;
                Ok(Node::LanguageInfo(
                    code,
                    Arc::from(bits[4].0),
                    command.ends_with("_list"),
                    span,
                ))
            }
            "language" if self.loaded.contains(command) => {
                let bits = self.bits(&tok);
                if bits.len() != 2 {
                    return Err(err("'language' takes one argument (language)".into()));
                }
                let language = self.expr(bits[1].0, bits[1].1)?;
                let (body, end) = self.parse_until(&["endlanguage"])?;
                self.require_end(end)?;
                Ok(Node::Language(language, body, span))
            }
            "get_static_prefix" | "get_media_prefix" if self.loaded.contains(command) => {
                let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
                if bits.len() > 1 && bits[1] != "as" {
                    return Err(err(format!("First argument in '{command}' must be 'as'")));
                }
                let var = match bits.len() {
                    1 => None,
                    3 => Some(Arc::from(bits[2])),
                    // Django indexes `tokens[2]` without checking.
                    _ => return Err(err(format!("'{command}' takes 'as variable' or nothing"))),
                };
                Ok(Node::Prefix(command == "get_static_prefix", var, span))
            }
            "static" if self.loaded.contains(command) => {
                let bits = self.bits(&tok);
                if bits.len() < 2 {
                    return Err(err("'static' takes at least one argument (path to file)".into()));
                }
                let path = self.expr(bits[1].0, bits[1].1)?;
                let asvar = (bits.len() >= 4 && bits[bits.len() - 2].0 == "as")
                    .then(|| Arc::from(bits[bits.len() - 1].0));
                Ok(Node::Static(path, asvar, span))
            }
            "regroup" => {
                let bits = self.bits(&tok);
                if bits.len() != 6 {
                    return Err(err("'regroup' tag takes five arguments".into()));
                }
                let target = self.expr(bits[1].0, bits[1].1)?;
                if bits[2].0 != "by" {
                    return Err(err("second argument to 'regroup' tag must be 'by'".into()));
                }
                if bits[4].0 != "as" {
                    return Err(err("next-to-last argument to 'regroup' tag must be 'as'".into()));
                }
                let var = bits[5].0;
                let expression = self.expr(&format!("{var}.{}", bits[3].0), bits[3].1)?;
                Ok(Node::Regroup(Box::new((target, expression)), var.into(), span))
            }
            "lorem" => {
                let mut bits = self.bits(&tok);
                let common = bits.last().map(|b| b.0) != Some("random");
                if !common {
                    bits.pop();
                }
                let method = match bits.last().map(|b| b.0) {
                    Some(m @ ("w" | "p" | "b")) if bits.len() > 1 => {
                        let c = m.chars().next().unwrap_or('b');
                        bits.pop();
                        c
                    }
                    _ => 'b',
                };
                let count = if bits.len() > 1 {
                    bits.pop().map(|(t, s)| self.expr(t, s)).transpose()?
                } else {
                    None
                };
                if bits.len() != 1 {
                    return Err(err("Incorrect format for 'lorem' tag".into()));
                }
                let count = match count {
                    Some(c) => c,
                    None => self.expr("1", span)?,
                };
                Ok(Node::Lorem(count, method, common, span))
            }
            "now" => {
                let mut bits = self.bits(&tok);
                let mut asvar = None;
                if bits.len() == 4 && bits[2].0 == "as" {
                    asvar = Some(Arc::from(bits[3].0));
                    bits.truncate(2);
                }
                if bits.len() != 2 {
                    return Err(err("'now' statement takes one argument".into()));
                }
                let f = bits[1].0;
                let inner = if f.len() >= 2 { &f[1..f.len() - 1] } else { "" };
                Ok(Node::Now(inner.into(), asvar, span))
            }
            _ => {
                let line = self.line(&tok);
                let msg = if until.is_empty() {
                    format!("Invalid block tag on line {line}: '{command}'. Did you forget to register or load this tag?")
                } else {
                    format!(
                        "Invalid block tag on line {line}: '{command}', expected {}. Did you forget to register or load this tag?",
                        text_list(until)
                    )
                };
                Err(err(msg))
            }
        }
    }

    /// Django's `construct_relative_path` applied to a tag argument.
    fn relative(&self, text: &str, allow_recursion: bool) -> Result<String> {
        match &self.opts.name {
            Some(current) => construct_relative_path(current, text, allow_recursion)
                .map_err(|m| TemplateError::syntax(m, Span::default())),
            None => Ok(text.to_string()),
        }
    }

    fn require_end(&mut self, end: Option<Token>) -> Result<()> {
        // parse_until already reported a missing end tag.
        let _ = end;
        Ok(())
    }

    fn expect_end(&mut self, end: Option<Token>, want: &str, node: Node) -> Result<Node> {
        let c = self.end_token(end);
        self.expect_end_content(c, end, want, node)
    }

    fn expect_end_content(
        &mut self,
        content: Option<&str>,
        end: Option<Token>,
        want: &str,
        node: Node,
    ) -> Result<Node> {
        match (content, end) {
            (Some(c), Some(t)) if c != want => {
                let line = self.line(&t);
                Err(TemplateError::syntax(
                    format!("Malformed template tag at line {line}: \"{c}\""),
                    t.span,
                ))
            }
            _ => Ok(node),
        }
    }

    /// Django's `token_kwargs`: `a=b c=d` (or, with `legacy`, `b as a and d as c`).
    fn token_kwargs(
        &self,
        bits: &mut Vec<(&'a str, Span)>,
        legacy: bool,
    ) -> Result<Vec<(Arc<str>, FilterExpr)>> {
        let kwarg = |s: &str| -> Option<(usize, usize)> {
            let key_len: usize = s
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .map(char::len_utf8)
                .sum();
            (key_len > 0 && s[key_len..].starts_with('=') && s.len() > key_len + 1)
                .then_some((key_len, key_len + 1))
        };
        let Some(first) = bits.first() else {
            return Ok(Vec::new());
        };
        let kwarg_format = kwarg(first.0).is_some();
        if !kwarg_format && (!legacy || bits.len() < 3 || bits[1].0 != "as") {
            return Ok(Vec::new());
        }
        // Consumed bits are counted and drained once at the end (removing from the
        // front one at a time would make `{% with %}` quadratic in its arguments).
        let mut out = Vec::new();
        let mut used = 0;
        let result = loop {
            let rest = &bits[used..];
            if rest.is_empty() {
                break Ok(out);
            }
            if kwarg_format {
                let (text, span) = rest[0];
                let Some((klen, vstart)) = kwarg(text) else {
                    break Ok(out);
                };
                let key = &text[..klen];
                match self.expr(&text[vstart..], Span::new(span.start + vstart, span.end)) {
                    Ok(value) => out.push((Arc::from(key), value)),
                    Err(e) => break Err(e),
                }
                used += 1;
            } else {
                if rest.len() < 3 || rest[1].0 != "as" {
                    break Ok(out);
                }
                let value = match self.expr(rest[0].0, rest[0].1) {
                    Ok(v) => v,
                    Err(e) => break Err(e),
                };
                out.push((Arc::from(rest[2].0), value));
                used += 3;
                if let Some((t, _)) = bits.get(used) {
                    if *t != "and" {
                        break Ok(out);
                    }
                    used += 1;
                }
            }
        };
        bits.drain(..used);
        result
    }

    /// Django's `load` for one library (`find_library`, then `load_from_library` for
    /// `{% load x from lib %}`): its tags and filters become available. `Err` is the
    /// syntax error's message.
    fn load(&mut self, load: Load) -> std::result::Result<(), String> {
        let registry = self.registry;
        let Some(library) = registry.library(&load.library) else {
            return Err(format!(
                "'{}' is not a registered tag library. Must be one of:\n{}",
                load.library,
                registry.libraries().join("\n")
            ));
        };
        let mut filters: Vec<Arc<FilterDef>> = Vec::new();
        let take_tag = |p: &mut Self, name: &str, def: &TagDef| match def {
            TagDef::Native => {
                p.loaded.insert(name.to_string());
                p.loaded_tags.remove(name);
            }
            other => {
                p.loaded.remove(name);
                p.loaded_tags.insert(name.to_string(), other.clone());
            }
        };
        match &load.names {
            None => {
                for (name, def) in &library.tags {
                    take_tag(self, name, def);
                }
                filters.extend(library.filters.values().cloned());
            }
            Some(names) => {
                for name in names {
                    let tag = library.tags.get(&**name);
                    let filter = library.filters.get(&**name);
                    if tag.is_none() && filter.is_none() {
                        return Err(format!(
                            "'{name}' is not a valid tag or filter in tag library '{}'",
                            load.library
                        ));
                    }
                    if let Some(def) = tag {
                        take_tag(self, name, def);
                    }
                    filters.extend(filter.cloned());
                }
            }
        }
        if !filters.is_empty() {
            let extended = self.reg().with_filters(filters);
            self.extended = Some(Box::new(extended));
        }
        self.loads.push(load);
        Ok(())
    }

    /// A host tag: its compile function gets the tokens from this tag on; the parse
    /// resumes after what it consumed.
    fn compile_host(
        &mut self,
        host: &dyn super::library::HostTag,
        command: &str,
        tok: &Token,
    ) -> Result<Node> {
        let at = self.pos - 1;
        let lines = &self.lines;
        let line = |offset: usize| lines.line_of(offset) + 1;
        let compiled = host.compile(&HostCompile {
            tag: command,
            source: self.src,
            tokens: &self.tokens,
            at,
            line: &line,
            template_name: self.opts.name.as_deref(),
            loads: &self.loads,
        })?;
        // The tag's own token is already consumed.
        let rest = compiled.consumed.max(1) - 1;
        self.pos = (self.pos + rest).min(self.tokens.len());
        Ok(Node::Host(compiled.node, tok.span))
    }

    /// Django's `parse_bits` for a custom tag, plus `as var` and the block body.
    fn compile_custom(&mut self, tag: Arc<CustomTag>, tok: &Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let name = tag.name.clone();
        let mut bits: Vec<(&str, Span)> = self.bits(tok).into_iter().skip(1).collect();
        let mut asvar = None;
        if !matches!(tag.kind, TagKind::Inclusion(_)) && bits.len() >= 2 && bits[bits.len() - 2].0 == "as" {
            asvar = Some(Arc::from(bits[bits.len() - 1].0));
            bits.truncate(bits.len() - 2);
        }
        // Django's `simple_block_tag` parses the body before the arguments.
        let body = match &tag.kind {
            TagKind::Block(end) => {
                let end: &str = end;
                let (body, end_tok) = self.parse_until(&[end])?;
                self.require_end(end_tok)?;
                body
            }
            _ => Vec::new(),
        };
        let sig = &tag.signature;
        let mut unhandled: Vec<&str> = sig.params.iter().map(String::as_str).collect();
        let mut unhandled_kwonly: Vec<&str> = sig.kwonly_required.iter().map(String::as_str).collect();
        let (mut args, mut kwargs): (Vec<FilterExpr>, Vec<(Arc<str>, FilterExpr)>) = (Vec::new(), Vec::new());
        for bit in bits {
            let mut one = vec![bit];
            let kw = self.token_kwargs(&mut one, false)?;
            if let Some((param, value)) = kw.into_iter().next() {
                if !sig.params.iter().chain(&sig.kwonly).any(|p| **p == *param) && !sig.varkw {
                    return Err(err(format!(
                        "'{name}' received unexpected keyword argument '{param}'"
                    )));
                }
                if kwargs.iter().any(|(k, _)| *k == param) {
                    return Err(err(format!(
                        "'{name}' received multiple values for keyword argument '{param}'"
                    )));
                }
                if unhandled.contains(&&*param) {
                    unhandled.retain(|p| **p != *param);
                } else {
                    unhandled_kwonly.retain(|p| **p != *param);
                }
                kwargs.push((param, value));
            } else {
                if !kwargs.is_empty() {
                    return Err(err(format!(
                        "'{name}' received some positional argument(s) after some keyword argument(s)"
                    )));
                }
                args.push(self.expr(bit.0, bit.1)?);
                if unhandled.is_empty() {
                    if !sig.varargs {
                        return Err(err(format!("'{name}' received too many positional arguments")));
                    }
                } else {
                    unhandled.remove(0);
                }
            }
        }
        if sig.defaults > 0 {
            // Django: `unhandled_params = unhandled_params[: -len(defaults)]`.
            let keep = unhandled.len().saturating_sub(sig.defaults);
            unhandled.truncate(keep);
        }
        unhandled.extend(unhandled_kwonly);
        if !unhandled.is_empty() {
            let list: Vec<String> = unhandled.iter().map(|p| format!("'{p}'")).collect();
            return Err(err(format!(
                "'{name}' did not receive value(s) for the argument(s): {}",
                list.join(", ")
            )));
        }

        Ok(Node::Custom(Box::new(CustomNode {
            tag,
            args,
            kwargs,
            asvar,
            body,
            span,
        })))
    }

    fn compile_blocktranslate(&mut self, tok: &Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(tok);
        let tag = bits[0].0;
        let mut rest: Vec<(&str, Span)> = bits[1..].to_vec();
        let mut seen: HashSet<&str> = HashSet::new();
        let (mut extra, mut count, mut context, mut trimmed, mut asvar) =
            (Vec::new(), None, None, false, None);
        while !rest.is_empty() {
            let (option, _) = rest.remove(0);
            if !seen.insert(option) {
                return Err(err(format!(
                    "The '{option}' option was specified more than once."
                )));
            }
            match option {
                "with" => {
                    extra = self.token_kwargs(&mut rest, true)?;
                    if extra.is_empty() {
                        return Err(err(format!(
                            "\"with\" in '{tag}' tag needs at least one keyword argument."
                        )));
                    }
                }
                "count" => {
                    let mut kw = self.token_kwargs(&mut rest, true)?;
                    if kw.len() != 1 {
                        return Err(err(format!(
                            "\"count\" in '{tag}' tag expected exactly one keyword argument."
                        )));
                    }
                    count = kw.pop();
                }
                "context" => {
                    if rest.is_empty() {
                        return Err(err(format!(
                            "\"context\" in '{tag}' tag expected exactly one argument."
                        )));
                    }
                    let (value, s) = rest.remove(0);
                    context = Some(self.expr(value, s).map_err(|_| {
                        err(format!(
                            "\"context\" in '{tag}' tag expected exactly one argument."
                        ))
                    })?);
                }
                "trimmed" => trimmed = true,
                "asvar" => {
                    if rest.is_empty() {
                        return Err(err(format!(
                            "No argument provided to the '{tag}' tag for the asvar option."
                        )));
                    }
                    asvar = Some(Arc::from(rest.remove(0).0));
                }
                other => return Err(err(format!("Unknown argument for '{tag}' tag: '{other}'."))),
            }
        }
        // The message: only text and `{{ name }}` tokens until the next other token.
        let take_parts = |p: &mut Self| -> (Vec<TransPart>, Option<Token>) {
            let mut parts = Vec::new();
            while p.pos < p.tokens.len() {
                let t = p.tokens[p.pos];
                p.pos += 1;
                match t.kind {
                    TokenKind::Text => parts.push(TransPart::Text(t.span)),
                    TokenKind::Variable => parts.push(TransPart::Var(Arc::from(p.content(&t)))),
                    _ => return (parts, Some(t)),
                }
            }
            (parts, None)
        };
        let (singular, mut end) = take_parts(self);
        let mut plural = Vec::new();
        if count.is_some() {
            let c = end.map(|t| self.content(&t).trim()).unwrap_or("");
            if c != "plural" {
                return Err(err(format!("'{tag}' doesn't allow other block tags inside it")));
            }
            let (p, e) = take_parts(self);
            plural = p;
            end = e;
        }
        let c = end.map(|t| self.content(&t).trim()).unwrap_or("");
        if c != format!("end{tag}") {
            return Err(err(format!(
                "'{tag}' doesn't allow other block tags (seen {}) inside it",
                super::value::py_str_repr(c)
            )));
        }
        Ok(Node::BlockTranslate(Box::new(BlockTranslateNode {
            extra,
            singular,
            plural,
            count,
            context,
            trimmed,
            asvar,
            tag: tag.into(),
            span,
        })))
    }

    fn compile_cycle(&mut self, tok: &Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let mut args = self.bits(tok);
        if args.len() < 2 {
            return Err(err("'cycle' tag requires at least two arguments".into()));
        }
        if args.len() == 2 {
            let name = args[1].0;
            if self.named_cycles.is_empty() {
                return Err(err(format!(
                    "No named cycles in template. '{name}' is not defined"
                )));
            }
            return match self.named_cycles.iter().find(|(n, _)| n == name) {
                Some((_, node)) => Ok(Node::Cycle(Box::new(CycleNode { span, ..node.clone() }))),
                None => Err(err(format!("Named cycle '{name}' does not exist"))),
            };
        }
        let mut as_form = false;
        let mut silent = false;
        if args.len() > 4 {
            let n = args.len();
            if args[n - 3].0 == "as" {
                if args[n - 1].0 != "silent" {
                    return Err(err(format!(
                        "Only 'silent' flag is allowed after cycle's name, not '{}'.",
                        args[n - 1].0
                    )));
                }
                as_form = true;
                silent = true;
                args.pop();
            } else if args[n - 2].0 == "as" {
                as_form = true;
            }
        }
        let id = self.new_id();
        let node = if as_form {
            let n = args.len();
            let name = args[n - 1].0;
            let values = args[1..n - 2]
                .iter()
                .map(|(t, s)| self.expr(t, *s))
                .collect::<Result<Vec<_>>>()?;
            let node = CycleNode {
                id,
                values,
                name: Some(name.into()),
                silent,
                span,
            };
            self.named_cycles.retain(|(n, _)| n != name);
            self.named_cycles.push((name.to_string(), node.clone()));
            node
        } else {
            let values = args[1..]
                .iter()
                .map(|(t, s)| self.expr(t, *s))
                .collect::<Result<Vec<_>>>()?;
            CycleNode {
                id,
                values,
                name: None,
                silent: false,
                span,
            }
        };
        self.last_cycle = Some(id);
        Ok(Node::Cycle(Box::new(node)))
    }

    /// Django's `TemplateIfParser` over the tag's bits.
    fn parse_condition(&self, bits: &[(&str, Span)], span: Span) -> Result<Cond> {
        let mut toks: Vec<IfTok> = Vec::new();
        let mut i = 0;
        while i < bits.len() {
            let (t, s) = bits[i];
            let next = bits.get(i + 1).map(|b| b.0);
            let text = if t == "is" && next == Some("not") {
                i += 1;
                "is not"
            } else if t == "not" && next == Some("in") {
                i += 1;
                "not in"
            } else {
                t
            };
            toks.push(match (text, BinOp::from_token(text)) {
                ("not", _) => IfTok::Not,
                (_, Some(op)) => IfTok::Op(op, text),
                _ => IfTok::Operand(text, s),
            });
            i += 1;
        }
        // Django compiles every operand before parsing the expression, so an invalid
        // operand is reported before any grammar error.
        for t in &toks {
            if let IfTok::Operand(text, s) = t {
                self.expr(text, *s)?;
            }
        }
        let mut p = IfParser {
            parser: self,
            toks,
            pos: 0,
            span,
        };
        let cond = p.expression(0)?;
        if let Some(t) = p.toks.get(p.pos) {
            return Err(TemplateError::syntax(
                format!("Unused '{}' at end of if expression.", t.display()),
                span,
            ));
        }
        Ok(cond)
    }
}

trait DefaultCmd {
    fn unwrap_or_default_cmd(self) -> (String, Token);
}

impl DefaultCmd for Option<(String, Token)> {
    fn unwrap_or_default_cmd(self) -> (String, Token) {
        self.unwrap_or_else(|| {
            (
                String::new(),
                Token {
                    kind: TokenKind::Text,
                    span: Span::default(),
                    content: Span::default(),
                },
            )
        })
    }
}

/// `re.split(r" *, *", text)`.
fn split_loopvars(text: &str) -> Vec<&str> {
    text.split(',').map(|p| p.trim_matches(' ')).collect()
}

#[derive(Debug, Clone, Copy)]
enum IfTok<'a> {
    Not,
    Op(BinOp, &'a str),
    Operand(&'a str, Span),
}

impl IfTok<'_> {
    fn display(&self) -> &str {
        match self {
            IfTok::Not => "not",
            IfTok::Op(_, t) => t,
            IfTok::Operand(t, _) => t,
        }
    }
    fn lbp(&self) -> u8 {
        match self {
            IfTok::Not => 8,
            IfTok::Op(op, _) => op.lbp(),
            IfTok::Operand(..) => 0,
        }
    }
}

struct IfParser<'p, 'a> {
    parser: &'p Parser<'a>,
    toks: Vec<IfTok<'a>>,
    pos: usize,
    span: Span,
}

impl IfParser<'_, '_> {
    fn error(&self, m: String) -> TemplateError {
        TemplateError::syntax(m, self.span)
    }

    fn next(&mut self) -> Option<IfTok<'_>> {
        let t = self.toks.get(self.pos).copied();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Django's `IfParser.expression`, returning the condition and its depth. A
    /// condition deeper than [`MAX_CONDITION_DEPTH`] (`not not not …`, a chain of
    /// hundreds of `and`s) is a syntax error: Django itself fails on it with a
    /// `RecursionError`, and a deeper tree could overflow the stack when evaluated.
    fn expression(&mut self, rbp: u8) -> Result<Cond> {
        self.expression_at(rbp, 0).map(|(c, _)| c)
    }

    fn expression_at(&mut self, rbp: u8, depth: usize) -> Result<(Cond, usize)> {
        if depth > MAX_CONDITION_DEPTH {
            return Err(self.error(format!(
                "The condition is nested more than {MAX_CONDITION_DEPTH} levels deep in if tag."
            )));
        }
        let t = self.next();
        let (mut left, mut left_depth) = match t {
            None => return Err(self.error("Unexpected end of expression in if tag.".into())),
            Some(IfTok::Not) => {
                let (inner, d) = self.expression_at(8, depth + 1)?;
                (Cond::Not(Box::new(inner)), d + 1)
            }
            Some(IfTok::Op(_, text)) => {
                let text = text.to_string();
                return Err(self.error(format!("Not expecting '{text}' in this position in if tag.")));
            }
            Some(IfTok::Operand(text, s)) => {
                let (text, s) = (text.to_string(), s);
                (Cond::Operand(self.parser.expr(&text, s)?), 1)
            }
        };
        while let Some(t) = self.toks.get(self.pos).copied() {
            if rbp >= t.lbp() {
                break;
            }
            self.pos += 1;
            match t {
                IfTok::Op(op, _) => {
                    let (right, right_depth) = self.expression_at(op.lbp(), depth + 1)?;
                    left_depth = left_depth.max(right_depth) + 1;
                    if depth + left_depth > MAX_CONDITION_DEPTH {
                        return Err(self.error(format!(
                            "The condition is nested more than {MAX_CONDITION_DEPTH} levels deep in if tag."
                        )));
                    }
                    left = Cond::Binary(op, Box::new(left), Box::new(right));
                }
                IfTok::Not => {
                    return Err(self.error("Not expecting 'not' as infix operator in if tag.".into()));
                }
                IfTok::Operand(text, _) => {
                    return Err(self.error(format!("Not expecting '{text}' as infix operator in if tag.")));
                }
            }
        }
        Ok((left, left_depth))
    }
}

/// The template name `./x.html` / `../x.html` stands for, relative to the template
/// `current` (`posixpath.normpath(join(dirname(current), name))`). A result starting
/// with `../` points outside the template hierarchy.
pub fn join_relative_name(current: &str, name: &str) -> String {
    let current_clean = current.trim_start_matches('/');
    let dir = match current_clean.rfind('/') {
        Some(i) => &current_clean[..i],
        None => "",
    };
    let joined = if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Django's `construct_relative_path`: `"./x.html"` / `"../x.html"` relative to the
/// template `current`; other names are returned unchanged. Errors are Django's messages.
pub fn construct_relative_path(
    current: &str,
    relative: &str,
    allow_recursion: bool,
) -> std::result::Result<String, String> {
    let new_name = relative.trim_matches(|c| c == '\'' || c == '"');
    if !(new_name.starts_with("./") || new_name.starts_with("../")) {
        return Ok(relative.to_string());
    }
    let current_clean = current.trim_start_matches('/');
    let normalized = join_relative_name(current, new_name);
    if normalized.starts_with("../") || normalized == ".." {
        return Err(format!(
            "The relative path '{relative}' points outside the file hierarchy that template '{current}' is in."
        ));
    }
    if !allow_recursion && current_clean == normalized {
        return Err(format!(
            "The relative path '{relative}' was translated to template name '{normalized}', the same template in which the tag appears."
        ));
    }
    let quoted = relative.len() >= 2
        && (relative.starts_with('"') || relative.starts_with('\''))
        && relative.ends_with(&relative[..1]);
    Ok(if quoted {
        format!("\"{normalized}\"")
    } else {
        normalized
    })
}

impl Node {
    /// Call `f` on each node list directly inside this node, in source order: the
    /// lists Django's `Node.get_nodes_by_type` descends into (each node class's
    /// `child_nodelists`): every branch of `{% if %}`, the body and `{% empty %}` of
    /// `{% for %}`, both parts of `{% ifchanged %}`, and the body of `{% with %}`,
    /// `{% autoescape %}`, `{% spaceless %}`, `{% filter %}`, `{% block %}`,
    /// `{% language %}`, `{% partialdef %}` and a registered block tag. This is the one
    /// definition of the tree's shape: [`walk`], the renderer's search for a template's
    /// blocks and the analyzer all go through it.
    pub fn for_each_child_list<'n>(&'n self, f: &mut dyn FnMut(&'n [Node])) {
        match self {
            Node::If(branches, _) => branches.iter().for_each(|(_, body)| f(body)),
            Node::For(n) => {
                f(&n.body);
                f(&n.empty);
            }
            Node::IfChanged(n) => {
                f(&n.body);
                f(&n.otherwise);
            }
            Node::With(_, body, _)
            | Node::Autoescape(_, body, _)
            | Node::Spaceless(body, _)
            | Node::Filter(_, body, _)
            | Node::Language(_, body, _) => f(body),
            Node::Block(b) => f(&b.body),
            Node::PartialDef(_, _, body, _) => f(body),
            Node::Custom(c) => f(&c.body),
            _ => {}
        }
    }
}

/// Call `f` on every node of the tree, parents before children, in source order
/// (through [`Node::for_each_child_list`]). The depth is the parser's nesting limit.
pub fn walk<'n>(nodes: &'n [Node], f: &mut dyn FnMut(&'n Node)) {
    for node in nodes {
        f(node);
        node.for_each_child_list(&mut |body| walk(body, f));
    }
}

/// Python's `repr()` of a list of strings (`['a', 'b']`), as Django's messages show it.
fn py_list_repr(items: &[&str]) -> String {
    let parts: Vec<String> = items.iter().map(|s| super::value::py_str_repr(s)).collect();
    format!("[{}]", parts.join(", "))
}
