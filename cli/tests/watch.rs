//! `djust check --watch`, driven in a temporary directory: files appearing, changing,
//! being renamed and vanishing (directories too) are each re-checked, and Ctrl-C
//! (SIGINT) ends the watch cleanly.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Watch {
    child: Child,
    out: Arc<Mutex<String>>,
}

impl Watch {
    fn start(dir: &Path) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_djust"))
            .args(["check", "--watch", "--output-format", "concise", "--isolated"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run djust: {e}"));
        let out = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&out);
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        Watch { child, out }
    }

    /// The output printed since the last summary line before this call's.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.out.lock().map(|s| s.clone()).unwrap_or_default();
            // The last complete report: what follows the last-but-one summary line.
            let reports: Vec<&str> = text
                .split_inclusive("Watching for changes (Ctrl-C to stop).\n")
                .collect();
            if let Some(last) = reports.iter().rev().find(|r| r.ends_with("(Ctrl-C to stop).\n")) {
                if ok(last) {
                    return last.to_string();
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; output:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
}

const BARE_EXCEPT: &str = "try:\n    pass\nexcept:\n    pass\n";

#[test]
fn watch_rechecks_changes_renames_and_removals_then_stops_on_ctrl_c() {
    let dir = std::env::temp_dir().join(format!("djust-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write(&dir, "shop/__init__.py", "");
    write(&dir, "shop/views.py", "from djust import LiveView\n");
    let watch = Watch::start(&dir);
    let first = watch.wait_for("the first check", |r| r.contains("Checked 2 files"));
    assert!(first.contains("All checks passed!"), "{first}");

    // A new file.
    write(&dir, "shop/jobs.py", BARE_EXCEPT);
    let r = watch.wait_for("the new file's finding", |r| r.contains("shop/jobs.py:3:1: S003"));
    assert!(r.contains("shop/jobs.py changed"), "{r}");

    // An edit: only that file is analysed again, and the finding follows the text.
    write(&dir, "shop/jobs.py", &format!("import logging\n{BARE_EXCEPT}"));
    watch.wait_for("the moved finding", |r| r.contains("shop/jobs.py:4:1: S003"));

    // A rename: the finding moves with the file.
    std::fs::rename(dir.join("shop/jobs.py"), dir.join("shop/tasks.py")).unwrap_or_else(|e| panic!("{e}"));
    let r = watch.wait_for("the renamed file", |r| r.contains("shop/tasks.py:4:1: S003"));
    assert!(!r.contains("shop/jobs.py:"), "{r}");

    // A directory appears, is renamed, and goes.
    write(&dir, "other/run.py", "print(1)\n");
    watch.wait_for("the new directory", |r| r.contains("other/run.py:1:1: Q001"));
    std::fs::rename(dir.join("other"), dir.join("scripts")).unwrap_or_else(|e| panic!("{e}"));
    let r = watch.wait_for("the renamed directory", |r| {
        r.contains("scripts/run.py:1:1: Q001")
    });
    assert!(!r.contains("other/run.py"), "{r}");
    std::fs::remove_dir_all(dir.join("scripts")).unwrap_or_else(|e| panic!("{e}"));
    watch.wait_for("the removed directory", |r| {
        !r.contains("run.py") && r.contains("Found 1 finding")
    });

    // A fix clears the last finding; the file removed leaves nothing.
    write(&dir, "shop/tasks.py", "import logging\n");
    watch.wait_for("the fix", |r| r.contains("All checks passed!"));

    // Ctrl-C: a clean stop, exit code 0.
    let mut watch = watch;
    let pid = watch.child.id().to_string();
    let status = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(s) = watch.child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break s.code();
        }
        assert!(Instant::now() < deadline, "djust did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0));
    std::thread::sleep(Duration::from_millis(100));
    let text = watch.out.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(text.trim_end().ends_with("Stopped watching."), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
