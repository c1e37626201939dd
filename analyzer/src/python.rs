//! The Python side: parse a file once and keep a compact summary of it.
//!
//! A file is checked for nesting past CPython's limits (`python_depth`, on Ruff's
//! lexer), then parsed once by Ruff's parser (`ruff_python_parser`), which recovers
//! from syntax errors: a half-typed file still yields its classes, handlers and state.
//! `# noqa` comments come from the parser's tokens, so they are real comments, never
//! text inside strings. While the AST is alive, the per-file rules run over it (V006) and the facts the
//! cross-file rules need are extracted (imports, classes and their bases,
//! `template_name`, handler candidates for V007, `TEMPLATES[...]["DIRS"]`). The AST
//! is then dropped, so a run over 10,000 files holds summaries, not trees.

use crate::ast_util::{child_bodies, dotted, is_true, methods, span_of, str_const, FnDef};
use crate::finding::{FileId, Finding};
use crate::noqa;
use crate::rules;
use compact_str::CompactString;
use djust_runtime::{LineIndex, Span};
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{self as ast, Expr, PySourceType, Stmt};
use ruff_text_size::Ranged;
use std::path::Path;

pub use crate::summary::python::*;

/// Inputs for summarising one file.
pub struct PyInput<'a> {
    /// File id for findings.
    pub file: FileId,
    /// Source text.
    pub source: &'a str,
    /// Its line index.
    pub lines: &'a LineIndex,
    /// Absolute path (for `__file__` in settings).
    pub abs_path: &'a Path,
    /// Dotted module name.
    pub module: String,
    /// True for `__init__.py`.
    pub is_package: bool,
    /// Extra V006 factories from the configuration.
    pub extra_factories: &'a [String],
}

/// Parse a Python module for a tool that edits it (`djust new --wire`): its statements,
/// with byte ranges into `source`. The same depth limits as the analysis apply
/// (`python_depth`); `Err` is a one-line reason (a syntax error with its position, or
/// nesting past CPython's limits).
pub fn parse_module(source: &str) -> Result<Vec<Stmt>, String> {
    let line_at = |at: usize| source.get(..at).unwrap_or(source).matches('\n').count() + 1;
    if let Some((kind, at)) = crate::python_depth::check(source) {
        return Err(format!("line {}: {}", line_at(at), kind.message()));
    }
    match ruff_python_parser::parse_module(source) {
        Ok(parsed) => Ok(parsed.into_suite().into_iter().collect()),
        Err(e) => Err(format!(
            "line {}: {}",
            line_at(usize::from(e.location.start())),
            e.error
        )),
    }
}

/// Parse a Python file and summarise it. A syntax error becomes an E001 finding and the
/// rest of the file is summarised from the parser's recovered tree; a file nested past
/// CPython's limits is an E001 finding and an empty summary. The run goes on.
pub fn summarize(input: &PyInput<'_>) -> (PyFile, Vec<Finding>) {
    let mut file = PyFile {
        module: input.module.as_str().into(),
        is_package: input.is_package,
        ..PyFile::default()
    };
    let mut findings = Vec::new();
    // Checked before parsing, so neither the parser nor the walks below ever see a
    // tree deeper than CPython accepts (`python_depth`).
    if let Some((kind, at)) = crate::python_depth::check(input.source) {
        findings.push(rules::e001::too_deep(input.file, input.source, kind, at));
        return (file, findings);
    }
    let parsed = ruff_python_parser::parse_unchecked_source(input.source, PySourceType::Python);
    let mut line_noqa: std::collections::HashMap<usize, noqa::Noqa> = std::collections::HashMap::new();
    let mut facts = NoqaFacts::default();
    for token in parsed.tokens() {
        if token.kind() != TokenKind::Comment {
            continue;
        }
        let range = token.range();
        let Some(text) = input
            .source
            .get(usize::from(range.start())..usize::from(range.end()))
        else {
            continue;
        };
        let line = input.lines.line_of(usize::from(range.start()));
        let at = usize::from(range.start());
        if let Some(d) = noqa::python_file_directive(text, at, input.source)
            .or_else(|| noqa::python_line_directive(text, at, input.source, line))
        {
            facts.noqa_directives.push(d);
        }
        if let Some(n) = noqa::python_file_noqa(text) {
            facts.file_noqa = Some(match facts.file_noqa.take() {
                Some(prev) => prev.merge(n),
                None => n,
            });
        } else if let Some(n) = noqa::python_line_noqa(text) {
            let merged = match line_noqa.remove(&line) {
                Some(prev) => prev.merge(n),
                None => n,
            };
            line_noqa.insert(line, merged);
        }
    }
    facts.line_noqa = line_noqa.into_iter().collect();
    file.noqa = (!facts.is_empty()).then(|| Box::new(facts));
    if let Some(err) = parsed.errors().first() {
        findings.push(rules::e001::finding(input.file, input.source, err));
    }
    let body = parsed.suite();
    let mut imports = Vec::new();
    collect_imports(body, &mut file, &mut imports);
    file.imports = Imports::from_entries(imports);
    let mut defined = Vec::new();
    collect_defined(body, &mut defined);
    file.defined = defined.into_iter().collect();
    let bound: std::collections::HashSet<String> = file
        .imports
        .keys()
        .chain(file.defined.iter().map(CompactString::as_str))
        .map(|n| n.to_string())
        .collect();
    crate::checker::check_module(input.file, input.source, input.lines, &bound, body, &mut findings);
    let mut ctx = Collector {
        input,
        file: &mut file,
        findings: &mut findings,
        safe_functions: rules::v008::safe_functions(body),
        imported_calls: std::cell::RefCell::new(Vec::new()),
    };
    ctx.classes_in(body, None, &mut String::new());
    let Collector {
        safe_functions,
        imported_calls,
        ..
    } = ctx;
    let mut safe_functions: Vec<String> = safe_functions.into_iter().collect();
    safe_functions.sort();
    file.safe_functions = safe_functions.into();
    file.imported_state_calls = imported_calls.into_inner().into();
    let config = ConfigFacts {
        template_dirs: crate::settings_eval::template_dirs(body, input.abs_path).into(),
        settings: crate::settings_eval::settings(body).into(),
        settings_module_default: crate::settings_eval::settings_module_default(body),
        websocket_stack: crate::settings_eval::websocket_stack(body),
    };
    file.config = (!config.is_empty()).then(|| Box::new(config));
    (file, findings)
}

/// Whether `body` calls `super().name(…)` (or `super(Cls, self).name(…)`) anywhere.
/// The tree is as deep as `python_depth` allows, so the walk's recursion is bounded.
fn calls_super(body: &[Stmt], name: &str) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Finder<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                if let Expr::Attribute(a) = call.func.as_ref() {
                    if a.attr.as_str() == self.name
                        && matches!(a.value.as_ref(), Expr::Call(inner)
                            if matches!(inner.func.as_ref(), Expr::Name(n) if n.id.as_str() == "super"))
                    {
                        self.found = true;
                    }
                }
            }
            if !self.found {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut finder = Finder { name, found: false };
    finder.visit_body(body);
    finder.found
}

struct Collector<'a, 'b> {
    input: &'a PyInput<'b>,
    file: &'a mut PyFile,
    findings: &'a mut Vec<Finding>,
    /// The module's functions with a return annotation V008 accepts.
    safe_functions: std::collections::HashSet<String>,
    /// V008's calls of imported functions, collected while the classes are read.
    imported_calls: std::cell::RefCell<Vec<crate::summary::python::ImportedCall>>,
}

impl Collector<'_, '_> {
    /// Find classes anywhere in `stmts` (nested in functions and other classes too).
    /// `prefix` is the qualified name's start for a class found here (`""`, `C.`,
    /// `f.<locals>.`): one buffer for the whole walk, each level's part pushed and taken
    /// off again (a `format!` per class and per function cost 1.1% of a cold run on the
    /// 10k tree).
    fn classes_in(&mut self, stmts: &[Stmt], parent: Option<usize>, prefix: &mut String) {
        for stmt in stmts {
            let len = prefix.len();
            if let Stmt::ClassDef(class) = stmt {
                let idx = self.class(class, parent, prefix);
                // Its qualified name, then a dot.
                prefix.push_str(&class.name);
                prefix.push('.');
                self.classes_in(&class.body, Some(idx), prefix);
            } else {
                let mut nested: Vec<&[Stmt]> = Vec::new();
                child_bodies(stmt, &mut |b| nested.push(b));
                if nested.is_empty() {
                    continue;
                }
                // A function's classes are `f.<locals>.C`; an `if`'s or a `with`'s keep
                // the prefix.
                if let Some(f) = FnDef::from_stmt(stmt) {
                    prefix.push_str(f.name);
                    prefix.push_str(".<locals>.");
                }
                for b in nested {
                    self.classes_in(b, parent, prefix);
                }
            }
            prefix.truncate(len);
        }
    }

    fn class(&mut self, class: &ast::StmtClassDef, parent: Option<usize>, prefix: &str) -> usize {
        let name = class.name.to_string();
        let bases = class
            .bases()
            .iter()
            .map(|b| match dotted(b) {
                Some(parts) => BaseRef::Dotted(CompactString::from(parts.join("."))),
                None => BaseRef::Other,
            })
            .collect();
        let mut is_abstract = false;
        let mut template_name = None;
        let mut declares_access = false;
        for stmt in &class.body {
            let (targets, value): (Vec<&Expr>, Option<&Expr>) = match stmt {
                Stmt::Assign(a) => (a.targets.iter().collect(), Some(&*a.value)),
                Stmt::AnnAssign(a) => (vec![&a.target], a.value.as_deref()),
                _ => continue,
            };
            let Some(value) = value else { continue };
            for t in targets {
                if let Expr::Name(n) = t {
                    match n.id.as_str() {
                        "abstract" if is_true(value) => is_abstract = true,
                        "login_required" | "permission_required" => declares_access = true,
                        "template_name" => {
                            if let Some(s) = str_const(value) {
                                template_name = Some((s.into(), span_of(value).into()));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        let start = span_of(class).start;
        let header = Span::new(
            start,
            class.body.first().map(|b| span_of(b).start).unwrap_or(start),
        );
        let idx = self.file.classes.len();
        self.file.classes.push(PyClass {
            nested_name: (!prefix.is_empty()).then(|| format!("{prefix}{name}").into()),
            name: name.as_str().into(),
            // A file holds far fewer than 4 billion classes (it is at most 32 MiB).
            parent: parent.and_then(|p| u32::try_from(p).ok()),
            bases,
            is_abstract,
            template_name,
            declares_access,
            state: crate::python_state::collect(&class.body).into(),
            methods: methods(&class.body)
                .iter()
                .map(|f| {
                    let start = f.span.start;
                    let line_start = self.input.source[..start].rfind('\n').map_or(0, |i| i + 1);
                    let indent: String = self.input.source[line_start..start]
                        .chars()
                        .take_while(|c| c.is_whitespace())
                        .collect();
                    Method {
                        name: f.name.into(),
                        name_span: f.name_span.into(),
                        positional: u16::try_from(f.args.posonlyargs.len() + f.args.args.len())
                            .unwrap_or(u16::MAX),
                        var_positional: f.args.vararg.is_some(),
                        decorators: u16::try_from(f.decorators.len()).unwrap_or(u16::MAX),
                        insert_at: u32::try_from(start).unwrap_or(u32::MAX),
                        indent: u16::try_from(indent.len()).unwrap_or(u16::MAX),
                        indent_tabs: indent.starts_with('\t'),
                        calls_super: matches!(f.name, "get" | "dispatch") && calls_super(f.body, f.name),
                    }
                })
                .collect(),
            span: self
                .input
                .lines
                .line_span(self.input.source, self.input.lines.line_of(header.start))
                .into(),
        });

        // Per-class rules over the live AST.
        let resolver = LocalResolver { file: self.file };
        let mut handlers = Vec::new();
        for f in methods(&class.body) {
            if f.name == "mount" {
                rules::v006::check_mount(
                    &rules::v006::MountContext {
                        file: self.input.file,
                        source: self.input.source,
                        lines: self.input.lines,
                        resolve: &|path: &str| resolver.resolve(path),
                        extra_factories: self.input.extra_factories,
                        safe_functions: &self.safe_functions,
                        imported_calls: &self.imported_calls,
                    },
                    &f,
                    self.findings,
                );
            }
            if !f.decorators.is_empty() {
                handlers.extend(rules::v007::candidate(
                    self.input.source,
                    self.input.lines,
                    &f,
                    idx,
                    &|path| resolver.resolve(path),
                ));
            }
        }
        self.file.handlers.extend(handlers);
        idx
    }
}

/// Resolves a dotted name through one file's imports only.
struct LocalResolver<'a> {
    file: &'a PyFile,
}

impl LocalResolver<'_> {
    /// `eh` → `djust.decorators.event_handler`; `r.Redis` → `redis.Redis`.
    /// Names bound by nothing in the file come back unchanged.
    fn resolve(&self, path: &str) -> String {
        let (head, rest) = match path.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (path, None),
        };
        match self.file.imports.get(head) {
            Some(b) => match rest {
                Some(r) => format!("{}.{r}", b.path(head)),
                None => b.path(head),
            },
            None => path.to_string(),
        }
    }
}

/// Absolute module for a `from` import at `level` (number of leading dots).
pub fn absolute_module(current: &str, is_package: bool, level: usize, module: Option<&str>) -> String {
    if level == 0 {
        return module.unwrap_or("").to_string();
    }
    let mut parts: Vec<&str> = if current.is_empty() {
        Vec::new()
    } else {
        current.split('.').collect()
    };
    if !is_package {
        parts.pop();
    }
    for _ in 1..level {
        parts.pop();
    }
    let mut base = parts.join(".");
    if let Some(m) = module {
        if !base.is_empty() {
            base.push('.');
        }
        base.push_str(m);
    }
    base
}

/// The module-level imports of `stmts` into `imports`, in source order (the last
/// binding of a name is the one [`SortedMap::from_entries`] keeps); star imports into
/// `file`.
fn collect_imports(stmts: &[Stmt], file: &mut PyFile, imports: &mut Vec<(CompactString, Binding)>) {
    for stmt in stmts {
        match stmt {
            Stmt::Import(i) => {
                for alias in &i.names {
                    let full = alias.name.to_string();
                    match &alias.asname {
                        Some(as_) => {
                            imports.push((as_.as_str().into(), Binding::ModuleAs(full.into())));
                        }
                        None => {
                            let head = full.split('.').next().unwrap_or(&full).to_string();
                            imports.push((head.as_str().into(), Binding::Module));
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                let level = i.level as usize;
                let module = absolute_module(
                    &file.module,
                    file.is_package,
                    level,
                    i.module.as_ref().map(|m| m.as_str()),
                );
                for alias in &i.names {
                    let name = alias.name.to_string();
                    if name == "*" {
                        file.star_imports.push(module.clone());
                        continue;
                    }
                    let module = CompactString::from(module.as_str());
                    match &alias.asname {
                        Some(local) if local.as_str() != name => imports.push((
                            local.as_str().into(),
                            Binding::MemberAs(Box::new((module, name.into()))),
                        )),
                        _ => imports.push((name.into(), Binding::Member(module))),
                    }
                }
            }
            // Imports under `if TYPE_CHECKING:` / `try:` at module level count too.
            Stmt::If(_) | Stmt::Try(_) | Stmt::With(_) => {
                child_bodies(stmt, &mut |b| collect_imports(b, file, imports));
            }
            _ => {}
        }
    }
}

/// The other top-level names `stmts` define (functions, assigned names), into `defined`.
fn collect_defined(stmts: &[Stmt], defined: &mut Vec<CompactString>) {
    for stmt in stmts {
        match stmt {
            Stmt::FunctionDef(f) => {
                defined.push(f.name.as_str().into());
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        defined.push(n.id.as_str().into());
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let Expr::Name(n) = a.target.as_ref() {
                    defined.push(n.id.as_str().into());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run holds every summary: what a few files of a project set (configuration,
    /// `noqa` directives) is boxed, and absent from the ordinary module.
    #[test]
    fn configuration_and_noqa_are_held_only_by_files_that_have_them() {
        let (plain, _) = summary("from djust import LiveView\n\nclass V(LiveView):\n    x = 1\n");
        assert!(plain.config.is_none() && plain.noqa.is_none());
        assert!(plain.template_dirs().is_empty() && plain.settings().is_empty());
        assert_eq!((plain.file_noqa(), plain.line_noqa(0)), (None, None));

        let (settings, _) = summary(
            "import os\nDEBUG = True\nINSTALLED_APPS = [\"djust\", \"shop\"]\n\
             os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n",
        );
        assert!(settings.noqa.is_none());
        assert_eq!(settings.installed_apps(), ["djust", "shop"]);
        assert_eq!(settings.settings_module_default(), Some("shop.settings"));
        assert_eq!(settings.settings().len(), 2);

        let (quiet, _) = summary("import os  # noqa: F401\nx = 1\n");
        assert!(quiet.config.is_none());
        assert!(quiet.line_noqa(0).is_some() && quiet.line_noqa(1).is_none());
        assert_eq!(quiet.noqa_directives().len(), 1);
        assert!(quiet.file_noqa().is_none());
    }

    /// The summary and the finding codes of `src` as `shop/views.py`.
    fn summary(src: &str) -> (PyFile, Vec<&'static str>) {
        let lines = LineIndex::new(src);
        let input = PyInput {
            file: 0,
            source: src,
            lines: &lines,
            abs_path: Path::new("/p/shop/views.py"),
            module: "shop.views".into(),
            is_package: false,
            extra_factories: &[],
        };
        let (file, findings) = summarize(&input);
        (file, findings.iter().map(|f| f.rule.code()).collect())
    }

    /// `Class` and `Class.method` for every class and decorated method.
    fn names(file: &PyFile) -> Vec<String> {
        let mut out: Vec<String> = file.classes.iter().map(|c| c.qualname().to_string()).collect();
        out.extend(
            file.handlers
                .iter()
                .map(|h| format!("{}.{}", file.classes[h.class as usize].qualname(), h.name)),
        );
        out
    }

    /// Each class's qualified name follows its nesting (Python's `__qualname__`): in a
    /// class, in a function (`<locals>`), in an `if`; and a class after a nested one
    /// takes none of its prefix.
    #[test]
    fn qualified_names_follow_the_nesting() {
        let (file, _) = summary(
            "class A:\n    class B:\n        class C: pass\n    class D: pass\n\
             def f():\n    class E:\n        def g(self):\n            class F: pass\n\
             if True:\n    class G: pass\n\
             class H:\n    def m(self):\n        if x:\n            class I: pass\n    class J: pass\n\
             class K: pass\n",
        );
        let names: Vec<&str> = file.classes.iter().map(|c| c.qualname()).collect();
        assert_eq!(
            names,
            [
                "A",
                "A.B",
                "A.B.C",
                "A.D",
                "f.<locals>.E",
                "f.<locals>.E.g.<locals>.F",
                "G",
                "H",
                "H.m.<locals>.I",
                "H.J",
                "K"
            ]
        );
        let top: Vec<bool> = file.classes.iter().map(|c| c.is_top()).collect();
        assert_eq!(
            top,
            [true, false, false, false, false, false, true, true, false, false, true]
        );
    }

    #[test]
    fn a_check_run_drops_only_what_no_rule_can_read() {
        // Readable inheritance keeps methods and state: djust's classes, the run's own
        // modules, names the module defines, `object`, no base, and nested classes.
        // A base from a module outside the run, or one that is not a name, drops them.
        let (mut file, _) = summary(
            "from typing import Generic, TypeVar\n\
             from django.db import models\n\
             import django.test\n\
             from djust import LiveView\n\
             from shop import base\n\
             T = TypeVar('T')\n\
             class Local:\n    x = 1\n    def f(self): pass\n\
             class View(LiveView):\n    count = 0\n    def mount(self, request): pass\n\
             class Mixed(base.Mixin, Local, object):\n    y = 1\n    def g(self): pass\n\
             class Plain:\n    z = 1\n    def h(self): pass\n\
             class Model(models.Model):\n    name = 1\n    def __str__(self): return ''\n\
             class Test(django.test.TestCase):\n    a = 1\n    def test(self): pass\n\
             class Box(Generic[T]):\n    b = 1\n    def get(self): pass\n\
             class Outer(models.Model):\n    class Inner(models.Model):\n        c = 1\n        def i(self): pass\n",
        );
        let outside = file.drop_unreadable_class_details(|first| first == "shop");
        // What the drop relied on, for the cache: `django` is outside this run
        // (`Generic[T]` is unreadable in any run).
        assert_eq!(outside, ["django"]);
        let kept: Vec<(String, usize, usize)> = file
            .classes
            .iter()
            .map(|c| (c.qualname().to_string(), c.methods.len(), c.state.len()))
            .collect();
        let expect = [
            ("Local", 1, 1),
            ("View", 1, 1),
            ("Mixed", 1, 1),
            ("Plain", 1, 1),
            ("Model", 0, 0),
            ("Test", 0, 0),
            ("Box", 0, 0),
            ("Outer", 0, 0),
            ("Outer.Inner", 1, 1),
        ];
        assert_eq!(
            kept,
            expect
                .iter()
                .map(|(n, m, s)| (n.to_string(), *m, *s))
                .collect::<Vec<_>>()
        );
        // The classes themselves stay, for resolution.
        assert!(file.top_class("Model").is_some() && file.top_class("Box").is_some());
    }

    /// A top-level name binds its last class, as Python rebinds it; nested classes and
    /// classes inside functions are not top-level names.
    #[test]
    fn a_top_level_class_name_binds_its_last_definition() {
        let src = "class A(LiveView):\n    pass\n\nclass B:\n    class C:\n        pass\n\ndef f():\n    class D:\n        pass\n\nclass A:\n    pass\n";
        let (file, _) = summary(src);
        let names: Vec<&str> = file.classes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D", "A"]);
        assert_eq!(file.top_class("A"), Some(4));
        assert_eq!(file.top_class("B"), Some(1));
        assert_eq!(file.top_class("C"), None);
        assert_eq!(file.top_class("D"), None);
        assert_eq!(file.top_classes().collect::<Vec<_>>(), [("B", 1), ("A", 4)]);
    }

    // Half-typed code: Ruff's parser recovers the rest of the file (these are the
    // cases tree-sitter-python's recovery was kept for; Ruff's recovery covers them all,
    // so it is gone).
    #[test]
    fn a_half_typed_method_keeps_the_rest_of_the_class() {
        let src = "class V(LiveView):\n    template_name = 'v.html'\n\n    def mount(self, request):\n        self.count = \n\n    @event_handler\n    def inc(self, **kwargs):\n        self.count += 1\n";
        let (file, codes) = summary(src);
        assert_eq!(codes, ["E001"]);
        assert_eq!(names(&file), ["V", "V.inc"]);
        assert_eq!(
            file.classes[0].template_name.as_ref().map(|t| &*t.0),
            Some("v.html")
        );
        assert!(file.classes[0].state.iter().any(|s| s.name == "count"));
    }

    #[test]
    fn a_broken_def_before_another_method_takes_only_itself() {
        let src = "class V(LiveView):\n    def mount(self):\n        self.a = 1\n\n    def broken(self\n        self.x = \n\n    def _refresh(self):\n        rows = f(self.a)\n        self.b = rows\n\n    @event_handler\n    def search(self, **kwargs):\n        pass\n";
        let (file, codes) = summary(src);
        assert_eq!(codes, ["E001"]);
        assert!(
            names(&file).contains(&"V.search".to_string()),
            "{:?}",
            names(&file)
        );
    }

    #[test]
    fn a_def_without_a_body_yet_at_the_end_of_the_file() {
        let src = "class V(LiveView):\n    @event_handler\n    def a(self, **kw):\n        pass\n\n    @event_handler\n    def b(self, **kw):\n";
        let (file, codes) = summary(src);
        assert_eq!(codes, ["E001"]);
        assert!(
            names(&file).starts_with(&["V".to_string(), "V.a".to_string()]),
            "{:?}",
            names(&file)
        );
    }

    #[test]
    fn an_unclosed_call_keeps_the_class_and_its_offsets() {
        let src = "import x\n\nclass V(LiveView):\n    def a(self):\n        foo(1,\n\n    @event_handler\n    def b(self, **kw):\n        pass\n";
        let (file, codes) = summary(src);
        assert_eq!(codes, ["E001"]);
        assert_eq!(file.classes[0].name, "V");
        assert_eq!(
            file.classes[0].span.start(),
            src.find("class").unwrap_or(usize::MAX)
        );
        assert!(file.imports.contains_key("x"));
    }

    /// A handler candidate keeps only the decorators that may be djust's handler
    /// decorator, and a method with none is no candidate (V007, the class rules and the
    /// language server read nothing else of it).
    #[test]
    fn handler_candidates_keep_only_what_may_be_a_handler_decorator() {
        let (file, _) = summary(
            "from djust import LiveView\nfrom djust.decorators import event_handler as eh, debounce\n\
             class V(LiveView):\n    @property\n    def total(self): return 1\n\
             \x20   @debounce(wait=0.3)\n    def typed(self, value): pass\n\
             \x20   @eh\n    @debounce(wait=0.3)\n    def search(self, value): pass\n\
             \x20   @action()\n    def save(self): pass\n",
        );
        // Each decorator with whether it is borrowed: djust's own paths cost no
        // allocation, any other is the file's own string.
        let kept: Vec<(String, Vec<(String, bool)>)> = file
            .handlers
            .iter()
            .map(|h| {
                let decorators = h
                    .decorators
                    .iter()
                    .map(|d| (d.to_string(), matches!(d, std::borrow::Cow::Borrowed(_))))
                    .collect();
                (h.name.to_string(), decorators)
            })
            .collect();
        assert_eq!(
            kept,
            [
                (
                    "search".to_string(),
                    vec![("djust.decorators.event_handler".to_string(), true)]
                ),
                ("save".to_string(), vec![("action".to_string(), false)]),
            ]
        );
    }

    /// Each import form binds its name to the dotted path Python would, whether the
    /// binding keeps the module only (the name is the bound one) or both names.
    #[test]
    fn imports_bind_the_paths_python_would() {
        let (file, _) = summary(
            "import os\nimport a.b\nimport a.b as ab\nfrom m.n import q\nfrom m.n import q as r\n\
             from m import s as s\nfrom . import forms\nfrom ..top import t as u\n",
        );
        let bound: Vec<(String, String)> = file
            .imports
            .iter()
            .map(|(name, b)| (name.to_string(), b.path(name)))
            .collect();
        let expect = [
            ("a", "a"),
            ("ab", "a.b"),
            ("forms", "shop.forms"),
            ("os", "os"),
            ("q", "m.n.q"),
            ("r", "m.n.q"),
            ("s", "m.s"),
            ("u", "top.t"),
        ];
        assert_eq!(
            bound,
            expect
                .iter()
                .map(|(n, p)| (n.to_string(), p.to_string()))
                .collect::<Vec<_>>()
        );
        // An alias keeps both names; a name bound to itself keeps the module only.
        assert!(matches!(file.imports.get("r"), Some(Binding::MemberAs(_))));
        assert!(matches!(file.imports.get("s"), Some(Binding::Member(_))));
        assert!(matches!(file.imports.get("a"), Some(Binding::Module)));
    }

    #[test]
    fn text_that_is_not_python_is_one_finding_and_no_panic() {
        for src in [
            "(((((",
            "def",
            "class :\n  ::",
            "\u{feff}é = (",
            "\tif x:\n  y\n \t z",
        ] {
            let (_, codes) = summary(src);
            assert_eq!(codes, ["E001"], "{src:?}");
        }
    }

    #[test]
    fn relative_imports_resolve_against_the_package() {
        assert_eq!(
            absolute_module("shop.catalog.views", false, 1, Some("mixins")),
            "shop.catalog.mixins"
        );
        assert_eq!(
            absolute_module("shop.catalog.views", false, 2, Some("core")),
            "shop.core"
        );
        assert_eq!(
            absolute_module("shop.catalog", true, 1, Some("views")),
            "shop.catalog.views"
        );
        assert_eq!(
            absolute_module("shop.catalog.views", false, 1, None),
            "shop.catalog"
        );
        assert_eq!(absolute_module("x", false, 0, Some("djust")), "djust");
    }
}
