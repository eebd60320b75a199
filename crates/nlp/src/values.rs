//! Numbers, sums of money and percentages written in sentences, as values that reports can be
//! compared on ("$1.2 billion", "37 percent", "five people", "1,200 troops").

use serde::{Deserialize, Serialize};

use crate::Prepared;
use crate::tokens::{Token, TokenKind};

/// A quantity found in a sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueMention {
    /// Index into [`Analysis::sentences`](crate::Analysis::sentences).
    pub sentence: usize,
    /// Byte span within the sentence's text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub value: f64,
    pub kind: ValueKind,
    /// The word counted ("people", "troops"), for plain numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The least and greatest quantity the text allows, when it is not exactly `value`: "at least
    /// six" is `[6, MAX]`, "about 40" `[32, 48]`, "dozens" `[24, 99]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
}

impl ValueMention {
    /// The least and greatest quantity the text allows.
    pub fn bounds(&self) -> [f64; 2] {
        self.range.unwrap_or([self.value, self.value])
    }
}

/// What a quantity measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ValueKind {
    Number,
    Percent,
    /// With an ISO 4217 currency code when the text makes it plain.
    Money {
        currency: String,
    },
}

/// Plural nouns that do not end in "s", for what a count counts ("six people").
const IRREGULAR_PLURALS: &[&str] =
    &["people", "children", "men", "women", "police", "personnel", "staff", "crew", "cattle", "sheep"];

const NUMBER_WORDS: &[(&str, f64)] = &[
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
    ("hundred", 100.0),
    ("dozen", 12.0),
];

/// Tens from twenty, and units, for compound numbers in words ("thirty-eight").
const TENS: &[&str] = &["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const UNITS: &[&str] = &["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// Counts that name only an order of magnitude: the word, a typical value and the range it allows.
const VAGUE_COUNTS: &[(&str, f64, [f64; 2])] = &[
    ("dozens", 24.0, [24.0, 99.0]),
    ("scores", 40.0, [40.0, 199.0]),
    ("hundreds", 200.0, [200.0, 999.0]),
    ("thousands", 2000.0, [2000.0, 9999.0]),
    ("several", 3.0, [3.0, 9.0]),
];

/// Shares written in words, as percentages.
const SHARE_WORDS: &[(&str, f64)] = &[
    ("half", 50.0),
    ("50-50", 50.0),
    ("fifty-fifty", 50.0),
    ("one-third", 100.0 / 3.0),
    ("two-thirds", 200.0 / 3.0),
    ("one-quarter", 25.0),
    ("three-quarters", 75.0),
];

/// Words before a number that make it a bound or an estimate: (words, how the range follows).
const QUALIFIERS: &[(&[&str], Qualifier)] = &[
    (&["at", "least"], Qualifier::AtLeast),
    (&["more", "than"], Qualifier::AtLeast),
    (&["over"], Qualifier::AtLeast),
    (&["upwards", "of"], Qualifier::AtLeast),
    (&["at", "most"], Qualifier::AtMost),
    (&["up", "to"], Qualifier::AtMost),
    (&["as", "many", "as"], Qualifier::AtMost),
    (&["fewer", "than"], Qualifier::AtMost),
    (&["less", "than"], Qualifier::AtMost),
    (&["under"], Qualifier::AtMost),
    (&["nearly"], Qualifier::Nearly),
    (&["almost"], Qualifier::Nearly),
    (&["about"], Qualifier::About),
    (&["around"], Qualifier::About),
    (&["roughly"], Qualifier::About),
    (&["approximately"], Qualifier::About),
    (&["some"], Qualifier::About),
    (&["estimated"], Qualifier::About),
];

#[derive(Debug, Clone, Copy)]
enum Qualifier {
    AtLeast,
    AtMost,
    Nearly,
    About,
}

impl Qualifier {
    fn range(self, value: f64) -> [f64; 2] {
        match self {
            Qualifier::AtLeast => [value, f64::MAX],
            Qualifier::AtMost => [0.0, value],
            Qualifier::Nearly => [value * 0.8, value],
            Qualifier::About => [value * 0.8, value * 1.2],
        }
    }
}

const SCALES: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("millions", 1e6),
    ("billion", 1e9),
    ("billions", 1e9),
    ("trillion", 1e12),
    ("bn", 1e9),
    ("dozen", 12.0),
    ("m", 1e6),
];

const CURRENCY_SIGNS: &[(&str, &str)] =
    &[("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₽", "RUB")];

const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("dollars", "USD"),
    ("dollar", "USD"),
    ("euros", "EUR"),
    ("euro", "EUR"),
    ("pounds", "GBP"),
    ("yuan", "CNY"),
    ("renminbi", "CNY"),
    ("rubles", "RUB"),
    ("roubles", "RUB"),
    ("yen", "JPY"),
    ("rupees", "INR"),
    ("crowns", "crowns"),
    ("crown", "crowns"),
    ("francs", "francs"),
    ("pesos", "pesos"),
    ("dinars", "dinars"),
    ("shillings", "shillings"),
];

/// Words after a number that make it something other than a count of things.
const NOT_COUNTED: &[&str] = &["a.m.", "p.m.", "am", "pm", "o'clock", "th", "st", "nd", "rd"];

/// Finds the quantities of one sentence, skipping spans already taken by dates.
pub(crate) fn find_values(
    sentence_index: usize,
    sentence: &Prepared<'_>,
    taken: &[(usize, usize)],
    out: &mut Vec<ValueMention>,
) {
    let tokens = &sentence.tokens;
    let free = |t: &Token<'_>| !taken.iter().any(|&(s, e)| t.start < e && s < t.end);
    let mut i = 0;
    while i < tokens.len() {
        let Some(Quantity { from, to, value, kind, unit, range }) =
            quantity(tokens, i).filter(|q| free(&tokens[q.from]))
        else {
            i += 1;
            continue;
        };
        let (qualified_from, range) = match qualifier(tokens, from) {
            Some((at, qualifier)) => (at, Some(qualifier.range(value))),
            None => (from, range),
        };
        let (start, end) = (tokens[qualified_from].start, tokens[to - 1].end);
        out.push(ValueMention {
            sentence: sentence_index,
            start,
            end,
            text: sentence.text[start..end].to_owned(),
            value,
            kind,
            unit,
            range,
        });
        i = to;
    }
}

/// A quantity over tokens `from..to`.
struct Quantity {
    from: usize,
    to: usize,
    value: f64,
    kind: ValueKind,
    unit: Option<String>,
    range: Option<[f64; 2]>,
}

impl Quantity {
    fn new(from: usize, to: usize, value: f64, kind: ValueKind) -> Self {
        Quantity { from, to, value, kind, unit: None, range: None }
    }
}

/// The qualifier ending just before token `at` ("at least", "about"; "at least a dozen"), with the
/// token it starts at.
fn qualifier(tokens: &[Token<'_>], at: usize) -> Option<(usize, Qualifier)> {
    let end = if at > 0 && tokens[at - 1].is_any(&["a", "an"]) { at - 1 } else { at };
    QUALIFIERS.iter().find_map(|&(words, qualifier)| {
        let start = end.checked_sub(words.len())?;
        let matches = tokens[start..end].iter().zip(words).all(|(t, w)| t.is_any(&[w]));
        matches.then_some((start, qualifier))
    })
}

fn quantity(tokens: &[Token<'_>], i: usize) -> Option<Quantity> {
    let from = i;
    // "a quarter of", "rose by a third": a fraction after "a" or "one", of something or as a change
    // ("a third term" is no share).
    let of_something = tokens.get(i + 1).is_some_and(|t| t.is_any(&["of"]));
    let changed_by = tokens[i.saturating_sub(4)..i].iter().any(|t| t.is_any(&["by"]));
    if tokens[i].is_any(&["quarter", "third"])
        && i > 0
        && tokens[i - 1].is_any(&["a", "one"])
        && (of_something || changed_by)
    {
        let share = if tokens[i].lower == "quarter" { 25.0 } else { 100.0 / 3.0 };
        return Some(Quantity::new(from, i + 1, share, ValueKind::Percent));
    }
    if let Some(&(_, share)) = SHARE_WORDS.iter().find(|(w, _)| tokens[i].is_any(&[w])) {
        // "half" is a share only of something ("half of the seats", "half the votes").
        let of_something = tokens[i].lower != "half"
            || tokens.get(i + 1).is_some_and(|t| t.is_any(&["of", "the", "its", "their"]));
        return of_something.then(|| Quantity::new(from, i + 1, share, ValueKind::Percent));
    }
    if tokens[i].is_any(&["equal", "equally", "evenly"])
        && tokens
            .get(i + 1)
            .is_some_and(|t| t.is_any(&["share", "shares", "stake", "stakes", "split", "divided"]))
    {
        return Some(Quantity::new(from, i + 2, 50.0, ValueKind::Percent));
    }
    // "shared equally", "split evenly"
    if tokens[i].is_any(&["shared", "split", "divided"])
        && tokens.get(i + 1).is_some_and(|t| t.is_any(&["equally", "evenly"]))
    {
        return Some(Quantity::new(from, i + 2, 50.0, ValueKind::Percent));
    }
    if let Some(&(_, value, range)) = VAGUE_COUNTS.iter().find(|(w, _, _)| tokens[i].is_any(&[w])) {
        let unit = counted_unit(tokens, i + 1)?;
        return Some(Quantity {
            unit: Some(unit),
            range: Some(range),
            ..Quantity::new(from, i + 1, value, ValueKind::Number)
        });
    }
    let mut currency = None;
    if let Some(&(_, code)) =
        CURRENCY_SIGNS.iter().find(|(sign, _)| tokens[i].kind == TokenKind::Punct && tokens[i].text == *sign)
    {
        currency = Some(code);
    }
    let number_at = if currency.is_some() { i + 1 } else { i };
    let (mut value, mut next) = number_value(tokens, number_at)?;
    if currency.is_none() && number_at > 0 && tokens[number_at - 1].is_any(&["us", "usd"]) {
        return None;
    }
    if let Some(&(_, scale)) = tokens.get(next).and_then(|t| SCALES.iter().find(|(w, _)| t.is_any(&[w]))) {
        value *= scale;
        next += 1;
    }
    if tokens.get(next).is_some_and(|t| t.is('%') || t.is_any(&["percent", "per"])) {
        let to = if tokens[next].is_any(&["per"]) { next + 2 } else { next + 1 };
        return Some(Quantity::new(from, to.min(tokens.len()), value, ValueKind::Percent));
    }
    if currency.is_none()
        && let Some(&(_, code)) =
            tokens.get(next).and_then(|t| CURRENCY_WORDS.iter().find(|(w, _)| t.is_any(&[w])))
    {
        return Some(Quantity::new(from, next + 1, value, ValueKind::Money { currency: code.to_owned() }));
    }
    if let Some(code) = currency {
        return Some(Quantity::new(from, next, value, ValueKind::Money { currency: code.to_owned() }));
    }
    let unit = counted_unit(tokens, next);
    if tokens.get(next).is_some_and(|t| t.is_any(NOT_COUNTED)) {
        return None;
    }
    // A spelled-out number counts only when it counts something ("two sides", not "one of").
    if tokens[number_at].kind == TokenKind::Word && unit.is_none() {
        return None;
    }
    Some(Quantity { unit, ..Quantity::new(from, next, value, ValueKind::Number) })
}

/// What a count counts, skipping an adjective or two ("five senior officials") and "of" ("dozens
/// of homes").
fn counted_unit(tokens: &[Token<'_>], next: usize) -> Option<String> {
    let next = if tokens.get(next).is_some_and(|t| t.is_any(&["of"])) { next + 1 } else { next };
    tokens
        .get(next..)?
        .iter()
        .take(3)
        .take_while(|t| t.is_word() && !crate::stopwords::is_stop_lower(t.lower))
        .find(|t| {
            t.text.chars().all(char::is_lowercase)
                && (t.text.len() > 2 && t.text.ends_with('s') || IRREGULAR_PLURALS.contains(&t.text))
        })
        .map(|t| t.text.to_owned())
}

fn number_value(tokens: &[Token<'_>], i: usize) -> Option<(f64, usize)> {
    let t = tokens.get(i)?;
    if t.kind == TokenKind::Number {
        return Some((t.text.replace(',', "").parse().ok()?, i + 1));
    }
    if let Some(&(_, value)) = NUMBER_WORDS.iter().find(|(w, _)| t.is_any(&[w])) {
        return Some((value, i + 1));
    }
    // "thirty-eight", "Twenty-one"
    let (tens, units) = t.lower.split_once('-')?;
    let tens = TENS.iter().position(|w| *w == tens)?;
    let units = UNITS.iter().position(|w| *w == units)?;
    (t.kind == TokenKind::Word).then_some((((tens + 2) * 10 + units + 1) as f64, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, f64, ValueKind)> {
        let mut out = Vec::new();
        find_values(0, &crate::prepare_static(text), &[], &mut out);
        out.into_iter().map(|v| (v.text, v.value, v.kind)).collect()
    }

    #[test]
    fn money_percent_and_counts() {
        let got = values(
            "It cost $1.2 billion, 40 million yuan and 37 percent more; five senior officials and 1,200 troops.",
        );
        assert_eq!(got[0], ("$1.2 billion".into(), 1.2e9, ValueKind::Money { currency: "USD".into() }));
        assert_eq!(got[1], ("40 million yuan".into(), 4e7, ValueKind::Money { currency: "CNY".into() }));
        assert_eq!(got[2], ("37 percent".into(), 37.0, ValueKind::Percent));
        assert_eq!(got[3], ("five".into(), 5.0, ValueKind::Number));
        assert_eq!(got[4], ("1,200".into(), 1200.0, ValueKind::Number));
        assert!(values("one of the sides").is_empty());
        assert_eq!(values("Thirty-eight residents"), [("Thirty-eight".into(), 38.0, ValueKind::Number)]);
        assert_eq!(
            values("Six people and 4 children"),
            [("Six".into(), 6.0, ValueKind::Number), ("4".into(), 4.0, ValueKind::Number)]
        );
    }

    fn ranges(text: &str) -> Vec<(String, f64, Option<[f64; 2]>)> {
        let mut out = Vec::new();
        find_values(0, &crate::prepare_static(text), &[], &mut out);
        out.into_iter().map(|v| (v.text, v.value, v.range)).collect()
    }

    #[test]
    fn bounds_estimates_and_vague_counts() {
        assert_eq!(
            ranges("At least a dozen people died and about 40 homes burned."),
            [
                ("At least a dozen".into(), 12.0, Some([12.0, f64::MAX])),
                ("about 40".into(), 40.0, Some([32.0, 48.0]))
            ]
        );
        assert_eq!(ranges("Dozens of homes burned."), [("Dozens".into(), 24.0, Some([24.0, 99.0]))]);
        assert_eq!(
            ranges("More than 300 troops"),
            [("More than 300".into(), 300.0, Some([300.0, f64::MAX]))]
        );
        assert!(ranges("Several of them").is_empty());
    }

    #[test]
    fn shares_in_words_are_percentages() {
        let got = values(
            "Each side takes an equal share; the venture is split 50-50; half of the seats; a quarter of it; \
             costs shared equally.",
        );
        let shares: Vec<(&str, f64)> = got.iter().map(|(t, v, _)| (t.as_str(), *v)).collect();
        assert_eq!(
            shares,
            [
                ("equal share", 50.0),
                ("50-50", 50.0),
                ("half", 50.0),
                ("quarter", 25.0),
                ("shared equally", 50.0)
            ]
        );
        assert!(got.iter().all(|(_, _, kind)| *kind == ValueKind::Percent));
        assert!(values("He waited half an hour.").is_empty());
        assert!(values("She won a third term.").is_empty());
        assert_eq!(values("Shares jumped by almost a quarter.")[0].1, 25.0);
        assert_eq!(values("two dozen people")[0].1, 24.0);
    }
}
