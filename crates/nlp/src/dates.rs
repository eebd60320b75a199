//! Date expressions in sentences, absolute ("February 28, 2025", "May 2024", "2012") and relative
//! ("on Sunday", "last week", "less than half a month earlier"), resolved against the publication date
//! when one is known. What cannot be resolved says why; nothing is guessed silently.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use parallax_core::calendar::{month_number, weekday};
use serde::{Deserialize, Serialize};

use crate::Prepared;
use crate::tokens::{Token, TokenKind};

/// A date expression found in a sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateMention {
    /// Index into [`Analysis::sentences`](crate::Analysis::sentences).
    pub sentence: usize,
    /// Byte span within the sentence's text.
    pub start: usize,
    pub end: usize,
    /// The expression as written.
    pub text: String,
    /// Whether the expression depends on when it was written ("on Sunday", "last week").
    pub relative: bool,
    pub value: DateValue,
}

/// What a date expression resolves to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DateValue {
    Day {
        date: NaiveDate,
    },
    Month {
        year: i32,
        month: u32,
    },
    Year {
        year: i32,
    },
    /// An approximate day: `date` give or take `within_days`.
    Around {
        date: NaiveDate,
        within_days: u32,
    },
    /// Not resolvable from the text and the publication date.
    Unresolved {
        reason: String,
    },
}

impl DateValue {
    /// The first and last day the value covers, when resolved.
    pub fn range(&self) -> Option<(NaiveDate, NaiveDate)> {
        match *self {
            DateValue::Day { date } => Some((date, date)),
            DateValue::Month { year, month } => {
                let first = NaiveDate::from_ymd_opt(year, month, 1)?;
                let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
                Some((first, last))
            }
            DateValue::Year { year } => {
                Some((NaiveDate::from_ymd_opt(year, 1, 1)?, NaiveDate::from_ymd_opt(year, 12, 31)?))
            }
            DateValue::Around { date, within_days } => Some((
                date.checked_sub_days(Days::new(within_days.into()))?,
                date.checked_add_days(Days::new(within_days.into()))?,
            )),
            DateValue::Unresolved { .. } => None,
        }
    }
}

const NO_PUBLICATION: &str = "relative to a publication date that is not known";
const NO_YEAR: &str = "no year given and no publication date to infer it from";

/// Words before a month or year that make it a date rather than a name or a verb ("in May").
const DATE_PREPOSITIONS: &[&str] = &[
    "in",
    "since",
    "from",
    "until",
    "till",
    "by",
    "of",
    "to",
    "before",
    "after",
    "between",
    "and",
    "during",
    "early",
    "late",
    "mid",
    "mid-",
    "circa",
    "around",
    "on",
    "through",
    "throughout",
    "last",
    "next",
    "this",
    "that",
    "the",
];

/// Finds the date expressions of one sentence.
pub(crate) fn find_dates(
    sentence_index: usize,
    sentence: &Prepared<'_>,
    published: Option<NaiveDate>,
    out: &mut Vec<DateMention>,
) {
    let tokens = &sentence.tokens;
    let future = is_future(tokens);
    let mut i = 0;
    while i < tokens.len() {
        let found = absolute(tokens, i, published)
            .or_else(|| weekday_reference(tokens, i, published, future))
            .or_else(|| deictic(tokens, i, published))
            .or_else(|| offset(tokens, i, published));
        match found {
            Some((from, to, relative, value)) => {
                let (start, end) = (tokens[from].start, tokens[to - 1].end);
                out.push(DateMention {
                    sentence: sentence_index,
                    start,
                    end,
                    text: sentence.text[start..end].to_owned(),
                    relative,
                    value,
                });
                i = to;
            }
            None => i += 1,
        }
    }
}

type Found = (usize, usize, bool, DateValue);

fn word<'a>(tokens: &'a [Token<'_>], i: usize) -> Option<&'a Token<'a>> {
    tokens.get(i)
}

fn number(token: Option<&Token<'_>>) -> Option<u32> {
    let t = token?;
    if t.kind != TokenKind::Number {
        // "1st", "28th".
        let digits = t.text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &t.text[digits.len()..];
        if digits.is_empty() || !matches!(suffix, "st" | "nd" | "rd" | "th") {
            return None;
        }
        return digits.parse().ok();
    }
    t.text.parse().ok()
}

fn year_number(token: Option<&Token<'_>>) -> Option<i32> {
    let t = token?;
    if t.kind != TokenKind::Number || t.text.len() != 4 {
        return None;
    }
    let year: i32 = t.text.parse().ok()?;
    (1800..=2199).contains(&year).then_some(year)
}

/// A month name that is capitalised and, for "May" and "March", plainly a date by its neighbours.
fn month_at(tokens: &[Token<'_>], i: usize) -> Option<u32> {
    let t = tokens.get(i)?;
    if !t.is_capitalised() || t.possessive {
        return None;
    }
    let month = month_number(t.text)?;
    // Abbreviations only with their period or before a number ("Feb. 1", "Feb 1").
    let full = t.text.len() >= 5 || matches!(t.text, "May" | "June" | "July" | "March" | "April");
    let number_follows = number(tokens.get(i + 1)).is_some() || year_number(tokens.get(i + 1)).is_some();
    if !full && !number_follows && tokens.get(i + 1).is_none_or(|n| !n.is('.')) {
        return None;
    }
    let ambiguous = matches!(t.text, "May" | "March");
    if ambiguous && !number_follows && !preceded_by(tokens, i, DATE_PREPOSITIONS) {
        return None;
    }
    Some(month)
}

fn preceded_by(tokens: &[Token<'_>], i: usize, words: &[&str]) -> bool {
    i > 0 && tokens[i - 1].is_any(words)
}

fn absolute(tokens: &[Token<'_>], i: usize, published: Option<NaiveDate>) -> Option<Found> {
    // ISO dates: 2025-02-28.
    if let Some(date) = tokens.get(i).and_then(|t| NaiveDate::parse_from_str(t.text, "%Y-%m-%d").ok()) {
        return Some((i, i + 1, false, DateValue::Day { date }));
    }
    if let Some(month) = month_at(tokens, i) {
        let mut j = i + 1;
        if word(tokens, j).is_some_and(|t| t.is('.')) {
            j += 1;
        }
        if let Some(day) = number(word(tokens, j)).filter(|d| (1..=31).contains(d)) {
            // "February 28, 2025" or "February 1".
            let mut k = j + 1;
            if word(tokens, k).is_some_and(|t| t.is(',')) && year_number(word(tokens, k + 1)).is_some() {
                k += 1;
            }
            if let Some(year) = year_number(word(tokens, k)) {
                let value = NaiveDate::from_ymd_opt(year, month, day)
                    .map_or_else(invalid, |date| DateValue::Day { date });
                return Some((i, k + 1, false, value));
            }
            return Some((i, j + 1, false, day_in_nearest_year(month, day, published)));
        }
        if let Some(year) = year_number(word(tokens, j)) {
            return Some((i, j + 1, false, DateValue::Month { year, month }));
        }
        // A month alone: "in December", "last December".
        let (from, value) = match i.checked_sub(1).map(|p| &tokens[p]) {
            Some(p) if p.is_any(&["last"]) => (i - 1, month_before(month, published, false)),
            Some(p) if p.is_any(&["next"]) => (i - 1, month_before(month, published, true)),
            _ => (i, month_nearest(month, published)),
        };
        return Some((from, i + 1, true, value));
    }
    // "28 February 2025", "1 Feb".
    if let Some(day) = number(word(tokens, i)).filter(|d| (1..=31).contains(d))
        && let Some(month) = month_at(tokens, i + 1)
    {
        if let Some(year) = year_number(word(tokens, i + 2)) {
            let value = NaiveDate::from_ymd_opt(year, month, day)
                .map_or_else(invalid, |date| DateValue::Day { date });
            return Some((i, i + 3, false, value));
        }
        return Some((i, i + 2, false, day_in_nearest_year(month, day, published)));
    }
    // A year alone, where a preposition makes it one: "from 2012", "in 2024".
    if let Some(year) = year_number(word(tokens, i))
        && preceded_by(tokens, i, DATE_PREPOSITIONS)
    {
        return Some((i, i + 1, false, DateValue::Year { year }));
    }
    None
}

fn invalid() -> DateValue {
    DateValue::Unresolved { reason: "no such day".into() }
}

/// A day and month without a year: the year that puts it nearest the publication date.
fn day_in_nearest_year(month: u32, day: u32, published: Option<NaiveDate>) -> DateValue {
    let Some(published) = published else { return DateValue::Unresolved { reason: NO_YEAR.into() } };
    let best = [published.year() - 1, published.year(), published.year() + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| (*d - published).num_days().abs());
    best.map_or_else(invalid, |date| DateValue::Day { date })
}

fn month_nearest(month: u32, published: Option<NaiveDate>) -> DateValue {
    day_in_nearest_year(month, 1, published).month_of()
}

/// "last December" (the one before publication) or "next December" (the one after).
fn month_before(month: u32, published: Option<NaiveDate>, after: bool) -> DateValue {
    let Some(published) = published else { return DateValue::Unresolved { reason: NO_PUBLICATION.into() } };
    let year = match (after, month.cmp(&published.month())) {
        (false, std::cmp::Ordering::Less) | (true, std::cmp::Ordering::Greater) => published.year(),
        (false, _) => published.year() - 1,
        (true, _) => published.year() + 1,
    };
    DateValue::Month { year, month }
}

impl DateValue {
    fn month_of(self) -> DateValue {
        match self {
            DateValue::Day { date } => DateValue::Month { year: date.year(), month: date.month() },
            other => other,
        }
    }
}

/// Whether the sentence speaks of the future, so that "on Sunday" means the coming one.
fn is_future(tokens: &[Token<'_>]) -> bool {
    tokens.iter().enumerate().any(|(i, t)| {
        t.is_any(&["will", "shall", "scheduled", "upcoming", "plans", "planned"])
            || (t.is_any(&["is", "are"]) && tokens.get(i + 1).is_some_and(|n| n.is_any(&["to", "expected"])))
    })
}

fn weekday_reference(
    tokens: &[Token<'_>],
    i: usize,
    published: Option<NaiveDate>,
    future: bool,
) -> Option<Found> {
    let t = tokens.get(i)?;
    if !t.is_capitalised() {
        return None;
    }
    let day = weekday(t.text)?;
    let modifier = i.checked_sub(1).map(|p| &tokens[p]).filter(|p| p.is_any(&["last", "next", "this", "on"]));
    let from = if modifier.is_some_and(|m| !m.is_any(&["on"])) { i - 1 } else { i };
    let mut to = i + 1;
    if tokens.get(to).is_some_and(|n| n.is_any(&["morning", "afternoon", "evening", "night"])) {
        to += 1;
    }
    let Some(published) = published else {
        return Some((from, to, true, DateValue::Unresolved { reason: NO_PUBLICATION.into() }));
    };
    let date = match modifier.map(|m| m.lower) {
        Some("last") => previous_weekday(published, day, false),
        Some("next") => next_weekday(published, day, false),
        _ if future => next_weekday(published, day, true),
        _ => previous_weekday(published, day, true),
    };
    Some((from, to, true, DateValue::Day { date }))
}

fn previous_weekday(from: NaiveDate, day: Weekday, same_day: bool) -> NaiveDate {
    let mut back = (from.weekday().num_days_from_monday() + 7 - day.num_days_from_monday()) % 7;
    if back == 0 && !same_day {
        back = 7;
    }
    from - chrono::Duration::days(back.into())
}

fn next_weekday(from: NaiveDate, day: Weekday, same_day: bool) -> NaiveDate {
    let mut ahead = (day.num_days_from_monday() + 7 - from.weekday().num_days_from_monday()) % 7;
    if ahead == 0 && !same_day {
        ahead = 7;
    }
    from + chrono::Duration::days(ahead.into())
}

/// "today", "yesterday", "tomorrow", "last week", "this month", "next year", "earlier this year".
fn deictic(tokens: &[Token<'_>], i: usize, published: Option<NaiveDate>) -> Option<Found> {
    let t = tokens.get(i)?;
    let lower = t.lower;
    let single = match lower {
        "today" | "tonight" => Some(0),
        "yesterday" => Some(-1),
        "tomorrow" => Some(1),
        _ => None,
    };
    if let Some(shift) = single {
        let value = published.map_or_else(
            || DateValue::Unresolved { reason: NO_PUBLICATION.into() },
            |p| DateValue::Day { date: p + chrono::Duration::days(shift) },
        );
        return Some((i, i + 1, true, value));
    }
    let (mut from, which) = match lower {
        "last" | "past" => (i, -1),
        "next" | "coming" => (i, 1),
        "this" => (i, 0),
        _ => return None,
    };
    let unit = tokens.get(i + 1)?;
    if !unit.is_any(&["week", "month", "year", "weekend", "night"]) {
        return None;
    }
    if which == 0 && i >= 1 && tokens[i - 1].is_any(&["earlier", "later"]) {
        from = i - 1;
    }
    let Some(p) = published else {
        return Some((from, i + 2, true, DateValue::Unresolved { reason: NO_PUBLICATION.into() }));
    };
    let value = match unit.lower {
        "night" if which == -1 => DateValue::Day { date: p - chrono::Duration::days(1) },
        "night" => return None,
        "week" | "weekend" => {
            DateValue::Around { date: p + chrono::Duration::days(7 * which), within_days: 3 }
        }
        "month" => {
            let d = match which {
                -1 => p.checked_sub_months(Months::new(1))?,
                1 => p.checked_add_months(Months::new(1))?,
                _ => p,
            };
            DateValue::Month { year: d.year(), month: d.month() }
        }
        _ => DateValue::Year { year: p.year() + which as i32 },
    };
    Some((from, i + 2, true, value))
}

/// "two weeks ago", "a month earlier", "less than half a month earlier", "three days later": an
/// amount of time counted from the publication date, so approximate.
fn offset(tokens: &[Token<'_>], i: usize, published: Option<NaiveDate>) -> Option<Found> {
    let mut j = i;
    let bound = if tokens.get(j).is_some_and(|t| t.is_any(&["less", "more"]))
        && tokens.get(j + 1).is_some_and(|t| t.is_any(&["than"]))
    {
        j += 2;
        Some(tokens[i].lower)
    } else {
        if tokens.get(j).is_some_and(|t| t.is_any(&["about", "nearly", "almost", "some", "roughly", "over"]))
        {
            j += 1;
        }
        None
    };
    let (amount, after) = amount(tokens, j)?;
    let unit = tokens.get(after)?;
    let days_per = match unit.lower.trim_end_matches('s') {
        "day" => 1.0,
        "week" => 7.0,
        "month" => 30.0,
        "year" => 365.0,
        _ => return None,
    };
    let direction = tokens.get(after + 1)?;
    let sign = match direction.lower {
        "ago" | "earlier" | "before" | "previously" => -1.0,
        "later" | "after" | "from" => 1.0,
        _ => return None,
    };
    if direction.is_any(&["from"]) && !tokens.get(after + 2).is_some_and(|t| t.is_any(&["now", "today"])) {
        return None;
    }
    // "a day before flying on" counts from an event, not from publication; only a closing "before" or
    // "after" ("two days before.") stands alone.
    if direction.is_any(&["before", "after"])
        && tokens.get(after + 2).is_some_and(|t| t.kind != TokenKind::Punct)
    {
        return None;
    }
    let to = if direction.is_any(&["from"]) { after + 3 } else { after + 2 };
    let days = amount * days_per;
    let Some(p) = published else {
        return Some((i, to, true, DateValue::Unresolved { reason: NO_PUBLICATION.into() }));
    };
    // "less than N" spans the last N; "more than N" lies beyond it; otherwise about N.
    let (centre, within) = match bound {
        Some("less") => (days / 2.0, days / 2.0),
        Some(_) => (days * 1.25, days / 4.0),
        None => (days, (days / 7.0).max(if days_per >= 30.0 { 3.0 } else { 0.0 })),
    };
    let date = p + chrono::Duration::days((sign * centre).round() as i64);
    let value = if within < 0.5 {
        DateValue::Day { date }
    } else {
        DateValue::Around { date, within_days: within.round() as u32 }
    };
    Some((i, to, true, value))
}

/// An amount written in words or digits before a unit of time: "two", "a", "half a", "a few", "3".
fn amount(tokens: &[Token<'_>], i: usize) -> Option<(f64, usize)> {
    let t = tokens.get(i)?;
    if t.is_any(&["half"]) && tokens.get(i + 1).is_some_and(|n| n.is_any(&["a", "an"])) {
        return Some((0.5, i + 2));
    }
    if t.is_any(&["a", "an"]) && tokens.get(i + 1).is_some_and(|n| n.is_any(&["few", "couple"])) {
        let skip = if tokens.get(i + 2).is_some_and(|n| n.is_any(&["of"])) { 3 } else { 2 };
        return Some((3.0, i + skip));
    }
    if t.kind == TokenKind::Number {
        let n: f64 = t.text.replace(',', "").parse().ok()?;
        return (n > 0.0 && n < 1000.0).then_some((n, i + 1));
    }
    let n = match t.lower {
        "a" | "an" | "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "several" => 4.0,
        _ => return None,
    };
    Some((n, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str, published: Option<&str>) -> Vec<(String, DateValue)> {
        let published = published.map(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").unwrap());
        let mut out = Vec::new();
        find_dates(0, &crate::prepare_static(text), published, &mut out);
        out.into_iter().map(|d| (d.text, d.value)).collect()
    }

    fn day(s: &str) -> DateValue {
        DateValue::Day { date: NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap() }
    }

    #[test]
    fn absolute_dates() {
        let got = dates(
            "On February 1 he met Xi, as on February 28, 2025; he served from 2012 until May 2024 and \
             visited on 3 March 2019.",
            Some("2026-02-02"),
        );
        assert_eq!(
            got,
            [
                ("February 1".into(), day("2026-02-01")),
                ("February 28, 2025".into(), day("2025-02-28")),
                ("2012".into(), DateValue::Year { year: 2012 }),
                ("May 2024".into(), DateValue::Month { year: 2024, month: 5 }),
                ("3 March 2019".into(), day("2019-03-03")),
            ]
        );
    }

    #[test]
    fn modal_may_and_march_are_not_months() {
        assert!(dates("Topics may include energy. May I ask? They march on.", Some("2026-02-02")).is_empty());
    }

    #[test]
    fn weekdays_follow_tense() {
        // 2 February 2026 is a Monday.
        let past = dates("Shoigu arrived in Beijing on Sunday.", Some("2026-02-02"));
        assert_eq!(past, [("Sunday".into(), day("2026-02-01"))]);
        let future = dates("They will meet on Friday.", Some("2026-02-02"));
        assert_eq!(future, [("Friday".into(), day("2026-02-06"))]);
        let unresolved = dates("Shoigu arrived on Sunday.", None);
        assert!(matches!(unresolved[0].1, DateValue::Unresolved { .. }));
    }

    #[test]
    fn relative_expressions() {
        let got = dates(
            "He was arrested less than half a month earlier, two days ago, and last week; yesterday too.",
            Some("2026-02-02"),
        );
        let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["less than half a month earlier", "two days ago", "last week", "yesterday"]);
        assert_eq!(got[0].1.range().unwrap().1, NaiveDate::from_ymd_opt(2026, 2, 2).unwrap());
        assert_eq!(got[1].1, day("2026-01-31"));
        assert_eq!(got[3].1, day("2026-02-01"));
        assert!(dates("He stayed one day before flying on.", Some("2026-02-02")).is_empty());
    }

    #[test]
    fn year_less_dates_without_publication_stay_unresolved() {
        let got = dates("On February 1 they met, in December 2025 too.", None);
        assert!(matches!(got[0].1, DateValue::Unresolved { .. }));
        assert_eq!(got[1].1, DateValue::Month { year: 2025, month: 12 });
    }
}
