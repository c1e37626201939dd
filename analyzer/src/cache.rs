//! The persistent cache of phase-1 results (ruff's `.ruff_cache`, for djust).
//!
//! One file per project and settings fingerprint under `<cache dir>/<version>/`, holding
//! for every checked file its modification time, size, module name, kind, summary
//! (`PyFile` / `TemplateDoc`, as a `check` run keeps it, with the modules outside that
//! run on which dropping its class details relied) and per-file findings. A file whose
//! metadata matches is not read or parsed again; cross-file rules always run over the
//! summaries, so a change in one file is seen by the rules of every other. Serialized
//! with postcard, each file's entry on its own: encoded by the worker that analysed the
//! file, into that worker's [`Writer`] (entries back to back in a few large buffers,
//! not one allocation each), and decoded by the worker that takes it; an entry used
//! unchanged is written back as the bytes it was read as. Written atomically
//! (temporary file, then rename) while the cross-file rules run. A cache that cannot
//! be read (a different format, a truncated file) is ignored and rewritten; a cache
//! that cannot be written is skipped silently: the cache never changes what is
//! reported.
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

const FORMAT: u32 = 16;

/// What phase 1 produced for one file.
#[derive(Debug, Serialize, Deserialize)]
pub enum CachedSummary {
    /// A Python file.
    Python(Box<PyFile>),
    /// A template.
    Template(Box<TemplateDoc>),
}

/// The size of a [`Writer`]'s buffers, in bytes: a Python file's summary, findings and
/// line starts take about 500 on the synthetic benchmark trees, a large module of
/// Django's some tens of kilobytes. A buffer with less than [`ENTRY_ROOM`] left is
/// closed and a new one started (an entry larger than what is left grows the buffer).
const CHUNK: usize = 256 * 1024;
/// See [`CHUNK`].
const ENTRY_ROOM: usize = 16 * 1024;

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

#[derive(Deserialize)]
struct CacheFile {
    format: u32,
    fingerprint: u64,
    /// Each file's [`Entry`], postcard-encoded (as bytes: length and one copy, not a
    /// sequence of `u8`s item by item; the encoding on disk is the same).
    entries: Vec<(PathBuf, serde_bytes::ByteBuf)>,
}

/// The cache file as [`Cache::persist`] writes it: encodes exactly as [`CacheFile`],
/// from the entries kept from the last run and the [`Chunk`]s written this one,
/// without gathering them into one list first.
#[derive(Serialize)]
struct CacheFileOut<'a> {
    format: u32,
    fingerprint: u64,
    entries: EntriesOut<'a>,
}

struct EntriesOut<'a> {
    kept: &'a [(PathBuf, Vec<u8>)],
    written: &'a [Chunk],
}

impl Serialize for EntriesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let written = self.written.iter().map(|c| c.entries.len()).sum::<usize>();
        let mut seq = serializer.serialize_seq(Some(self.kept.len() + written))?;
        for (path, bytes) in self.kept {
            seq.serialize_element(&(path, serde_bytes::Bytes::new(bytes)))?;
        }
        for chunk in self.written {
            // A path written as its bytes: postcard writes a string and bytes alike (the
            // length, then the bytes), and the reader reads a path; these were a `&str`.
            for (path, entry) in chunk.entries() {
                seq.serialize_element(&(serde_bytes::Bytes::new(path), serde_bytes::Bytes::new(entry)))?;
            }
        }
        seq.end()
    }
}

/// Entries encoded by one [`Writer`]: each one's path (UTF-8) and encoding back to back,
/// and where each is.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    entries: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

impl Chunk {
    /// Each entry's path (its UTF-8, written from a `&str`) and encoding.
    fn entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.entries.iter().map(|(path, entry)| {
            (
                self.bytes.get(path.clone()).unwrap_or_default(),
                self.bytes.get(entry.clone()).unwrap_or_default(),
            )
        })
    }
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
    /// What the [`Writer`]s wrote this run.
    written: Mutex<Vec<Chunk>>,
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
            written: Mutex::new(Vec::new()),
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

    /// A writer for the results one worker computes this run ([`Writer::put`]); what it
    /// wrote reaches the cache when it is dropped.
    pub fn writer(&self) -> Writer<'_> {
        Writer {
            cache: self,
            chunk: Chunk::default(),
        }
    }

    /// Write the cache if anything changed. Errors are ignored (a cache is optional).
    pub fn persist(self) {
        let written = self.written.into_inner().unwrap_or_else(|p| p.into_inner());
        if written.is_empty() {
            return;
        }
        // The entries stored this run, and the others kept: an entry this run did not
        // use is kept while its file exists (a file outside this run's paths); a used
        // one was read this run. On a first run there are no others, and no set of the
        // stored ones is built.
        let updated: rustc_hash::FxHashSet<&[u8]> = if self.entries.is_empty() {
            rustc_hash::FxHashSet::default()
        } else {
            written.iter().flat_map(|c| c.entries().map(|(k, _)| k)).collect()
        };
        let kept: Vec<(PathBuf, Vec<u8>)> = self
            .entries
            .into_iter()
            .filter(|(k, _)| !updated.contains(k.as_os_str().as_encoded_bytes()))
            .map(|(k, v)| (k, v.into_inner().unwrap_or_else(|p| p.into_inner())))
            .filter(|(k, v)| v.used || k.exists())
            .map(|(k, v)| (k, v.bytes))
            .collect();
        drop(updated);
        let file = CacheFileOut {
            format: FORMAT,
            fingerprint: self.fingerprint,
            entries: EntriesOut {
                kept: &kept,
                written: &written,
            },
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

/// Encodes the results one worker computes into large buffers ([`CHUNK`]), handed to
/// its [`Cache`] when dropped (one per rayon job: `map_init`).
pub struct Writer<'c> {
    cache: &'c Cache,
    chunk: Chunk,
}

/// A postcard flavor appending to a borrowed buffer (postcard's own `ExtendFlavor`
/// takes its buffer by value, and loses it on an error).
struct Append<'b>(&'b mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

impl Writer<'_> {
    /// Record the result for `abs`, computed this run, with the outside first names its
    /// summary's dropped class details relied on (checked by [`Cache::take`]). A file
    /// modified within [`RACY_SECONDS`] of the run's start, or whose path or result
    /// cannot be encoded (a path that is not UTF-8), is not cached.
    #[allow(clippy::too_many_arguments)]
    pub fn put(
        &mut self,
        abs: &Path,
        stamp: Stamp,
        kind: Kind,
        module: &Option<(String, bool)>,
        summary: SummaryRef<'_>,
        findings: &[Finding],
        lines: &djust_runtime::LineIndex,
        outside: &[String],
    ) {
        let Some(path) = abs
            .to_str()
            .filter(|_| stamp.mtime.0 + RACY_SECONDS < self.cache.started)
        else {
            return;
        };
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
        if self.chunk.bytes.capacity() - self.chunk.bytes.len() < ENTRY_ROOM {
            self.flush();
            self.chunk.bytes.reserve_exact(CHUNK);
        }
        let start = self.chunk.bytes.len();
        self.chunk.bytes.extend_from_slice(path.as_bytes());
        let middle = self.chunk.bytes.len();
        if postcard::serialize_with_flavor(&entry, Append(&mut self.chunk.bytes)).is_ok() {
            let end = self.chunk.bytes.len();
            self.chunk.entries.push((start..middle, middle..end));
        } else {
            self.chunk.bytes.truncate(start);
        }
    }

    /// Hand what was written so far to the cache.
    fn flush(&mut self) {
        if self.chunk.entries.is_empty() {
            return;
        }
        let chunk = std::mem::take(&mut self.chunk);
        self.cache
            .written
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(chunk);
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh cache directory named for `test`, the project root inside it, and a stamp
    /// old enough to be cached.
    fn scratch(test: &str) -> (PathBuf, PathBuf, Stamp) {
        let dir = std::env::temp_dir().join(format!("djust-cache-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("project");
        let old = Stamp {
            mtime: (1, 0),
            size: 10,
        };
        (dir, root, old)
    }

    /// Entries written by several writers, past the size of one buffer, and entries kept
    /// from the last run come back from the file one by one, each as it was put.
    #[test]
    fn what_writers_put_is_read_back_entry_by_entry() {
        let (dir, root, old) = scratch("writers");
        let doc = TemplateDoc::default();
        let lines = djust_runtime::LineIndex::new("a\nb\n");
        // A message long enough that a writer's buffer fills after a few entries.
        let finding = |i: usize| {
            Finding::new(
                crate::rule::Rule::E003,
                0,
                djust_runtime::Span::new(i, i + 1),
                format!("{i}:{}", "x".repeat(ENTRY_ROOM / 4)),
            )
        };
        let path = |i: usize| root.join(format!("t{i}.html"));
        let count = 3 * CHUNK / (ENTRY_ROOM / 4);
        let cache = Cache::open(&dir, &root, &[]);
        {
            let mut first = cache.writer();
            let mut second = cache.writer();
            for i in 0..count {
                let w = if i % 2 == 0 { &mut first } else { &mut second };
                w.put(
                    &path(i),
                    old,
                    Kind::Template,
                    &None,
                    SummaryRef::Template(&doc),
                    &[finding(i)],
                    &lines,
                    &[],
                );
            }
        }
        assert!(
            cache.written.lock().map(|w| w.len()).unwrap_or(0) > 2,
            "several buffers were filled"
        );
        cache.persist();

        // Read back: every entry, then one rewritten while the others are kept.
        let check = |cache: &Cache, rewritten: Option<usize>| {
            for i in 0..count {
                let entry = cache.take(&path(i), old, Kind::Template, &None, |_| false);
                let Some(entry) = entry else {
                    panic!("entry {i} is missing");
                };
                let expected = match rewritten {
                    Some(r) if r == i => format!("rewritten {i}"),
                    _ => finding(i).message.to_string(),
                };
                assert_eq!(entry.findings.len(), 1);
                assert_eq!(entry.findings[0].message.as_ref(), expected);
                assert_eq!(entry.lines.line_count(), lines.line_count());
            }
        };
        let again = Cache::open(&dir, &root, &[]);
        check(&again, None);
        {
            let mut w = again.writer();
            let f = Finding::new(
                crate::rule::Rule::E003,
                0,
                djust_runtime::Span::new(7, 8),
                "rewritten 7".to_string(),
            );
            w.put(
                &path(7),
                old,
                Kind::Template,
                &None,
                SummaryRef::Template(&doc),
                &[f],
                &lines,
                &[],
            );
        }
        again.persist();
        check(&Cache::open(&dir, &root, &[]), Some(7));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A file whose path is not UTF-8 is not cached, and the others still are
    /// (regression: its path failed the cache file's encoding, and nothing was written).
    #[test]
    #[cfg(unix)]
    fn a_path_that_is_not_utf8_leaves_the_other_entries_cached() {
        use std::os::unix::ffi::OsStrExt;
        let (dir, root, old) = scratch("utf8");
        let doc = TemplateDoc::default();
        let lines = djust_runtime::LineIndex::new("a\n");
        let good = root.join("good.html");
        let bad = root.join(std::ffi::OsStr::from_bytes(b"bad\xff.html"));
        let cache = Cache::open(&dir, &root, &[]);
        {
            let mut w = cache.writer();
            for path in [&bad, &good] {
                w.put(
                    path,
                    old,
                    Kind::Template,
                    &None,
                    SummaryRef::Template(&doc),
                    &[],
                    &lines,
                    &[],
                );
            }
        }
        cache.persist();
        let again = Cache::open(&dir, &root, &[]);
        assert!(again.take(&good, old, Kind::Template, &None, |_| false).is_some());
        assert!(!again.has(&bad));
        let _ = std::fs::remove_dir_all(&dir);
    }

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
