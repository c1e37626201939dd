//! The variable paths a template reads, for query planning (issue 22, point 4): which
//! attributes of which context values a render will look up, so the Python side can
//! fetch a QuerySet's relations with `select_related`/`prefetch_related` up front
//! instead of one query per row (`djust.query_planning`).
//!
//! A path is the context name and the lookups after it, with [`ITEM`] standing for
//! "each item of": in
//!
//! ```text
//! {% for p in products %}{{ p.category.name }}{% for t in p.tags.all %}{{ t }}{% endfor %}{% endfor %}
//! ```
//!
//! the paths are `products`, `products.[].category.name`, `products.[].tags.all` and
//! `products.[].tags.all.[]`. Loop variables (`{% for %}`, one name), `{% with %}`
//! names bound to a plain lookup, and an `{% include %}`'s `with` names are followed
//! back to what they stand for; a name bound to anything else (a literal, a filtered
//! value, an unpacked tuple, `forloop`) hides the name inside its scope. Templates a
//! template includes or extends by a literal name are read too (the engine loads them;
//! at most [`MAX_TEMPLATES`] templates, each once per scope), so the result is a
//! superset of what a render can read: a path of a branch that does not render, or of a
//! block the child overrides, is still listed, which costs at most an unneeded join.

use super::engine::Engine;
use super::expr::{FilterExpr, Operand};
use super::nodes::{Cond, Node, TransPart};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The segment that stands for "each item of" the path before it.
pub const ITEM: &str = "[]";

/// How many templates (the first one, and those it includes or extends) one call reads.
pub const MAX_TEMPLATES: usize = 64;

/// What a name means inside a scope: the path it stands for, or nothing plannable.
type Binding = Option<Vec<Arc<str>>>;

struct Walker<'e> {
    engine: &'e Engine,
    paths: BTreeSet<String>,
    scopes: Vec<HashMap<Arc<str>, Binding>>,
    loaded: usize,
}

/// The variable paths `nodes` (a template of `engine`) read, sorted, as
/// dot-joined strings (see the module documentation). Never fails: a template that
/// cannot be loaded is skipped.
pub fn variable_paths(engine: &Engine, nodes: &[Node]) -> Vec<String> {
    let mut walker = Walker {
        engine,
        paths: BTreeSet::new(),
        scopes: vec![HashMap::new()],
        loaded: 1,
    };
    walker.nodes(nodes);
    walker.paths.into_iter().collect()
}

impl Walker<'_> {
    /// The path `lookup` stands for in the current scopes.
    fn resolve(&self, lookup: &[Arc<str>]) -> Binding {
        let (first, rest) = lookup.split_first()?;
        for scope in self.scopes.iter().rev() {
            if let Some(binding) = scope.get(first) {
                let mut path = binding.clone()?;
                path.extend(rest.iter().cloned());
                return Some(path);
            }
        }
        Some(lookup.to_vec())
    }

    fn record(&mut self, path: &[Arc<str>]) {
        if !path.is_empty() {
            self.paths.insert(path.join("."));
        }
    }

    fn operand(&mut self, operand: &Operand) -> Binding {
        match operand {
            Operand::Lookup(parts) => {
                let path = self.resolve(parts);
                if let Some(p) = &path {
                    self.record(p);
                }
                path
            }
            _ => None,
        }
    }

    /// Record what `expr` reads; the path it stands for when it has no filters.
    fn expr(&mut self, expr: &FilterExpr) -> Binding {
        let path = self.operand(&expr.operand);
        for call in &expr.filters {
            if let Some(arg) = &call.arg {
                self.operand(arg);
            }
        }
        if expr.filters.is_empty() {
            path
        } else {
            None
        }
    }

    fn cond(&mut self, cond: &Cond) {
        match cond {
            Cond::Operand(e) => {
                self.expr(e);
            }
            Cond::Not(c) => self.cond(c),
            Cond::Binary(_, a, b) => {
                self.cond(a);
                self.cond(b);
            }
        }
    }

    fn scoped(&mut self, scope: HashMap<Arc<str>, Binding>, body: &[Node]) {
        self.scopes.push(scope);
        self.nodes(body);
        self.scopes.pop();
    }

    /// Read the template `name` (a literal) in a scope of `bindings`, alone when `only`.
    fn template(&mut self, name: &FilterExpr, bindings: HashMap<Arc<str>, Binding>, only: bool) {
        let Operand::Literal(value) = &name.operand else {
            return;
        };
        if !name.filters.is_empty() || self.loaded >= MAX_TEMPLATES {
            return;
        }
        let Ok(template) = self.engine.get_template(&value.to_py_str()) else {
            return;
        };
        self.loaded += 1;
        let saved = if only {
            Some(std::mem::replace(&mut self.scopes, vec![HashMap::new()]))
        } else {
            None
        };
        self.scoped(bindings, &template.nodes);
        if let Some(scopes) = saved {
            self.scopes = scopes;
        }
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Var(e) => {
                self.expr(e);
            }
            Node::If(branches, _) => {
                for (cond, body) in branches {
                    if let Some(c) = cond {
                        self.cond(c);
                    }
                    self.nodes(body);
                }
            }
            Node::For(f) => {
                let sequence = self.expr(&f.sequence);
                let mut scope = HashMap::new();
                scope.insert(Arc::from("forloop"), None);
                let item = match (&sequence, f.loopvars.as_slice()) {
                    (Some(seq), [_]) => {
                        let mut each = seq.clone();
                        each.push(Arc::from(ITEM));
                        Some(each)
                    }
                    _ => None,
                };
                for var in &f.loopvars {
                    scope.insert(var.clone(), item.clone());
                }
                self.scoped(scope, &f.body);
                self.nodes(&f.empty);
            }
            Node::With(bindings, body, _) => {
                let scope = bindings
                    .iter()
                    .map(|(name, e)| (name.clone(), self.expr(e)))
                    .collect();
                self.scoped(scope, body);
            }
            Node::Cycle(c) => {
                for v in &c.values {
                    self.expr(v);
                }
            }
            Node::Firstof(values, _, _) => {
                for v in values {
                    self.expr(v);
                }
            }
            Node::WidthRatio(values, _, _) => {
                for v in values.iter() {
                    self.expr(v);
                }
            }
            Node::Filter(calls, body, _) => {
                for call in calls {
                    if let Some(arg) = &call.arg {
                        self.operand(arg);
                    }
                }
                self.nodes(body);
            }
            Node::IfChanged(n) => {
                for v in &n.values {
                    self.expr(v);
                }
                self.nodes(&n.body);
                self.nodes(&n.otherwise);
            }
            Node::Extends(parent, _) => {
                self.expr(parent);
                self.template(parent, HashMap::new(), false);
            }
            Node::Include(inc) => {
                self.expr(&inc.template);
                let scope = inc
                    .extra
                    .iter()
                    .map(|(name, e)| (name.clone(), self.expr(e)))
                    .collect();
                self.template(&inc.template, scope, inc.only);
            }
            Node::Regroup(pair, _, _) => {
                let (list, key) = &**pair;
                self.expr(list);
                self.expr(key);
            }
            Node::Lorem(count, _, _, _) => {
                self.expr(count);
            }
            Node::Url(u) => {
                self.expr(&u.name);
                for a in &u.args {
                    self.expr(a);
                }
                for (_, a) in &u.kwargs {
                    self.expr(a);
                }
            }
            Node::Static(e, _, _) | Node::LanguageInfo(e, _, _, _) => {
                self.expr(e);
            }
            Node::Translate(t) => {
                self.expr(&t.message);
                if let Some(c) = &t.context {
                    self.expr(c);
                }
            }
            Node::BlockTranslate(t) => {
                let mut scope: HashMap<Arc<str>, Binding> = t
                    .extra
                    .iter()
                    .map(|(name, e)| (name.clone(), self.expr(e)))
                    .collect();
                if let Some((name, e)) = &t.count {
                    let bound = self.expr(e);
                    scope.insert(name.clone(), bound);
                }
                if let Some(c) = &t.context {
                    self.expr(c);
                }
                self.scopes.push(scope);
                for part in t.singular.iter().chain(&t.plural) {
                    if let TransPart::Var(name) = part {
                        self.operand(&Operand::Lookup(Arc::from(vec![name.clone()])));
                    }
                }
                self.scopes.pop();
            }
            Node::Language(e, body, _) | Node::TimeZone(e, body, _) => {
                self.expr(e);
                self.nodes(body);
            }
            Node::Cache(c) => {
                self.expr(&c.timeout);
                for e in c.vary_on.iter().chain(&c.using) {
                    self.expr(e);
                }
                self.nodes(&c.body);
            }
            Node::Custom(c) => {
                for a in &c.args {
                    self.expr(a);
                }
                for (_, a) in &c.kwargs {
                    self.expr(a);
                }
                self.nodes(&c.body);
            }
            // What is left holds no variables, or only node lists.
            other => other.for_each_child_list(&mut |body| self.nodes(body)),
        }
    }
}
