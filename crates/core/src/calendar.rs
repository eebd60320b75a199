//! Names of months and weekdays as English text writes them, shared by extraction (dates printed on
//! pages) and analysis (dates written in sentences).

use chrono::Weekday;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// The month (1–12) a name or its abbreviation stands for: "February", "Feb", "feb.", "Sept".
pub fn month_number(token: &str) -> Option<u32> {
    let lower = token.trim_end_matches('.').to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| {
        *m == lower || (lower.len() <= 4 && m.starts_with(&lower)) || (lower == "sept" && *m == "september")
    })?;
    Some(index as u32 + 1)
}

/// The weekday a full English name stands for: "Sunday".
pub fn weekday(token: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(name, _)| name.eq_ignore_ascii_case(token)).map(|&(_, day)| day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_weekdays() {
        assert_eq!(month_number("February"), Some(2));
        assert_eq!(month_number("feb."), Some(2));
        assert_eq!(month_number("Sept"), Some(9));
        assert_eq!(month_number("Ma"), None);
        assert_eq!(month_number("Mayday"), None);
        assert_eq!(weekday("Sunday"), Some(Weekday::Sun));
        assert_eq!(weekday("Sun"), None);
    }
}
