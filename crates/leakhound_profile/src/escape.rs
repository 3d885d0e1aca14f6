/// Replaces control characters (ESC, CR, BEL, C1 controls, ...) by visible escapes so that text
/// taken from a profile cannot move the cursor or recolour a terminal. Tabs become spaces.
pub fn escape_control(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_made_visible() {
        assert_eq!(escape_control("main.f\x1b[2J"), "main.f\\u{1b}[2J");
        assert_eq!(escape_control("a\u{9b}b"), "a\\u{9b}b");
        assert_eq!(escape_control("plain"), "plain");
    }
}
