//! Names as Django's `startproject`/`startapp` validate them (`TemplateCommand.validate_name`):
//! a Python identifier that is not a keyword and does not shadow an importable module.
//! Django imports the name to find out; djust cannot run Python, so it checks the
//! standard library's top-level modules (`sys.stdlib_module_names`, Python 3.11–3.13)
//! and the packages every djust project imports. Each error says what to use instead.

use crate::error::ScaffoldError;

/// Python's keywords (and the soft keywords a name had better not be).
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
    "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match",
    "case", "type",
];

/// Modules a project or app name must not shadow: the standard library's (without the
/// private `_…` ones) and the packages a djust project depends on.
const TAKEN: &[&str] = &[
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "test",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
    // What every djust project imports.
    "django",
    "channels",
    "daphne",
    "djust",
    "asgiref",
    "twisted",
    "autobahn",
    "pytest",
    "pytest_django",
    "setuptools",
    "pip",
    "tests",
    "site_packages",
];

/// What is being named, for messages ("project", "app", "view", "component", "field").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `djust new project NAME`: a Python package.
    Project,
    /// `djust new app NAME`: a Python package.
    App,
    /// `djust new view NAME`: a module and a class.
    View,
    /// `djust new component NAME`: a module and a class.
    Component,
    /// `FIELD:TYPE` of `djust new view`: an attribute.
    Field,
}

impl NameKind {
    fn word(self) -> &'static str {
        match self {
            NameKind::Project => "project",
            NameKind::App => "app",
            NameKind::View => "view",
            NameKind::Component => "component",
            NameKind::Field => "field",
        }
    }
}

/// `snake_case` of a name written `CamelCase`, `kebab-case` or `snake_case`
/// (`TodoList`, `todo-list` and `todo_list` all give `todo_list`).
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == ' ' {
            out.push('_');
        } else if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && !out.ends_with('_') && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `CamelCase` of a `snake_case` name (`todo_list` → `TodoList`).
pub fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            match cs.next() {
                Some(first) => first.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// Whether `s` is a Python identifier (ASCII letters, digits and `_`, not starting with
/// a digit; djust keeps generated names ASCII so that every tool reads them alike).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Check `name` (already in the form it will be written: a package, module or
/// attribute name) for `kind`. Errors say why and suggest another name.
pub fn validate(name: &str, kind: NameKind) -> Result<(), ScaffoldError> {
    let what = kind.word();
    let invalid = |reason: String, suggestion: String| ScaffoldError::InvalidName {
        name: name.to_string(),
        kind: what,
        reason,
        suggestion,
    };
    if name.is_empty() {
        return Err(invalid(
            "it is empty".into(),
            format!("a name such as `my_{what}`"),
        ));
    }
    if !is_identifier(name) {
        let cleaned: String = snake(name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let cleaned = cleaned.trim_matches('_').to_string();
        let suggestion = if is_identifier(&cleaned) && !cleaned.is_empty() {
            format!("`{cleaned}`")
        } else {
            format!("a name made of letters, digits and `_` that starts with a letter, such as `my_{what}`")
        };
        return Err(invalid("it is not a valid Python identifier".into(), suggestion));
    }
    if KEYWORDS.contains(&name) {
        return Err(invalid(
            "it is a Python keyword".into(),
            format!("`{name}_{what}` or `my_{name}`"),
        ));
    }
    if matches!(kind, NameKind::Project | NameKind::App) && TAKEN.contains(&name) {
        return Err(invalid(
            format!("it conflicts with the name of an existing Python module (`import {name}`)"),
            format!("`my_{name}` or `{name}_{what}`"),
        ));
    }
    if kind == NameKind::Field && (name.starts_with('_') || RESERVED_FIELDS.contains(&name)) {
        return Err(invalid(
            "a LiveView uses it itself, or it is private (not state)".into(),
            format!("`{}_value`", name.trim_start_matches('_')),
        ));
    }
    Ok(())
}

/// Attributes of `LiveView` a state field must not replace.
const RESERVED_FIELDS: &[&str] = &[
    "request",
    "args",
    "kwargs",
    "head",
    "template_name",
    "abstract",
    "login_required",
    "view",
    "mount",
    "render",
    "get",
    "redirect",
    "setup",
    "dispatch",
    "increment",
    "handle_info",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(snake("TodoList"), "todo_list");
        assert_eq!(snake("todo-list"), "todo_list");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("cart2Items"), "cart2_items");
        assert_eq!(camel("todo_list"), "TodoList");
        assert_eq!(camel("cart"), "Cart");
    }
}
