//! What a Python file is, for the rules: imports, classes with their bases, methods
//! and state, handler candidates, settings, `noqa` directives. Built by
//! [`crate::python::summarize`] from one parse and kept (and cached) instead of the
//! tree; the cross-file rules read only these.

use super::sorted::{SortedMap, SortedSet};
use super::span::CompactSpan;
use crate::noqa::{Directive, Noqa};
use compact_str::CompactString;
use djust_runtime::Span;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::PathBuf;
use thin_vec::ThinVec;

pub use super::imports::{Binding, Imports};

/// A base class expression as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BaseRef {
    /// `Name` or `a.b.Name`, as written (no allocation up to 24 bytes: a list of the
    /// names was two allocations for every class, held through the cross-file rules).
    Dotted(CompactString),
    /// Anything else (`make_base()`, `Generic[T]`, …): never assumed to be a LiveView.
    Other,
}

impl PyClass {
    /// Dotted name within the module (`Outer.Inner`, `f.<locals>.C`; a top-level
    /// class's is its name).
    pub fn qualname(&self) -> &str {
        self.nested_name.as_deref().unwrap_or(&self.name)
    }

    /// Defined at the top of its module: no enclosing class, and not inside a function
    /// (`f.<locals>.C`).
    pub fn is_top(&self) -> bool {
        self.parent.is_none() && self.nested_name.is_none()
    }
}

impl BaseRef {
    /// The names of a dotted base (`["a", "b", "Name"]`), or `None` for any other
    /// expression.
    pub fn parts(&self) -> Option<Vec<&str>> {
        match self {
            BaseRef::Dotted(d) => Some(d.split('.').collect()),
            BaseRef::Other => None,
        }
    }
}

/// A class definition (top-level or nested).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PyClass {
    /// Class name.
    pub name: CompactString,
    /// Dotted name within the module (`Outer.Inner`, `f.<locals>.C`) when it is not
    /// `name` itself: [`PyClass::qualname`]. (Most classes are top-level: a second
    /// copy of each name was held through the cross-file rules.)
    pub nested_name: Option<Box<str>>,
    /// Index of the enclosing class, if nested in one.
    pub parent: Option<u32>,
    /// Base classes, in order.
    pub bases: ThinVec<BaseRef>,
    /// `abstract = True` in the class body.
    pub is_abstract: bool,
    /// `template_name = "…"` in the class body, with the string's span.
    pub template_name: Option<(Box<str>, CompactSpan)>,
    /// Span of the `class` statement's name line (for reporting).
    pub span: CompactSpan,
    /// Public state defined in this class's body (not inherited), in source order.
    pub state: ThinVec<StateVar>,
    /// The methods defined in the class body (under `if`/`try`/`with` too), in order.
    pub methods: ThinVec<Method>,
    /// The class body assigns `login_required` or `permission_required` (any value:
    /// `login_required = False` says the view is public on purpose). S005.
    pub declares_access: bool,
}

/// A method of a class, as the class rules (V001, V003, V004) need it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Method {
    /// Its name.
    pub name: CompactString,
    /// The span of the name after `def`.
    pub name_span: CompactSpan,
    /// How many positional parameters it has (`self` included; at most 65,535 are
    /// counted: a run holds every method, so the counts are 16-bit).
    pub positional: u16,
    /// `*args`?
    pub var_positional: bool,
    /// How many decorators it has (at most 65,535 counted).
    pub decorators: u16,
    /// Where a new outermost decorator goes, a byte offset: the start of the statement
    /// (its first decorator, else `def`). 32-bit: a checked file is at most 32 MiB
    /// ([`crate::source::MAX_FILE_SIZE`]); past 4 GiB it saturates.
    pub insert_at: u32,
    /// The indentation of the `def` line, in bytes (spaces or tabs, as the line has
    /// them: the text is `insert_at - indent .. insert_at`, read when a fix is made).
    pub indent: u16,
    /// Whether the indentation is tabs.
    pub indent_tabs: bool,
    /// For `get` and `dispatch` (V013): whether the body calls `super().<name>(…)`.
    pub calls_super: bool,
}

/// Where a piece of public state comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateKind {
    /// `count = 0` in the class body.
    ClassAttribute,
    /// `self.count = 0` in a method (usually `mount`).
    Instance,
    /// A key `get_context_data` adds.
    Context,
}

/// One name a LiveView's template can use: `{{ count }}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateVar {
    /// The name.
    pub name: CompactString,
    /// Its first assignment (the target, or the context key).
    pub span: CompactSpan,
    /// Where it comes from.
    pub kind: StateKind,
}

/// A method with a decorator that may be djust's handler decorator (its last name is
/// `event_handler` or `action`): a possible event handler.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HandlerCandidate {
    /// Index into [`PyFile::classes`] (32-bit: a run holds every candidate).
    pub class: u32,
    /// Function name (inline up to 24 bytes).
    pub name: CompactString,
    /// Span of the name after `def`.
    pub name_span: CompactSpan,
    /// Each decorator that may be djust's handler decorator, its callable as a dotted
    /// path resolved through this file's imports (`eh` →
    /// `djust.decorators.event_handler`); the others (`@debounce(…)`) are not kept.
    /// djust's own paths are borrowed ([`crate::rules::v007::DJUST_HANDLER_PATHS`]), so
    /// the usual decorator costs no allocation (unless decoded from the cache).
    pub decorators: ThinVec<Cow<'static, str>>,
    /// Whether the signature has a `**name` parameter.
    pub has_var_keyword: bool,
    /// 0-based lines of the `def` and of every decorator (where `# noqa` counts).
    pub noqa_lines: ThinVec<usize>,
    /// Where `**kwargs` would go, and how.
    pub kwargs_insertion: KwargsInsertion,
    /// What the language server shows of it (`None` in a `check` run, which reads
    /// neither: [`PyFile::drop_workspace_details`]).
    pub docs: Option<Box<HandlerDocs>>,
}

/// Where V007's fix inserts `**kwargs` in a signature: a byte offset (32-bit: a
/// checked file is at most 32 MiB, [`crate::source::MAX_FILE_SIZE`]), and whether a
/// parameter comes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KwargsInsertion {
    /// After the last parameter (or a `/` that follows it): `, **kwargs`.
    AfterParameter(u32),
    /// Right after `(`, the signature having no parameter: `**kwargs`.
    First(u32),
}

impl KwargsInsertion {
    /// The byte offset where the text goes.
    pub fn offset(self) -> usize {
        match self {
            KwargsInsertion::AfterParameter(at) | KwargsInsertion::First(at) => at as usize,
        }
    }

    /// What is inserted there.
    pub fn text(self) -> &'static str {
        match self {
            KwargsInsertion::AfterParameter(_) => ", **kwargs",
            KwargsInsertion::First(_) => "**kwargs",
        }
    }
}

/// A handler candidate's signature and docstring, for hover, completion and symbols.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HandlerDocs {
    /// The signature as written, whitespace collapsed: `save(self, item_id, **kwargs)`.
    pub signature: String,
    /// The docstring, if any.
    pub doc: Option<String>,
}

/// The summary of one parsed Python file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PyFile {
    /// Dotted module name (`shop.catalog.views`).
    pub module: CompactString,
    /// True for `__init__.py`.
    pub is_package: bool,
    /// Names bound by imports at module level.
    pub imports: Imports,
    /// Modules star-imported at module level.
    pub star_imports: ThinVec<String>,
    /// Every class, in source order; nested classes point at their parent.
    pub classes: ThinVec<PyClass>,
    /// Other top-level names defined here (functions, assignments).
    pub defined: SortedSet<CompactString>,
    /// V007 candidates.
    pub handlers: ThinVec<HandlerCandidate>,
    /// What the file configures, if it is a settings module, an `asgi.py` or a
    /// `manage.py` (boxed: a few files of a project set any of it, and a run holds
    /// every summary). Read through [`PyFile::template_dirs`] and the others.
    pub config: Option<Box<ConfigFacts>>,
    /// Its `noqa` directives, if it has any (boxed, as `config`). Read through
    /// [`PyFile::file_noqa`], [`PyFile::line_noqa`] and [`PyFile::noqa_directives`].
    pub noqa: Option<Box<NoqaFacts>>,
    /// Functions and methods whose return annotation says their result can be state
    /// (V008, for modules that import them).
    pub safe_functions: ThinVec<String>,
    /// `self.x = imported_function(…)` in `mount()`, for V008 to judge across files.
    pub imported_state_calls: ThinVec<ImportedCall>,
    /// The details a `check` run holds packed ([`PyFile::pack`]): every class's
    /// [`PyClass::state`] and [`PyClass::methods`], [`PyFile::handlers`] and
    /// [`PyFile::imported_state_calls`], which are then empty. `None` when they are open.
    /// Read them through [`PyFile::details`], which sees both forms.
    pub packed: Option<PackedDetails>,
}

impl PyFile {
    /// The top-level class `name` binds: its last definition (as Python rebinds it), by
    /// index into [`PyFile::classes`]. Read from the classes themselves (a map beside
    /// them was a second copy of every name, held through the cross-file rules).
    pub fn top_class(&self, name: &str) -> Option<usize> {
        self.classes.iter().rposition(|c| c.is_top() && c.name == name)
    }

    /// Every top-level class name with the class it binds (each name once).
    pub fn top_classes(&self) -> impl Iterator<Item = (&str, usize)> {
        self.classes
            .iter()
            .enumerate()
            .filter(|(c, class)| class.is_top() && self.top_class(&class.name) == Some(*c))
            .map(|(c, class)| (class.name.as_str(), c))
    }
}

/// A Python file's details as a `check` run holds them ([`PyFile::pack`]): postcard
/// bytes of a [`Details`]'s decoded form, in one exactly sized allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedDetails {
    #[serde(with = "serde_bytes")]
    bytes: Box<[u8]>,
    /// Whether they hold a handler candidate (V007's pass decodes only such files).
    has_handlers: bool,
    /// Whether they hold an imported state call (V008's).
    has_imported_state_calls: bool,
}

/// What [`PyFile::pack`] encodes, borrowed from the open file (postcard writes a
/// reference as the value, so [`Unpacked`] reads these bytes).
#[derive(Serialize)]
struct PackRef<'a> {
    classes: Vec<(&'a ThinVec<StateVar>, &'a ThinVec<Method>)>,
    handlers: &'a ThinVec<HandlerCandidate>,
    imported_state_calls: &'a ThinVec<ImportedCall>,
}

/// Packed details, decoded ([`PackRef`]'s owned twin).
#[derive(Debug, Default, Deserialize)]
struct Unpacked {
    classes: Vec<(ThinVec<StateVar>, ThinVec<Method>)>,
    handlers: ThinVec<HandlerCandidate>,
    imported_state_calls: ThinVec<ImportedCall>,
}

/// A Python file's details, open or packed ([`PyFile::details`]): the state and methods
/// of its classes (by index into [`PyFile::classes`]), its handler candidates and its
/// imported state calls. Borrowed from the file when it is open; decoded once when it
/// is packed, and dropped with this view.
#[derive(Debug)]
pub struct Details<'a> {
    file: &'a PyFile,
    decoded: Option<Box<Unpacked>>,
}

impl<'a> Details<'a> {
    /// The public state class `c` defines ([`PyClass::state`]); empty for a class index
    /// out of range.
    pub fn state(&self, c: usize) -> &[StateVar] {
        match &self.decoded {
            Some(d) => d.classes.get(c).map_or(&[], |(s, _)| s.as_slice()),
            None => self.file.classes.get(c).map_or(&[], |k| k.state.as_slice()),
        }
    }

    /// The methods class `c` defines ([`PyClass::methods`]); empty for a class index out
    /// of range.
    pub fn methods(&self, c: usize) -> &[Method] {
        match &self.decoded {
            Some(d) => d.classes.get(c).map_or(&[], |(_, m)| m.as_slice()),
            None => self.file.classes.get(c).map_or(&[], |k| k.methods.as_slice()),
        }
    }

    /// The file's handler candidates ([`PyFile::handlers`]).
    pub fn handlers(&self) -> &[HandlerCandidate] {
        match &self.decoded {
            Some(d) => &d.handlers,
            None => &self.file.handlers,
        }
    }

    /// The file's imported state calls ([`PyFile::imported_state_calls`]).
    pub fn imported_state_calls(&self) -> &[ImportedCall] {
        match &self.decoded {
            Some(d) => &d.imported_state_calls,
            None => &self.file.imported_state_calls,
        }
    }
}

/// What a Python file configures at module level ([`PyFile::config`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFacts {
    /// `TEMPLATES[*]["DIRS"]` entries this file sets, evaluated statically.
    pub template_dirs: ThinVec<PathBuf>,
    /// The settings of `settings_eval::SETTINGS` this file assigns at module level.
    pub settings: ThinVec<(String, Setting, Span)>,
    /// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", …)`'s module, if the file sets it.
    pub settings_module_default: Option<String>,
    /// The WebSocket application of a `ProtocolTypeRouter` defined here (an `asgi.py`):
    /// its span and the wrappers it is built from.
    pub websocket_stack: Option<(Span, Vec<String>)>,
}

impl ConfigFacts {
    /// Whether the file configures nothing (its [`PyFile::config`] is then `None`).
    pub fn is_empty(&self) -> bool {
        self.template_dirs.is_empty()
            && self.settings.is_empty()
            && self.settings_module_default.is_none()
            && self.websocket_stack.is_none()
    }
}

/// A Python file's `noqa` directives ([`PyFile::noqa`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoqaFacts {
    /// `# noqa` directives by 0-based line.
    pub line_noqa: SortedMap<usize, Noqa>,
    /// A file-level `# djust: noqa` directive.
    pub file_noqa: Option<Noqa>,
    /// Every directive with its place (Q101, unused `noqa`).
    pub noqa_directives: ThinVec<Directive>,
}

impl NoqaFacts {
    /// Whether the file has no directive (its [`PyFile::noqa`] is then `None`).
    pub fn is_empty(&self) -> bool {
        self.line_noqa.is_empty() && self.file_noqa.is_none() && self.noqa_directives.is_empty()
    }
}

impl PyFile {
    /// `TEMPLATES[*]["DIRS"]` entries this file sets, evaluated statically.
    pub fn template_dirs(&self) -> &[PathBuf] {
        self.config.as_ref().map_or(&[], |c| &c.template_dirs)
    }

    /// The settings of `settings_eval::SETTINGS` this file assigns at module level.
    pub fn settings(&self) -> &[(String, Setting, Span)] {
        self.config.as_ref().map_or(&[], |c| &c.settings)
    }

    /// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", …)`'s module, if the file sets it.
    pub fn settings_module_default(&self) -> Option<&str> {
        self.config.as_ref()?.settings_module_default.as_deref()
    }

    /// The WebSocket application of a `ProtocolTypeRouter` defined here (an `asgi.py`):
    /// its span and the wrappers it is built from.
    pub fn websocket_stack(&self) -> Option<&(Span, Vec<String>)> {
        self.config.as_ref()?.websocket_stack.as_ref()
    }

    /// The `# noqa` directive on 0-based `line`, if any.
    pub fn line_noqa(&self, line: usize) -> Option<&Noqa> {
        self.noqa.as_ref()?.line_noqa.get(&line)
    }

    /// The file-level `# djust: noqa` directive, if any.
    pub fn file_noqa(&self) -> Option<&Noqa> {
        self.noqa.as_ref()?.file_noqa.as_ref()
    }

    /// Every directive with its place (Q101, unused `noqa`).
    pub fn noqa_directives(&self) -> &[Directive] {
        self.noqa.as_ref().map_or(&[], |n| &n.noqa_directives)
    }

    /// Drop what only the language server and the project index read (each handler's
    /// signature and docstring), for a `check` run that holds every summary until its
    /// cross-file rules are done.
    pub fn drop_workspace_details(&mut self) {
        for h in &mut self.handlers {
            h.docs = None;
        }
    }

    /// Drop the methods and state of each top-level class whose inheritance the
    /// cross-file rules cannot read, for a `check` run (which holds every summary until
    /// those rules are done): a class with a base that is not a dotted name
    /// (`Generic[T]`), or one imported from a module outside the run
    /// (`models.Model` from `django.db`), that is, whose dotted path's first name is not
    /// one of the run's modules' first names (`is_project_first` says which are) nor
    /// `djust`. The class rules run only on LiveViews whose every ancestor is readable
    /// (`PythonIndex::readable_ancestors`), so no rule reads what is dropped; the class
    /// itself, its bases and its template stay, for resolution and the template rules.
    /// A base the module defines or star-imports, and `object`, are readable.
    ///
    /// Returns the first names judged outside the run that a drop relied on (sorted,
    /// each once; `["django"]` above): the result holds for another run only while none
    /// of them is one of its modules' first names (the cache checks this).
    pub fn drop_unreadable_class_details(&mut self, is_project_first: impl Fn(&str) -> bool) -> Vec<String> {
        let mut outside: Vec<String> = Vec::new();
        let mut unreadable = Vec::with_capacity(self.classes.len());
        for class in &self.classes {
            let mut drop = false;
            if class.parent.is_none() {
                for base in &class.bases {
                    let dotted = match base {
                        BaseRef::Other => {
                            drop = true;
                            continue;
                        }
                        BaseRef::Dotted(dotted) => dotted,
                    };
                    let head = dotted.split('.').next().unwrap_or("");
                    if dotted == "object" || self.top_class(head).is_some() || self.defined.contains(head) {
                        continue;
                    }
                    let Some(binding) = self.imports.get(head) else {
                        continue;
                    };
                    let path = binding.path(head);
                    let first = path.split('.').next().unwrap_or("");
                    if !first.is_empty() && first != "djust" && !is_project_first(first) {
                        drop = true;
                        outside.push(first.to_string());
                    }
                }
            }
            unreadable.push(drop);
        }
        for (class, drop) in self.classes.iter_mut().zip(unreadable) {
            if drop {
                class.methods = ThinVec::new();
                class.state = ThinVec::new();
            }
        }
        outside.sort_unstable();
        outside.dedup();
        outside
    }

    /// Encode the details ([`Details`]) into [`PyFile::packed`] and empty their fields,
    /// for a `check` run, which holds every summary until its cross-file rules are done
    /// and reads a file's details in a few passes only (the language server keeps them
    /// open). Held open, a method costs 48 bytes, a piece of state 40 and a handler
    /// candidate 72 plus its lists' allocations; packed, about a third
    /// (docs/benchmarks.md, "Issue 19: freed pages purged at once, details packed").
    /// No details, or packed already: nothing changes.
    pub fn pack(&mut self) {
        let empty = self.handlers.is_empty()
            && self.imported_state_calls.is_empty()
            && self
                .classes
                .iter()
                .all(|c| c.state.is_empty() && c.methods.is_empty());
        if empty || self.packed.is_some() {
            return;
        }
        let packing = PackRef {
            classes: self.classes.iter().map(|c| (&c.state, &c.methods)).collect(),
            handlers: &self.handlers,
            imported_state_calls: &self.imported_state_calls,
        };
        let Ok(bytes) = postcard::to_allocvec(&packing) else {
            // Encoding into memory fails only on allocation; the details stay open.
            return;
        };
        self.packed = Some(PackedDetails {
            bytes: bytes.into_boxed_slice(),
            has_handlers: !self.handlers.is_empty(),
            has_imported_state_calls: !self.imported_state_calls.is_empty(),
        });
        for class in &mut self.classes {
            class.state = ThinVec::new();
            class.methods = ThinVec::new();
        }
        self.handlers = ThinVec::new();
        self.imported_state_calls = ThinVec::new();
    }

    /// The file's details, open or packed ([`PyFile::pack`]): bytes this process
    /// encoded, or the cache wrote and checked, so decoding does not fail; if it did,
    /// the file would show no details.
    pub fn details(&self) -> Details<'_> {
        let decoded = self
            .packed
            .as_ref()
            .map(|p| Box::new(postcard::from_bytes::<Unpacked>(&p.bytes).unwrap_or_default()));
        Details { file: self, decoded }
    }

    /// Whether the file has a handler candidate (open or packed, without decoding).
    pub fn has_handlers(&self) -> bool {
        self.packed
            .as_ref()
            .map_or(!self.handlers.is_empty(), |p| p.has_handlers)
    }

    /// Whether the file has an imported state call (open or packed, without decoding).
    pub fn has_imported_state_calls(&self) -> bool {
        self.packed
            .as_ref()
            .map_or(!self.imported_state_calls.is_empty(), |p| {
                p.has_imported_state_calls
            })
    }

    /// `INSTALLED_APPS` as this file leaves it (string entries, in order; empty when it
    /// does not set it): the last of its [`PyFile::settings`] for that name.
    pub fn installed_apps(&self) -> &[String] {
        self.settings()
            .iter()
            .rev()
            .find_map(|(name, value, _)| match value {
                Setting::Strs(apps) if name == "INSTALLED_APPS" => Some(apps.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }
}

/// A call V008 can only judge across files: its function is imported (`from
/// .services import cart_lines`), so whether its return annotation is safe is known
/// once every module is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedCall {
    /// The dotted name the import resolves it to (`cart.services.cart_lines`).
    pub resolved: String,
    /// The name as written.
    pub written: String,
    /// The attribute of `self` it is assigned to.
    pub attr: String,
    /// The call.
    pub span: Span,
    /// The assignment's first line (where `# noqa` goes).
    pub stmt_line: usize,
}

/// A setting's value as far as it can be read without running the module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Setting {
    /// `True` / `False`.
    Bool(bool),
    /// A string literal.
    Str(String),
    /// A list or tuple of string literals (other entries dropped).
    Strs(Vec<String>),
    /// An empty dict, list or tuple, or `None`.
    Empty,
    /// Anything else (an environment lookup, a call, a non-empty dict).
    Other,
}

impl Setting {
    /// Whether the value is true in Python's sense, when that can be read (`None` for
    /// [`Setting::Other`]).
    pub fn truthy(&self) -> Option<bool> {
        match self {
            Setting::Bool(b) => Some(*b),
            Setting::Str(s) => Some(!s.is_empty()),
            Setting::Strs(v) => Some(!v.is_empty()),
            Setting::Empty => Some(false),
            Setting::Other => None,
        }
    }
}
