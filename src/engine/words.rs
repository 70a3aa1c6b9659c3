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

/// A count with its noun: "1 change", "2 changes", "12,345 customers"; `plural` is the
/// noun for many.
pub fn count(n: usize, one: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {plural}", number(n))
    }
}

/// "1 day", "365 days", "36,525 days" (a negative count reads as 0 days).
pub fn days(n: i64) -> String {
    count(usize::try_from(n).unwrap_or(0), "day", "days")
}

/// "1 customer", "12,345 customers".
pub fn customers(n: usize) -> String {
    count(n, "customer", "customers")
}

/// "12 of 20,000 customers", "1 of 1 customer".
pub fn of_customers(part: usize, total: usize) -> String {
    format!("{} of {}", number(part), customers(total))
}

/// A change in a count, signed, for people: "+1,234", "-592", "0".
pub fn signed(n: i64) -> String {
    let size = super::money::thousands(n.unsigned_abs());
    match n.signum() {
        1 => format!("+{size}"),
        -1 => format!("-{size}"),
        _ => size,
    }
}

/// A count for people to read, thousands separated by commas: 12345 → "12,345".
pub fn number(n: usize) -> String {
    super::money::thousands(n as u64)
}

/// Whether `text` is plain text a page can show as it is: no control characters (line
/// breaks, escape sequences) and no bidirectional overrides that would make it read
/// differently from what it says.
pub fn is_plain_text(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    })
}

/// The first character of `text` that would act rather than show on a terminal or a page:
/// a control character other than a line break or tab (an escape sequence, a bell, NUL, a
/// carriage return that writes over its line, the C1 controls terminals act on: escapes,
/// string starts and ends, line moves) or a bidirectional override or isolate that makes
/// text read differently from what it says. Direction marks and embeddings, which Hebrew
/// and Arabic names and phone numbers copied from a phone carry, and the other C1
/// characters, which old shop data holds for Windows quotes and dashes (U+0092), only show.
pub fn hidden_character(text: &str) -> Option<char> {
    // Nearly all text is plain ASCII or ordinary letters: looked at closely only when a
    // byte could start such a character.
    if !text
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2)
    {
        return None;
    }
    text.chars().find(|&c| {
        matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}')
            || matches!(c, '\u{84}' | '\u{85}' | '\u{88}' | '\u{8d}'..='\u{90}' | '\u{98}' | '\u{9b}'..='\u{9f}')
            || matches!(c, '\u{202D}' | '\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// [`hidden_character`] in a text that is one line (a name, a column name, who and why):
/// a line break there would show as a line of its own, so it is found too.
pub fn hidden_in_line(text: &str) -> Option<char> {
    hidden_character(text).or_else(|| text.chars().find(|&c| c == '\n'))
}

/// The customer's own words as a line ends with them: `: “words”`, or nothing.
pub fn their_words(words: Option<&str>) -> String {
    words
        .map(|w| format!(": \u{201c}{w}\u{201d}"))
        .unwrap_or_default()
}

/// The text with its first letter in capitals: "everything bought" -> "Everything bought".
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A figure with two decimals, as the audit shows them ("0.84"), except that a figure
/// too small to show in two decimals keeps two significant digits ("0.0012", never "0.00",
/// which would say nothing is there).
pub fn decimal(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.005 && v.is_finite() {
        let decimals = (-v.abs().log10()).ceil() as usize + 1;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::{and_list, count, decimal, hidden_character, is_plain_text, of_customers, signed};

    #[test]
    fn a_small_figure_is_never_shown_as_nothing() {
        assert_eq!(decimal(5.0 / 4053.0), "0.0012");
        assert_eq!(decimal(0.84), "0.84");
        assert_eq!(decimal(0.0), "0.00");
        assert_eq!(decimal(-0.003), "-0.0030");
    }

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(count(1, "change", "changes"), "1 change");
        assert_eq!(count(12_345, "change", "changes"), "12,345 changes");
        assert_eq!(of_customers(1_519, 5_000), "1,519 of 5,000 customers");
        assert_eq!(of_customers(1, 1), "1 of 1 customer");
        assert_eq!(signed(1_234), "+1,234");
        assert_eq!(signed(-592), "-592");
        assert_eq!(signed(0), "0");
    }

    #[test]
    fn plain_text_has_no_controls_or_direction_overrides() {
        assert!(is_plain_text("Hazel & Rye Bakery — café"));
        assert!(!is_plain_text("Hazel\u{1b}[31m"));
        assert!(!is_plain_text("two\nlines"));
        assert!(!is_plain_text("abc\u{202E}fed"));
        assert_eq!(hidden_character("Zoë Müller, 1 High St\nBath"), None);
        assert_eq!(hidden_character("Tea\u{1b}[5m"), Some('\u{1b}'));
        assert_eq!(hidden_character("Tea\0"), Some('\0'));
        assert_eq!(hidden_character("Z\u{202E}live"), Some('\u{202E}'));
        assert_eq!(hidden_character("a\u{9b}31m"), Some('\u{9b}'));
        assert_eq!(hidden_character("Eve\rAmelia"), Some('\r'));
        assert_eq!(hidden_character("\u{202A}+44 7700 900123\u{202C}"), None);
        assert_eq!(hidden_character("O\u{92}Neill"), None);
        assert_eq!(hidden_character("Jane\u{9d}0;pwned\u{9c}"), Some('\u{9d}'));
        assert_eq!(hidden_character("up\u{8d}"), Some('\u{8d}'));
        assert_eq!(hidden_character("\u{200F}שרה"), None);
        assert_eq!(hidden_character("café — ‘quoted’"), None);
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
