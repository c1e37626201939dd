//! The `djust` binary: [`djust_cli::run`] on the process's arguments.

use djust_analyzer::pipeline::{Phase, BACKGROUND_HOOK, PHASE_HOOK};
use std::process::ExitCode;

// Parsing allocates many small AST nodes; mimalloc makes `djust check` ~15% faster
// than the system allocator on the benchmark tree (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v2's `mi_option_purge_delay`: its place in `mi_option_e` (`mimalloc.h`),
/// between the two options `libmimalloc-sys` names around it (it does not name this
/// one). The test below checks both neighbours and the option's default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc's default purge delay, in milliseconds (`options.c`).
const DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 10;

/// How long mimalloc keeps a freed page before giving it back to the system, in
/// milliseconds, for each phase of a `check` run ([`PHASE_HOOK`]): the default while
/// files are parsed (a page freed with one file's syntax tree is soon reused for the
/// next one's), none once they are loaded (the pages the parses leave behind go back,
/// and the run holds only its summaries). Against the default throughout, the peak
/// memory of a cold run falls by 12% on the synthetic 10k tree and 9% on the 40k one,
/// for about 2% more wall time; giving pages back at once throughout saves the same
/// but costs 7–18% (docs/benchmarks.md, "Issue 19: details packed, freed pages returned
/// after loading").
fn purge_delay(phase: Phase) -> std::ffi::c_long {
    match phase {
        Phase::Loading => DEFAULT_PURGE_DELAY_MS,
        Phase::CrossFile | Phase::Report => 0,
    }
}

/// Set mimalloc's purge delay for `phase` ([`purge_delay`]). Once the summaries are
/// freed ([`Phase::Report`]), every thread of the pool collects its heap: a block freed
/// by another thread than the one that allocated it waits in its page until the owner
/// looks, and the pool's threads are idle by then, so without this their pages stayed
/// held while the report took new ones (peak memory −12% on the synthetic 40k tree:
/// docs/benchmarks.md, issue 19).
#[allow(unsafe_code)]
fn tune_allocator(phase: Phase) {
    // SAFETY: `mi_option_set` takes two integers and no pointer; mimalloc documents
    // options as settable at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, purge_delay(phase)) }
    if phase == Phase::Report {
        rayon::broadcast(|_| collect());
        collect();
    }
}

/// mimalloc's `mi_collect(true)` on the calling thread's heap: blocks other threads
/// freed are taken back, and pages left empty go to the system (at once: the purge
/// delay is 0 by then).
#[allow(unsafe_code)]
fn collect() {
    // SAFETY: `mi_collect` takes a boolean and no pointer; mimalloc documents it as
    // callable from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// The lowest priority for the calling thread ([`BACKGROUND_HOOK`]: the thread that
/// writes the cache), so that it runs on cores the run leaves idle instead of taking
/// turns with the threads the run waits for (the cross-file phase of a first cached run
/// on the synthetic 10k tree: docs/benchmarks.md, issue 19). On Linux a nice value
/// belongs to one thread (`setpriority(2)`, NOTES), so `PRIO_PROCESS` with 0 sets the
/// caller's; elsewhere it would be the whole process's, and nothing is done. A failure
/// (a sandbox that forbids it) leaves the priority as it was.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    // SAFETY: `setpriority` takes three integers and no pointer.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

fn main() -> ExitCode {
    // Set once, before any run: `set` fails only if it is already set.
    let _ = PHASE_HOOK.set(tune_allocator);
    let _ = BACKGROUND_HOOK.set(lower_priority);
    ExitCode::from(djust_cli::run(std::env::args_os()))
}

#[cfg(test)]
mod tests {
    use super::{lower_priority, tune_allocator, DEFAULT_PURGE_DELAY_MS, MI_OPTION_PURGE_DELAY};
    use djust_analyzer::pipeline::Phase;

    /// The option read back.
    #[allow(unsafe_code)]
    fn purge_delay_now() -> std::ffi::c_long {
        // SAFETY: as in `tune_allocator`; `mi_option_get` takes an integer.
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
    }

    /// The constant names the purge delay: it sits between `eager_commit_delay` and
    /// `use_numa_nodes`, as in `mimalloc.h`, and its default is the documented 10 ms;
    /// each phase sets its delay, and loading again restores the default (a language
    /// server or MCP process runs many checks).
    #[test]
    fn the_purge_delay_follows_the_phases() {
        assert_eq!(
            MI_OPTION_PURGE_DELAY,
            libmimalloc_sys::mi_option_eager_commit_delay + 1
        );
        assert_eq!(
            MI_OPTION_PURGE_DELAY,
            libmimalloc_sys::mi_option_use_numa_nodes - 1
        );
        assert_eq!(purge_delay_now(), DEFAULT_PURGE_DELAY_MS);
        tune_allocator(Phase::CrossFile);
        assert_eq!(purge_delay_now(), 0);
        tune_allocator(Phase::Report);
        assert_eq!(purge_delay_now(), 0);
        tune_allocator(Phase::Loading);
        assert_eq!(purge_delay_now(), DEFAULT_PURGE_DELAY_MS);
    }

    /// The calling thread's nice value (`getpriority(2)`; Linux's are per thread).
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    fn nice() -> i32 {
        // SAFETY: `getpriority` takes two integers and no pointer.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    /// The thread that writes the cache gets the lowest priority, and only it: the
    /// thread that called the hook, not the process.
    #[test]
    #[cfg(target_os = "linux")]
    fn only_the_background_thread_is_lowered() {
        let before = nice();
        let lowered = std::thread::spawn(|| {
            lower_priority();
            nice()
        })
        .join();
        assert_eq!(lowered.ok(), Some(19));
        assert_eq!(nice(), before);
    }
}
