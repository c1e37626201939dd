//! The benchmark cases of `benches/vdom.rs`, checked for correctness and pinned:
//! for each, render before and after with `render_document`, diff, apply the patches
//! with the reference applier and compare with the new tree; the patch counts and
//! JSON sizes are the figures recorded in `docs/benchmarks.md` (print them with
//! `cargo test -p djust-runtime --test vdom_cases -- --nocapture`).

use djust_runtime::vdom::patch::{to_json, Patch};
use djust_runtime::vdom::{apply, diff, IdAllocator};

mod common;
use common::cases::{cases, engine, render_root};

fn count(p: &[Patch], pred: fn(&Patch) -> bool) -> usize {
    p.iter().filter(|x| pred(x)).count()
}

#[test]
fn every_case_patches_correctly_and_compactly() {
    let engine = engine();
    for case in cases(&engine) {
        let mut ids = IdAllocator::new();
        let before = render_root(&engine, &case.template, &case.before, &mut ids);
        let mut after = render_root(&engine, &case.template, &case.after, &mut IdAllocator::new());
        let patches = diff(&before, &mut after, &mut ids);
        let json = to_json(&patches);
        let mut applied = before.clone();
        apply(&mut applied, &patches).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(applied, after, "{}", case.name);
        println!(
            "{:<38} {:>5} ops {:>7} bytes",
            case.name,
            patches.len(),
            json.len()
        );

        let texts = count(&patches, |p| matches!(p, Patch::Text { .. }));
        let attrs = count(&patches, |p| matches!(p, Patch::Attrs { .. }));
        let inserts = count(&patches, |p| matches!(p, Patch::Insert { .. }));
        let removes = count(&patches, |p| matches!(p, Patch::Remove { .. }));
        let reorders = count(&patches, |p| matches!(p, Patch::Reorder { .. }));
        match case.name {
            "counter text change" | "1000 rows, one cell changed" => {
                assert_eq!((patches.len(), texts), (1, 1), "{}: {patches:?}", case.name)
            }
            "form, 3 attribute changes" => match patches.as_slice() {
                [Patch::Attrs { set, remove, .. }] => {
                    assert_eq!(set.len(), 3, "{patches:?}");
                    assert!(remove.is_empty());
                }
                _ => panic!("{patches:?}"),
            },
            "1000 rows, one class changed" => assert_eq!((patches.len(), attrs), (1, 1), "{patches:?}"),
            "1000 rows, 10 inserted mid" | "1000 rows unkeyed, 10 inserted mid" => {
                // Ten rows, plus the heading's row count.
                assert_eq!(
                    (inserts, texts, patches.len()),
                    (10, 1, 11),
                    "{}: {patches:?}",
                    case.name
                );
                assert!(json.len() < 15_000, "{}: {} bytes", case.name, json.len());
            }
            "1000 rows, 10 removed mid" => assert_eq!((removes, texts, patches.len()), (10, 1, 11)),
            "1000 rows, reversed" | "1000 rows, shuffled" | "50 rows, shuffle" => {
                assert_eq!((reorders, patches.len()), (1, 1), "{}", case.name);
                assert!(json.len() < 15_000, "{}: {} bytes", case.name, json.len());
            }
            "1000 rows, identical" => assert!(patches.is_empty()),
            "50 rows, append" => assert_eq!((inserts, texts, patches.len()), (1, 1, 2)),
            other => panic!("case {other} has no expectation"),
        }
    }
}
