//! JSON Lines: the one reader of Vigil's line-oriented inputs.
//!
//! Every JSON Lines input Vigil reads — messages in the `vigil` command (files and standard
//! input), in the WASM package and through [`parse`], and labels through
//! [`crate::eval::parse_labels`] — is split into lines here, by the same rules:
//!
//! * a line ends at `\n`; `\r` before it (`\r\n`, Windows line ends) belongs to the line end;
//! * a UTF-8 byte-order mark at the very start of the document is dropped (editors on Windows
//!   write one); anywhere else it is an ordinary character;
//! * blank lines (nothing but whitespace) are skipped, but counted;
//! * lines are numbered from 1, and every error carries its line number;
//! * a line that is not valid UTF-8 is read with each invalid sequence replaced by U+FFFD (the
//!   replacement character), and counted ([`Reader::repaired_lines`]): a safety tool does not
//!   skip a message for a few broken bytes (an export cut mid-character, a legacy encoding);
//!   spans then refer to the repaired text.
//!
//! [`Reader`] reads messages from any [`BufRead`] (a file, standard input, bytes in memory) one
//! line at a time, so a large file is never held whole in memory. The library opens nothing
//! itself: the caller hands it the reader.
//!
//! ```
//! use vigil::jsonl::Reader;
//!
//! // A byte-order mark, Windows line ends, a blank line and a bad line.
//! let doc = b"\xEF\xBB\xBF{\"conversation_id\":\"c\",\"message_id\":\"1\",\"timestamp\":0,\
//!             \"sender\":{\"id\":\"a\"},\"text\":\"hi\"}\r\n\r\nnot json\r\n";
//! let items: Vec<_> = Reader::new(&doc[..]).collect();
//! assert_eq!(items.len(), 2);
//! assert_eq!(items[0].as_ref().unwrap().message_id, "1");
//! assert!(items[1].as_ref().unwrap_err().to_string().starts_with("line 3: "));
//! ```

use std::borrow::Cow;
use std::io::BufRead;

use crate::error::MessageError;
use crate::error::ReadError;
use crate::message::Message;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses a JSON Lines document: one message per non-blank line. Each item carries the 1-based
/// line number with its error, so a reader can report and skip bad lines.
///
/// The lines are read by the rules of the module docs, the same as the `vigil` command and the
/// WASM package: a byte-order mark at the start is dropped, `\r\n` ends a line like `\n`, blank
/// lines are skipped (and counted). To read a file or a stream line by line, or bytes that may
/// not be UTF-8 (read with the bad bytes replaced, and counted), use [`Reader`].
///
/// ```
/// let doc = "\u{feff}{\"conversation_id\":\"c\",\"message_id\":\"1\",\"timestamp\":0,\
///            \"sender\":{\"id\":\"a\"},\"text\":\"hi\"}\r\n\r\nnot json\r\n";
/// let items: Vec<_> = vigil::jsonl::parse(doc).collect();
/// assert_eq!(items.len(), 2);
/// assert!(items[0].is_ok());
/// assert_eq!(items[1].as_ref().unwrap_err().line(), Some(3));
/// ```
pub fn parse(doc: &str) -> impl Iterator<Item = Result<Message, MessageError>> + '_ {
    lines(doc).map(|(number, text)| message(number, &text))
}

/// The text of line `number` (1-based) as read, line end included: `None` for a blank line,
/// else its text without the line end (and without a byte-order mark on line 1), and whether
/// invalid UTF-8 in it was replaced. The rules of the module docs, in one place.
pub(crate) fn line_text(number: u64, raw: &[u8]) -> Option<(Cow<'_, str>, bool)> {
    let raw = if number == 1 {
        raw.strip_prefix(BOM).unwrap_or(raw)
    } else {
        raw
    };
    let end = raw
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&raw[..end]);
    if text.trim().is_empty() {
        return None;
    }
    let repaired = matches!(text, Cow::Owned(_));
    Some((text, repaired))
}

/// The non-blank lines of a document in memory, numbered from 1, by the module's rules.
pub(crate) fn lines(doc: &str) -> impl Iterator<Item = (u64, Cow<'_, str>)> + '_ {
    doc.as_bytes()
        .split(|&b| b == b'\n')
        .zip(1u64..)
        .filter_map(|(raw, number)| line_text(number, raw).map(|(text, _)| (number, text)))
}

/// Parses one line of a JSON Lines document (its text, as [`lines`] gives it) as a message; the
/// error carries the line number.
pub(crate) fn message(number: u64, text: &str) -> Result<Message, MessageError> {
    Message::from_json(text).map_err(|e| e.at_line(number))
}

/// Reads messages from JSON Lines, one line at a time, by the module's rules.
///
/// As an iterator it yields each message, or the error of a line that is not one
/// ([`ReadError::Message`]: the reader goes on with the next line), or the error of the
/// underlying reader ([`ReadError::Io`]: the reader stops, every later call gives `None`).
///
/// ```
/// use std::io::BufReader;
/// use vigil::jsonl::Reader;
/// use vigil::ReadError;
///
/// let doc = b"{\"conversation_id\":\"c\",\"message_id\":\"1\",\"timestamp\":0,\
///     \"sender\":{\"id\":\"a\"},\"text\":\"hi\"}\n\
///     {\"conversation_id\":\"c\",\"message_id\":\"2\",\"timestamp\":0,\
///     \"sender\":{\"id\":\"a\"},\"text\":\"caf\xE9\"}\n{\"text\": 1}\n";
/// let mut reader = Reader::new(BufReader::new(&doc[..]));
/// assert!(reader.next().unwrap().is_ok());
/// // Latin-1 where UTF-8 belongs: the message is kept, the byte replaced, the line counted.
/// assert_eq!(reader.next().unwrap().unwrap().text, "caf\u{FFFD}");
/// assert_eq!(reader.repaired_lines(), 1);
/// match reader.next().unwrap() {
///     Err(ReadError::Message(e)) => assert_eq!(e.line(), Some(3)),
///     other => panic!("{other:?}"),
/// }
/// assert!(reader.next().is_none());
/// assert_eq!(reader.bytes_read(), doc.len() as u64);
/// ```
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    buf: Vec<u8>,
    line: u64,
    bytes_read: u64,
    repaired: u64,
    done: bool,
}

impl<R: BufRead> Reader<R> {
    /// A reader of the JSON Lines `inner` holds, from its current position (line 1).
    pub fn new(inner: R) -> Reader<R> {
        Reader {
            inner,
            buf: Vec::new(),
            line: 0,
            bytes_read: 0,
            repaired: 0,
            done: false,
        }
    }

    /// Bytes read so far (line ends, blank lines and bad lines included): progress through a
    /// file of known size.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Lines read so far (blank ones included): the number of the last line read.
    pub fn lines_read(&self) -> u64 {
        self.line
    }

    /// Lines read so far that were not valid UTF-8 and were read with the invalid sequences
    /// replaced by U+FFFD. A caller that reports them compares the count before and after
    /// [`next`](Iterator::next): the line is [`lines_read`](Reader::lines_read).
    pub fn repaired_lines(&self) -> u64 {
        self.repaired
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Message, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            let n = match self.inner.read_until(b'\n', &mut self.buf) {
                Ok(n) => n,
                Err(source) => {
                    self.done = true;
                    return Some(Err(ReadError::Io {
                        line: self.line.saturating_add(1),
                        source,
                    }));
                }
            };
            if n == 0 {
                self.done = true;
                break;
            }
            self.bytes_read = self
                .bytes_read
                .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
            self.line = self.line.saturating_add(1);
            if let Some((text, repaired)) = line_text(self.line, &self.buf) {
                if repaired {
                    self.repaired += 1;
                }
                return Some(message(self.line, &text).map_err(ReadError::Message));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, BufReader, Read};

    use super::*;

    const OK: &str =
        r#"{"conversation_id":"c","message_id":"1","timestamp":0,"sender":{"id":"a"},"text":"hi"}"#;

    /// Every item of a document, through the streaming reader and through `parse`, which
    /// must agree; errors as their text.
    fn read(doc: &[u8]) -> Vec<Result<String, String>> {
        let streamed: Vec<Result<String, String>> = Reader::new(doc)
            .map(|r| r.map(|m| m.message_id).map_err(|e| e.to_string()))
            .collect();
        if let Ok(text) = std::str::from_utf8(doc) {
            let parsed: Vec<Result<String, String>> = parse(text)
                .map(|r| r.map(|m| m.message_id).map_err(|e| e.to_string()))
                .collect();
            assert_eq!(streamed, parsed, "the two readers differ on {doc:?}");
        }
        streamed
    }

    fn msg(id: &str) -> String {
        OK.replace(r#""message_id":"1""#, &format!(r#""message_id":"{id}""#))
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        let doc = format!("\u{feff}{}\r\n{}\r\n", msg("1"), msg("2"));
        assert_eq!(read(doc.as_bytes()), vec![Ok("1".into()), Ok("2".into())]);
    }

    #[test]
    fn byte_order_mark_only_at_the_start() {
        let doc = format!("{}\n\u{feff}{}\n", msg("1"), msg("2"));
        let items = read(doc.as_bytes());
        assert_eq!(items[0], Ok("1".into()));
        assert!(
            items[1].as_ref().unwrap_err().starts_with("line 2: invalid JSON"),
            "{items:?}"
        );
    }

    #[test]
    fn blank_lines_are_skipped_and_counted() {
        let doc = format!("\n  \r\n{}\n\t\n\nnope\n\n", msg("1"));
        let items = read(doc.as_bytes());
        assert_eq!(items.len(), 2);
        assert_eq!(items[0], Ok("1".into()));
        assert!(
            items[1].as_ref().unwrap_err().starts_with("line 6: "),
            "{items:?}"
        );
    }

    #[test]
    fn no_final_line_end_and_empty_documents() {
        assert_eq!(read(msg("1").as_bytes()), vec![Ok("1".into())]);
        assert!(read(b"").is_empty());
        assert!(read(b"\xEF\xBB\xBF").is_empty());
        assert!(read(b"\xEF\xBB\xBF\r\n\n").is_empty());
    }

    #[test]
    fn every_error_has_its_line() {
        let doc = format!(
            "{}\n{{\"conversation_id\":\"c\"}}\n{{\n{}\n",
            msg("1"),
            r#"{"conversation_id":"c","message_id":"m","timestamp":"soon","sender":{"id":"a"},"text":""}"#
        );
        let lines: Vec<Option<u64>> = Reader::new(doc.as_bytes())
            .map(|r| match r {
                Ok(_) => None,
                Err(ReadError::Message(e)) => e.line(),
                Err(e) => panic!("{e}"),
            })
            .collect();
        assert_eq!(lines, vec![None, Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_counted_and_the_message_kept() {
        let mut doc = format!("{}\n", msg("1")).into_bytes();
        doc.extend_from_slice(
            b"{\"conversation_id\":\"c\",\"message_id\":\"2\",\"timestamp\":0,\"sender\":{\"id\":\"a\"},\"text\":\"h\xff\xfei\"}\r\n",
        );
        doc.extend_from_slice(format!("{}\n", msg("3")).as_bytes());
        assert_eq!(read(&doc), vec![Ok("1".into()), Ok("2".into()), Ok("3".into())]);
        let mut r = Reader::new(&doc[..]);
        assert_eq!(r.nth(1).unwrap().unwrap().text, "h\u{FFFD}\u{FFFD}i");
        assert_eq!((r.repaired_lines(), r.lines_read()), (1, 2));
        assert!(r.next().unwrap().is_ok());
        assert_eq!(r.repaired_lines(), 1);
        // A cut-off character after a byte-order mark: replaced; the line is then not JSON.
        let e = Reader::new(&b"\xEF\xBB\xBF\xC3"[..]).next().unwrap().unwrap_err();
        assert!(e.to_string().starts_with("line 1: invalid JSON"), "{e}");
    }

    #[test]
    fn bytes_and_lines_read() {
        let doc = format!("{}\r\n\n", msg("1"));
        let mut r = Reader::new(doc.as_bytes());
        assert!(r.next().unwrap().is_ok());
        assert_eq!((r.bytes_read(), r.lines_read()), (OK.len() as u64 + 2, 1));
        assert!(r.next().is_none());
        assert_eq!((r.bytes_read(), r.lines_read()), (doc.len() as u64, 2));
    }

    #[test]
    fn labels_are_read_by_the_same_rules() {
        let doc = "\u{feff}{\"conversation_id\": \"c-1\", \"label\": \"grooming\"}\r\n\r\n{\"label\": 1}\r\n";
        let items: Vec<_> = crate::eval::parse_labels(doc).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].as_ref().unwrap().conversation_id, "c-1");
        assert_eq!(items[1].as_ref().unwrap_err().line(), Some(3));
    }

    /// Reads `ok` bytes, then fails.
    struct Failing<'a> {
        ok: &'a [u8],
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.ok.is_empty() {
                return Err(io::Error::other("disk on fire"));
            }
            let n = self.ok.len().min(buf.len());
            buf[..n].copy_from_slice(&self.ok[..n]);
            self.ok = &self.ok[n..];
            Ok(n)
        }
    }

    #[test]
    fn an_io_error_names_its_line_and_ends_the_reading() {
        let doc = format!("{}\n", msg("1"));
        let mut r = Reader::new(BufReader::new(Failing { ok: doc.as_bytes() }));
        assert!(r.next().unwrap().is_ok());
        let e = r.next().unwrap().unwrap_err();
        assert!(matches!(e, ReadError::Io { line: 2, .. }), "{e:?}");
        assert_eq!(e.to_string(), "cannot read line 2");
        assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "disk on fire");
        assert!(r.next().is_none());
    }
}
