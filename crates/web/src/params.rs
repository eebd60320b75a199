//! Query-string parameters shared by pages and the JSON API, read into store queries with the
//! reader's mistakes reported rather than guessed at.

use chrono::NaiveDate;
use parallax_core::OutletId;
use parallax_store::{Page, SEARCH_PAGE, SearchOrder, SearchQuery};

/// Longest search text read; the rest is ignored.
const MAX_QUERY_CHARS: usize = 200;

/// Pages past this one are refused: deep paging is a crawler's game, not a reader's.
pub(crate) const MAX_PAGE: u32 = 500;

/// `?page=N` on listings; pages count from 1.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct PageParam {
    pub page: Option<String>,
}

impl PageParam {
    /// The page number, or why it cannot be one.
    pub(crate) fn number(&self) -> Result<u32, String> {
        page_number(self.page.as_deref())
    }
}

fn page_number(raw: Option<&str>) -> Result<u32, String> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(1) };
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(format!("page must be a number from 1 to {MAX_PAGE}, not {raw:?}")),
    }
}

/// The listing page `number` (from 1) of `per_page` items, asking one more to tell whether a next
/// page exists.
pub(crate) fn page_with_lookahead(number: u32, per_page: u32) -> Page {
    Page { offset: (number - 1).saturating_mul(per_page), limit: per_page + 1 }
}

/// A search as a query string gives it: `q`, `outlet` (id), `entity` (id), `from` and `to` (dates,
/// both days included), `sort` (`relevance` or `newest`), `page`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct SearchParams {
    pub q: Option<String>,
    pub outlet: Option<String>,
    pub entity: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
}

impl SearchParams {
    /// The parameters with the text cut to what a search reads of it.
    pub(crate) fn shortened(mut self) -> Self {
        if let Some(q) = &mut self.q
            && q.chars().count() > MAX_QUERY_CHARS
        {
            *q = q.chars().take(MAX_QUERY_CHARS).collect();
        }
        self
    }

    /// The store query, or what is wrong with the parameters.
    pub(crate) fn query(&self, per_page: Option<u32>) -> Result<SearchQuery, String> {
        let per_page = per_page.unwrap_or(SEARCH_PAGE);
        let text: String = self.q.as_deref().unwrap_or("").trim().chars().take(MAX_QUERY_CHARS).collect();
        let outlet = match nonblank(&self.outlet) {
            None => None,
            Some(raw) => Some(
                raw.parse::<OutletId>().map_err(|_| format!("outlet must be an outlet id, not {raw:?}"))?,
            ),
        };
        let first = nonblank(&self.from).map(|raw| day("from", raw)).transpose()?;
        let last = nonblank(&self.to).map(|raw| day("to", raw)).transpose()?;
        let order = match nonblank(&self.sort) {
            None | Some("relevance") => SearchOrder::Relevance,
            Some("newest") => SearchOrder::Newest,
            Some(other) => return Err(format!("sort must be relevance or newest, not {other:?}")),
        };
        let page = page_number(self.page.as_deref())?;
        SearchQuery {
            text,
            outlet,
            entity: nonblank(&self.entity).map(str::to_owned),
            order,
            page: Page { offset: (page - 1).saturating_mul(per_page), limit: per_page },
            ..SearchQuery::default()
        }
        .on_days(first, last)
    }
}

/// Text made safe as one path segment: letters, digits and `-._~:` stay, everything else is
/// percent-encoded (as UTF-8).
pub(crate) fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Text made safe as a query-string value.
pub(crate) fn query_value(text: &str) -> String {
    path_segment(text).replace(':', "%3A")
}

fn nonblank(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn day(name: &str, raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("{name} must be a date such as 2026-02-01, not {raw:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned());
        SearchParams {
            q: get("q"),
            outlet: get("outlet"),
            entity: get("entity"),
            from: get("from"),
            to: get("to"),
            sort: get("sort"),
            page: get("page"),
        }
    }

    #[test]
    fn search_parameters_become_a_query() {
        let q = params(&[
            ("q", " Shoigu "),
            ("outlet", "3"),
            ("from", "2026-02-01"),
            ("to", "2026-02-01"),
            ("page", "2"),
        ])
        .query(None)
        .unwrap();
        assert_eq!(q.text, "Shoigu");
        assert_eq!(q.outlet, Some(OutletId(3)));
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-02-01T00:00:00+00:00");
        assert_eq!(q.until.unwrap().to_rfc3339(), "2026-02-02T00:00:00+00:00", "the last day is included");
        assert_eq!(q.page, Page { offset: SEARCH_PAGE, limit: SEARCH_PAGE });
        assert_eq!(params(&[("outlet", ""), ("sort", "")]).query(None).unwrap().outlet, None);
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(path_segment("person:sergei-shoigu"), "person:sergei-shoigu");
        assert_eq!(path_segment("place:são paulo/x?"), "place:s%C3%A3o%20paulo%2Fx%3F");
        assert_eq!(query_value("a:b&c=d"), "a%3Ab%26c%3Dd");
    }

    #[test]
    fn mistakes_are_named() {
        for (pairs, says) in [
            (&[("outlet", "x")][..], "outlet"),
            (&[("from", "yesterday")][..], "from"),
            (&[("from", "2026-02-03"), ("to", "2026-02-01")][..], "ends before"),
            (&[("sort", "best")][..], "sort"),
            (&[("page", "0")][..], "page"),
            (&[("page", "99999")][..], "page"),
            (&[("to", "+10000-01-01")][..], "9999"),
        ] {
            let error = params(pairs).query(None).unwrap_err();
            assert!(error.contains(says), "{pairs:?}: {error}");
        }
    }
}
