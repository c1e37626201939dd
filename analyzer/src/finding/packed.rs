//! Lists of findings as a run holds them from its cross-file rules to its report: as
//! findings (`Vec<Finding>`), or packed into bytes ([`Packed`]), which a `check` run
//! uses because it holds them while every summary is still alive, its peak.
//!
//! A packed finding is its fields in postcard's encoding, one after another in one
//! buffer per list: no allocation, no padding and no spare capacity per finding, and a
//! help or label that is a constant kept as an index into the list's constants (a few
//! per rule). A finding of S005 takes about 125 bytes packed where it took 232 (its
//! 120-byte struct and its message), one of V008 about 300 where it took 450
//! (docs/benchmarks.md, "Issue 19: cross-file findings packed").

use super::{FileId, Finding, Fix, Label};
use crate::rule::{Rule, Severity};
use djust_runtime::Span;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What selection reads of a finding to decide whether it is reported: its rule,
/// file, first byte and the lines whose `noqa` may suppress it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head<'a> {
    pub(crate) rule: Rule,
    pub(crate) file: FileId,
    pub(crate) start: usize,
    /// 0-based; empty means the finding's first line ([`Finding::noqa_lines`]).
    pub(crate) noqa_lines: &'a [usize],
}

impl<'a> Head<'a> {
    /// The head of `f`.
    pub(crate) fn of(f: &'a Finding) -> Self {
        Head {
            rule: f.rule,
            file: f.file,
            start: f.span.start,
            noqa_lines: &f.noqa_lines,
        }
    }
}

/// A list of findings built in order, filtered, then read once.
pub(crate) trait FindingList: Default + Send {
    /// Add `f` at the end.
    fn push(&mut self, f: Finding);
    /// Release spare capacity: the list is built.
    fn shrink(&mut self);
    /// Keep the findings whose head `keep` accepts, in order.
    fn retain(&mut self, keep: impl FnMut(Head<'_>) -> bool);
    /// How many findings.
    fn len(&self) -> usize;
    /// The findings, in order.
    fn into_findings(self) -> impl Iterator<Item = Finding>;

    /// A built list of `findings`, in order.
    fn of(findings: impl IntoIterator<Item = Finding>) -> Self {
        let mut list = Self::default();
        list.push_all(findings);
        list.shrink();
        list
    }

    /// Add `findings` at the end, in order.
    fn push_all(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            self.push(f);
        }
    }
}

impl FindingList for Vec<Finding> {
    fn push(&mut self, f: Finding) {
        Vec::push(self, f);
    }

    fn shrink(&mut self) {
        self.shrink_to_fit();
    }

    fn retain(&mut self, mut keep: impl FnMut(Head<'_>) -> bool) {
        Vec::retain(self, |f| keep(Head::of(f)));
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn into_findings(self) -> impl Iterator<Item = Finding> {
        self.into_iter()
    }
}

/// Findings packed into one buffer (see the module's doc). Each reads back equal to the
/// finding pushed (proptest `a_packed_list_reads_back_as_pushed`).
#[derive(Debug, Default)]
pub(crate) struct Packed {
    bytes: Vec<u8>,
    /// The constant helps and labels the findings use, each once.
    constants: Vec<&'static str>,
    len: usize,
}

/// A help or label: none, a constant (by index into [`Packed::constants`]) or a text.
#[derive(Serialize, Deserialize)]
enum Text<'a> {
    None,
    Constant(u32),
    Owned(&'a str),
}

/// A finding as it is written (borrowed from the finding).
#[derive(Serialize)]
struct Written<'a> {
    rule: u16,
    severity: Severity,
    file: FileId,
    start: usize,
    end: usize,
    noqa_lines: &'a [usize],
    message: &'a str,
    help: Text<'a>,
    label: Text<'a>,
    labels: &'a [Label],
    fix: Option<&'a Fix>,
}

/// A finding as it is read (borrowing its texts from the buffer).
#[derive(Deserialize)]
struct Read<'a> {
    rule: u16,
    severity: Severity,
    file: FileId,
    start: usize,
    end: usize,
    noqa_lines: Vec<usize>,
    #[serde(borrow)]
    message: &'a str,
    #[serde(borrow)]
    help: Text<'a>,
    #[serde(borrow)]
    label: Text<'a>,
    labels: Vec<Label>,
    fix: Option<Fix>,
}

impl Packed {
    /// `text` as written: a constant by its index (added to the list's constants the
    /// first time), anything else as its text.
    fn text<'a>(constants: &mut Vec<&'static str>, text: &'a Option<Cow<'static, str>>) -> Text<'a> {
        match text {
            None => Text::None,
            Some(Cow::Borrowed(s)) => {
                let at = constants
                    .iter()
                    .position(|c| std::ptr::eq(*c, *s))
                    .unwrap_or_else(|| {
                        constants.push(s);
                        constants.len() - 1
                    });
                match u32::try_from(at) {
                    Ok(at) => Text::Constant(at),
                    Err(_) => Text::Owned(s),
                }
            }
            Some(Cow::Owned(s)) => Text::Owned(s),
        }
    }

    /// The finding at the start of `bytes`, its rule, and the bytes after it; `None` at
    /// the end (or, never for bytes this list wrote, bytes that do not read as a finding).
    fn read(bytes: &[u8]) -> Option<(Rule, Read<'_>, &[u8])> {
        if bytes.is_empty() {
            return None;
        }
        let read = postcard::take_from_bytes::<Read<'_>>(bytes)
            .ok()
            .and_then(|(r, rest)| Some((*Rule::ALL.get(usize::from(r.rule))?, r, rest)));
        debug_assert!(read.is_some(), "a packed finding does not read back");
        read
    }

    /// A finding, from what was read.
    fn finding(&self, rule: Rule, r: Read<'_>) -> Finding {
        let text = |t: Text<'_>| match t {
            Text::None => None,
            Text::Constant(at) => self.constants.get(at as usize).map(|s| Cow::Borrowed(*s)),
            Text::Owned(s) => Some(Cow::Owned(s.to_string())),
        };
        Finding {
            rule,
            severity: r.severity,
            message: r.message.into(),
            help: text(r.help),
            file: r.file,
            span: Span::new(r.start, r.end),
            label: text(r.label),
            noqa_lines: r.noqa_lines.into(),
            labels: r.labels.into(),
            fix: r.fix.map(Box::new),
        }
    }
}

impl FindingList for Packed {
    fn push(&mut self, f: Finding) {
        let written = Written {
            rule: f.rule as u16,
            severity: f.severity,
            file: f.file,
            start: f.span.start,
            end: f.span.end,
            noqa_lines: &f.noqa_lines,
            message: &f.message,
            help: Packed::text(&mut self.constants, &f.help),
            label: Packed::text(&mut self.constants, &f.label),
            labels: &f.labels,
            fix: f.fix.as_deref(),
        };
        // Writing to a vector does not fail; if it did, nothing of the finding is kept.
        let before = self.bytes.len();
        match postcard::to_io(&written, &mut self.bytes) {
            Ok(_) => self.len += 1,
            Err(_) => {
                debug_assert!(false, "a finding could not be packed");
                self.bytes.truncate(before);
            }
        }
    }

    fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.constants.shrink_to_fit();
    }

    fn retain(&mut self, mut keep: impl FnMut(Head<'_>) -> bool) {
        // In place: each kept finding's bytes move down over the dropped ones.
        let (mut from, mut to) = (0, 0);
        let mut len = 0;
        while let Some((rule, r, rest)) = Packed::read(&self.bytes[from..]) {
            let end = self.bytes.len() - rest.len();
            let head = Head {
                rule,
                file: r.file,
                start: r.start,
                noqa_lines: &r.noqa_lines,
            };
            if keep(head) {
                self.bytes.copy_within(from..end, to);
                to += end - from;
                len += 1;
            }
            from = end;
        }
        self.bytes.truncate(to);
        self.len = len;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn into_findings(self) -> impl Iterator<Item = Finding> {
        let mut at = 0;
        std::iter::from_fn(move || {
            let (rule, r, rest) = Packed::read(&self.bytes[at..])?;
            at = self.bytes.len() - rest.len();
            Some(self.finding(rule, r))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{FindingList, Packed};
    use crate::finding::{Applicability, Edit, Finding, Fix};
    use crate::rule::Rule;
    use djust_runtime::Span;

    // A static, not a constant: one address, which a borrowed help keeps.
    static HELP: &str = "a constant help";

    /// Findings with every field set or not, from a few numbers.
    fn finding(n: usize, rule: usize, owned_help: bool, fix: bool) -> Finding {
        let rule = Rule::ALL[rule % Rule::ALL.len()];
        let mut f = Finding::new(rule, n % 7, Span::new(n, n + 3), format!("message {n} ·"));
        f = if owned_help {
            f.with_help(format!("help {n}"))
        } else {
            f.with_help(HELP)
        };
        if n % 3 == 0 {
            f = f.with_primary_label("here").with_noqa_lines(vec![n, n + 1]);
        }
        if n % 4 == 0 {
            f = f.with_label(Span::new(0, n), format!("label {n}"));
        }
        if fix {
            f = f.with_fix(Fix {
                message: "fix it".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: Span::new(n, n),
                    content: ", **kwargs".into(),
                }],
            });
        }
        f
    }

    proptest::proptest! {
        /// What is pushed reads back equal, in order, and a constant help stays borrowed.
        #[test]
        fn a_packed_list_reads_back_as_pushed(
            raw in proptest::collection::vec((0usize..100_000, 0usize..64, proptest::bool::ANY, proptest::bool::ANY), 0..40)
        ) {
            let findings: Vec<Finding> = raw.iter().map(|&(n, r, h, x)| finding(n, r, h, x)).collect();
            let mut packed = Packed::default();
            for f in findings.clone() {
                packed.push(f);
            }
            packed.shrink();
            proptest::prop_assert_eq!(packed.len(), findings.len());
            let back: Vec<Finding> = packed.into_findings().collect();
            for f in &back {
                if let Some(std::borrow::Cow::Borrowed(h)) = &f.help {
                    proptest::prop_assert!(std::ptr::eq(*h, HELP));
                }
            }
            proptest::prop_assert_eq!(back, findings);
        }

        /// Retaining packed findings keeps the same ones as retaining the findings.
        #[test]
        fn packed_findings_are_retained_as_findings_are(
            raw in proptest::collection::vec((0usize..1_000, 0usize..64, proptest::bool::ANY, proptest::bool::ANY), 0..40),
            modulus in 1usize..5,
        ) {
            let findings: Vec<Finding> = raw.iter().map(|&(n, r, h, x)| finding(n, r, h, x)).collect();
            let keep = |h: super::Head<'_>| (h.start + h.noqa_lines.len() + h.rule as usize) % modulus == 0;
            let mut plain = findings.clone();
            FindingList::retain(&mut plain, keep);
            let mut packed = Packed::default();
            for f in findings {
                packed.push(f);
            }
            packed.retain(keep);
            proptest::prop_assert_eq!(packed.len(), plain.len());
            proptest::prop_assert_eq!(packed.into_findings().collect::<Vec<_>>(), plain);
        }
    }

    #[test]
    fn each_rule_is_written_as_its_place_in_the_registry() {
        for (at, rule) in Rule::ALL.iter().enumerate() {
            assert_eq!(*rule as usize, at, "{rule:?}");
        }
    }
}
