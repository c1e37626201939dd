//! The persistent cache of phase-1 results (ruff's `.ruff_cache`, for djust).
//!
//! One file per project and settings fingerprint under `<cache dir>/<version>/`, holding
//! for every checked file its modification time, size, module name, kind, summary
//! (`PyFile` / `TemplateDoc`, as a `check` run keeps it, with the modules outside that
//! run on which dropping its class details relied) and per-file findings. A file whose
//! metadata matches is not read or parsed again; cross-file rules always run over the
//! summaries, so a change in one file is seen by the rules of every other. Serialized
//! with postcard, each file's entry on its own (encoded in parallel while the
//! cross-file rules run, decoded by the worker that takes it; an entry used unchanged
//! is written back as the bytes it was read as), written atomically (temporary file,
//! then rename). A cache that cannot be read (a different format, a truncated file) is
//! ignored and rewritten; a cache that cannot be written is skipped silently: the cache
//! never changes what is reported.
//!
//! The fingerprint covers the djust version, the build of the running binary (so a
//! rebuilt binary never trusts an old cache) and the settings that change phase-1
//! results (`extend-service-factories`). Rule selection, ignores and `noqa` are applied
//! after the cache, so changing them needs no invalidation.

use crate::discovery::Kind;
use crate::finding::Finding;
use crate::python::PyFile;
use crate::template::TemplateDoc;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

const FORMAT: u32 = 10;

/// What phase 1 produced for one file.
#[derive(Debug, Serialize, Deserialize)]
pub enum CachedSummary {
    /// A Python file.
    Python(Box<PyFile>),
    /// A template.
    Template(Box<TemplateDoc>),
}

/// The capacity an entry's encoding starts with, in bytes: a Python file's summary,
/// findings and line starts take about 500 on the synthetic benchmark trees.
const ENTRY_CAPACITY: usize = 1024;

/// One file's cached result.
#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    mtime: (u64, u32),
    size: u64,
    module: Option<(String, bool)>,
    kind: Kind,
    /// The summary.
    pub summary: CachedSummary,
    /// Per-file findings (their `file` field is meaningless here and is reset on use).
    pub findings: Vec<Finding>,
    /// The file's line starts: a `# noqa` is matched by line, and the findings of a
    /// file whose result comes from here are placed without reading it.
    pub lines: djust_runtime::LineIndex,
    /// The first names of modules outside the run that stored it, on which dropping
    /// class details relied ([`PyFile::drop_unreadable_class_details`]): the entry is
    /// not used by a run that has one of them among its modules.
    outside: Vec<String>,
}

/// What phase 1 produced for one file, borrowed: encodes exactly as [`Entry`].
#[derive(Serialize)]
struct EntryRef<'a> {
    mtime: (u64, u32),
    size: u64,
    module: &'a Option<(String, bool)>,
    kind: Kind,
    summary: SummaryRef<'a>,
    findings: &'a [Finding],
    lines: &'a djust_runtime::LineIndex,
    outside: &'a [String],
}

/// A borrowed [`CachedSummary`] (same encoding).
#[derive(Serialize)]
pub enum SummaryRef<'a> {
    /// A Python file.
    Python(&'a PyFile),
    /// A template.
    Template(&'a TemplateDoc),
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    fingerprint: u64,
    /// Each file's [`Entry`], postcard-encoded (as bytes: length and one copy, not a
    /// sequence of `u8`s item by item; the encoding on disk is the same).
    entries: Vec<(PathBuf, serde_bytes::ByteBuf)>,
}

/// An entry as read from the cache file: its bytes, and whether this run used it.
struct Stored {
    bytes: Vec<u8>,
    used: bool,
}

/// File metadata the cache is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    mtime: (u64, u32),
    size: u64,
}

impl Stamp {
    /// The stamp of the file at `path`, or `None` when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::from_metadata(&std::fs::metadata(path).ok()?)
    }

    /// The stamp of a file from its metadata.
    pub fn from_metadata(meta: &std::fs::Metadata) -> Option<Stamp> {
        let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stamp {
            mtime: (mtime.as_secs(), mtime.subsec_nanos()),
            size: meta.len(),
        })
    }
}

/// An open cache. During phase 1 each file's entry is *taken* (decoded; its bytes stay
/// for the next run); a result computed afresh is *put* (encoded), and
/// [`Cache::persist`] writes the file when anything was analysed afresh or is gone.
pub struct Cache {
    path: PathBuf,
    fingerprint: u64,
    entries: HashMap<PathBuf, Mutex<Stored>>,
    updates: Mutex<Vec<(PathBuf, Vec<u8>)>>,
    changed: std::sync::atomic::AtomicBool,
    /// Seconds since the epoch when the cache was opened.
    started: u64,
}

/// A file modified this close to the start of the run is not cached: on file systems
/// with coarse timestamps a second edit of the same size could otherwise go unseen
/// (git's "racily clean" rule).
const RACY_SECONDS: u64 = 2;

fn binary_identity() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            let m = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
            Some(format!("{}:{}:{}", p.display(), meta.len(), m.as_nanos()))
        })
        .unwrap_or_default()
}

impl Cache {
    /// Open the cache for `project_root` in `dir`, for runs with these `factories`.
    pub fn open(dir: &Path, project_root: &Path, factories: &[String]) -> Cache {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        FORMAT.hash(&mut h);
        env!("CARGO_PKG_VERSION").hash(&mut h);
        binary_identity().hash(&mut h);
        factories.hash(&mut h);
        let fingerprint = h.finish();
        let mut root_hash = std::collections::hash_map::DefaultHasher::new();
        project_root.hash(&mut root_hash);
        let path = dir
            .join(env!("CARGO_PKG_VERSION"))
            .join(format!("{:016x}.bin", root_hash.finish()));
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<CacheFile>(&bytes).ok())
            .filter(|f| f.format == FORMAT && f.fingerprint == fingerprint)
            .map(|f| {
                f.entries
                    .into_iter()
                    .map(|(k, bytes)| {
                        (
                            k,
                            Mutex::new(Stored {
                                bytes: bytes.into_vec(),
                                used: false,
                            }),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Cache {
            path,
            fingerprint,
            entries,
            updates: Mutex::new(Vec::new()),
            changed: std::sync::atomic::AtomicBool::new(false),
            started: std::time::SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        }
    }

    /// Whether the cache holds an entry for `abs` (usable or not).
    pub fn has(&self, abs: &Path) -> bool {
        self.entries.contains_key(abs)
    }

    /// Take the cached result for `abs` when its stamp, kind and module still match, and
    /// none of the outside modules its summary's drop relied on is one of this run's
    /// (`is_project_first`: whether a first name is one of this run's modules').
    pub fn take(
        &self,
        abs: &Path,
        stamp: Stamp,
        kind: Kind,
        module: &Option<(String, bool)>,
        is_project_first: impl Fn(&str) -> bool,
    ) -> Option<Entry> {
        let mut slot = self.entries.get(abs)?.lock().unwrap_or_else(|p| p.into_inner());
        let entry = postcard::from_bytes::<Entry>(&slot.bytes).ok()?;
        let fits = entry.mtime == stamp.mtime
            && entry.size == stamp.size
            && entry.kind == kind
            && &entry.module == module
            && !entry.outside.iter().any(|first| is_project_first(first));
        if fits {
            slot.used = true;
            Some(entry)
        } else {
            None
        }
    }

    /// Record the result for `abs`, computed this run (called from the worker threads:
    /// the encoding runs in parallel), with the outside first names its summary's
    /// dropped class details relied on (checked by [`Cache::take`]).
    #[allow(clippy::too_many_arguments)]
    pub fn put(
        &self,
        abs: &Path,
        stamp: Stamp,
        kind: Kind,
        module: &Option<(String, bool)>,
        summary: SummaryRef<'_>,
        findings: &[Finding],
        lines: &djust_runtime::LineIndex,
        outside: &[String],
    ) {
        if stamp.mtime.0 + RACY_SECONDS >= self.started {
            return;
        }
        let entry = EntryRef {
            mtime: stamp.mtime,
            size: stamp.size,
            module,
            kind,
            summary,
            findings,
            lines,
            outside,
        };
        // Sized for a typical entry up front: growing from empty would copy each one
        // several times (this runs once per file on a first cached run).
        let Ok(mut bytes) = postcard::to_extend(&entry, Vec::with_capacity(ENTRY_CAPACITY)) else {
            return;
        };
        bytes.shrink_to_fit();
        self.changed.store(true, std::sync::atomic::Ordering::Relaxed);
        self.updates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((abs.to_path_buf(), bytes));
    }

    /// Write the cache if anything changed. Errors are ignored (a cache is optional).
    pub fn persist(self) {
        if !self.changed.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let updates = self.updates.into_inner().unwrap_or_else(|p| p.into_inner());
        // The entries stored this run, and the others kept: an entry this run did not
        // use is kept while its file exists (a file outside this run's paths); a used
        // one was read this run. (On a first run there are no others.)
        let updated: rustc_hash::FxHashSet<&std::ffi::OsStr> =
            updates.iter().map(|(k, _)| k.as_os_str()).collect();
        let mut entries: Vec<(PathBuf, serde_bytes::ByteBuf)> = self
            .entries
            .into_iter()
            .filter(|(k, _)| !updated.contains(k.as_os_str()))
            .map(|(k, v)| (k, v.into_inner().unwrap_or_else(|p| p.into_inner())))
            .filter(|(k, v)| v.used || k.exists())
            .map(|(k, v)| (k, serde_bytes::ByteBuf::from(v.bytes)))
            .collect();
        drop(updated);
        entries.extend(
            updates
                .into_iter()
                .map(|(k, v)| (k, serde_bytes::ByteBuf::from(v))),
        );
        let file = CacheFile {
            format: FORMAT,
            fingerprint: self.fingerprint,
            entries,
        };
        let Some(dir) = self.path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        if let Some(root) = dir.parent() {
            // Keep the cache out of version control and backups, as ruff does.
            let _ = std::fs::write(root.join(".gitignore"), "# Created by djust automatically.\n*\n");
            let _ = std::fs::write(
                root.join("CACHEDIR.TAG"),
                "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by djust.\n",
            );
        }
        // Streamed to the file: the entries are already encoded, and a second buffer
        // the size of the cache would only be copied.
        let tmp = self.path.with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::File::create(&tmp).ok().is_some_and(|f| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, f);
            postcard::to_io(&file, &mut out).is_ok() && std::io::Write::flush(&mut out).is_ok()
        });
        if !written || std::fs::rename(&tmp, &self.path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    /// Entries written as bytes encode exactly as the sequence of `u8`s they were
    /// written as before, so caches of earlier runs stay readable.
    #[test]
    fn entry_bytes_encode_as_a_sequence_of_bytes_did() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let as_seq = postcard::to_stdvec(&(std::path::PathBuf::from("a/b.py"), bytes.clone()));
        let as_bytes = postcard::to_stdvec(&(
            std::path::PathBuf::from("a/b.py"),
            serde_bytes::ByteBuf::from(bytes),
        ));
        assert_eq!(as_seq.ok(), as_bytes.ok());
    }
}
