//! Small helpers that put things into words the same way everywhere.

/// A list in words: "a", "a and b", "a, b and c".
pub fn and_list(items: &[impl AsRef<str>]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// A count with its noun: "1 change", "2 changes"; `plural` is the noun for many.
pub fn count(n: usize, one: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {plural}")
    }
}

/// Whether `text` is plain text a page can show as it is: no control characters (line
/// breaks, escape sequences) and no bidirectional overrides that would make it read
/// differently from what it says.
pub fn is_plain_text(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    })
}

#[cfg(test)]
mod tests {
    use super::{and_list, is_plain_text};

    #[test]
    fn plain_text_has_no_controls_or_direction_overrides() {
        assert!(is_plain_text("Hazel & Rye Bakery — café"));
        assert!(!is_plain_text("Hazel\u{1b}[31m"));
        assert!(!is_plain_text("two\nlines"));
        assert!(!is_plain_text("abc\u{202E}fed"));
    }

    #[test]
    fn lists_read_as_people_write_them() {
        let none: [&str; 0] = [];
        assert_eq!(and_list(&none), "");
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(super::count(1, "change", "changes"), "1 change");
        assert_eq!(super::count(3, "entry", "entries"), "3 entries");
    }
}
