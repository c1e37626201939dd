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
