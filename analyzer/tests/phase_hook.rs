//! `pipeline::PHASE_HOOK`: a process that sets it is told of each phase of every
//! `check` run, in order (the `djust` binary tunes its allocator there).

use djust_analyzer::pipeline::{Phase, PHASE_HOOK};
use djust_analyzer::{check, Overrides};
use std::path::PathBuf;
use std::sync::Mutex;

static SEEN: Mutex<Vec<Phase>> = Mutex::new(Vec::new());

fn record(phase: Phase) {
    if let Ok(mut seen) = SEEN.lock() {
        seen.push(phase);
    }
}

#[test]
fn each_run_is_loading_then_cross_file_then_report() -> Result<(), Box<dyn std::error::Error>> {
    assert!(PHASE_HOOK.set(record).is_ok());
    let dir = std::env::temp_dir().join(format!("djust-phase-hook-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("shop"))?;
    std::fs::write(
        dir.join("shop/views.py"),
        "from djust import LiveView\n\nclass Shop(LiveView):\n    template_name = 'shop.html'\n",
    )?;
    let overrides = Overrides {
        no_cache: true,
        ..Overrides::default()
    };
    for _ in 0..2 {
        let report = check(&[PathBuf::from(".")], &dir, &overrides)?;
        assert_eq!(report.files.len(), 1);
    }
    let seen = SEEN.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(
        seen,
        [
            Phase::Loading,
            Phase::CrossFile,
            Phase::Report,
            Phase::Loading,
            Phase::CrossFile,
            Phase::Report
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
