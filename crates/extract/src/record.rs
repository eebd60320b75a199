//! JSON document records: one report per object, as the JSON API and JSON Lines files carry them.

use serde::Deserialize;

use crate::{ExtractError, Hints, parse_datetime};

/// A report given as a JSON object: `text` is required; `id` names it in reports; other fields are
/// hints that win over what the text says. Unknown fields (such as a benchmark's gold labels) are
/// ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    /// The caller's name for the record.
    #[serde(default)]
    pub id: Option<serde_json::Value>,
    /// The report's text (plain or Markdown).
    pub text: String,
    /// Its headline.
    #[serde(default)]
    pub title: Option<String>,
    /// Its address.
    #[serde(default)]
    pub url: Option<String>,
    /// Its outlet.
    #[serde(default)]
    pub outlet: Option<String>,
    /// Its publication time, in any form [`parse_datetime`] reads.
    #[serde(default)]
    pub published: Option<String>,
}

impl Record {
    /// Parses one JSON object.
    pub fn from_json(json: &str) -> Result<Record, ExtractError> {
        serde_json::from_str(json).map_err(|e| ExtractError::Record { message: e.to_string() })
    }

    /// The record's id as text (`"1_10ecb"`, `"17"`), if it has one.
    pub fn id_text(&self) -> Option<String> {
        match self.id.as_ref()? {
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The hints the record's fields give, over the caller's own (the caller's win).
    pub fn hints(&self, base: &Hints) -> Result<Hints, ExtractError> {
        let published = match (&base.published, &self.published) {
            (Some(t), _) => Some(*t),
            (None, Some(raw)) => Some(parse_datetime(raw).ok_or_else(|| ExtractError::Record {
                message: format!("`published` is not a date: {raw:?}"),
            })?),
            (None, None) => None,
        };
        Ok(Hints {
            outlet: base
                .outlet
                .clone()
                .or_else(|| self.outlet.clone())
                .or_else(|| self.url.as_deref().and_then(outlet_from_url)),
            published,
            url: base.url.clone().or_else(|| self.url.clone()),
            title: base.title.clone().or_else(|| self.title.clone()),
            format: base.format,
            charset: base.charset.clone(),
        })
    }
}

/// An outlet name from a URL's host: "http://www.bbc.co.uk/news/x" → "bbc.co.uk".
pub fn outlet_from_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty() && host.contains('.')).then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_give_hints_and_ignore_unknown_fields() {
        let r = Record::from_json(
            r#"{"id": 7, "text": "x", "url": "http://www.bbc.co.uk/news/1", "story": "gold"}"#,
        )
        .unwrap();
        assert_eq!(r.id_text().as_deref(), Some("7"));
        let hints = r.hints(&Hints::default()).unwrap();
        assert_eq!(hints.outlet.as_deref(), Some("bbc.co.uk"));
        let given = Hints { outlet: Some("Mine".into()), ..Hints::default() };
        assert_eq!(r.hints(&given).unwrap().outlet.as_deref(), Some("Mine"));
    }

    #[test]
    fn bad_records_are_refused_with_the_reason() {
        assert!(Record::from_json(r#"{"title": "no text"}"#).unwrap_err().to_string().contains("text"));
        let r = Record::from_json(r#"{"text": "x", "published": "soon"}"#).unwrap();
        assert!(r.hints(&Hints::default()).is_err());
    }
}
