//! Selection: which findings are reported (enabled rules, per-file ignores, `noqa`),
//! the unused-`noqa` rule over what was suppressed, and the report's order.

use super::{Loaded, Summary};
use crate::config::Settings;
use crate::finding::packed::{FindingList, Head};
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::{rules, SourceFile};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// Which findings a run reports: for each file, which of its per-file findings
/// (by index); the cross-file findings kept, in their groups, and Q101's; how many
/// `noqa` dropped.
pub(crate) struct Selection<L> {
    per_file: Vec<Vec<usize>>,
    other: Vec<L>,
    suppressed: usize,
}

impl<L: FindingList> Selection<L> {
    /// The findings, moving the per-file ones out of `loaded` (no copy).
    pub(crate) fn take(self, loaded: &mut [Loaded]) -> (Vec<Finding>, usize) {
        let other: usize = self.other.iter().map(FindingList::len).sum();
        let mut out = Vec::with_capacity(self.per_file.iter().map(Vec::len).sum::<usize>() + other);
        for (l, keep) in loaded.iter_mut().zip(self.per_file) {
            if keep.is_empty() {
                continue;
            }
            let mut all: Vec<Option<Finding>> =
                std::mem::take(&mut l.findings).into_iter().map(Some).collect();
            out.extend(
                keep.into_iter()
                    .filter_map(|i| all.get_mut(i).and_then(Option::take)),
            );
        }
        for part in self.other {
            out.extend(part.into_findings());
        }
        (out, self.suppressed)
    }
}

/// Per-file and cross-file findings after selection, per-file ignores and `noqa`:
/// the findings to report (copies of the per-file ones: `loaded` is kept), and how
/// many `noqa` dropped.
pub(crate) fn select(loaded: &[Loaded], cross: Vec<Finding>, settings: &Settings) -> (Vec<Finding>, usize) {
    let sel = selection(loaded, vec![cross], settings);
    let mut out: Vec<Finding> = Vec::new();
    for (l, keep) in loaded.iter().zip(&sel.per_file) {
        out.extend(keep.iter().filter_map(|&i| l.findings.get(i).cloned()));
    }
    out.extend(sel.other.into_iter().flat_map(FindingList::into_findings));
    (out, sel.suppressed)
}

/// [`select`]'s decision, without copying a finding (`cross`: the cross-file findings
/// in groups, [`crate::project::cross_file_parts`]).
pub(crate) fn selection<L: FindingList>(
    loaded: &[Loaded],
    cross: Vec<L>,
    settings: &Settings,
) -> Selection<L> {
    let mut sel = Selection {
        per_file: vec![Vec::new(); loaded.len()],
        other: Vec::new(),
        suppressed: 0,
    };
    // Per file, the suppressed findings' rules and noqa lines (for Q101).
    let mut quiet: HashMap<FileId, Vec<(Rule, Vec<usize>)>> = HashMap::new();
    let mut suppressed = 0;
    let mut keep = |f: Head<'_>| -> bool {
        let l = &loaded[f.file];
        if !settings.rule_applies(f.rule, &l.file.abs) {
            return false;
        }
        if is_suppressed(f, &l.summary, &l.file) {
            suppressed += 1;
            let lines = if f.noqa_lines.is_empty() {
                vec![l.file.lines.line_of(f.start)]
            } else {
                f.noqa_lines.to_vec()
            };
            quiet.entry(f.file).or_default().push((f.rule, lines));
            return false;
        }
        true
    };
    for (id, l) in loaded.iter().enumerate() {
        for (i, f) in l.findings.iter().enumerate() {
            if keep(Head::of(f)) {
                sel.per_file[id].push(i);
            }
        }
    }
    // The cross-file findings are filtered where they are: a second list of them
    // would be a second copy of the run's largest list at its peak.
    let mut cross = cross;
    for part in &mut cross {
        part.retain(&mut keep);
    }
    sel.suppressed = suppressed;
    sel.other = cross;
    let mut q101 = Vec::new();
    // Q101: directives that suppressed nothing, once every other finding is known.
    for (id, l) in loaded.iter().enumerate() {
        let directives = match &l.summary {
            Summary::Python(p) => p.noqa_directives(),
            Summary::Template(t) => t.noqa_directives.as_slice(),
            Summary::None => continue,
        };
        if directives.is_empty() || !settings.rule_applies(Rule::Q101, &l.file.abs) {
            continue;
        }
        let enabled = |r: Rule| settings.rule_applies(r, &l.file.abs);
        rules::q101::check(
            &rules::q101::FileNoqa {
                file: id,
                directives,
                suppressed: quiet.get(&id).map_or(&[], Vec::as_slice),
                enabled: &enabled,
                external: &settings.external,
            },
            &mut q101,
        );
    }
    sel.other.push(L::of(q101));
    sel
}

/// Sort by file (display path, in [`Path`] order), position and code, keeping the
/// order of findings that tie (a stable sort); drop exact duplicates. The files are
/// ranked once (by byte keys), then the findings' places sorted by rank in parallel (no
/// path comparison per pair of findings) and the findings moved into them: four bytes
/// a finding beside them, where a stable sort of the findings themselves held a second
/// copy of the list at the end of a run, its peak (docs/benchmarks.md, issue 19).
pub(crate) fn sort_findings<'a>(findings: &mut Vec<Finding>, display: impl Fn(FileId) -> &'a Path) {
    let mut files: Vec<FileId> = findings.iter().map(|f| f.file).collect();
    files.sort_unstable();
    files.dedup();
    files.sort_by_cached_key(|&id| crate::discovery::path_key(display(id)));
    let mut rank: rustc_hash::FxHashMap<FileId, usize> = rustc_hash::FxHashMap::default();
    rank.extend(files.iter().enumerate().map(|(r, &id)| (id, r)));
    let rank_of = |id: FileId| rank.get(&id).copied().unwrap_or(usize::MAX);
    let key = |f: &Finding| (rank_of(f.file), f.span.start, f.rule);
    match u32::try_from(findings.len()) {
        Ok(n) if n < u32::MAX => {
            let mut order: Vec<u32> = (0..n).collect();
            let all: &[Finding] = findings;
            order.par_sort_unstable_by_key(|&i| (key(&all[i as usize]), i));
            permute(findings, order);
        }
        // Four billion findings: the list's own stable sort.
        _ => findings.par_sort_by_key(key),
    }
    findings
        .dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message);
}

/// Reorder `items` so that place `p` holds what was at `order[p]` (`order` is a
/// permutation of the places), by swapping along each cycle: no second list.
fn permute<T>(items: &mut [T], mut order: Vec<u32>) {
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        if order[start] == DONE {
            continue;
        }
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = DONE;
            if from == start || from >= items.len() {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// Whether a `noqa` suppresses `f`: the file's, or (Python) one on a line the finding
/// names, by default its first line.
pub(crate) fn is_suppressed(f: Head<'_>, summary: &Summary, file: &SourceFile) -> bool {
    match summary {
        Summary::Python(p) => {
            let first = [file.lines.line_of(f.start)];
            let lines: &[usize] = if f.noqa_lines.is_empty() {
                &first
            } else {
                f.noqa_lines
            };
            p.file_noqa().is_some_and(|n| n.suppresses(f.rule))
                || lines
                    .iter()
                    .any(|&line| p.line_noqa(line).is_some_and(|n| n.suppresses(f.rule)))
        }
        Summary::Template(t) => t.noqa.as_ref().is_some_and(|n| n.suppresses(f.rule)),
        Summary::None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{permute, sort_findings};
    use crate::finding::Finding;
    use crate::rule::Rule;
    use djust_runtime::Span;
    use std::path::PathBuf;

    proptest::proptest! {
        /// Findings that tie on (file, position, code) keep their order, as a stable sort
        /// of the findings themselves leaves them, and exact duplicates go.
        #[test]
        fn the_sort_is_the_stable_sort(
            raw in proptest::collection::vec((0usize..4, 0usize..5, proptest::bool::ANY, 0u8..3), 0..60)
        ) {
            let names = ["b/z.py", "a.html", "b/a.py", "a/b.py"].map(PathBuf::from);
            let findings: Vec<Finding> = raw
                .iter()
                .map(|&(file, start, v006, msg)| {
                    let rule = if v006 { Rule::V006 } else { Rule::T002 };
                    Finding::new(rule, file, Span::new(start, start + 1), format!("m{msg}"))
                })
                .collect();
            let mut expect = findings.clone();
            expect.sort_by_key(|f| (crate::discovery::path_key(&names[f.file]), f.span.start, f.rule));
            expect.dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message);
            let mut got = findings;
            sort_findings(&mut got, |id| names[id].as_path());
            proptest::prop_assert_eq!(got, expect);
        }
    }

    #[test]
    fn permute_moves_each_item_to_its_place() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        // Place 0 takes what was at 3, and so on: two cycles and a fixed point.
        permute(&mut items, vec![3, 0, 4, 1, 2]);
        assert_eq!(items, ['d', 'a', 'e', 'b', 'c']);
    }
}
