//! Escaping for the XML formats (checkstyle, junit). Both only write attributes and text, so
//! one escaping function for each is all the XML they need.

/// Escapes `text` for an attribute value in double quotes. Line breaks and tabs become
/// character references, or parsers would normalise them to spaces.
pub(crate) fn attr(text: &str) -> String {
    escape(text, true)
}

/// Escapes `text` for element content.
pub(crate) fn text(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            // XML 1.0 cannot carry other C0 controls at all, not even as references.
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(attr("a<b & \"c\"\nd"), "a&lt;b &amp; &quot;c&quot;&#10;d");
        assert_eq!(text("x\u{1b}\ty>"), "x\u{241b}\ty&gt;");
    }
}
