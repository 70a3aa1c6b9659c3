//! Reading dates as exports write them, and telling from a whole column whether dates
//! with slashes or dots are day-first or month-first. A date whose order cannot be told
//! is never guessed.

use chrono::NaiveDate;

use super::mapping::DateOrder;

/// What the dates of a column have shown so far about their order: one example of a
/// day-first date (first part over 12), one of a month-first date (second part over
/// 12), and one date that needs an order at all (not year-first).
#[derive(Clone, Debug, Default)]
pub struct DateOrderScan {
    day_first: Option<String>,
    month_first: Option<String>,
    needs_order: Option<String>,
}

impl DateOrderScan {
    /// Takes one value into account (blank and unreadable values are ignored here; they
    /// are reported when the row is read).
    pub fn see(&mut self, value: &str) {
        let Some([a, b, _]) = date_parts(value) else {
            return;
        };
        if a.len() == 4 {
            return;
        }
        let keep = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(super::quote(value.trim()));
            }
        };
        keep(&mut self.needs_order);
        if a.parse::<u32>().is_ok_and(|a| a > 12) {
            keep(&mut self.day_first);
        }
        if b.parse::<u32>().is_ok_and(|b| b > 12) {
            keep(&mut self.month_first);
        }
    }

    /// A value that cannot be written in `order` (a day-first date where `order` is
    /// month-first, or the other way round; any date not starting with the year where
    /// `order` is year-first), if the values showed one.
    pub fn contradiction(&self, order: DateOrder) -> Option<&str> {
        match order {
            DateOrder::DayMonthYear => self.month_first.as_deref(),
            DateOrder::MonthDayYear => self.day_first.as_deref(),
            DateOrder::YearMonthDay => self.needs_order.as_deref(),
            DateOrder::FromFile => None,
        }
    }

    /// Whether no value seen needs an order (all start with the year, or none was seen).
    pub fn tells_nothing(&self) -> bool {
        self.needs_order.is_none()
    }

    /// The order the values tell, or why they cannot tell it (in words).
    pub fn verdict(&self) -> Result<DateOrder, String> {
        match (&self.day_first, &self.month_first, &self.needs_order) {
            (_, _, None) => Ok(DateOrder::YearMonthDay),
            (Some(_), None, _) => Ok(DateOrder::DayMonthYear),
            (None, Some(_), _) => Ok(DateOrder::MonthDayYear),
            (Some(d), Some(m), _) => Err(format!(
                "its dates are written both day-first ({d}) and month-first ({m})"
            )),
            (None, None, Some(example)) => Err(format!(
                "no date in it tells whether {example} is day-first or month-first"
            )),
        }
    }
}

/// The order `values` tell (see [`DateOrderScan`]), or why they cannot.
pub fn guess_date_order(values: &[&str]) -> Result<DateOrder, String> {
    let mut scan = DateOrderScan::default();
    for v in values {
        scan.see(v);
    }
    scan.verdict()
}

/// The three parts of the date at the start of `value`: separated by `-`, `/` or `.`, or
/// eight digits (20240503) read as year, month and day.
fn date_parts(value: &str) -> Option<[&str; 3]> {
    let date = value.trim().split([' ', 'T']).next()?;
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        return Some([&date[..4], &date[4..6], &date[6..]]);
    }
    let mut parts = date.split(['-', '/', '.']);
    let out = [parts.next()?, parts.next()?, parts.next()?];
    let numeric = out
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (parts.next().is_none() && numeric).then_some(out)
}

/// Reads a date (any time after it is ignored). Year 0 (a birthday without a year) is
/// not a date; nor is a date with slashes or dots when the order is
/// [`DateOrder::FromFile`] and the file has not told it.
pub fn parse_date(value: &str, order: DateOrder) -> Option<NaiveDate> {
    match date_parts(value) {
        Some(parts) => numeric_date(parts, order),
        None => named_month_date(value),
    }
}

/// A date from its three numeric parts, in `order` unless it starts with the year.
fn numeric_date([a, b, c]: [&str; 3], order: DateOrder) -> Option<NaiveDate> {
    let num = |s: &str| s.parse::<i32>().ok();
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else {
        let year = |s: &str| {
            num(s).map(|y| match (s.len(), y) {
                (2, 0..=69) => 2000 + y,
                (2, _) => 1900 + y,
                _ => y,
            })
        };
        match order {
            DateOrder::DayMonthYear => (year(c)?, num(b)?, num(a)?),
            DateOrder::MonthDayYear => (year(c)?, num(a)?, num(b)?),
            // Dates said to start with the year that do not are not read either way.
            DateOrder::YearMonthDay | DateOrder::FromFile => return None,
        }
    };
    if y <= 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

/// The English month names, by their first three letters.
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date written with the month's name, which is never ambiguous: "Dec 8, 2024",
/// "Jun 9, 2023 9:00:00 AM", "8 December 2024", "Mon, 23 Sep 2024 14:21:24 +0000".
fn named_month_date(value: &str) -> Option<NaiveDate> {
    let tokens: Vec<String> = value
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|t| !t.is_empty())
        .take(4)
        .map(|t| t.trim_matches([',', '.']).to_lowercase())
        .collect();
    let month_at = tokens.iter().position(|t| {
        t.len() >= 3 && t.chars().all(char::is_alphabetic) && MONTHS.contains(&&t[..3])
    })?;
    let month = MONTHS.iter().position(|m| *m == &tokens[month_at][..3])? as u32 + 1;
    let numbers: Vec<&String> = tokens
        .iter()
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let short: Vec<&&String> = numbers.iter().filter(|t| t.len() <= 2).collect();
    let day = short.first()?.parse().ok()?;
    // A four-digit year, else a two-digit one after the day (05-Jan-24).
    let year = match numbers.iter().find(|t| t.len() == 4) {
        Some(y) => y.parse().ok()?,
        None => match short.get(1)?.parse::<i32>().ok()? {
            y @ 0..=69 => 2000 + y,
            y => 1900 + y,
        },
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The hour, minute and second of the time after a date, where there is one: `None` for
/// no time, `Some(None)` for a time that is not a time of day ("25:61").
fn time_of_day(value: &str) -> Option<Option<u32>> {
    let words: Vec<&str> = value.trim().split([' ', 'T']).collect();
    let time = words.iter().skip(1).find(|w| w.contains(':'))?;
    let number = |p: &str| {
        let digits = p.get(..2).unwrap_or(p);
        digits
            .parse::<u32>()
            .ok()
            .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut parts = time.split(':');
    let (h, m, s) = (
        parts.next().and_then(number),
        parts.next().and_then(number),
        parts.next(),
    );
    let second = match s {
        Some(s) => number(s).filter(|s| *s < 60),
        None => Some(0),
    };
    let pm = words.iter().any(|w| w.eq_ignore_ascii_case("pm"));
    let am = words.iter().any(|w| w.eq_ignore_ascii_case("am"));
    let twelve_hour = am || pm;
    Some(match (h, m, second) {
        (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && !(twelve_hour && h > 12) => {
            let h = match h {
                12 if am => 0,
                1..=11 if pm => h + 12,
                _ => h,
            };
            Some(h * 3600 + m * 60 + s)
        }
        _ => None,
    })
}

/// Whether `value` has a time after its date that is not a time of day ("2024-05-03
/// 25:61"): such a cell is refused, not read as midnight.
pub fn has_impossible_time(value: &str) -> bool {
    matches!(time_of_day(value), Some(None))
}

/// A moment to order records by: the day, and the seconds into it when the value gives a
/// time ("2024-05-03 10:15:00 +0100" → 10:15; an offset is ignored, as the records of one
/// export share it).
pub fn parse_moment(value: &str, order: DateOrder) -> Option<(NaiveDate, u32)> {
    let day = parse_date(value, order)?;
    let seconds = time_of_day(value).flatten().unwrap_or(0);
    Some((day, seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn the_whole_column_tells_the_order_or_nothing_is_guessed() {
        assert_eq!(
            guess_date_order(&["01/07/2025", "09/24/2024"]),
            Ok(DateOrder::MonthDayYear)
        );
        assert_eq!(
            guess_date_order(&["01/07/2025", "24/09/2024"]),
            Ok(DateOrder::DayMonthYear)
        );
        assert_eq!(
            guess_date_order(&["2024-09-24", "20240101"]),
            Ok(DateOrder::YearMonthDay)
        );
        let unclear = guess_date_order(&["01/07/2025", "03/05/2024"]).expect_err("unclear");
        assert!(unclear.contains("\"01/07/2025\""), "{unclear}");
        let mixed = guess_date_order(&["13/01/2025", "01/13/2025"]).expect_err("mixed");
        assert!(mixed.contains("both"), "{mixed}");
        assert_eq!(parse_date("01/07/2025", DateOrder::FromFile), None);
    }

    #[test]
    fn eight_digit_dates_two_digit_years_and_times() {
        assert_eq!(parse_date("19970101", DateOrder::FromFile), d(1997, 1, 1));
        assert_eq!(parse_date("19971301", DateOrder::FromFile), None);
        assert_eq!(
            parse_date("09/24/24", DateOrder::MonthDayYear),
            d(2024, 9, 24)
        );
        for named in [
            "Dec 8, 2024",
            "Dec 8, 2024 9:15:51 AM",
            "8 December 2024",
            "Sun, 8 Dec 2024 14:21:24 +0000",
        ] {
            assert_eq!(
                parse_date(named, DateOrder::FromFile),
                d(2024, 12, 8),
                "{named}"
            );
        }
        assert_eq!(parse_date("Smarch 8, 2024", DateOrder::FromFile), None);
        assert_eq!(
            parse_date("05-Jan-2024", DateOrder::FromFile),
            d(2024, 1, 5)
        );
        assert_eq!(parse_date("8-Dec-24", DateOrder::FromFile), d(2024, 12, 8));
        assert_eq!(
            guess_date_order(&["05-Jan-2024", "06-Jan-2024"]),
            Ok(DateOrder::YearMonthDay),
            "named months need no order"
        );
        assert_eq!(
            parse_moment("Jun 9, 2023 9:15:00 PM", DateOrder::FromFile),
            d(2023, 6, 9).map(|day| (day, 21 * 3600 + 15 * 60))
        );
        assert_eq!(
            parse_moment("Dec 8, 2024 12:05:00 AM", DateOrder::FromFile),
            d(2024, 12, 8).map(|day| (day, 5 * 60))
        );
        assert_eq!(
            parse_moment("2024-05-03 10:15:30 +0100", DateOrder::FromFile),
            d(2024, 5, 3).map(|day| (day, 10 * 3600 + 15 * 60 + 30))
        );
        assert_eq!(
            parse_moment("2024-05-03T08:05", DateOrder::FromFile),
            d(2024, 5, 3).map(|day| (day, 8 * 3600 + 5 * 60))
        );
    }

    #[test]
    fn a_date_said_to_start_with_the_year_that_does_not_is_no_date() {
        assert_eq!(parse_date("03/04/2024", DateOrder::YearMonthDay), None);
        assert_eq!(
            parse_date("2024-04-03", DateOrder::YearMonthDay),
            d(2024, 4, 3)
        );
    }

    #[test]
    fn a_time_that_is_no_time_of_day_is_told_apart_from_none() {
        for impossible in [
            "2024-05-03 25:61",
            "2024-05-03 10:60",
            "2024-05-03T23:59:75",
            "2024-05-03 ab:cd",
            "Jun 9, 2023 13:00:00 PM",
        ] {
            assert!(has_impossible_time(impossible), "{impossible}");
        }
        for fine in [
            "2024-05-03",
            "2024-05-03 23:59:59 +0100",
            "2024-05-03T08:05:00.000Z",
            "Dec 8, 2024 9:15:51 AM",
            "20240503",
        ] {
            assert!(!has_impossible_time(fine), "{fine}");
        }
    }
}
