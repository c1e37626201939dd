//! Reading a discovered file: regular files only, and no more than
//! [`MAX_FILE_SIZE`] bytes, so that a named pipe (which would block the run), a device
//! such as `/dev/zero` (which never ends) or a huge generated file becomes one E003
//! finding instead of a hang or an unbounded allocation.

use std::io::Read;
use std::path::Path;

/// The largest file djust reads: 32 MiB (a hand-written view or template is a few
/// kilobytes; anything this large is generated data).
pub const MAX_FILE_SIZE: u64 = 32 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system's error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not a regular file: what it is instead ("a named pipe", "a character device", …).
    #[error("not a regular file ({0}); djust reads only regular files")]
    NotRegular(&'static str),
    /// Larger than [`MAX_FILE_SIZE`].
    #[error("{size} bytes, more than the {MAX_FILE_SIZE}-byte limit for one file")]
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
}

/// The bytes of `path` when it is a regular file of at most [`MAX_FILE_SIZE`] bytes.
/// The file is opened without blocking (on Unix `O_NONBLOCK`: opening a named pipe
/// would otherwise wait for a writer) and its type checked on the open file before
/// anything is read; the read stops at the limit even if the file grows meanwhile.
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_with_metadata(path).map(|(bytes, _)| bytes)
}

/// [`read`], with the file's metadata as it was before the read.
///
/// # Errors
/// As [`read`].
pub fn read_with_metadata(path: &Path) -> Result<(Vec<u8>, std::fs::Metadata), ReadError> {
    let mut file = open_nonblocking(path)?;
    // One `fstat` on the open file (no second path lookup) serves the checks and the
    // cache's stamp.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(describe(&meta.file_type())));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge { size: meta.len() });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    (&mut file).take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    Ok((bytes, meta))
}

/// Open for reading without waiting: a named pipe opens at once (and is then refused
/// by its type) instead of blocking until a writer appears. `O_NONBLOCK` does not
/// change reads of regular files.
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Elsewhere the type is checked first (a pipe is not a path one can open there).
#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other(describe(&meta.file_type())));
    }
    std::fs::File::open(path)
}

/// [`read`] as UTF-8 text (a leading BOM dropped, invalid bytes an error): for
/// configuration and the language server's reads of files that are not open.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = read(path)?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes)
        .map_err(|e| ReadError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// A file type in words.
pub fn describe(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        let err = read(Path::new("/dev/zero")).err();
        assert!(
            matches!(err, Some(ReadError::NotRegular("a character device"))),
            "{err:?}"
        );
        let err = read(Path::new("/")).err();
        assert!(
            matches!(err, Some(ReadError::NotRegular("a directory"))),
            "{err:?}"
        );
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let dir = std::env::temp_dir().join(format!("djust-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let big = dir.join("big.py");
        let f = std::fs::File::create(&big).ok();
        assert!(f.is_some_and(|f| f.set_len(MAX_FILE_SIZE + 1).is_ok()));
        assert!(matches!(read(&big), Err(ReadError::TooLarge { .. })));
        let small = dir.join("small.py");
        assert!(std::fs::write(&small, "x = 1\n").is_ok());
        assert_eq!(read(&small).ok().as_deref(), Some(&b"x = 1\n"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
