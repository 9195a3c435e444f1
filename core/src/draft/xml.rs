//! A small XML writer: elements, text and escaping, indented two spaces. Text is escaped and
//! characters XML 1.0 does not allow (control characters other than tab, newline and carriage
//! return) become U+FFFD, so any chat text makes a well-formed document.

pub(crate) struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    pub(crate) fn new() -> Xml {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// Opens `<name>` on its own line.
    pub(crate) fn open(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// Closes `</name>`.
    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name/>`.
    pub(crate) fn empty(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str("/>\n");
    }

    /// `<name>text</name>`.
    pub(crate) fn text(&mut self, name: &str, text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        escape_into(&mut self.out, text);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name>text</name>` when there is a text.
    pub(crate) fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.text(name, t);
        }
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Appends `text` escaped for element content.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Whether XML 1.0 allows `c` in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_forbidden_characters_are_replaced() {
        let mut x = Xml::new();
        x.open("a");
        x.text("b", "1 < 2 & \"q\" \u{0} \u{FFFF} ok\n");
        x.close("a");
        let s = x.finish();
        assert!(
            s.contains("<b>1 &lt; 2 &amp; \"q\" \u{FFFD} \u{FFFD} ok\n</b>"),
            "{s}"
        );
        assert!(s.ends_with("</a>\n"));
    }
}
