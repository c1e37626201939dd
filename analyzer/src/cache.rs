//! The persistent cache of phase-1 results (ruff's `.ruff_cache`, for djust).
//!
//! One file per project and settings fingerprint under `<cache dir>/<version>/`, holding
//! for every checked file its modification time, size, kind, summary (`PyFile` /
//! `TemplateDoc`, as a `check` run keeps it, which names its module, with the modules
//! outside that run on which dropping its class details relied) and per-file findings.
//! A file whose metadata matches is not read or parsed again; cross-file rules always
//! run over the summaries, so a change in one file is seen by the rules of every other.
//!
//! Each file's entry is postcard, on its own, framed by its length ([`Framing`]): the
//! file is read in one piece and an entry decoded, from its place in it, by the worker
//! that takes it; an entry used unchanged is written back as the bytes it was read as.
//! The results computed afresh are encoded as the file is written, straight into its
//! buffers, from the summaries the run holds, by a thread of the lowest priority beside
//! the cross-file rules ([`Persist`]: a loading worker that encoded its results took
//! that time from the parse of the files after them, which every run waits for).
//! Written atomically (temporary file, then rename). A cache that cannot be read (a
//! different format, a truncated file) is ignored and rewritten; a cache that cannot be
//! written is skipped silently: the cache never changes what is reported.
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
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::UNIX_EPOCH;

const FORMAT: u32 = 18;

/// What phase 1 produced for one file.
#[derive(Debug, Serialize, Deserialize)]
pub enum CachedSummary {
    /// A Python file.
    Python(Box<PyFile>),
    /// A template.
    Template(Box<TemplateDoc>),
}

impl CachedSummary {
    /// The module a Python file's summary was made for, and whether it is a package
    /// (`None` for a template), as [`crate::discovery::module_name`] named it.
    fn module(&self) -> Option<(&str, bool)> {
        match self {
            CachedSummary::Python(p) => Some((p.module.as_str(), p.is_package)),
            CachedSummary::Template(_) => None,
        }
    }
}

/// One file's cached result.
#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    mtime: (u64, u32),
    size: u64,
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
    kind: Kind,
    summary: SummaryRef<'a>,
    findings: &'a [Finding],
    lines: &'a djust_runtime::LineIndex,
    outside: &'a [String],
}

/// A borrowed [`CachedSummary`] (same encoding).
#[derive(Clone, Copy, Serialize)]
pub enum SummaryRef<'a> {
    /// A Python file.
    Python(&'a PyFile),
    /// A template.
    Template(&'a TemplateDoc),
}

/// The layout of a cache file: [`Framing::MAGIC`], [`FORMAT`] and the fingerprint
/// (little-endian `u32` and `u64`), then each entry as its path's length (`u32`
/// little-endian), the path (UTF-8), the entry's length and the entry (postcard). A
/// length prefix written after its entry is encoded (its room kept, then filled) lets
/// the entry be encoded straight into the file's buffer, and the file be read without
/// a copy of each entry.
struct Framing;

impl Framing {
    const MAGIC: [u8; 8] = *b"djust\0c\0";
    const HEADER: usize = 8 + 4 + 8;
    /// Bytes buffered before a write to the file.
    const FLUSH: usize = 256 * 1024;

    fn header(fingerprint: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(Framing::HEADER);
        out.extend_from_slice(&Framing::MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&fingerprint.to_le_bytes());
        out
    }

    /// Each entry's path and place in `bytes`, if they are a whole cache file of this
    /// format with this `fingerprint`; `None` for anything else (another format or
    /// build, a truncated or damaged file, a path that is not UTF-8).
    fn parse(bytes: &[u8], fingerprint: u64) -> Option<Vec<(PathBuf, Range<usize>)>> {
        let mut at = Framing::HEADER;
        let header = bytes.get(..at)?;
        if header[..8] != Framing::MAGIC
            || header[8..12] != FORMAT.to_le_bytes()
            || header[12..20] != fingerprint.to_le_bytes()
        {
            return None;
        }
        let mut entries = Vec::new();
        // Each step moves `at` past at least the two length prefixes, so the loop ends.
        while at < bytes.len() {
            let path = Framing::field(bytes, &mut at)?;
            let entry = Framing::field(bytes, &mut at)?;
            let path = std::str::from_utf8(bytes.get(path)?).ok()?;
            entries.push((PathBuf::from(path), entry));
        }
        Some(entries)
    }

    /// The place of the length-prefixed field at `at`, which moves past it.
    fn field(bytes: &[u8], at: &mut usize) -> Option<Range<usize>> {
        let len = bytes.get(*at..at.checked_add(4)?)?;
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let start = *at + 4;
        let end = start.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        *at = end;
        Some(start..end)
    }

    /// Append a field (`write` appends its bytes): its length, then it. A field
    /// `write` fails on, or longer than a `u32` counts, is taken back and `false`
    /// returned.
    fn push(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>) -> bool) -> bool {
        let start = out.len();
        out.extend_from_slice(&[0; 4]);
        let written = write(out);
        match u32::try_from(out.len() - start - 4) {
            Ok(len) if written => {
                out[start..start + 4].copy_from_slice(&len.to_le_bytes());
                true
            }
            _ => {
                out.truncate(start);
                false
            }
        }
    }

    /// Append one entry: its path and its bytes (`write` appends them); nothing if
    /// either fails.
    fn push_entry(out: &mut Vec<u8>, path: &[u8], write: impl FnOnce(&mut Vec<u8>) -> bool) {
        let start = out.len();
        if !(Framing::push(out, |o| {
            o.extend_from_slice(path);
            true
        }) && Framing::push(out, write))
        {
            out.truncate(start);
        }
    }
}

/// One result computed this run, as the run keeps it, for [`Cache::persist`] to write.
#[derive(Clone, Copy)]
pub struct Fresh<'a> {
    /// The file's absolute path.
    pub abs: &'a Path,
    /// Its metadata when it was read.
    pub stamp: Stamp,
    /// Its kind.
    pub kind: Kind,
    /// The summary.
    pub summary: SummaryRef<'a>,
    /// The per-file findings.
    pub findings: &'a [Finding],
    /// The line starts.
    pub lines: &'a djust_runtime::LineIndex,
    /// The outside first names the summary's dropped class details relied on.
    pub outside: &'a [String],
}

impl<'a> Fresh<'a> {
    /// Its path, when it is cached: not a file modified within [`RACY_SECONDS`] of the
    /// run's start (`started`, seconds since the epoch), nor one whose path is not
    /// UTF-8 (the cache file's paths are).
    fn cacheable(&self, started: u64) -> Option<&'a str> {
        self.abs
            .to_str()
            .filter(|_| self.stamp.mtime.0 + RACY_SECONDS < started)
    }

    /// Append its entry's encoding; `false` if it cannot be encoded.
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        let entry = EntryRef {
            mtime: self.stamp.mtime,
            size: self.stamp.size,
            kind: self.kind,
            summary: self.summary,
            findings: self.findings,
            lines: self.lines,
            outside: self.outside,
        };
        postcard::serialize_with_flavor(&entry, Append(out)).is_ok()
    }
}

/// An entry as read from the cache file: its place in [`Cache::file`], and whether this
/// run used it.
struct Stored {
    at: Range<usize>,
    used: AtomicBool,
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

/// An open cache. During phase 1 each file's entry is *taken* (decoded from the file
/// read at [`Cache::open`]); [`Cache::persist`] writes the file, with the results
/// computed afresh, when there are any.
pub struct Cache {
    path: PathBuf,
    fingerprint: u64,
    /// The cache file as read (empty without one).
    file: Vec<u8>,
    entries: HashMap<PathBuf, Stored>,
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
        let file = std::fs::read(&path).unwrap_or_default();
        let entries: HashMap<PathBuf, Stored> = Framing::parse(&file, fingerprint)
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|(path, at)| {
                        (
                            path,
                            Stored {
                                at,
                                used: AtomicBool::new(false),
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Cache {
            path,
            fingerprint,
            // A file that was not read whole as this format holds nothing to keep.
            file: if entries.is_empty() { Vec::new() } else { file },
            entries,
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
        let slot = self.entries.get(abs)?;
        let entry = postcard::from_bytes::<Entry>(self.file.get(slot.at.clone())?).ok()?;
        let fits = entry.mtime == stamp.mtime
            && entry.size == stamp.size
            && entry.kind == kind
            && entry.summary.module() == module.as_ref().map(|(m, p)| (m.as_str(), *p))
            && !entry.outside.iter().any(|first| is_project_first(first));
        if fits {
            slot.used.store(true, Ordering::Relaxed);
            Some(entry)
        } else {
            None
        }
    }

    /// Write the cache with `fresh`, the results this run computed, on this thread
    /// ([`Persist`], with one worker).
    pub fn persist(self, fresh: &[Fresh<'_>]) {
        if let Some(p) = Persist::new(self, fresh.len(), |i| fresh.get(i).copied()) {
            p.work();
            p.finish();
        }
    }
}

/// The cache file being written: the entries read that are still good (one used this
/// run, or one for a file outside this run's paths that still exists), then each result
/// this run computed (`get(i)` for `i` below `len`, `None` for a file with none), in
/// batches of [`Persist::BATCH`] any number of threads take in turn ([`Persist::work`]),
/// each encoding into its own buffer and appending whole buffers to the file. The run
/// gives the work to a thread of its own, of the lowest priority, beside the cross-file
/// rules, and helps with what is left when they are done (`crate::pipeline`). The
/// entries' order in the file is free ([`Framing`]). Errors are ignored (a cache is
/// optional): the file is then not renamed into place.
pub struct Persist<'a, G> {
    cache: Cache,
    get: G,
    len: usize,
    /// The next result to encode.
    next: std::sync::atomic::AtomicUsize,
    /// Whether a worker has taken the kept entries.
    kept_taken: AtomicBool,
    file: std::sync::Mutex<Output>,
    _fresh: std::marker::PhantomData<Fresh<'a>>,
}

/// The temporary file, opened by the first write.
enum Output {
    NotOpen,
    Open(std::fs::File, PathBuf),
    Failed,
}

impl<'a, G: Fn(usize) -> Option<Fresh<'a>> + Sync> Persist<'a, G> {
    /// Results encoded per turn: a few hundred microseconds of work, so that a thread
    /// of the lowest priority ends its turn soon once the run waits for it.
    const BATCH: usize = 64;

    /// A writer for `cache` and this run's results, or `None` when nothing is to be
    /// written (no result can be cached: nothing changed).
    pub fn new(cache: Cache, len: usize, get: G) -> Option<Self> {
        let started = cache.started;
        if !(0..len).any(|i| get(i).is_some_and(|f| f.cacheable(started).is_some())) {
            return None;
        }
        Some(Persist {
            cache,
            get,
            len,
            next: std::sync::atomic::AtomicUsize::new(0),
            kept_taken: AtomicBool::new(false),
            file: std::sync::Mutex::new(Output::NotOpen),
            _fresh: std::marker::PhantomData,
        })
    }

    /// Encode and write until no work is left: the kept entries (one worker), then
    /// batches of results.
    pub fn work(&self) {
        if self.kept_taken.load(Ordering::Relaxed) && self.next.load(Ordering::Relaxed) >= self.len {
            // All taken (the usual case when the run comes to help): no buffer.
            return;
        }
        let mut out = Vec::with_capacity(Framing::FLUSH + 64 * 1024);
        if !self.kept_taken.swap(true, Ordering::Relaxed) {
            self.keep(&mut out);
        }
        let started = self.cache.started;
        loop {
            let first = self.next.fetch_add(Persist::<G>::BATCH, Ordering::Relaxed);
            if first >= self.len {
                break;
            }
            for i in first..(first + Persist::<G>::BATCH).min(self.len) {
                if let Some((f, path)) = (self.get)(i).and_then(|f| Some((f, f.cacheable(started)?))) {
                    Framing::push_entry(&mut out, path.as_bytes(), |o| f.encode(o));
                }
            }
            self.append_when_full(&mut out);
        }
        if !out.is_empty() {
            self.append(&out);
        }
    }

    /// The entries read that are still good, into `out`.
    fn keep(&self, out: &mut Vec<u8>) {
        if self.cache.entries.is_empty() {
            return;
        }
        let started = self.cache.started;
        // An entry this run computed again is replaced.
        let updated: rustc_hash::FxHashSet<&Path> = (0..self.len)
            .filter_map(|i| (self.get)(i))
            .filter(|f| f.cacheable(started).is_some())
            .map(|f| f.abs)
            .collect();
        for (path, stored) in &self.cache.entries {
            let keep =
                !updated.contains(path.as_path()) && (stored.used.load(Ordering::Relaxed) || path.exists());
            if let (true, Some(bytes)) = (keep, self.cache.file.get(stored.at.clone())) {
                // Read as UTF-8 ([`Framing::parse`]), so its encoded bytes are that UTF-8.
                Framing::push_entry(out, path.as_os_str().as_encoded_bytes(), |o| {
                    o.extend_from_slice(bytes);
                    true
                });
                self.append_when_full(out);
            }
        }
    }

    /// Append `out` to the file and empty it, once it holds [`Framing::FLUSH`] bytes.
    fn append_when_full(&self, out: &mut Vec<u8>) {
        if out.len() >= Framing::FLUSH {
            self.append(out);
            out.clear();
        }
    }

    /// Append whole entries to the file, opening it (and writing its header) first.
    fn append(&self, bytes: &[u8]) {
        let mut output = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if matches!(*output, Output::NotOpen) {
            *output = self.cache.create().unwrap_or(Output::Failed);
        }
        if let Output::Open(file, tmp) = &mut *output {
            if file.write_all(bytes).is_err() {
                let _ = std::fs::remove_file(&*tmp);
                *output = Output::Failed;
            }
        }
    }

    /// Put the file in place, once every worker is done.
    pub fn finish(self) {
        let output = self.file.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Output::Open(file, tmp) = output {
            drop(file);
            if std::fs::rename(&tmp, &self.cache.path).is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
        }
    }
}

impl Cache {
    /// The cache's directory (with its `.gitignore` and `CACHEDIR.TAG`) and a temporary
    /// file beside the cache file, holding the header; `None` if either cannot be made.
    fn create(&self) -> Option<Output> {
        let dir = self.path.parent()?;
        std::fs::create_dir_all(dir).ok()?;
        if let Some(root) = dir.parent() {
            // Keep the cache out of version control and backups, as ruff does.
            let _ = std::fs::write(root.join(".gitignore"), "# Created by djust automatically.\n*\n");
            let _ = std::fs::write(
                root.join("CACHEDIR.TAG"),
                "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by djust.\n",
            );
        }
        let tmp = self.path.with_extension(format!("tmp{}", std::process::id()));
        let mut file = std::fs::File::create(&tmp).ok()?;
        if file.write_all(&Framing::header(self.fingerprint)).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return None;
        }
        Some(Output::Open(file, tmp))
    }
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

    fn fresh<'a>(
        abs: &'a Path,
        stamp: Stamp,
        doc: &'a TemplateDoc,
        findings: &'a [Finding],
        lines: &'a djust_runtime::LineIndex,
    ) -> Fresh<'a> {
        Fresh {
            abs,
            stamp,
            kind: Kind::Template,
            summary: SummaryRef::Template(doc),
            findings,
            lines,
            outside: &[],
        }
    }

    /// Entries written by several threads at once, past the size of one buffer, and
    /// entries kept from the last run come back from the file one by one, each as it was
    /// written.
    #[test]
    fn what_workers_write_is_read_back_entry_by_entry() {
        let (dir, root, old) = scratch("workers");
        let doc = TemplateDoc::default();
        let lines = djust_runtime::LineIndex::new("a\nb\n");
        // A message long enough that a worker's buffer fills after a few batches.
        let finding = |i: usize| {
            Finding::new(
                crate::rule::Rule::E003,
                0,
                djust_runtime::Span::new(i, i + 1),
                format!("{i}:{}", "x".repeat(400)),
            )
        };
        let path = |i: usize| root.join(format!("t{i}.html"));
        let count = 3 * Framing::FLUSH / 400;
        let paths: Vec<PathBuf> = (0..count).map(path).collect();
        let findings: Vec<[Finding; 1]> = (0..count).map(|i| [finding(i)]).collect();
        let results: Vec<Fresh<'_>> = (0..count)
            .map(|i| fresh(&paths[i], old, &doc, &findings[i], &lines))
            .collect();
        let persist = Persist::new(Cache::open(&dir, &root, &[]), count, |i| results.get(i).copied());
        let Some(persist) = persist else {
            panic!("there is something to write");
        };
        std::thread::scope(|scope| {
            let p = &persist;
            scope.spawn(move || p.work());
            scope.spawn(move || p.work());
            p.work();
        });
        persist.finish();

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
        assert_eq!(again.entries.len(), count);
        check(&again, None);
        let rewritten = [Finding::new(
            crate::rule::Rule::E003,
            0,
            djust_runtime::Span::new(7, 8),
            "rewritten 7".to_string(),
        )];
        again.persist(&[fresh(&paths[7], old, &doc, &rewritten, &lines)]);
        let last = Cache::open(&dir, &root, &[]);
        assert_eq!(last.entries.len(), count, "each entry once");
        check(&last, Some(7));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Nothing is written when no result can be cached: every file was modified since
    /// shortly before the run (git's "racily clean" rule).
    #[test]
    fn nothing_racy_is_written() {
        let (dir, root, _) = scratch("racy");
        let doc = TemplateDoc::default();
        let lines = djust_runtime::LineIndex::new("a\n");
        let cache = Cache::open(&dir, &root, &[]);
        let now = Stamp {
            mtime: (cache.started, 0),
            size: 1,
        };
        let abs = root.join("new.html");
        let results = [fresh(&abs, now, &doc, &[], &lines)];
        assert!(Persist::new(cache, 1, |i| results.get(i).copied()).is_none());
        assert!(!dir.exists(), "no cache directory either");
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
        cache.persist(&[
            fresh(&bad, old, &doc, &[], &lines),
            fresh(&good, old, &doc, &[], &lines),
        ]);
        let again = Cache::open(&dir, &root, &[]);
        assert!(again.take(&good, old, Kind::Template, &None, |_| false).is_some());
        assert!(!again.has(&bad));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A cache file cut anywhere, or of another format or build, gives none of its
    /// entries or only whole ones, each as written; never a wrong one, never a panic.
    #[test]
    fn a_cut_or_foreign_file_gives_only_whole_entries() {
        let mut file = Framing::header(42);
        let entries: Vec<(String, Vec<u8>)> = (0..5)
            .map(|i| (format!("/p/f{i}.py"), vec![i as u8; 3 * i]))
            .collect();
        for (path, bytes) in &entries {
            Framing::push_entry(&mut file, path.as_bytes(), |o| {
                o.extend_from_slice(bytes);
                true
            });
        }
        let whole = Framing::parse(&file, 42);
        assert_eq!(whole.as_ref().map(Vec::len), Some(entries.len()));
        for cut in 0..file.len() {
            let Some(found) = Framing::parse(&file[..cut], 42) else {
                continue;
            };
            for (k, (path, at)) in found.iter().enumerate() {
                assert_eq!(path, Path::new(&entries[k].0), "cut at {cut}");
                assert_eq!(
                    file.get(at.clone()),
                    Some(entries[k].1.as_slice()),
                    "cut at {cut}"
                );
            }
        }
        assert!(Framing::parse(&file, 43).is_none(), "another build's fingerprint");
        let mut older = file.clone();
        older[8..12].copy_from_slice(&(FORMAT - 1).to_le_bytes());
        assert!(Framing::parse(&older, 42).is_none(), "another format");
        assert!(Framing::parse(b"\x10\x2a", 42).is_none(), "not a cache file");
    }
}
