//! No input makes the analyzer panic: every fixture and example file, mutated many
//! times (bytes flipped, deleted, duplicated; multi-byte characters and Django/HTML
//! delimiters spliced in), is checked as Python and as a template.

use djust_analyzer::{check_source, Settings};
use std::path::{Path, PathBuf};

/// xorshift64*: deterministic, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SPLICES: &[&str] = &[
    "é",
    "😀",
    "\u{feff}",
    "{%",
    "%}",
    "{{",
    "}}",
    "{#",
    "#}",
    "<",
    ">",
    "<!--",
    "-->",
    "\"",
    "'",
    "\n",
    "\r\n",
    "\t",
    "# noqa",
    "# noqa: ",
    "{# noqa: T002 #}",
    "{% comment %}",
    "{% endcomment %}",
    "{% verbatim %}",
    "dj-root",
    "dj-view=\"",
    "def mount(self",
    "@event_handler\n",
    "self.x = Client(",
    "class X(LiveView):\n",
    "(",
    ")",
    ":",
    "\\",
    "\0",
];

fn mutate(rng: &mut Rng, input: &str) -> String {
    let mut bytes = input.as_bytes().to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let end = (at + rng.below(16)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let s = SPLICES[rng.below(SPLICES.len())];
                bytes.splice(at..at, s.bytes());
            }
            2 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = (rng.next() & 0x7f) as u8;
            }
            _ => {
                let start = rng.below(bytes.len() + 1);
                let end = (start + rng.below(64)).min(bytes.len());
                let chunk = bytes[start..end].to_vec();
                bytes.splice(at..at, chunk);
            }
        }
    }
    // check_source takes text; decoding is covered separately (E002).
    String::from_utf8_lossy(&bytes).into_owned()
}

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("tests/fixtures"), root.join("../examples")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "py" || e == "html") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn mutated_inputs_never_panic() {
    let settings = Settings::defaults(Path::new("."));
    let files = corpus();
    assert!(files.len() > 50, "corpus too small: {}", files.len());
    let mut rng = Rng(0x5EED_D1A5_u64);
    let mut checked = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        for round in 0..40 {
            let mutated = mutate(&mut rng, &text);
            for name in ["view.py", "page.html"] {
                let result = std::panic::catch_unwind(|| check_source(&mutated, name, &settings));
                assert!(
                    result.is_ok(),
                    "panic on {} (round {round}) checked as {name}; input:\n{mutated}",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 4000);
}

#[test]
fn noqa_comments_with_multibyte_characters() {
    let settings = Settings::defaults(Path::new("."));
    for src in [
        "x = 1  # aéé\n",
        "x = 1  # djust:é\n",
        "x = 1  # noé\n",
        "# djust: noé\n",
    ] {
        let report = check_source(src, "view.py", &settings);
        assert!(report.findings.is_empty(), "{src}");
    }
    for src in ["{# aéé #}", "{# éééé #}", "{# noé #}"] {
        let report = check_source(src, "page.html", &settings);
        assert!(report.findings.is_empty(), "{src}");
    }
}

/// Python nested past what CPython accepts, in every shape the issue found (and
/// more): one E001 finding, on a thread with a rayon worker's 2 MB stack. Templates
/// nested as deep: a few E004 findings at most. Each used to overflow the stack and
/// abort the process.
#[test]
fn deep_nesting_is_one_finding_not_a_stack_overflow() {
    const N: usize = 100_000;
    // 2,000 levels of blocks (CPython stops at 100).
    let indent = |line: &str| -> String {
        (0..2000)
            .map(|i| format!("{}{line}\n", " ".repeat(i)))
            .collect::<String>()
    };
    let python: Vec<(&str, String)> = vec![
        ("attribute chain", format!("x = a{}\n", ".b".repeat(N))),
        ("unary minus", format!("x = {}1\n", "-".repeat(N))),
        ("brackets", format!("x = {}{}\n", "[".repeat(N), "]".repeat(N))),
        ("calls", format!("x = {}{}\n", "f(".repeat(N), ")".repeat(N))),
        ("not", format!("x = {}y\n", "not ".repeat(N))),
        ("lambda", format!("x = {}y\n", "lambda: ".repeat(N))),
        ("binary chain", format!("x = {}\n", vec!["1"; N].join(" + "))),
        ("call chain", format!("x = f{}\n", "()".repeat(N))),
        ("subscripts", format!("x = a{}\n", "[0]".repeat(N))),
        ("conditional", format!("x = {}c\n", "a if b else ".repeat(N))),
        ("f-string", format!("x = f'{{a{}}}'\n", ".b".repeat(N))),
        ("nested ifs", indent("if x:")),
        ("nested classes", indent("class A(LiveView):")),
        ("unclosed", format!("x = {}\n", "(".repeat(N))),
        (
            "deep and broken",
            format!(
                "class V(LiveView):\n    def f(self:\n        x = {}1\n",
                "-".repeat(N)
            ),
        ),
    ];
    let settings = Settings::defaults(Path::new("."));
    for (shape, source) in &python {
        let findings = on_a_worker_stack(|| check_source(source, "views.py", &settings).findings);
        let codes: Vec<&str> = findings.iter().map(|f| f.rule.code()).collect();
        assert_eq!(codes, ["E001"], "{shape}: {findings:?}");
    }
    // (shape, source, whether it is an error): long but flat templates are fine.
    let templates: Vec<(&str, String, bool)> = vec![
        ("unclosed ifs", "{% if x %}".repeat(10_000), true),
        (
            "closed ifs",
            format!("{}{}", "{% if x %}".repeat(N), "{% endif %}".repeat(N)),
            true,
        ),
        (
            "blocks",
            (0..2000)
                .map(|i| format!("{{% block b{i} %}}"))
                .collect::<String>(),
            true,
        ),
        (
            "not",
            format!("{{% if {}x %}}y{{% endif %}}", "not ".repeat(N)),
            true,
        ),
        (
            "and",
            format!("{{% if {} %}}y{{% endif %}}", vec!["x"; N].join(" and ")),
            true,
        ),
        (
            "elements",
            format!("<div dj-root>{}{}</div>", "<div>".repeat(N), "</div>".repeat(N)),
            true,
        ),
        ("filters", format!("{{{{ x{} }}}}", "|upper".repeat(N)), false),
        (
            "with",
            format!(
                "{{% with {} %}}{{% endwith %}}",
                (0..N).map(|i| format!("a{i}=1")).collect::<Vec<_>>().join(" ")
            ),
            false,
        ),
    ];
    for (shape, source, is_error) in &templates {
        let findings = on_a_worker_stack(|| check_source(source, "templates/page.html", &settings).findings);
        let e004 = findings.iter().filter(|f| f.rule.code() == "E004").count();
        let expected = if *is_error { 1..=2 } else { 0..=0 };
        assert!(
            expected.contains(&e004),
            "{shape}: {e004} E004 findings: {:?}",
            &findings[..findings.len().min(3)]
        );
    }
}

/// More than ten syntax errors in one template: the first ten, the first one counting
/// the rest.
#[test]
fn a_cascade_of_template_errors_is_reported_with_a_count() {
    let settings = Settings::defaults(Path::new("."));
    let findings = check_source(&"{{ }}".repeat(25), "templates/page.html", &settings).findings;
    assert_eq!(findings.len(), 10);
    assert!(
        findings[0]
            .message
            .contains("(15 more syntax errors in this template are not reported"),
        "{}",
        findings[0].message
    );
    assert!(!findings[1].message.contains("more syntax errors"));
}

/// Run `f` on a thread with a 2 MB stack (what rayon's workers and most threads get).
fn on_a_worker_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn_scoped(s, f);
        match handle.map(|h| h.join()) {
            Ok(Ok(v)) => v,
            _ => panic!("the check panicked or could not start"),
        }
    })
}
