//! A driver for instruction-level profiling of the event path (the benchmark
//! `render_to_patches/*` of `benches/vdom.rs`, without criterion around it), for
//! `valgrind --tool=callgrind`, which counts instructions the same on every run where
//! the VM's timings are noisy:
//!
//! ```text
//! cargo build --release -p djust-runtime --example render_to_patches
//! valgrind --tool=callgrind target/release/examples/render_to_patches 2 20
//! callgrind_annotate --inclusive=yes callgrind.out.*
//! ```
//!
//! Arguments: the case index in `tests/common/cases.rs` (default 2, "1000 rows, one
//! cell changed"), the number of iterations (default 20) and `render` to time the
//! render alone. Prints the case name and the mean wall time per iteration.

use djust_runtime::vdom::build::{render_document, render_document_after};
use djust_runtime::vdom::diff::diff_trees;
use djust_runtime::vdom::patch::to_json;
use djust_runtime::vdom::IdAllocator;
use std::process::ExitCode;

#[path = "../tests/common/cases.rs"]
mod cases;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let which: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let render_only = args.get(3).is_some_and(|s| s == "render");
    let engine = cases::engine();
    let all = cases::cases(&engine);
    let Some(case) = all.get(which) else {
        eprintln!("no case {which}: there are {}", all.len());
        return ExitCode::FAILURE;
    };
    let mut ids = IdAllocator::new();
    let before = match render_document(&engine, &case.template, &case.before, &mut ids) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(old) = before.root.as_ref() else {
        eprintln!("the page has no LiveView root");
        return ExitCode::FAILURE;
    };
    let t = std::time::Instant::now();
    for _ in 0..n {
        if render_only {
            std::hint::black_box(engine.render(&case.template, &case.after).ok());
            continue;
        }
        let mut ids = ids.clone();
        let Ok(Ok(mut new)) =
            render_document_after(&engine, &case.template, &case.after, &mut ids, &before).map(|r| r.root)
        else {
            eprintln!("the render failed");
            return ExitCode::FAILURE;
        };
        let patches = diff_trees(old, &mut new, &mut ids);
        std::hint::black_box(to_json(&patches));
    }
    println!("{}: {:?} per iteration", case.name, t.elapsed() / n.max(1));
    ExitCode::SUCCESS
}
