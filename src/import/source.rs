//! Reading one export file into a table of text: gzip or plain; UTF-8 (with or without a
//! byte-order mark) or Windows-1252/Latin-1; the delimiter guessed from the header line.
//! A whole file is read as a stream (see [`super::stream`]), so memory stays bounded
//! whatever its size; only its head is kept as text.

use chrono::NaiveDate;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::stream::{self, ScanError};

use super::ImportError;

/// How many bytes at the start of a file are checked for signs that it is not text.
const SNIFF_BYTES: usize = 8192;

/// One export file, decoded and ready to read row by row.
#[derive(Clone, Debug)]
pub struct Table {
    /// The file's name, as used in messages ("orders.csv").
    pub file: String,
    /// The header row, trimmed.
    pub headers: Vec<String>,
    /// How the file was encoded: "UTF-8" or "Windows-1252 (Latin-1)".
    pub encoding: &'static str,
    /// The field delimiter.
    pub delimiter: u8,
    /// Columns are separated by runs of spaces (read as one tab each).
    pub spaces: bool,
    /// The file has no header line: its columns are called "Column 1", "Column 2", …
    /// and its first line is data.
    pub headerless: bool,
    /// The day the file was last written (its export date, as far as the file system
    /// knows); `None` for text that did not come from a file.
    pub modified: Option<NaiveDate>,
    /// The text read so far: the head of the file, or all of a text given in memory.
    text: String,
    /// The whole file, read again as a stream for its rows; `None` when `text` is all.
    whole: Option<WholeFile>,
}

/// A file read as a stream for its rows.
#[derive(Clone, Debug)]
struct WholeFile {
    path: PathBuf,
    gz: bool,
    utf8: bool,
    bytes: u64,
}

/// One data row: its line number in the file (where it starts) and its fields.
#[derive(Clone, Debug)]
pub struct Row {
    /// Line number, counting the header as line 1.
    pub line: u64,
    /// Byte offset of the row's start, for progress.
    pub byte: u64,
    /// The fields, as text.
    pub fields: csv::StringRecord,
}

impl Table {
    /// Opens a file (`.gz` files are decompressed) for reading all its rows: one pass
    /// checks its size, encoding and records, in bounded memory; its rows are then read
    /// as a stream.
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let mut table = Self::read(path, Some(HEAD_BYTES))?;
        let gz = is_gzip(path).map_err(|e| io_error(&table.file, e))?;
        let raw = stream::open_raw(path, gz).map_err(|e| io_error(&table.file, e))?;
        let delimiter = if table.spaces { b' ' } else { table.delimiter };
        let scan = stream::scan(raw, delimiter).map_err(|e| match e {
            ScanError::Io(e) if gz => ImportError::NotCsv {
                file: table.file.clone(),
                detail: format!("it looks gzipped but cannot be decompressed ({e})"),
            },
            ScanError::Io(e) => io_error(&table.file, e),
            ScanError::TooLarge => ImportError::NotCsv {
                file: table.file.clone(),
                detail: format!(
                    "it holds more than {} GiB of text once decompressed, more than any shop export; Candor does not read it",
                    stream::MAX_DECODED_BYTES >> 30
                ),
            },
            ScanError::LongRecord(line) => ImportError::Row(super::RowError {
                file: table.file.clone(),
                line,
                column: None,
                reason: format!(
                    "this row is longer than {} MiB, more than any export's row; check the quotes and the delimiter",
                    stream::MAX_RECORD_BYTES >> 20
                ),
            }),
        })?;
        if let Some(line) = scan.mixed_at {
            // The whole file's encoding is at stake, so skipping rows cannot help.
            return Err(ImportError::NotCsv {
                file: table.file.clone(),
                detail: format!(
                    "line {line} has bytes that are not UTF-8 text, while most of the file is UTF-8 (a line pasted in from another program?). Read as Windows-1252, every accented letter of the file would be garbled (Zoë as ZoÃ«), so nothing was imported: correct that line (and any other the next import names) in a text editor, and import again"
                ),
            });
        }
        table.encoding = if scan.utf8 {
            "UTF-8"
        } else {
            "Windows-1252 (Latin-1)"
        };
        table.whole = Some(WholeFile {
            path: path.to_owned(),
            gz,
            utf8: scan.utf8,
            bytes: scan.bytes,
        });
        Ok(table)
    }

    /// Reads only the start of a file (about `limit` bytes of text, cut at a line end): enough
    /// for its header, a preview and recognizing it, without reading a large file whole.
    pub fn open_head(path: &Path, limit: u64) -> Result<Self, ImportError> {
        Self::read(path, Some(limit))
    }

    fn read(path: &Path, limit: Option<u64>) -> Result<Self, ImportError> {
        crate::safe_write::keep(path);
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let io = |source| ImportError::Io {
            file: file.clone(),
            source,
        };
        let gz = is_gzip(path).map_err(io)?;
        let raw = std::fs::File::open(path).map_err(io)?;
        let take = limit.unwrap_or(u64::MAX);
        let mut bytes = Vec::new();
        if gz {
            flate2::read::MultiGzDecoder::new(raw)
                .take(take)
                .read_to_end(&mut bytes)
                .map_err(|e| ImportError::NotCsv {
                    file: file.clone(),
                    detail: format!("it looks gzipped but cannot be decompressed ({e})"),
                })?;
        } else {
            raw.take(take).read_to_end(&mut bytes).map_err(io)?;
        }
        if limit == Some(bytes.len() as u64) {
            // A lone CR ends a line too (old Mac files).
            let Some(end) = bytes.iter().rposition(|&b| b == b'\n' || b == b'\r') else {
                // Its header cannot be read whole: never cut short and counted wrong.
                return Err(ImportError::NotCsv {
                    file,
                    detail: format!(
                        "its first line is longer than {} KiB, longer than any export's column names; check that it is a CSV file with one line per row",
                        bytes.len() >> 10
                    ),
                });
            };
            bytes.truncate(end + 1);
        }
        let mut table = Self::from_bytes(&file, bytes)?;
        table.modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| chrono::DateTime::<chrono::Utc>::from(t).date_naive());
        Ok(table)
    }

    /// Decodes the bytes of a file called `file`.
    pub fn from_bytes(file: &str, bytes: Vec<u8>) -> Result<Self, ImportError> {
        let not_csv = |detail: &str| ImportError::NotCsv {
            file: file.to_owned(),
            detail: detail.to_owned(),
        };
        let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
        if head.starts_with(b"SQLite format 3\0") {
            return Err(not_csv(
                "it is a SQLite database (to open a shop file, use File, Open…)",
            ));
        }
        if head.starts_with(b"PK\x03\x04") {
            return Err(not_csv(
                "it is a ZIP file, perhaps a spreadsheet; save it as CSV first",
            ));
        }
        if is_utf16(head) {
            return Err(not_csv(
                "it is UTF-16 text (what a spreadsheet's \"Unicode Text\" writes); save it again as \"CSV UTF-8\" and import that",
            ));
        }
        if head.contains(&0) {
            return Err(not_csv("it is a binary file, not text"));
        }
        let (text, encoding) = decode(bytes);
        if text.trim().is_empty() {
            return Err(ImportError::Empty {
                file: file.to_owned(),
            });
        }
        let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let delimiter = guess_delimiter(header_line);
        let spaces = separated_by_spaces(&text);
        let mut table = Self {
            file: file.to_owned(),
            headers: Vec::new(),
            encoding,
            delimiter: if spaces { b'\t' } else { delimiter },
            spaces,
            headerless: false,
            modified: None,
            text,
            whole: None,
        };
        let mut reader = table.reader().map_err(|e| not_csv(&e.to_string()))?;
        let first: Vec<String> = reader
            .headers()
            .map_err(|e| not_csv(&e.to_string()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        drop(reader);
        table.headerless = first.len() >= 2 && first.iter().all(|f| looks_like_data(f));
        table.headers = if table.headerless {
            (1..=first.len()).map(|i| format!("Column {i}")).collect()
        } else {
            first
        };
        // Column names are echoed in every summary and message: none may act on a screen.
        if let Some((n, c)) = table
            .headers
            .iter()
            .enumerate()
            .find_map(|(n, h)| crate::engine::words::hidden_in_line(h).map(|c| (n, c)))
        {
            return Err(not_csv(&format!(
                "the name of its column {} holds an invisible control character or a line break (U+{:04X}); correct the header line",
                n + 1,
                u32::from(c)
            )));
        }
        if table.headers.len() < 2 {
            return Err(not_csv(
                "its first line has only one column; an export has a header line with column names separated by commas, semicolons, tabs or spaces",
            ));
        }
        Ok(table)
    }

    /// The size of the decoded text, for progress.
    pub fn len_bytes(&self) -> u64 {
        self.whole
            .as_ref()
            .map_or(self.text.len() as u64, |w| w.bytes)
    }

    /// The position of a column by its header name (exact, then ignoring case).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name).or_else(|| {
            self.headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
        })
    }

    /// The data rows; a row that cannot be read is an error naming its line.
    pub fn rows(&self) -> impl Iterator<Item = Result<Row, ImportError>> + '_ {
        let (mut reader, failed) = match self.reader() {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(io_error(&self.file, e))),
        };
        let mut failed = failed;
        let width = self.headers.len();
        let mut record = csv::StringRecord::new();
        std::iter::from_fn(move || {
            if let Some(e) = failed.take() {
                return Some(Err(e));
            }
            let reader = reader.as_mut()?;
            loop {
                match reader.read_record(&mut record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        let (line, byte) =
                            record.position().map_or((0, 0), |p| (p.line(), p.byte()));
                        if record.iter().all(|f| f.trim().is_empty()) {
                            continue;
                        }
                        if record.len() != width {
                            return Some(Err(ImportError::Row(super::RowError {
                                file: self.file.clone(),
                                line,
                                column: None,
                                reason: format!(
                                    "this row has {} fields but the header has {width}; check the delimiter and the quotes",
                                    record.len()
                                ),
                            })));
                        }
                        return Some(Ok(Row {
                            line,
                            byte,
                            fields: record.clone(),
                        }));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, csv::Position::line);
                        return Some(Err(ImportError::Row(super::RowError {
                            file: self.file.clone(),
                            line,
                            column: None,
                            reason: format!("this row cannot be read: {e}"),
                        })));
                    }
                }
            }
        })
    }

    /// The first `n` data rows that can be read, for previews.
    pub fn first_rows(&self, n: usize) -> Vec<Vec<String>> {
        self.rows()
            .filter_map(Result::ok)
            .take(n)
            .map(|r| r.fields.iter().map(str::to_owned).collect())
            .collect()
    }

    /// The different values of `column` in the rows that can be read (blanks left out,
    /// spaces trimmed), in the order they first appear, at most `cap` of them.
    pub fn distinct_values(&self, column: &str, cap: usize) -> Vec<String> {
        let Some(i) = self.headers.iter().position(|h| h == column) else {
            return Vec::new();
        };
        let mut values: Vec<String> = Vec::new();
        for row in self.rows().filter_map(Result::ok) {
            let value = row.fields.get(i).unwrap_or_default().trim();
            if !value.is_empty() && !values.iter().any(|v| v == value) {
                values.push(value.to_owned());
                if values.len() == cap {
                    break;
                }
            }
        }
        values
    }

    /// A CSV reader over all the text: the file as a stream, or the text in memory.
    fn reader(&self) -> std::io::Result<csv::Reader<Box<dyn Read + Send + '_>>> {
        let input: Box<dyn Read + Send + '_> = match &self.whole {
            None => Box::new(self.text.as_bytes()),
            Some(w) => {
                let raw = stream::open_raw(&w.path, w.gz)?;
                if w.utf8 {
                    stream::without_bom(raw)?
                } else {
                    Box::new(stream::Transcode::windows_1252(raw))
                }
            }
        };
        let input = Box::new(stream::UnixLineEndings::new(input));
        let input: Box<dyn Read + Send + '_> = if self.spaces {
            Box::new(stream::CollapseSpaces::new(input))
        } else {
            input
        };
        Ok(csv::ReaderBuilder::new()
            .has_headers(!self.headerless)
            .delimiter(self.delimiter)
            .flexible(true)
            .trim(csv::Trim::None)
            .from_reader(input))
    }
}

/// How much of a file is kept as text for its header, recognizing it and previews.
pub const HEAD_BYTES: u64 = 256 * 1024;

fn is_gzip(path: &Path) -> std::io::Result<bool> {
    let mut magic = [0u8; 2];
    let n = std::fs::File::open(path)?.read(&mut magic)?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
}

fn io_error(file: &str, source: std::io::Error) -> ImportError {
    ImportError::Io {
        file: file.to_owned(),
        source,
    }
}

/// Whether `head` is UTF-16 text: it starts with a UTF-16 byte-order mark, or every other
/// byte of its first characters is zero (ASCII written in UTF-16 without one).
fn is_utf16(head: &[u8]) -> bool {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return true;
    }
    // Nearly every character of a CSV file is ASCII, one zero byte in each pair; a "€" or
    // a "ł" among them has none.
    let pairs: Vec<&[u8]> = head.chunks_exact(2).take(64).collect();
    let share = |zero_at: usize| {
        pairs
            .iter()
            .filter(|p| p[zero_at] == 0 && p[1 - zero_at] != 0)
            .count()
            * 10
            >= pairs.len() * 9
    };
    pairs.len() >= 4 && (share(0) || share(1))
}

/// UTF-8 (dropping a byte-order mark) when the bytes are valid UTF-8, otherwise
/// Windows-1252, the superset of Latin-1 that spreadsheet programs write.
fn decode(mut bytes: Vec<u8>) -> (String, &'static str) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, "UTF-8"),
        Err(e) => {
            // UTF-8 but for a stray byte (refused when the whole file is read): shown as
            // UTF-8, not garbled as Windows-1252.
            let mut tally = stream::Utf8Tally::default();
            tally.take(&mut e.as_bytes().to_vec(), 1);
            if tally.mixed_at().is_some() {
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                return (text, "UTF-8 (with a few bytes that are not)");
            }
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(e.as_bytes());
            (text.into_owned(), "Windows-1252 (Latin-1)")
        }
    }
}

/// The delimiters a header line is split by.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Whether the text's columns are separated by runs of spaces: no other delimiter and no
/// quotes in its first lines, each of them splits into the same number (two or more) of
/// words, and the lines after the first hold numbers (data, not prose).
fn separated_by_spaces(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(6)
        .collect();
    let words = |l: &str| l.split_whitespace().count();
    lines.len() >= 2
        && lines[1..]
            .iter()
            .all(|l| l.bytes().any(|b| b.is_ascii_digit()))
        && lines.first().is_some_and(|first| {
            words(first) >= 2
                && lines.iter().all(|l| {
                    !l.bytes().any(|b| DELIMITERS.contains(&b) || b == b'"')
                        && words(l) == words(first)
                })
        })
}

/// Whether a cell of the first line is data rather than a column name: a number, a date
/// or a code without letters (a header always names its columns in words).
fn looks_like_data(cell: &str) -> bool {
    !cell.is_empty() && !cell.chars().any(char::is_alphabetic)
}

/// The delimiter that splits the header line into the most columns, outside quotes.
fn guess_delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = DELIMITERS;
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    candidates[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bytes: &[u8]) -> Result<Table, ImportError> {
        Table::from_bytes("t.csv", bytes.to_vec())
    }

    #[test]
    fn a_column_name_that_would_act_on_a_screen_is_refused() {
        let Err(ImportError::NotCsv { detail, .. }) = table(b"Email,Note\x1b]0;HDR\x07\n1,2\n")
        else {
            panic!("refused");
        };
        assert!(detail.contains("column 2"), "{detail}");
        assert!(detail.contains("U+001B"), "{detail}");
    }

    #[test]
    fn a_large_file_whose_lines_end_with_a_lone_cr_is_read() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("mac.csv");
        let text = "Email,Name\r".to_owned() + &"ann@example.com,Ann Lee\r".repeat(15_000);
        std::fs::write(&path, text).expect("written");
        let table = Table::open(&path).expect("read, not called one long line");
        assert_eq!(table.headers, ["Email", "Name"]);
        assert_eq!(table.rows().count(), 15_000);
    }

    #[test]
    fn a_header_longer_than_the_head_read_is_refused_not_cut_short() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("wide.csv");
        let header: Vec<String> = (0..120_000).map(|i| format!("c{i}")).collect();
        std::fs::write(&path, format!("{}\n1,2\n", header.join(","))).expect("written");
        let Err(ImportError::NotCsv { detail, .. }) = Table::open(&path) else {
            panic!("a header longer than {HEAD_BYTES} bytes must be refused");
        };
        assert!(
            detail.contains("first line is longer than 256 KiB"),
            "{detail}"
        );
    }

    #[test]
    fn semicolons_bom_and_latin1_are_read() {
        let t = table(b"\xEF\xBB\xBFName;Price\nCaf\xC3\xA9;2,50\n").expect("reads");
        assert_eq!(t.headers, ["Name", "Price"]);
        assert_eq!(
            t.first_rows(1),
            [vec!["Café".to_owned(), "2,50".to_owned()]]
        );
        let t = table(b"Name,Price\nCaf\xE9,2.50\n").expect("reads");
        assert_eq!(t.first_rows(1)[0][0], "Café");
        assert!(t.encoding.contains("1252"));
    }

    #[test]
    fn quoted_newlines_keep_their_line_numbers() {
        let t = table(b"a,b\n\"one\ntwo\",x\nthree,y\n").expect("reads");
        let lines: Vec<u64> = t.rows().map(|r| r.expect("row").line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn the_head_of_a_file_ends_at_a_whole_line() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("big.csv");
        let mut text = String::from("a,b\n");
        for i in 0..1000 {
            text.push_str(&format!("{i},row {i}\n"));
        }
        std::fs::write(&path, &text).expect("writes");
        let head = Table::open_head(&path, 100).expect("reads");
        assert_eq!(head.headers, ["a", "b"]);
        let rows = head.first_rows(100);
        assert!(!rows.is_empty() && rows.len() < 20);
        assert!(
            rows.iter()
                .all(|r| r.len() == 2 && r[1] == format!("row {}", r[0]))
        );
    }

    #[test]
    fn not_csv_files_are_refused_with_a_reason() {
        assert!(matches!(table(b""), Err(ImportError::Empty { .. })));
        assert!(matches!(
            table(b"SQLite format 3\0rest"),
            Err(ImportError::NotCsv { .. })
        ));
        assert!(matches!(
            table(b"\x00\x01\x02"),
            Err(ImportError::NotCsv { .. })
        ));
        assert!(matches!(
            table(b"just words\nmore\n"),
            Err(ImportError::NotCsv { .. })
        ));
    }
}
