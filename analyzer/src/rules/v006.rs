//! V006: a service instance assigned to `self` in `mount()`.

use crate::ast_util::{child_bodies, dotted, span_of, FnDef};
use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use djust_runtime::LineIndex;
use ruff_python_ast::{Expr, Stmt};

declare_violation! {
    /// ## What it does
    /// Flags `self.<attr> = <call>()` inside a `mount()` method when the call builds a
    /// service object: an API client, an HTTP session, a database or cache connection.
    ///
    /// A call counts as a service constructor when the **last word** of the called name
    /// is `service`, `client`, `session`, `api`, `connection` or `conn` (words split at
    /// `snake_case` and `CamelCase` boundaries, acronyms kept whole, so `APIClient` is
    /// *API, Client*), or when the dotted name (as written or as imported) is a known
    /// factory such as `boto3.resource`, `redis.Redis`, `redis.from_url`,
    /// `psycopg.connect`, `sqlite3.connect` or `pymongo.MongoClient`. More factories can
    /// be listed in `extend-service-factories` under `[tool.djust]`.
    ///
    /// Every class with its own `mount` is checked (LiveView or not, nested or not); every
    /// assignment in the body counts, including nested functions, annotated assignments
    /// (`self.api: Client = Client()`), chained assignments and tuple targets
    /// (`self.a, self.b = make_client(), 1`), private attributes (`self._client`) and
    /// `await`ed calls (`self.s = await connect_session()`).
    ///
    /// ## Why is this bad?
    /// Everything assigned to `self` in a LiveView is state: djust serializes it between
    /// events (to the session, a cache or a signed token). Sockets, connection pools and
    /// HTTP sessions cannot be serialized; the view fails after the first event, or the
    /// object is silently rebuilt and loses its connection.
    ///
    /// ## Example
    /// ```python
    /// class DashboardView(LiveView):
    ///     def mount(self, request, **kwargs):
    ///         self.stripe = StripeClient(settings.STRIPE_KEY)
    ///         self.invoices = self.stripe.invoices.list()
    /// ```
    ///
    /// ## Fix
    /// Create the service when it is needed, in a helper method or a `@property`, and keep
    /// only serializable data in state:
    /// ```python
    /// class DashboardView(LiveView):
    ///     @property
    ///     def stripe(self):
    ///         return StripeClient(settings.STRIPE_KEY)
    ///
    ///     def mount(self, request, **kwargs):
    ///         self.invoices = [i.to_dict() for i in self.stripe.invoices.list()]
    /// ```
    /// Suppress one line with `# noqa: V006`.
    ///
    /// ## Differences from upstream
    /// Upstream matches the words as a case-insensitive substring anywhere in the name, so
    /// `get_api_key()`, `session_factory()` and `ClientSideConfig()` fire; djust looks at
    /// the last word only. Upstream also skips annotated assignments, tuple targets and
    /// `await`ed calls, which djust checks. Suppression is the same (`# noqa` on the
    /// statement's first line).
    pub struct ServiceInstanceInMount {
        code: "V006",
        name: "service-instance-in-mount",
        severity: Warning,
        summary: "Service instance assigned to `self` in `mount()`",
    }
}

/// Last words of a called name that mark a service constructor.
pub const SERVICE_WORDS: &[&str] = &["service", "client", "session", "api", "connection", "conn"];

/// Dotted names of well-known service factories whose names do not end in a service word.
pub const KNOWN_FACTORIES: &[&str] = &[
    "aioredis.from_url",
    "asyncpg.connect",
    "asyncpg.create_pool",
    "boto3.resource",
    "celery.Celery",
    "elasticsearch.Elasticsearch",
    "ftplib.FTP",
    "grpc.insecure_channel",
    "grpc.secure_channel",
    "httplib2.Http",
    "kafka.KafkaConsumer",
    "kafka.KafkaProducer",
    "MySQLdb.connect",
    "openai.OpenAI",
    "paramiko.SSHClient",
    "pika.BlockingConnection",
    "psycopg.connect",
    "psycopg2.connect",
    "psycopg_pool.ConnectionPool",
    "pymongo.MongoClient",
    "pymysql.connect",
    "redis.Redis",
    "redis.StrictRedis",
    "redis.asyncio.Redis",
    "redis.asyncio.from_url",
    "redis.from_url",
    "smtplib.SMTP",
    "smtplib.SMTP_SSL",
    "socket.create_connection",
    "socket.socket",
    "sqlalchemy.create_engine",
    "sqlite3.connect",
    "urllib3.PoolManager",
];

/// Split an identifier into words at `_` and `CamelCase` boundaries, keeping acronyms
/// whole: `APIClient` → `["API", "Client"]`, `get_db_conn` → `["get", "db", "conn"]`,
/// `S3Client` → `["S3", "Client"]`.
pub fn words(ident: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in ident.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<(usize, char)> = part.char_indices().collect();
        let mut start = 0;
        for k in 1..chars.len() {
            let (i, c) = chars[k];
            let prev = chars[k - 1].1;
            let next = chars.get(k + 1).map(|x| x.1);
            let boundary = (c.is_uppercase() && (prev.is_lowercase() || prev.is_ascii_digit()))
                || (c.is_uppercase() && prev.is_uppercase() && next.is_some_and(|n| n.is_lowercase()));
            if boundary {
                out.push(&part[start..i]);
                start = i;
            }
        }
        out.push(&part[start..]);
    }
    out
}

/// True when the dotted call name builds a service, by last word or known factory.
/// `resolved` is the same name with its first segment resolved through the imports.
pub fn is_service_constructor(written: &str, resolved: &str, extra: &[String]) -> bool {
    let last = written.rsplit('.').next().unwrap_or(written);
    if words(last)
        .last()
        .is_some_and(|w| SERVICE_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w)))
    {
        return true;
    }
    let known = |n: &str| KNOWN_FACTORIES.contains(&n) || extra.iter().any(|e| e == n);
    known(written) || known(resolved)
}

/// What V006 needs from the file being summarised.
pub struct MountContext<'a> {
    /// File id for findings.
    pub file: FileId,
    /// Source text.
    pub source: &'a str,
    /// Line index of the source.
    pub lines: &'a LineIndex,
    /// Resolves a dotted name through the file's imports.
    pub resolve: &'a dyn Fn(&str) -> String,
    /// `extend-service-factories` from the configuration.
    pub extra_factories: &'a [String],
    /// Functions and methods of the module whose return annotation says their result
    /// can be state (V008).
    pub safe_functions: &'a std::collections::HashSet<String>,
    /// Calls of imported functions V008 judges across files.
    pub imported_calls: &'a std::cell::RefCell<Vec<crate::summary::python::ImportedCall>>,
}

/// Check one `mount` method (a direct child of a class body).
pub fn check_mount(ctx: &MountContext<'_>, mount: &FnDef<'_>, out: &mut Vec<Finding>) {
    let self_name = mount.first_param().unwrap_or("self");
    walk(ctx, self_name, mount.body, out);
}

fn walk(ctx: &MountContext<'_>, self_name: &str, stmts: &[Stmt], out: &mut Vec<Finding>) {
    for stmt in stmts {
        match stmt {
            Stmt::Assign(a) => {
                for target in &a.targets {
                    pair(ctx, self_name, stmt, target, &a.value, out);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    pair(ctx, self_name, stmt, &a.target, value, out);
                }
            }
            // A class defined inside mount has its own `self`.
            Stmt::ClassDef(_) => continue,
            _ => {}
        }
        child_bodies(stmt, &mut |body| walk(ctx, self_name, body, out));
    }
}

/// Match targets to values element-wise for `a, b = x, y`; otherwise each target gets the value.
fn pair(
    ctx: &MountContext<'_>,
    self_name: &str,
    stmt: &Stmt,
    target: &Expr,
    value: &Expr,
    out: &mut Vec<Finding>,
) {
    fn elts(e: &Expr) -> Option<&[Expr]> {
        match e {
            Expr::Tuple(t) => Some(&t.elts),
            Expr::List(l) => Some(&l.elts),
            _ => None,
        }
    }
    match (elts(target), elts(value)) {
        (Some(ts), Some(vs)) if ts.len() == vs.len() => {
            for (t, v) in ts.iter().zip(vs.iter()) {
                pair(ctx, self_name, stmt, t, v, out);
            }
        }
        (Some(ts), _) => {
            for t in ts {
                pair(ctx, self_name, stmt, t, value, out);
            }
        }
        (None, _) => {
            let target = match target {
                Expr::Starred(s) => s.value.as_ref(),
                t => t,
            };
            check_target(ctx, self_name, stmt, target, value, out);
        }
    }
}

fn check_target(
    ctx: &MountContext<'_>,
    self_name: &str,
    stmt: &Stmt,
    target: &Expr,
    value: &Expr,
    out: &mut Vec<Finding>,
) {
    let Expr::Attribute(attr) = target else { return };
    let Expr::Name(obj) = attr.value.as_ref() else {
        return;
    };
    if obj.id.as_str() != self_name {
        return;
    }
    let call = match value {
        Expr::Await(a) => a.value.as_ref(),
        v => v,
    };
    let Expr::Call(call) = call else { return };
    let Some(parts) = dotted(&call.func) else { return };
    let written = parts.join(".");
    let resolved = (ctx.resolve)(&written);
    let attr_name = attr.attr.as_str();
    if !is_service_constructor(&written, &resolved, ctx.extra_factories) {
        // Not a service: whether it can be state is V008's question.
        crate::rules::v008::check(ctx, stmt, attr_name, span_of(call), &written, out);
        return;
    }
    let stmt_line = ctx.lines.line_of(span_of(stmt).start);
    out.push(
        Finding::new(
            Rule::V006,
            ctx.file,
            span_of(target),
            format!(
                "Service instance '{attr_name}' assigned in mount(); service objects cannot be serialized into LiveView state."
            ),
        )
        .with_help(format!(
            "Create `{written}(...)` on demand in a helper method or a `@property` instead of storing it on `self`, or keep only serializable config in state."
        ))
        .with_primary_label(format!("`{attr_name}` is LiveView state"))
        .with_label(span_of(call), format!("`{written}(...)` builds a service object"))
        .with_noqa_lines(vec![stmt_line]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_the_spec() {
        assert_eq!(words("APIClient"), vec!["API", "Client"]);
        assert_eq!(words("get_api_key"), vec!["get", "api", "key"]);
        assert_eq!(words("AsyncClient"), vec!["Async", "Client"]);
        assert_eq!(words("S3Client"), vec!["S3", "Client"]);
        assert_eq!(words("HTTPConnection"), vec!["HTTP", "Connection"]);
        assert_eq!(words("session_factory"), vec!["session", "factory"]);
        assert_eq!(words("__init__"), vec!["init"]);
    }

    #[test]
    fn service_constructors() {
        for yes in [
            "PaymentService",
            "boto3.client",
            "requests.Session",
            "httpx.AsyncClient",
            "create_connection",
            "get_db_conn",
            "APIClient",
            "GraphAPI",
            "redis.from_url",
        ] {
            assert!(is_service_constructor(yes, yes, &[]), "{yes}");
        }
        for no in [
            "get_api_key",
            "session_factory",
            "ClientSideConfig",
            "dict",
            "Decimal",
            "apiary",
            "rapid_sort",
        ] {
            assert!(!is_service_constructor(no, no, &[]), "{no}");
        }
        assert!(is_service_constructor("Redis", "redis.Redis", &[]));
        assert!(is_service_constructor(
            "make",
            "myapp.clients.make",
            &["myapp.clients.make".into()]
        ));
    }
}
