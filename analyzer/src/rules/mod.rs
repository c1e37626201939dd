//! One file per rule, ruff-style: each declares its violation type (whose doc
//! comment is the rule's documentation) and the function that finds it.

pub mod a001;
pub mod a010;
pub mod a011;
pub mod a012;
pub mod a014;
pub mod a030;
pub mod c001;
pub mod c002;
pub mod c003;
pub mod c004;
pub mod c005;
pub mod c010;
pub mod c012;
pub mod e001;
pub mod e002;
pub mod e003;
pub mod e004;
pub mod q001;
pub mod q002;
pub mod q101;
pub mod s001;
pub mod s002;
pub mod s003;
pub mod s004;
pub mod s005;
pub mod s011;
pub mod t001;
pub mod t002;
pub mod t005;
pub mod t012;
pub mod t013;
pub mod t014;
pub mod t015;
pub mod t017;
pub mod t101;
pub mod t102;
pub mod v001;
pub mod v002;
pub mod v003;
pub mod v004;
pub mod v006;
pub mod v007;
pub mod v008;
pub mod v010;
pub mod v013;
pub mod y001;
pub mod y002;
pub mod y003;
pub mod y004;

use crate::finding::{FileId, Finding};
use crate::project::PythonIndex;
use crate::project_settings::ProjectSettings;
use crate::summary::python::{Details, Method, PyClass, PyFile, StateVar};
use crate::summary::template::TemplateDoc;
use rustc_hash::FxHashSet as HashSet;

/// What a class rule knows about one LiveView class (not abstract, not a component,
/// every base readable).
pub struct ClassContext<'a> {
    /// The class's file.
    pub file: FileId,
    /// Its module's summary.
    pub module: &'a PyFile,
    /// The class (its state and methods through [`ClassContext::facts`]: a `check` run
    /// holds them packed, [`PyFile::pack`]).
    pub class: &'a PyClass,
    /// `module.Class`.
    pub qualname: String,
    /// The class and its project bases, nearest first (file index, class index).
    pub chain: &'a [(usize, usize)],
    /// Each base as written, resolved: the class it names (when in the project) and
    /// whether it is a LiveView.
    pub bases: &'a [(Option<(usize, usize)>, bool)],
    /// The event handlers of the class and its bases.
    pub handlers: HashSet<String>,
    /// The project's modules.
    pub index: &'a PythonIndex<'a>,
    /// The details of each file the chain runs through (file index, details), each
    /// decoded once.
    pub details: &'a [(usize, &'a Details<'a>)],
}

/// A class of the chain with its details ([`ClassContext::facts`]).
pub struct ClassFacts<'a> {
    /// The class.
    pub class: &'a PyClass,
    /// The public state its body defines.
    pub state: &'a [StateVar],
    /// The methods its body defines.
    pub methods: &'a [Method],
}

impl ClassContext<'_> {
    /// A class of the chain by (file index, class index), with its state and methods
    /// (none when its file is not among [`ClassContext::details`]).
    pub fn facts(&self, (m, c): (usize, usize)) -> ClassFacts<'_> {
        let details = self.details.iter().find(|(k, _)| *k == m).map(|(_, d)| *d);
        ClassFacts {
            class: &self.index.files()[m].1.classes[c],
            state: details.map_or(&[], |d| d.state(c)),
            methods: details.map_or(&[], |d| d.methods(c)),
        }
    }

    /// The class itself with its state and methods.
    pub fn own(&self) -> ClassFacts<'_> {
        match self.chain.first() {
            Some(&at) => self.facts(at),
            None => ClassFacts {
                class: self.class,
                state: &[],
                methods: &[],
            },
        }
    }

    /// Whether the class or one of its project bases satisfies `f`.
    pub fn any_in_chain(&self, f: impl Fn(&ClassFacts<'_>) -> bool) -> bool {
        self.chain.iter().any(|&at| f(&self.facts(at)))
    }
}

/// A class rule: one signature, every rule listed once in [`CLASS_RULES`], called
/// from one place (`project::cross_file_findings`).
pub type ClassRule = fn(&ClassContext<'_>, &mut Vec<Finding>);

/// The class rules.
pub const CLASS_RULES: &[ClassRule] = &[
    v001::check,
    v002::check,
    v003::check,
    v004::check,
    v010::check,
    v013::check,
    s005::check,
];

/// A configuration rule: one settings module (its effective settings, star imports
/// followed, and the WebSocket stack its `ASGI_APPLICATION` builds). One signature,
/// every rule listed once in [`SETTINGS_RULES`], called from one place
/// (`project_settings::findings`).
pub type SettingsRule = fn(&ProjectSettings<'_>, &mut Vec<Finding>);

/// The configuration rules.
pub const SETTINGS_RULES: &[SettingsRule] = &[
    a001::check,
    a010::check,
    a011::check,
    a012::check,
    a014::check,
    a030::check,
    c001::check,
    c002::check,
    c003::check,
    c004::check,
    c005::check,
    s004::check,
];

/// A per-file template rule: one signature, every rule listed once in
/// [`TEMPLATE_RULES`] and called from one place (`load`).
pub type TemplateRule = fn(FileId, &TemplateDoc, &mut Vec<Finding>);

/// The per-file template rules.
pub const TEMPLATE_RULES: &[TemplateRule] = &[
    t001::check,
    t005::check,
    t013::check,
    t014::check,
    t015::check,
    t017::check,
    e004::check,
    y001::check,
    y002::check,
    y003::check,
    y004::check,
];

/// Upstream djust's system checks that `djust check` does not run, each with the
/// reason (listed in `docs/checks/README.md`). With the rules, they make up upstream's
/// whole catalogue (a test compares against upstream's 80 codes).
pub const NOT_RUN: &[(&str, &str)] = &[
    ("A020", "Needs the database: whether the project has several groups or permissions is data, not source."),
    ("A031", "About upstream's `_djust/observability/` endpoints, which djust does not have; `djust profile`'s endpoint refuses non-loopback clients without a token itself."),
    ("A070", "About `{% dj_activity %}`, a tag djust does not have."),
    ("A071", "About `{% dj_activity %}`, a tag djust does not have."),
    ("A072", "About upstream's admin widgets, which djust does not have."),
    ("A073", "About upstream's admin widgets, which djust does not have."),
    ("A075", "About `{% live_render %}`'s `sticky` and `lazy` options, which djust's runtime does not have yet."),
    ("A090", "An Info note that `{% djust_markdown %}` is in use; djust has no such tag."),
    ("C011", "Looks for a built `output.css` on disk: a build artifact, absent from a CI checkout, so a static check would report every clean clone."),
    ("C013", "Compares the collected `client.min.js` with the installed package's: installation state, not source."),
    ("C014", "About upstream's multi-tenancy package, which djust does not have."),
    ("C015", "About `DJUST_CONFIG['extensions']`, which djust does not have."),
    ("C301", "About upstream's VDOM cache settings; djust's runtime has no such cache."),
    ("C302", "About upstream's VDOM cache settings; djust's runtime has no such cache."),
    ("C303", "About upstream's VDOM cache settings; djust's runtime has no such cache."),
    ("C304", "About upstream's state snapshots, which djust does not have."),
    ("C401", "About upstream's hot reload (watchdog), which djust does not have."),
    ("C501", "About upstream's time-travel debugger, which djust does not have."),
    ("C502", "About upstream's time-travel debugger, which djust does not have."),
    ("D001", "About upstream's database notifications (psycopg), which djust does not have."),
    ("Q003", "`console.log` in JavaScript is ESLint's job (`no-console`), with a real JavaScript parser."),
    ("Q007", "About `static_assigns` and `temporary_assigns`, which djust does not have."),
    ("Q010", "Recommends `self.patch()` and `handle_params`, which djust's runtime does not have yet."),
    ("S006", "About upstream's multi-tenancy strict mode, which djust does not have."),
    ("S007", "About upload entries' `client_name`; djust's runtime has no uploads yet."),
    ("S008", "About upload entries' `client_name`; djust's runtime has no uploads yet."),
    ("S009", "Asks for a per-handler permission decorator djust does not have: access is decided at mount (`login_required`, `check_permissions`), which S005 checks."),
    ("S012", "Upstream's socket mount bypasses `dispatch()`; djust's goes through it, so access checks there apply (V013 reports overrides that skip the base class)."),
    ("T003", "About upstream's `wrapper_template` and `{{ liveview_content }}`, which djust does not have."),
    ("T004", "djust's client dispatches its `djust:` events on the LiveView's root element and they bubble, so listeners on `document` and `window` both work."),
    ("T010", "Recommends `dj-patch`, which djust's runtime does not have yet."),
    ("T011", "Upstream 1.2.6's list of unsupported tags is empty: the check never fires."),
    ("T016", "About `dj-navigate`, which djust's runtime does not have yet, and it needs the imported URLconf."),
    ("T018", "Renders each view's context at run time; a static version would need every context processor's keys."),
    ("V005", "About `LIVEVIEW_ALLOWED_MODULES`: djust has no module allowlist, because a socket mounts only what the page's URL serves."),
    ("V009", "About `on_mount` hooks, which djust does not have."),
    ("V011", "About `enable_state_snapshot`, which djust does not have."),
    ("V012", "About sticky `{% live_render %}` children, which djust's runtime does not have yet."),
];
