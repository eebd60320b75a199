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
    ("fifteen", 15.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("hundred", 100.0),
    ("dozens", 24.0),
    ("hundreds", 200.0),
    ("thousands", 2000.0),
];

const SCALES: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("millions", 1e6),
    ("billion", 1e9),
    ("billions", 1e9),
    ("trillion", 1e12),
    ("bn", 1e9),
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
        let Some((from, to, value, kind, unit)) = quantity(tokens, i).filter(|q| free(&tokens[q.0])) else {
            i += 1;
            continue;
        };
        let (start, end) = (tokens[from].start, tokens[to - 1].end);
        out.push(ValueMention {
            sentence: sentence_index,
            start,
            end,
            text: sentence.text[start..end].to_owned(),
            value,
            kind,
            unit,
        });
        i = to;
    }
}

type Quantity = (usize, usize, f64, ValueKind, Option<String>);

fn quantity(tokens: &[Token<'_>], i: usize) -> Option<Quantity> {
    let from = i;
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
        return Some((from, to.min(tokens.len()), value, ValueKind::Percent, None));
    }
    if currency.is_none()
        && let Some(&(_, code)) =
            tokens.get(next).and_then(|t| CURRENCY_WORDS.iter().find(|(w, _)| t.is_any(&[w])))
    {
        return Some((from, next + 1, value, ValueKind::Money { currency: code.to_owned() }, None));
    }
    if let Some(code) = currency {
        return Some((from, next, value, ValueKind::Money { currency: code.to_owned() }, None));
    }
    // A plain count names what it counts, skipping an adjective or two ("five senior officials").
    let unit = tokens[next..]
        .iter()
        .take(3)
        .take_while(|t| t.is_word() && !crate::stopwords::is_stop_lower(t.lower))
        .find(|t| {
            t.text.chars().all(char::is_lowercase)
                && (t.text.len() > 2 && t.text.ends_with('s') || IRREGULAR_PLURALS.contains(&t.text))
        })
        .map(|t| t.text.to_owned());
    if tokens.get(next).is_some_and(|t| t.is_any(NOT_COUNTED)) {
        return None;
    }
    // A spelled-out number counts only when it counts something ("two sides", not "one of").
    if tokens[number_at].kind == TokenKind::Word && unit.is_none() {
        return None;
    }
    Some((from, next, value, ValueKind::Number, unit))
}

fn number_value(tokens: &[Token<'_>], i: usize) -> Option<(f64, usize)> {
    let t = tokens.get(i)?;
    if t.kind == TokenKind::Number {
        return Some((t.text.replace(',', "").parse().ok()?, i + 1));
    }
    let &(_, value) = NUMBER_WORDS.iter().find(|(w, _)| t.is_any(&[w]))?;
    Some((value, i + 1))
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
        assert_eq!(
            values("Six people and 4 children"),
            [("Six".into(), 6.0, ValueKind::Number), ("4".into(), 4.0, ValueKind::Number)]
        );
    }
}
