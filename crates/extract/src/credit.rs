//! Separating an image caption from its photo credit.

/// Words that introduce a credit: "(Photo by X)", "Photo: X", "Credit: X", "Image courtesy of X".
const CREDIT_LEADS: [&str; 11] = [
    "photo by",
    "photograph by",
    "photos by",
    "image by",
    "picture by",
    "image courtesy of",
    "courtesy of",
    "photo:",
    "photograph:",
    "photo credit:",
    "credit:",
];

/// Splits "Chinese Foreign Minister Wang Yi. (Photo by Kevin Frayer/Getty Images)" into the caption
/// and the credit. A trailing parenthesis holding a credit lead or an agency form ("Name/Agency") is
/// the credit; so is a trailing "Photo: X" sentence. Either part may be missing.
pub fn split_caption_credit(text: &str) -> (Option<String>, Option<String>) {
    let text = text.trim();
    if let Some(open) = text.rfind('(')
        && text.ends_with(')')
        && let Some(credit) = credit_body(&text[open + 1..text.len() - 1])
    {
        return (non_empty(&text[..open]), Some(credit));
    }
    let lower = text.to_lowercase();
    for lead in CREDIT_LEADS {
        if let Some(at) = lower.rfind(lead)
            && (at == 0 || lower[..at].ends_with(['.', ' ', '|', '-', '—']))
            && text.is_char_boundary(at + lead.len())
        {
            let credit = text[at + lead.len()..].trim();
            if !credit.is_empty() && credit.split_whitespace().count() <= 8 {
                let caption = text[..at].trim_end_matches([' ', '|', '-', '—']);
                return (non_empty(caption), Some(credit.to_owned()));
            }
        }
    }
    (non_empty(text), None)
}

/// The credit inside a parenthesis, if the parenthesis is one.
fn credit_body(inner: &str) -> Option<String> {
    let inner = inner.trim();
    let lower = inner.to_lowercase();
    for lead in CREDIT_LEADS {
        if lower.starts_with(lead) && inner.is_char_boundary(lead.len()) {
            return non_empty(&inner[lead.len()..]);
        }
    }
    // "Kevin Frayer/Getty Images": short, capitalised, with a slash between photographer and agency.
    let words = inner.split_whitespace().count();
    let capitalised = inner.chars().next().is_some_and(char::is_uppercase);
    (inner.contains('/') && capitalised && words <= 8 && !inner.contains("://")).then(|| inner.to_owned())
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> (Option<&'static str>, Option<&'static str>) {
        let (a, b) = split_caption_credit(s);
        (a.map(|s| &*s.leak()), b.map(|s| &*s.leak()))
    }

    #[test]
    fn parenthesised_credits() {
        assert_eq!(
            split("Chinese Foreign Minister Wang Yi. (Photo by Kevin Frayer/Getty Images)"),
            (Some("Chinese Foreign Minister Wang Yi."), Some("Kevin Frayer/Getty Images"))
        );
        assert_eq!(
            split("Rescuers at work (Jane Doe/Reuters)"),
            (Some("Rescuers at work"), Some("Jane Doe/Reuters"))
        );
        assert_eq!(split("The summit (in 2019)"), (Some("The summit (in 2019)"), None));
    }

    #[test]
    fn trailing_credit_sentences() {
        assert_eq!(split("Flooded streets. Photo: AP"), (Some("Flooded streets."), Some("AP")));
        assert_eq!(split("Credit: Alamy"), (None, Some("Alamy")));
        assert_eq!(split("A quiet harbour at dawn"), (Some("A quiet harbour at dawn"), None));
    }
}
