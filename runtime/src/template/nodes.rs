//! The node tree a template compiles to: [`Node`] and the per-tag node types, with
//! byte spans, and the one definition of the tree's shape
//! ([`Node::for_each_child_list`], [`walk`]) every consumer uses: the renderer's block
//! search, the analyzer and the language server. Mirrors the `Node` classes of
//! Django's `defaulttags`, `loader_tags` and `i18n` (`django/template/`).

use super::expr::{FilterCall, FilterExpr};
use super::library::{CustomTag, HostNode};
use crate::span::Span;
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
    pub(crate) fn from_token(t: &str) -> Option<BinOp> {
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
    pub(crate) fn lbp(self) -> u8 {
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
    /// `{% localtime [on|off] %}…{% endlocaltime %}` (library `tz`): whether aware
    /// datetimes inside are shown in the current time zone (Django's `context.use_tz`).
    LocalTime(bool, Vec<Node>, Span),
    /// `{% timezone tz %}…{% endtimezone %}` (library `tz`): the current time zone
    /// inside (Django's `timezone.override`).
    TimeZone(FilterExpr, Vec<Node>, Span),
    /// `{% get_current_timezone as var %}` (library `tz`).
    CurrentTimeZone(Arc<str>, Span),
    /// `{% localize [on|off] %}…{% endlocalize %}` (library `l10n`): whether values
    /// inside are localized (Django's `context.use_l10n`).
    Localize(bool, Vec<Node>, Span),
    /// `{% cache timeout name [vary_on …] [using="cache"] %}…{% endcache %}` (library
    /// `cache`).
    Cache(Box<CacheNode>),
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

/// `{% cache %}` (Django's `CacheNode`): the fragment is looked up in Django's cache
/// framework through the [`Host`](super::host::Host) and rendered only when missing.
#[derive(Debug, Clone)]
pub struct CacheNode {
    /// The timeout in seconds (`None` resolved: forever); `int()` of what it resolves to.
    pub timeout: FilterExpr,
    /// The fragment's name, taken as written (never a variable, as in Django).
    pub fragment: Arc<str>,
    /// The values the cache key varies on (each written with Python's `str`).
    pub vary_on: Vec<FilterExpr>,
    /// `using="name"`: the cache's alias (default: `template_fragments`, else `default`).
    pub using: Option<FilterExpr>,
    /// What is cached.
    pub body: Vec<Node>,
    /// The tag.
    pub span: Span,
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

impl Node {
    /// Call `f` on each node list directly inside this node, in source order: the
    /// lists Django's `Node.get_nodes_by_type` descends into (each node class's
    /// `child_nodelists`): every branch of `{% if %}`, the body and `{% empty %}` of
    /// `{% for %}`, both parts of `{% ifchanged %}`, and the body of `{% with %}`,
    /// `{% autoescape %}`, `{% spaceless %}`, `{% filter %}`, `{% block %}`,
    /// `{% language %}`, `{% cache %}`, `{% localtime %}`, `{% timezone %}`,
    /// `{% localize %}`, `{% partialdef %}` and a registered block tag. This is the one
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
            | Node::Language(_, body, _)
            | Node::LocalTime(_, body, _)
            | Node::TimeZone(_, body, _)
            | Node::Localize(_, body, _) => f(body),
            Node::Block(b) => f(&b.body),
            Node::PartialDef(_, _, body, _) => f(body),
            Node::Custom(c) => f(&c.body),
            Node::Cache(c) => f(&c.body),
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
