//! Robustness: 1,000 random edits to real files of `examples/`, each followed by
//! requests at random positions. The server must answer every request without an
//! error response, never crash, and still exit cleanly at the end.
//!
//! The edits are drawn from a fixed-seed generator (`DJUST_FUZZ_SEED` overrides it), so
//! a failure is reproducible: the seed and the edit number are in the panic message.

mod support;

use serde_json::{json, Value};
use support::lsp_client::{example_copy, uri, Lsp};

/// xorshift64*: small, deterministic, good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Fragments that half-type the constructs the server parses.
const SNIPPETS: &[&str] = &[
    "{%",
    "{% ",
    "%}",
    "{{",
    "}}",
    "{% if ",
    "{% endif %}",
    "{% for x in ",
    "{% endfor %}",
    "{% block ",
    "|",
    "|up",
    "{% extends \"",
    "{% include '",
    "<",
    "<div ",
    "<button dj-",
    "dj-click=\"",
    "dj-keydown.",
    "\"",
    "'",
    ">",
    "</div>",
    "def ",
    "def f(self",
    "class X(LiveView):\n",
    "    @event_handler\n",
    "(",
    ")",
    "[",
    "]",
    ":",
    "\n",
    "    ",
    "\t",
    "self.",
    " = ",
    "# noqa: V007",
    "template_name = \"",
    "**kwargs",
    "é",
    "😀",
    "\r\n",
    "{#",
    "#}",
    "\"\"\"",
    "dj-view=\"catalog.views.",
    "{{ query|default:",
    "async def ",
    "lambda",
    "\\",
    "\u{0}",
];

/// Files the edits go to (Python and templates, with views bound to templates).
const FILES: &[(&str, &str)] = &[
    ("catalog/views.py", "python"),
    ("catalog/templates/catalog/product_list.html", "django-html"),
    ("support/views.py", "python"),
    ("support/templates/support/ticket_detail.html", "django-html"),
    ("templates/base.html", "django-html"),
    ("core/mixins.py", "python"),
];

/// UTF-16 position of byte `at` in `text` (rounded down to a character boundary).
fn position(text: &str, mut at: usize) -> Value {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap_or("").encode_utf16().count();
    json!({"line": line, "character": col})
}

#[test]
fn a_thousand_random_edits_never_crash_the_server() {
    let seed: u64 = std::env::var("DJUST_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_D1A5_7000_0001);
    let mut rng = Rng(seed | 1);
    let root = example_copy("fuzz");
    let (mut lsp, _) = Lsp::start(&root);
    let mut docs: Vec<(String, String, i32)> = Vec::new();
    for (rel, lang) in FILES {
        let path = root.join(rel);
        let text = lsp.open(&path, lang);
        docs.push((uri(&path), text, 1));
    }
    let methods = [
        "textDocument/completion",
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/documentSymbol",
        "textDocument/codeAction",
    ];
    for n in 0..1000 {
        let d = rng.below(docs.len());
        let (u, text, version) = &mut docs[d];
        // Replace a random range (often empty: an insertion) with a snippet.
        let start = rng.below(text.len() + 1);
        let len = if rng.below(3) == 0 { rng.below(40) } else { 0 };
        let mut end = (start + len).min(text.len());
        let mut start = start;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
        let range = json!({"start": position(text, start), "end": position(text, end)});
        text.replace_range(start..end, snippet);
        *version += 1;
        let change = json!({"textDocument": {"uri": u.clone(), "version": *version},
                            "contentChanges": [{"range": range, "text": snippet}]});
        lsp.notify("textDocument/didChange", change);
        // A request at a random position after every edit.
        let (u, text, _) = &docs[d];
        let pos = position(text, rng.below(text.len() + 1));
        let method = methods[rng.below(methods.len())];
        let params = match method {
            "textDocument/documentSymbol" => json!({"textDocument": {"uri": u}}),
            "textDocument/codeAction" => {
                json!({"textDocument": {"uri": u}, "range": {"start": pos, "end": pos},
                                                 "context": {"diagnostics": []}})
            }
            "textDocument/references" => json!({"textDocument": {"uri": u}, "position": pos,
                                                 "context": {"includeDeclaration": true}}),
            _ => json!({"textDocument": {"uri": u}, "position": pos}),
        };
        let resp = lsp.request_raw(method, params);
        assert!(
            resp.get("error").is_none(),
            "seed {seed}, edit {n}: {method} answered with an error: {resp}"
        );
        if let Ok(Some(status)) = lsp.child.try_wait() {
            panic!("seed {seed}, edit {n}: djust lsp exited with {status}");
        }
    }
    // The server still analyses: a fresh, deliberate error is reported.
    let probe = root.join("core/templates/core/clock.html");
    let pu = uri(&probe);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": pu, "languageId": "django-html", "version": 1,
                                "text": "{% if x %}\n<p>{{ y|nosuch }}</p>\n"}}),
    );
    let d = lsp.wait_diagnostics(&pu, 30, |d| !d.is_empty());
    let messages: Vec<&str> = d
        .iter()
        .filter(|x| x["code"] == "E004")
        .filter_map(|x| x["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Unclosed tag on line 1: 'if'")),
        "{d:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("Invalid filter: 'nosuch'")),
        "{d:?}"
    );
    assert_eq!(lsp.shutdown(), Some(0));
}

/// Issue 16, item 4: opening a file nested past CPython's limits used to abort the
/// server (a stack overflow on `didOpen`). Every deep shape, Python and template, is
/// opened, edited and asked about: the server answers without an error, reports E001
/// or E004, and still analyses an ordinary file afterwards.
#[test]
fn deeply_nested_documents_never_crash_the_server() {
    const N: usize = 100_000;
    let root = example_copy("deep");
    let (mut lsp, _) = Lsp::start(&root);
    let blocks = |line: &str| -> String { (0..1000).map(|i| format!("{}{line}\n", " ".repeat(i))).collect() };
    let documents: Vec<(&str, &str, String, &str)> = vec![
        (
            "deep_attr.py",
            "python",
            format!("x = a{}\n", ".b".repeat(N)),
            "E001",
        ),
        (
            "deep_minus.py",
            "python",
            format!("x = {}1\n", "-".repeat(N)),
            "E001",
        ),
        (
            "deep_calls.py",
            "python",
            format!("x = {}{}\n", "f(".repeat(N), ")".repeat(N)),
            "E001",
        ),
        (
            "deep_lambda.py",
            "python",
            format!("x = {}y\n", "lambda: ".repeat(N)),
            "E001",
        ),
        ("deep_classes.py", "python", blocks("class A(LiveView):"), "E001"),
        (
            "templates/deep_ifs.html",
            "django-html",
            "{% if x %}".repeat(10_000),
            "E004",
        ),
        (
            "templates/deep_not.html",
            "django-html",
            format!("{{% if {}x %}}{{% endif %}}", "not ".repeat(N)),
            "E004",
        ),
        (
            "templates/deep_divs.html",
            "django-html",
            format!(
                "<div dj-root dj-view=\"a.B\">{}{}</div>",
                "<div>".repeat(N),
                "</div>".repeat(N)
            ),
            "E004",
        ),
    ];
    for (rel, lang, text, code) in &documents {
        let path = root.join(rel);
        // On disk too, as an editor opens an existing file.
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let u = uri(&path);
        lsp.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": lang, "version": 1, "text": text}}),
        );
        let d = lsp.wait_diagnostics(&u, 60, |d| !d.is_empty());
        assert!(d.iter().any(|x| x["code"] == *code), "{rel}: {d:?}");
        // Half-type at the end of the deep text, then ask for everything.
        let end = position(text, text.len());
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": 2},
                   "contentChanges": [{"range": {"start": end, "end": end}, "text": "\n{% if "}]}),
        );
        for method in [
            "textDocument/completion",
            "textDocument/hover",
            "textDocument/definition",
        ] {
            let r = lsp.request_raw(method, json!({"textDocument": {"uri": u}, "position": end}));
            assert!(r.get("error").is_none(), "{rel}: {method}: {r}");
        }
        let r = lsp.request_raw("textDocument/documentSymbol", json!({"textDocument": {"uri": u}}));
        assert!(r.get("error").is_none(), "{rel}: documentSymbol: {r}");
        if let Ok(Some(status)) = lsp.child.try_wait() {
            panic!("{rel}: djust lsp exited with {status}");
        }
    }
    // A request on a named pipe that is not open used to block the server for good
    // (it read the file): now it answers at once.
    #[cfg(unix)]
    {
        let pipe = root.join("templates/pipe.html");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        let r = lsp.request_raw(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&pipe)}, "position": {"line": 0, "character": 0}}),
        );
        assert!(r.get("error").is_none(), "hover on a pipe: {r}");
    }
    let probe = root.join("core/templates/core/clock.html");
    let pu = uri(&probe);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": pu, "languageId": "django-html", "version": 1, "text": "{{ y|nosuch }}\n"}}),
    );
    let d = lsp.wait_diagnostics(&pu, 30, |d| !d.is_empty());
    assert!(d.iter().any(|x| x["code"] == "E004"), "{d:?}");
    assert_eq!(lsp.shutdown(), Some(0));
}
