//! Reading a whole export file as a stream, in bounded memory: gzip decompressed on the
//! fly and refused past [`MAX_DECODED_BYTES`], a record longer than [`MAX_RECORD_BYTES`]
//! refused by its line, and Windows-1252 transcoded to UTF-8 chunk by chunk.

use std::io::Read;
use std::path::Path;

/// The most bytes a file may hold once decompressed: 2 GiB.
pub const MAX_DECODED_BYTES: u64 = 2 << 30;

/// The most bytes one record (a line, or several inside quotes) may hold: 1 MiB.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// How much is read at a time.
const CHUNK: usize = 64 * 1024;

/// What a first pass over the whole file found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    /// Decoded size in bytes (before transcoding).
    pub bytes: u64,
    /// Whether every byte sequence is valid UTF-8.
    pub utf8: bool,
    /// The line of the first byte that is not UTF-8 in a file that is otherwise UTF-8 (it
    /// has at least as many well-formed accented letters as stray bytes): a line pasted in from
    /// another program. Read as Windows-1252, every other accented letter would be garbled.
    pub mixed_at: Option<u64>,
}

/// What the bytes read so far show of their encoding.
#[derive(Default)]
pub(super) struct Utf8Tally {
    /// Characters of two bytes or more that are well-formed UTF-8.
    accented: u64,
    /// Byte sequences that are not UTF-8.
    stray: u64,
    first_stray_line: Option<u64>,
}

impl Utf8Tally {
    /// Takes in `bytes` (an incomplete character at their end is left in them for the next
    /// chunk); `line` is the line their first byte is on.
    pub(super) fn take(&mut self, bytes: &mut Vec<u8>, line: u64) {
        let mut at = 0;
        loop {
            let rest = &bytes[at..];
            let (valid, bad) = match std::str::from_utf8(rest) {
                Ok(_) => (rest.len(), None),
                Err(e) => (e.valid_up_to(), e.error_len()),
            };
            self.accented += rest[..valid].iter().filter(|&&b| b >= 0xC0).count() as u64;
            let Some(len) = bad else {
                // All valid, or an incomplete character at the end: kept for the next chunk.
                bytes.drain(..at + valid);
                return;
            };
            self.stray += 1;
            if self.first_stray_line.is_none() {
                let newlines = bytes[..at + valid].iter().filter(|&&b| b == b'\n').count();
                self.first_stray_line = Some(line + newlines as u64);
            }
            at += valid + len;
        }
    }

    /// Where a file that is UTF-8 but for a few stray bytes has its first one.
    pub(super) fn mixed_at(&self) -> Option<u64> {
        (self.stray > 0 && self.accented >= self.stray)
            .then_some(self.first_stray_line)
            .flatten()
    }
}

/// Why a scan stopped.
#[derive(Debug)]
pub enum ScanError {
    /// Reading or decompressing failed.
    Io(std::io::Error),
    /// The file expands past [`MAX_DECODED_BYTES`].
    TooLarge,
    /// A record starting on this line is longer than [`MAX_RECORD_BYTES`].
    LongRecord(u64),
}

/// The file's bytes, decompressed when it is gzipped.
pub fn open_raw(path: &Path, gz: bool) -> std::io::Result<Box<dyn Read + Send>> {
    let file = std::io::BufReader::with_capacity(CHUNK, std::fs::File::open(path)?);
    Ok(if gz {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Where a byte falls in a CSV record, read as the csv crate reads it: a double quote opens
/// a quoted field only at the start of a field (`12" Pizza` is literal text), `""` inside
/// one is a quote, and a line end inside one does not end the record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl Place {
    /// The place after byte `b`, and whether `b` ended the record.
    fn after(self, b: u8, delimiter: u8) -> (Self, bool) {
        let ends = b == b'\n' || b == b'\r';
        match self {
            Self::Quoted => (
                if b == b'"' {
                    Self::QuoteInQuoted
                } else {
                    Self::Quoted
                },
                false,
            ),
            Self::QuoteInQuoted if b == b'"' => (Self::Quoted, false),
            Self::FieldStart if b == b'"' => (Self::Quoted, false),
            _ if ends => (Self::FieldStart, true),
            _ if b == delimiter => (Self::FieldStart, false),
            _ => (Self::Unquoted, false),
        }
    }
}

/// Reads the whole stream once: its size, whether it is UTF-8, and that no record is too
/// long (newlines inside a quoted field do not end a record; fields are separated by
/// `delimiter`).
pub fn scan(mut input: impl Read, delimiter: u8) -> Result<Scan, ScanError> {
    let mut buf = vec![0u8; CHUNK];
    let mut carry: Vec<u8> = Vec::new();
    let mut tally = Utf8Tally::default();
    let mut total = 0u64;
    let mut previous = 0u8;
    let mut place = Place::FieldStart;
    let (mut record_bytes, mut line, mut record_line) = (0u64, 1u64, 1u64);
    loop {
        let n = input.read(&mut buf).map_err(ScanError::Io)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > MAX_DECODED_BYTES {
            return Err(ScanError::TooLarge);
        }
        let chunk_line = line;
        // A byte-order mark is not text: a quoted first header after it opens a quote, as
        // the CSV reader (which never sees the mark) reads it.
        let mark = if total == n as u64 && buf[..n].starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        for &b in &buf[mark..n] {
            record_bytes += 1;
            // A lone CR ends a line too (old Mac files); CRLF is one line end.
            line += u64::from(b == b'\r' || (b == b'\n' && previous != b'\r'));
            previous = b;
            let ended;
            (place, ended) = place.after(b, delimiter);
            if ended {
                record_bytes = 0;
                record_line = line;
            }
            if record_bytes > MAX_RECORD_BYTES {
                return Err(ScanError::LongRecord(record_line));
            }
        }
        carry.extend_from_slice(&buf[..n]);
        tally.take(&mut carry, chunk_line);
    }
    if !carry.is_empty() {
        // The file ends inside a character.
        tally.stray += 1;
        tally.first_stray_line.get_or_insert(line);
    }
    Ok(Scan {
        bytes: total,
        utf8: tally.stray == 0,
        mixed_at: tally.mixed_at(),
    })
}

/// Windows-1252 bytes from `inner`, as UTF-8.
pub struct Transcode<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    output: Vec<u8>,
    position: usize,
    done: bool,
}

impl<R: Read> Transcode<R> {
    /// Transcodes `inner` from Windows-1252.
    pub fn windows_1252(inner: R) -> Self {
        Self {
            inner,
            decoder: encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
            input: vec![0; CHUNK],
            output: Vec::new(),
            position: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.output.len() {
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.input)?;
            self.done = n == 0;
            let mut text =
                String::with_capacity(self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16));
            let (_, _, _) = self
                .decoder
                .decode_to_string(&self.input[..n], &mut text, self.done);
            self.output = text.into_bytes();
            self.position = 0;
        }
        let n = out.len().min(self.output.len() - self.position);
        out[..n].copy_from_slice(&self.output[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// `input` without a leading UTF-8 byte-order mark.
pub fn without_bom(mut input: Box<dyn Read + Send>) -> std::io::Result<Box<dyn Read + Send>> {
    let mut head = [0u8; 3];
    let mut got = 0;
    while got < 3 {
        let n = input.read(&mut head[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    let keep = if head[..got] == *b"\xEF\xBB\xBF" {
        Vec::new()
    } else {
        head[..got].to_vec()
    };
    Ok(Box::new(std::io::Cursor::new(keep).chain(input)))
}

/// Text whose columns are separated by runs of spaces or tabs (`00001 19970101  1  11.77`),
/// rewritten as tab-separated: each run becomes one tab, and spaces at the start and end
/// of a line are dropped.
pub struct CollapseSpaces<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    at_line_start: bool,
    pending_space: bool,
}

impl<R: Read> CollapseSpaces<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 64 * 1024],
            pos: 0,
            len: 0,
            at_line_start: true,
            pending_space: false,
        }
    }
}

impl<R: Read> Read for CollapseSpaces<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            if self.pos == self.len {
                self.len = self.inner.read(&mut self.buf)?;
                self.pos = 0;
                if self.len == 0 {
                    break;
                }
            }
            let b = self.buf[self.pos];
            self.pos += 1;
            match b {
                b' ' | b'\t' => self.pending_space |= !self.at_line_start,
                b'\n' | b'\r' => {
                    self.pending_space = false;
                    self.at_line_start = true;
                    out[n] = b;
                    n += 1;
                }
                _ => {
                    if self.pending_space {
                        self.pending_space = false;
                        out[n] = b'\t';
                        n += 1;
                        if n == out.len() {
                            // The byte is read again next time, after the tab.
                            self.pos -= 1;
                            return Ok(n);
                        }
                    }
                    self.at_line_start = false;
                    out[n] = b;
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}

/// A reader that turns Windows ("\r\n") and old Mac ("\r") line endings into "\n", so
/// the line numbers named in messages count lines as an editor does (the CSV reader
/// counts only "\n" and numbered every row of a Windows file one line too low).
pub struct UnixLineEndings<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    after_cr: bool,
}

impl<R: Read> UnixLineEndings<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 64 * 1024],
            pos: 0,
            len: 0,
            after_cr: false,
        }
    }
}

impl<R: Read> Read for UnixLineEndings<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            if self.pos == self.len {
                self.len = self.inner.read(&mut self.buf)?;
                self.pos = 0;
                if self.len == 0 {
                    break;
                }
            }
            let b = self.buf[self.pos];
            self.pos += 1;
            let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
            match b {
                b'\n' if after_cr => {}
                b'\r' => {
                    out[n] = b'\n';
                    n += 1;
                }
                _ => {
                    out[n] = b;
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_old_mac_line_endings_read_as_newlines() {
        let mut text = String::new();
        UnixLineEndings::new("a\r\nb\rc\n\r\nd".as_bytes())
            .read_to_string(&mut text)
            .expect("reads");
        assert_eq!(text, "a\nb\nc\n\nd");
        // A "\r\n" split across two reads of the inner reader is still one newline.
        let mut tiny = UnixLineEndings::new("x\r\ny".as_bytes());
        tiny.buf = vec![0; 2];
        let mut text = String::new();
        tiny.read_to_string(&mut text).expect("reads");
        assert_eq!(text, "x\ny");
    }

    #[test]
    fn a_scan_finds_the_encoding_across_chunks_and_refuses_long_records() {
        let mut text = "a,b\n".to_owned();
        while text.len() < CHUNK * 2 {
            text.push_str("Café,1\n");
        }
        let scanned = scan(text.as_bytes(), b',').expect("scans");
        assert!(scanned.utf8);
        assert_eq!(scanned.bytes, text.len() as u64);
        assert!(!scan(&b"a,b\nCaf\xE9,1\n"[..], b',').expect("scans").utf8);
        let long = format!("a,b\n1,2\n{}\n", ",".repeat(MAX_RECORD_BYTES as usize + 10));
        assert!(matches!(
            scan(long.as_bytes(), b','),
            Err(ScanError::LongRecord(3))
        ));
        let quoted = format!("a,b\n\"{}\",x\n", "line\n".repeat(300_000));
        assert!(matches!(
            scan(quoted.as_bytes(), b','),
            Err(ScanError::LongRecord(2))
        ));
        let old_mac = format!("a,b\r1,2\r{}\r", ",".repeat(MAX_RECORD_BYTES as usize + 10));
        assert!(
            matches!(
                scan(old_mac.as_bytes(), b','),
                Err(ScanError::LongRecord(3))
            ),
            "lines ended by a lone CR are counted"
        );
    }

    #[test]
    fn a_utf8_file_with_a_stray_byte_is_told_from_a_windows_1252_one() {
        let mut mixed = b"name,city\n".to_vec();
        for _ in 0..3000 {
            mixed.extend_from_slice("Zoë Müller,Köln\r\n".as_bytes());
        }
        mixed.extend_from_slice(b"Bad \xff row,Bonn\r\n");
        let scanned = scan(&mixed[..], b',').expect("scans");
        assert!(!scanned.utf8);
        assert_eq!(scanned.mixed_at, Some(3002), "the line of the stray byte");
        let latin = b"name,city\nZo\xeb M\xfcller,K\xf6ln\nCaf\xe9,Bonn\n".repeat(500);
        let scanned = scan(&latin[..], b',').expect("scans");
        assert!(!scanned.utf8);
        assert_eq!(scanned.mixed_at, None, "Windows-1252 throughout");
        let split = "é".repeat(CHUNK);
        let scanned = scan(split.as_bytes(), b',').expect("scans");
        assert!(scanned.utf8, "a character across two chunks is whole");
    }

    #[test]
    fn a_quote_inside_a_field_is_text_as_the_csv_reader_takes_it() {
        let mut text = "item,price\n12\" Pizza,9.50\n".to_owned();
        while text.len() < 2 * MAX_RECORD_BYTES as usize {
            text.push_str("Tea,4.00\n");
        }
        assert!(
            scan(text.as_bytes(), b',').is_ok(),
            "a 12-inch pizza opens no quote"
        );
        let escaped = format!("a;b\n\"say \"\"hi\"\"\";1\n{}", "x;2\n".repeat(300_000));
        assert!(
            scan(escaped.as_bytes(), b';').is_ok(),
            "doubled quotes stay quoted"
        );
        let sneaked = format!(
            "a,b\n12\" Pizza,\"{}\"\n",
            "x".repeat(MAX_RECORD_BYTES as usize + 10)
        );
        assert!(matches!(
            scan(sneaked.as_bytes(), b','),
            Err(ScanError::LongRecord(2))
        ));
        let lone_cr = "a,b\r".to_owned() + &"1,2\r".repeat(300_000);
        assert!(
            scan(lone_cr.as_bytes(), b',').is_ok(),
            "a lone CR ends a record"
        );
        let after_mark = format!(
            "\u{FEFF}\"{}\",c\n1,2\n",
            "x\n".repeat(MAX_RECORD_BYTES as usize)
        );
        assert!(
            matches!(
                scan(after_mark.as_bytes(), b','),
                Err(ScanError::LongRecord(1))
            ),
            "a quote right after a byte-order mark opens a field"
        );
    }

    #[test]
    fn windows_1252_is_transcoded_in_chunks() {
        let bytes: Vec<u8> = b"Caf\xE9 ".repeat(40_000);
        let mut out = String::new();
        Transcode::windows_1252(&bytes[..])
            .read_to_string(&mut out)
            .expect("reads");
        assert_eq!(out, "Café ".repeat(40_000));
    }
}
