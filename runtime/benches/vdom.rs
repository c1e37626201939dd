//! Criterion benchmarks of the VDOM (issue: VDOM, point 7), on the cases of
//! `tests/common/cases.rs` (whose patch counts and sizes `tests/vdom_cases.rs` pins):
//!
//! - `diff/*`: the diff alone (`diff_trees`); both trees are built outside the timed
//!   part.
//! - `render_to_patches/*`: the whole event path for the new state, as a LiveView
//!   session runs it: render the template while building the VDOM from the output
//!   stream, after the previous render (`render_document_after`: buffers sized from
//!   it, unchanged loop iterations copied from its tree), diff against the previous
//!   tree and write the JSON message.
//! - `build/*`: HTML → VDOM for the 1,000-row page, the fast builder against
//!   html5ever (`vdom::parse`).
//!
//! Run: `cargo bench -p djust-runtime --bench vdom`. Results: docs/benchmarks.md.

// criterion_group! generates an undocumented `benches` function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use djust_runtime::vdom::build::{render_document, render_document_after};
use djust_runtime::vdom::diff::diff_trees;
use djust_runtime::vdom::patch::to_json;
use djust_runtime::vdom::{build_document, parse_document, IdAllocator};
use std::hint::black_box;

#[path = "../tests/common/cases.rs"]
mod cases;

// The allocator of the `djust` binary (cli/src/main.rs); the VDOM allocates a node at
// a time, so the allocator matters (glibc malloc: about 2x slower on the 1,000-row cases).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let engine = cases::engine();
    let all = cases::cases(&engine);

    let mut g = c.benchmark_group("diff");
    for case in &all {
        let mut ids = IdAllocator::new();
        let old = cases::render_tree(&engine, &case.template, &case.before, &mut ids);
        let new = cases::render_tree(&engine, &case.template, &case.after, &mut IdAllocator::new());
        g.bench_function(case.name, |b| {
            b.iter_batched(
                || (new.clone(), ids.clone()),
                |(mut new, mut ids)| black_box(diff_trees(&old, &mut new, &mut ids)),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();

    let mut g = c.benchmark_group("render_to_patches");
    for case in &all {
        let mut ids = IdAllocator::new();
        let before = render_document(&engine, &case.template, &case.before, &mut ids)
            .unwrap_or_else(|e| panic!("{e}"));
        let old = before.root.as_ref().unwrap_or_else(|e| panic!("{e}"));
        g.bench_function(case.name, |b| {
            b.iter_batched(
                || ids.clone(),
                |mut ids| {
                    let mut new =
                        render_document_after(&engine, &case.template, &case.after, &mut ids, &before)
                            .unwrap_or_else(|e| panic!("{e}"))
                            .root
                            .unwrap_or_else(|e| panic!("{e}"));
                    let patches = diff_trees(old, &mut new, &mut ids);
                    black_box(to_json(&patches))
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    let page = engine
        .render(&all[2].template, &all[2].before)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group("build");
    g.bench_function("1000-row page, fast builder", |b| {
        b.iter(|| black_box(build_document(&page, &mut IdAllocator::new())))
    });
    g.bench_function("1000-row page, html5ever", |b| {
        b.iter(|| black_box(parse_document(&page, &mut IdAllocator::new())))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
