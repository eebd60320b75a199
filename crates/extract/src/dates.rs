//! Reading publication times written by people and machines.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a publication time: RFC 3339, RFC 2822, `YYYY-MM-DD[ HH:MM[:SS]]`, or a written date such as
/// "May 03, 2013" or "3 May 2013". The offset written is kept; a time without one, or a date without a
/// time (taken as midnight), is read as UTC.
pub fn parse_datetime(input: &str) -> Option<DateTime<FixedOffset>> {
    let s = input.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(Utc.from_utc_datetime(&t).fixed_offset());
        }
    }
    let written = find_written_date(s, false)?;
    Some(written.instant().unwrap_or_else(|| midnight(written.date)))
}

/// Reads a line that is nothing but a date, such as a report's "May 03, 2013" or
/// "Updated 12 Nov 2011, 05:51 IST": short, with a full date and no sentence around it.
pub fn parse_date_line(line: &str) -> Option<DateTime<FixedOffset>> {
    let line = line.trim();
    let words = line.split_whitespace().count();
    if line.len() > 64 || words > 10 || line.ends_with('.') && !line.ends_with("M.") {
        return None;
    }
    parse_datetime(line)
}

/// A date written for people, with the time and zone when they are written next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenDate {
    /// The calendar date.
    pub date: NaiveDate,
    /// The time of day, if written.
    pub time: Option<NaiveTime>,
    /// The zone's offset, if a zone abbreviation or offset is written.
    pub offset: Option<FixedOffset>,
}

impl WrittenDate {
    /// The instant, when time and zone are both known.
    pub fn instant(&self) -> Option<DateTime<FixedOffset>> {
        let offset = self.offset?;
        offset.from_local_datetime(&self.date.and_time(self.time?)).single()
    }
}

/// Zone abbreviations news pages print, with their offsets in minutes ("ET" and "PT" as standard time).
const ZONES: [(&str, i32); 26] = [
    ("utc", 0),
    ("gmt", 0),
    ("z", 0),
    ("bst", 60),
    ("cet", 60),
    ("cest", 120),
    ("eet", 120),
    ("eest", 180),
    ("msk", 180),
    ("ist", 330),
    ("sgt", 480),
    ("hkt", 480),
    ("jst", 540),
    ("kst", 540),
    ("aest", 600),
    ("aedt", 660),
    ("est", -300),
    ("edt", -240),
    ("et", -300),
    ("cst", -360),
    ("cdt", -300),
    ("mst", -420),
    ("mdt", -360),
    ("pst", -480),
    ("pdt", -420),
    ("pt", -480),
];

/// Finds the first date written in running text ("Nov. 19, 2019 9:04 PM EST", "19 November 2019",
/// "2019-11-19", "11/19/19"), with a following time and zone when present. Numeric dates are read
/// day first when `day_first` (most of the world), month first otherwise (the United States); a
/// first number over 12 is a day either way.
pub fn find_written_date(text: &str, day_first: bool) -> Option<WrittenDate> {
    let mut tokens: Vec<(char, &str)> = Vec::new();
    let mut separator = ' ';
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else {
            if let Some(s) = start.take() {
                tokens.push((separator, &text[s..i]));
            }
            separator = c;
        }
        if tokens.len() > 64 {
            break;
        }
    }
    if let Some(s) = start {
        tokens.push((separator, &text[s..]));
    }
    let words: Vec<&str> = tokens.iter().map(|(_, t)| *t).collect();
    for i in 0..words.len() {
        let rest = &words[i..];
        let date = iso_date(rest)
            .or_else(|| month_day_year(rest))
            .or_else(|| day_month_year(rest))
            .or_else(|| numeric_date(&tokens[i..], day_first));
        if let Some(date) = date {
            // "Nov 19, 2019, 10:31 pm CST", or the time first: "10:01 pm PST, Tuesday, November 19, 2019".
            let (mut time, mut offset) = time_after(&words[(i + 3).min(words.len())..]);
            if time.is_none() {
                (time, offset) = time_after(&words[i.saturating_sub(6)..i]);
            }
            return Some(WrittenDate { date, time, offset });
        }
    }
    None
}

fn numeric_date(t: &[(char, &str)], day_first: bool) -> Option<NaiveDate> {
    let [(_, a), (s1, b), (s2, y), ..] = t else { return None };
    if s1 != s2 || !matches!(s1, '/' | '.' | '-') || a.len() > 2 || b.len() > 2 {
        return None;
    }
    let year: i32 = match y.len() {
        4 => y.parse().ok()?,
        2 => 2000 + y.parse::<i32>().ok()?,
        _ => return None,
    };
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let (day, month) = if a > 12 || day_first && b <= 12 { (a, b) } else { (b, a) };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A time ("9:04", "9:04 PM", "21.04") and zone in the few words after a date.
fn time_after(words: &[&str]) -> (Option<NaiveTime>, Option<FixedOffset>) {
    for i in 0..words.len().min(4) {
        let (Ok(hour), Some(minute)) =
            (words[i].parse::<u32>(), words.get(i + 1).and_then(|m| m.parse::<u32>().ok()))
        else {
            continue;
        };
        let mut hour = hour;
        let mut next = i + 2;
        // "05. 51AM" and "9:04PM" glue the meridiem to the minutes; "9:04 PM" keeps it apart.
        let minute_token = words[i + 1].to_ascii_lowercase();
        let meridiem = if minute_token.ends_with("am") || minute_token.ends_with("pm") {
            Some(minute_token[minute_token.len() - 2..].to_owned())
        } else {
            let m = words
                .get(next)
                .map(|w| w.to_ascii_lowercase())
                .filter(|w| w == "am" || w == "pm" || w == "a" || w == "p");
            if m.is_some() {
                next += 1;
            }
            m
        };
        match meridiem.as_deref() {
            Some("pm" | "p") if hour < 12 => hour += 12,
            Some("am" | "a") if hour == 12 => hour = 0,
            _ => {}
        }
        let time = NaiveTime::from_hms_opt(hour, minute.min(59), 0);
        let zone = words.get(next).map(|w| w.to_ascii_lowercase());
        let offset =
            zone.and_then(|z| ZONES.iter().find(|(name, _)| *name == z).map(|(_, minutes)| *minutes));
        return (time, offset.and_then(|minutes| FixedOffset::east_opt(minutes * 60)));
    }
    (None, None)
}

fn midnight(date: NaiveDate) -> DateTime<FixedOffset> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)).fixed_offset()
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
    parallax_core::calendar::month_number(token)
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
        assert_eq!(ymd("2026-02-02T10:00:00+02:00"), "2026-02-02 10:00", "the offset written is kept");
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
    fn written_dates_with_times_and_zones() {
        let d = find_written_date("By Justine Coleman - 11/18/19 11:04 PM EST", false).unwrap();
        assert_eq!(d.date.to_string(), "2019-11-18");
        assert_eq!(d.instant().unwrap().to_rfc3339(), "2019-11-18T23:04:00-05:00");
        let d = find_written_date("Publicado 05/10/2018 - por", true).unwrap();
        assert_eq!((d.date.to_string(), d.time), ("2018-10-05".to_owned(), None));
        assert_eq!(
            find_written_date("Nov. 19, 2019, 9:00 a.m.", false).unwrap().time.unwrap().to_string(),
            "09:00:00"
        );
        assert_eq!(
            find_written_date("Updated 20 November 2019", false).unwrap().date.to_string(),
            "2019-11-20"
        );
        assert!(find_written_date("Call 555-1234 today", true).is_none());
        let d = find_written_date("Updated 10:01 pm PST, Tuesday, November 19, 2019", false).unwrap();
        assert_eq!(d.instant().unwrap().to_rfc3339(), "2019-11-19T22:01:00-08:00");
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
