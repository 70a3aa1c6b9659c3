//! Writing files that people asked for (exports, cards, reports) safely: never through a
//! symbolic link planted where the file is to go, and never half-written. The bytes go to
//! a new temporary file in the same folder, which is then renamed over the target, so the
//! target is either the old file or the whole new one. Nor is a file written over a shop
//! Candor has open or an export it has read: an output path mistyped as the shop's own
//! (`--skip-bad-rows shop.candor`) is refused, not turned into a CSV.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files this process must never write an output over: shops it opened or made, and
/// the exports it read.
static KEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target, or the folder it is to go in, is a symbolic link.
    #[error(
        "{0} is a symbolic link; Candor does not write through links, so nothing was written. Choose another place, or remove the link."
    )]
    Link(PathBuf),
    /// The target is a shop Candor has opened, or a file it has read.
    #[error(
        "{}, a shop Candor has opened or a file it has read; it never writes an output over it, so nothing was written. Choose another file name.",
        same_as(out, kept)
    )]
    Kept {
        /// The output asked for.
        out: PathBuf,
        /// The file it would have replaced.
        kept: PathBuf,
    },
    /// The target exists and is not a plain file: a folder, a device, a pipe.
    #[error(
        "{path} is {what}, not a file; Candor writes each output as a file of its own, so nothing was written. Choose a file name."
    )]
    NotAFile {
        /// The output asked for.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// The target is a shop file, part of one (its log of writes) or an import's undo copy.
    #[error(
        "{path} is {what}; Candor never writes an output over it, so nothing was written. Choose another file name."
    )]
    ShopFile {
        /// The output asked for.
        path: PathBuf,
        /// What it is.
        what: String,
    },
    /// The file system refused.
    #[error("{path} could not be written: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// "OUT is KEPT", or "OUT is the file" when they are written alike.
fn same_as(out: &Path, kept: &Path) -> String {
    if std::path::absolute(out).is_ok_and(|a| a == kept) {
        out.display().to_string()
    } else {
        format!("{} is {}", out.display(), kept.display())
    }
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Marks `path` (a shop opened or made, an export read) as a file no output of this
/// process may replace.
pub fn keep(path: &Path) {
    let Ok(path) = std::path::absolute(path) else {
        return;
    };
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !kept.contains(&path) {
        kept.push(path);
    }
}

/// The kept file that `path` is (the same file, or the same path before it exists), if any.
fn kept_as(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.iter()
        .find(|k| **k == absolute || same_file::is_same_file(k, path).unwrap_or(false))
        .cloned()
}

/// Why `path` may not be written, before anything is done: a link, a kept file, or a
/// folder that does not exist or takes no new file (a temporary file is made and removed).
pub fn check_writable(path: &Path) -> Result<(), WriteError> {
    refuse_unwritable(path)?;
    let (tmp, file) = create_temporary(folder_of(path), &name_of(path)).map_err(io(path))?;
    drop(file);
    std::fs::remove_file(&tmp).map_err(io(path))
}

fn refuse_unwritable(path: &Path) -> Result<(), WriteError> {
    if is_link(path) {
        return Err(WriteError::Link(path.to_owned()));
    }
    // Told by what it is, before it is opened (opening a pipe would wait for a writer).
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.is_file() {
            return Err(WriteError::NotAFile {
                path: path.to_owned(),
                what: kind_of(&meta),
            });
        }
        if let Some(what) = shop_part(path) {
            return Err(WriteError::ShopFile {
                path: path.to_owned(),
                what,
            });
        }
    }
    if let Some(kept) = kept_as(path) {
        return Err(WriteError::Kept {
            out: path.to_owned(),
            kept,
        });
    }
    Ok(())
}

/// What a file system entry that is not a plain file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_fifo() {
            return "a pipe";
        }
    }
    "not a plain file"
}

/// What the existing plain file `path` is, when it is a shop or part of one: a SQLite
/// database (a shop, or the undo copy of an import), its write-ahead log or journal, an
/// import's undo copy by its name, or any file that is not UTF-8 text (a password-protected
/// shop is encrypted, so has no header: every output Candor writes is text, and only such
/// a file, an earlier output, is replaced).
fn shop_part(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let mut head = Vec::with_capacity(4096);
    let readable = std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 4096), &mut head));
    if readable.is_err() {
        // Nothing known of it; writing will say whether it can be replaced.
        return None;
    }
    let head = head.as_slice();
    if head.starts_with(b"SQLite format 3\0") {
        return Some("a SQLite database (a Candor shop, or an import's undo copy)".to_owned());
    }
    if head.len() >= 4 && matches!(head[..4], [0x37, 0x7f, 0x06, 0x82 | 0x83]) {
        return Some("a shop's write-ahead log".to_owned());
    }
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // Cut inside a character at the end of what was read: still text.
        Err(e) => e.error_len().is_none(),
    };
    if !text || head.contains(&0) {
        return Some(
            "not a text file Candor wrote (perhaps a password-protected shop, a spreadsheet or a picture)"
                .to_owned(),
        );
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        if let Some(shop) = name.strip_suffix(suffix)
            && path.with_file_name(shop).is_file()
        {
            return Some(format!("part of the shop {shop} (SQLite's {suffix} file)"));
        }
    }
    let undo_copy = name
        .strip_suffix("-backup")
        .and_then(|n| n.rsplit_once(".import-"))
        .is_some_and(|(shop, entry)| {
            !shop.is_empty() && !entry.is_empty() && entry.bytes().all(|b| b.is_ascii_digit())
        });
    undo_copy.then(|| "the copy kept to undo an import".to_owned())
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned())
}

/// Writes `bytes` to `path`: refused when `path` is a symbolic link or a kept file (see
/// [`keep`]); otherwise through a temporary file in the same folder, renamed over `path`
/// once complete.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    refuse_unwritable(path)?;
    let dir = folder_of(path);
    let (tmp, mut file) = create_temporary(dir, &name_of(path)).map_err(io(path))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&tmp, path)
        });
    if let Err(e) = written {
        // The temporary file is ours and incomplete: remove it, and report the write error.
        let _ = std::fs::remove_file(&tmp);
        return Err(io(path)(e));
    }
    Ok(())
}

/// Creates `path`'s folder (and its parents) where missing, refusing a folder that is a link.
pub fn create_dir(dir: &Path) -> Result<(), WriteError> {
    if is_link(dir) {
        return Err(WriteError::Link(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))
}

/// A new file next to where `name` is to go, created so that it cannot already exist
/// (so it cannot be a planted link either).
fn create_temporary(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut last = None;
    for attempt in 0..16u32 {
        let tmp = dir.join(format!(
            ".{name}.{}-{stamp}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file could be made")))
}

/// A spreadsheet formula-safe cell: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (which spreadsheets run as formulas; OWASP "CSV Injection") gets a
/// leading apostrophe. Numbers (a minus sign followed by digits) are left alone.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let number =
        text.parse::<f64>().is_ok_and(f64::is_finite) && !text.starts_with(['=', '@', '\t', '\r']);
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+44 117"), "'+44 117");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("-2"), "-2");
        assert_eq!(csv_cell("-inf"), "'-inf");
        assert_eq!(csv_cell("+NaN"), "'+NaN");
        assert_eq!(csv_cell("12.50"), "12.50");
        assert_eq!(csv_cell("Ann"), "Ann");
    }

    #[test]
    fn a_folder_a_shop_and_its_parts_are_refused_before_anything_is_done() {
        let dir = tempfile::tempdir().expect("temp dir");
        let refused = |path: &Path| match check_writable(path) {
            Err(e @ (WriteError::NotAFile { .. } | WriteError::ShopFile { .. })) => e.to_string(),
            other => panic!("{} was not refused: {other:?}", path.display()),
        };
        assert!(refused(dir.path()).contains("is a folder"));
        let shop = dir.path().join("shop.candor");
        let mut header = b"SQLite format 3\0".to_vec();
        header.extend_from_slice(&[0; 84]);
        std::fs::write(&shop, &header).expect("writes");
        assert!(refused(&shop).contains("SQLite database"));
        let wal = dir.path().join("shop.candor-wal");
        std::fs::write(&wal, "").expect("writes");
        assert!(refused(&wal).contains("part of the shop shop.candor"));
        let copy = dir.path().join("shop.candor.import-12-backup");
        std::fs::write(&copy, [0x5a; 64]).expect("an encrypted copy has no header");
        assert!(refused(&copy).contains("undo an import"));
        let protected = dir.path().join("other.candor");
        std::fs::write(&protected, [0x9f, 0x00, 0x12, 0xe4, 0x81, 0x02]).expect("encrypted bytes");
        assert!(refused(&protected).contains("password-protected shop"));
        let mapping = dir.path().join("till.json");
        std::fs::write(&mapping, "{}").expect("writes");
        keep(&mapping);
        assert!(matches!(
            check_writable(&mapping),
            Err(WriteError::Kept { .. })
        ));
        let report = dir.path().join("bad-rows.csv");
        std::fs::write(&report, "line,reason\n").expect("writes");
        check_writable(&report).expect("an earlier report may be replaced");
        check_writable(&dir.path().join("shop.candor.import-x-backup")).expect("not a copy's name");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_or_a_pipe_is_refused_without_waiting_on_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(matches!(
                write_file(&fifo, b"x"),
                Err(WriteError::NotAFile { what: "a pipe", .. })
            ));
        }
        assert!(matches!(
            check_writable(Path::new("/dev/null")),
            Err(WriteError::NotAFile {
                what: "a device",
                ..
            })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("secret.txt");
        std::fs::write(&target, "keep").expect("writes");
        let link = dir.path().join("customer-1.json");
        std::os::unix::fs::symlink(&target, &link).expect("links");
        assert!(matches!(write_file(&link, b"x"), Err(WriteError::Link(_))));
        assert_eq!(std::fs::read_to_string(&target).expect("reads"), "keep");
        write_file(&dir.path().join("new.json"), b"{}").expect("writes a new file");
        write_file(&dir.path().join("new.json"), b"[]").expect("replaces it");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("new.json")).expect("reads"),
            "[]"
        );
        let leftovers = std::fs::read_dir(dir.path())
            .expect("lists")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}
