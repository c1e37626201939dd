//! The `djust` binary: [`djust_cli::run`] on the process's arguments.

use std::process::ExitCode;

// Parsing allocates many small AST nodes; mimalloc makes `djust check` ~15% faster
// than the system allocator on the benchmark tree (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v2's `mi_option_purge_delay`: its place in `mi_option_e` (`mimalloc.h`),
/// between the two options `libmimalloc-sys` names around it (it does not name this
/// one). The test below checks both neighbours and the option's default, 10 ms.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Give pages freed by the allocator back to the system at once instead of 10 ms
/// later. A `check` run frees each file's syntax tree while it keeps the file's summary;
/// with the delay, pages of freed trees stay resident across many files. At once, the
/// peak memory of a cold run falls by 8–9% on the synthetic 10k and 40k trees and 15%
/// on Django's source, for about 5% more wall time (docs/benchmarks.md, "Issue 19:
/// freed pages purged at once").
#[allow(unsafe_code)]
fn purge_freed_pages_at_once() {
    // SAFETY: `mi_option_set` takes two integers and no pointer; mimalloc documents
    // options as settable at any time, from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

fn main() -> ExitCode {
    purge_freed_pages_at_once();
    ExitCode::from(djust_cli::run(std::env::args_os()))
}

#[cfg(test)]
mod tests {
    use super::MI_OPTION_PURGE_DELAY;

    /// The constant names the purge delay: it sits between `eager_commit_delay` and
    /// `use_numa_nodes`, as in `mimalloc.h`, its default is the documented 10 ms, and
    /// `purge_freed_pages_at_once` sets it to 0.
    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_is_the_option_set() {
        assert_eq!(
            MI_OPTION_PURGE_DELAY,
            libmimalloc_sys::mi_option_eager_commit_delay + 1
        );
        assert_eq!(
            MI_OPTION_PURGE_DELAY,
            libmimalloc_sys::mi_option_use_numa_nodes - 1
        );
        // SAFETY: as in `purge_freed_pages_at_once`; `mi_option_get` takes an integer.
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(before, 10);
        super::purge_freed_pages_at_once();
        let after = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, 0);
    }
}
