//! Parser: tokens → a tree of [`Node`]s with byte spans.
//!
//! Mirrors Django 5.2's `Parser.parse` loop (this module: the loop, the dispatch of a
//! tag to its compile function, `token_kwargs`) and the compile functions of the
//! built-in tags, split as Django splits them: `defaulttags`, `loader_tags`,
//! `i18n`, `static_tags` (Django's `static` library), `smartif` (the `{% if %}`
//! condition parser) and `library_tags` (a project's `simple_tag`s and host tags),
//! one method per tag named as Django names its function, with Django's error
//! messages. The node types are in [`super::nodes`]. Two modes:
//! * strict (the renderer): the first error is returned, as Django raises it;
//! * lenient (the analyzer, the language server): errors are collected, unknown tags
//!   become [`Node::Unknown`], and parsing goes on, so a half-typed template still
//!   yields its structure.

mod cache;
mod defaulttags;
mod i18n;
mod l10n;
mod library_tags;
mod loader_tags;
mod smartif;
mod static_tags;
mod tz;

use super::error::{Result, TemplateError};
use super::expr::{parse_filter_expr, FilterExpr};
use super::lexer::{split_contents, tokenize, Token, TokenKind};
use super::library::{CustomTag, FilterDef, HostCompile, Load, Registry, TagDef, TagKind};
use super::nodes::{
    BinOp, BlockNode, BlockTranslateNode, CacheNode, Cond, CustomNode, CycleNode, ForNode, IfChangedNode,
    IncludeNode, Node, TransPart, TranslateNode, UrlNode,
};
use crate::span::{LineIndex, Span};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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
    /// Unique to this parse ([`HostCompile::parse`](crate::template::library::HostCompile)).
    parse_id: u64,
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    registry: &'a Registry,
    opts: &'a ParseOptions,
    lines: LineIndex,
    errors: Vec<TemplateError>,
    comments: Vec<Span>,
    command_stack: Vec<(String, Token)>,
    /// Lenient mode: block tags that failed to compile, whose end tag (`{% endfor %}`
    /// after a malformed `{% for %}`) is that failure's consequence, not another error.
    failed_tags: Vec<String>,
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

/// Parse `source` into nodes.
pub fn parse(source: &str, registry: &Registry, opts: &ParseOptions) -> Result<Parsed> {
    let tokens = tokenize(source);
    static PARSES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let mut p = Parser {
        parse_id: PARSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        src: source,
        tokens: tokens.clone(),
        pos: 0,
        registry,
        opts,
        lines: LineIndex::new(source),
        errors: Vec::new(),
        comments: Vec::new(),
        command_stack: Vec::new(),
        failed_tags: Vec::new(),
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
        let result = stacker::maybe_grow(super::stack::STACK_RED_ZONE, super::stack::STACK_SEGMENT, || {
            self.parse_until_inner(until)
        });
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
                            self.failed_tags.push(command.to_string());
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

    /// Lenient mode: whether `command` is the end tag of a tag that failed to compile
    /// (`endfor` after a malformed `{% for %}`); that tag is then closed.
    fn closes_failed_tag(&mut self, command: &str) -> bool {
        let Some(opened) = command.strip_prefix("end").filter(|_| self.opts.lenient) else {
            return false;
        };
        match self.failed_tags.iter().rposition(|t| t == opened) {
            Some(at) => {
                self.failed_tags.remove(at);
                true
            }
            None => false,
        }
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
            "if" => self.do_if(tok),
            "for" => self.do_for(tok),
            "with" => self.do_with(tok),
            "autoescape" => self.autoescape(tok),
            "spaceless" => self.spaceless(tok),
            "verbatim" => self.verbatim(tok),
            "comment" => self.comment(tok),
            "cycle" => self.cycle(tok),
            "resetcycle" => self.resetcycle(tok),
            "firstof" => self.firstof(tok),
            "templatetag" => self.templatetag(tok),
            "widthratio" => self.widthratio(tok),
            "filter" => self.do_filter(tok),
            "ifchanged" => self.ifchanged(tok),
            "block" => self.do_block(tok),
            "extends" => self.do_extends(tok, until, siblings),
            "include" => self.do_include(tok),
            "partialdef" => self.partialdef_func(tok),
            "partial" => self.partial_func(tok),
            "csrf_token" => self.csrf_token(tok),
            "debug" => self.debug(tok),
            "load" => self.load(tok),
            "url" => self.url(tok),
            "translate" | "trans" if self.loaded.contains(command) => self.do_translate(tok),
            "blocktranslate" | "blocktrans" if self.loaded.contains(command) => self.do_block_translate(tok),
            "get_current_language" | "get_current_language_bidi" | "get_available_languages"
                if self.loaded.contains(command) =>
            {
                self.do_get_current_language(command, tok)
            }
            "get_language_info" | "get_language_info_list" if self.loaded.contains(command) => {
                self.do_get_language_info(command, tok)
            }
            "language" if self.loaded.contains(command) => self.language(tok),
            "get_static_prefix" | "get_media_prefix" if self.loaded.contains(command) => {
                self.get_static_prefix(command, tok)
            }
            "static" if self.loaded.contains(command) => self.do_static(tok),
            "cache" if self.loaded.contains(command) => self.do_cache(tok),
            "localtime" if self.loaded.contains(command) => self.localtime_tag(tok),
            "timezone" if self.loaded.contains(command) => self.timezone_tag(tok),
            "get_current_timezone" if self.loaded.contains(command) => self.get_current_timezone_tag(tok),
            "localize" if self.loaded.contains(command) => self.localize_tag(tok),
            "regroup" => self.regroup(tok),
            "lorem" => self.lorem(tok),
            "now" => self.now(tok),
            // Lenient mode: the end tag of a tag that failed to compile is not reported.
            _ if self.closes_failed_tag(command) => Ok(Node::Unknown(command.into(), span)),
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

/// Python's `repr()` of a list of strings (`['a', 'b']`), as Django's messages show it.
fn py_list_repr(items: &[&str]) -> String {
    let parts: Vec<String> = items.iter().map(|s| super::value::py_str_repr(s)).collect();
    format!("[{}]", parts.join(", "))
}
