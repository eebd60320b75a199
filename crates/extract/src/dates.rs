//! Reading publication times written by people and machines.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a publication time: RFC 3339, RFC 2822, `YYYY-MM-DD[ HH:MM[:SS]]`, or a written date such as
/// "May 03, 2013" or "3 May 2013". A date without a time is taken as midnight UTC.
pub fn parse_datetime(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    find_date(s).map(midnight)
}

/// Reads a line that is nothing but a date, such as a report's "May 03, 2013" or
/// "Updated 12 Nov 2011, 05:51 IST": short, with a full date and no sentence around it.
pub fn parse_date_line(line: &str) -> Option<DateTime<Utc>> {
    let line = line.trim();
    let words = line.split_whitespace().count();
    if line.len() > 64 || words > 10 || line.ends_with('.') && !line.ends_with("M.") {
        return None;
    }
    parse_datetime(line)
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
}

/// Finds the first full calendar date (day, month and year) written in the text.
fn find_date(text: &str) -> Option<NaiveDate> {
    let tokens: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    for window in 0..tokens.len() {
        let rest = &tokens[window..];
        if let Some(date) = iso_date(rest).or_else(|| month_day_year(rest)).or_else(|| day_month_year(rest)) {
            return Some(date);
        }
    }
    None
}

fn iso_date(t: &[&str]) -> Option<NaiveDate> {
    let [y, m, d, ..] = t else { return None };
    if y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn month_day_year(t: &[&str]) -> Option<NaiveDate> {
    let [m, d, y, ..] = t else { return None };
    NaiveDate::from_ymd_opt(year(y)?, month(m)?, d.parse().ok()?)
}

fn day_month_year(t: &[&str]) -> Option<NaiveDate> {
    let [d, m, y, ..] = t else { return None };
    let day = d.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok()?;
    NaiveDate::from_ymd_opt(year(y)?, month(m)?, day)
}

fn year(token: &str) -> Option<i32> {
    let y: i32 = token.parse().ok()?;
    (token.len() == 4 && (1800..=2200).contains(&y)).then_some(y)
}

/// The month a name or three-letter abbreviation stands for.
pub(crate) fn month(token: &str) -> Option<u32> {
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
    let lower = token.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| {
        *m == lower || (lower.len() <= 4 && m.starts_with(&lower)) || (lower == "sept" && *m == "september")
    })?;
    Some(index as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(s: &str) -> String {
        parse_datetime(s).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    }

    #[test]
    fn machine_formats() {
        assert_eq!(ymd("2026-02-02T08:00:00Z"), "2026-02-02 08:00");
        assert_eq!(ymd("2026-02-02T10:00:00+02:00"), "2026-02-02 08:00");
        assert_eq!(ymd("Mon, 02 Feb 2026 08:00:00 GMT"), "2026-02-02 08:00");
        assert_eq!(ymd("2026-02-02"), "2026-02-02 00:00");
        assert_eq!(ymd("2026-02-02 08:30"), "2026-02-02 08:30");
    }

    #[test]
    fn written_dates() {
        assert_eq!(ymd("May 03, 2013"), "2013-05-03 00:00");
        assert_eq!(ymd("3rd May 2013"), "2013-05-03 00:00");
        assert_eq!(ymd("Sept. 9, 2014"), "2014-09-09 00:00");
        assert_eq!(ymd("no date here"), "");
        assert_eq!(ymd("May 2024"), "");
    }

    #[test]
    fn date_lines_are_short_and_only_dates() {
        assert!(parse_date_line("TNN Nov 12, 2011, 05. 51AM IST MUMBAI:").is_some());
        assert!(parse_date_line("Wednesday 14 March 2012").is_some());
        assert!(
            parse_date_line("The meeting took place on May 3, 2013 in Paris after long talks.").is_none()
        );
    }
}
