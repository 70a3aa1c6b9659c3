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
    /// The target is a shop Candor has open, or a file it is reading.
    #[error(
        "{out} is {kept}, which Candor has open; it never writes an output over it, so nothing was written. Choose another file name."
    )]
    Kept {
        /// The output asked for.
        out: PathBuf,
        /// The file it would have replaced.
        kept: PathBuf,
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
    if let Some(kept) = kept_as(path) {
        return Err(WriteError::Kept {
            out: path.to_owned(),
            kept,
        });
    }
    Ok(())
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
