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
