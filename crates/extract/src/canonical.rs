//! Canonical URLs: one spelling per address, so that the same report is recognised when linked
//! differently.

use url::Url;

/// Query parameters that track a reader rather than select content.
fn is_tracking_parameter(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_")
        || matches!(
            lower.as_str(),
            "fbclid" | "gclid" | "dclid" | "msclkid" | "mc_cid" | "mc_eid" | "igshid" | "ref_src" | "cmpid"
        )
}

/// Canonicalises an absolute http(s) URL: lower-case scheme and host (the parser does both), no default
/// port, no fragment, no tracking parameters, remaining parameters in their given order. Returns
/// `None` for anything that is not an absolute http(s) URL.
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_parameter(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(
            canonical_url("HTTPS://Example.ORG:443/News/a?utm_source=x&id=5#top").as_deref(),
            Some("https://example.org/News/a?id=5")
        );
        assert_eq!(canonical_url("http://example.org:80").as_deref(), Some("http://example.org/"));
        assert_eq!(canonical_url("ftp://example.org/x"), None);
        assert_eq!(canonical_url("not a url"), None);
    }
}
