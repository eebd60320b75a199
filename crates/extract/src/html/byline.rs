//! Author names from JSON-LD, meta tags and visible bylines, with the dates, roles, credentials and
//! organisations that bylines carry around the names taken off.

use super::meta::PageMeta;
use super::text::{fold, normalise_space};

/// Words that introduce names in a byline.
const LEADS: [&str; 11] = [
    "by",
    "posted by",
    "written by",
    "words by",
    "story by",
    "analysis by",
    "reporting by",
    "text:",
    "текст:",
    "autor:",
    "por",
];
/// Words of job titles that follow names ("AP Sports Writer", "CNN Editor-at-large").
const ROLE_WORDS: [&str; 14] = [
    "writer",
    "editor",
    "correspondent",
    "reporter",
    "contributor",
    "columnist",
    "producer",
    "large",
    "analyst",
    "business",
    "politics",
    "senior",
    "chief",
    "special",
];
/// Credentials written after names.
const CREDENTIALS: [&str; 12] =
    ["ms", "rd", "rdn", "phd", "md", "mph", "rn", "cpt", "ma", "msc", "mba", "ld"];
/// Bylines that name an agency or a desk rather than a person.
const ORGANISATION_WORDS: [&str; 16] = [
    "reuters",
    "associated press",
    "ap",
    "afp",
    "agence france-presse",
    "rt",
    "tass",
    "xinhua",
    "upi",
    "dpa",
    "staff",
    "editorial",
    "team",
    "desk",
    "newsroom",
    "reports",
];

/// The people credited with a page, in byline order.
pub fn authors(meta: &PageMeta, site: Option<&str>) -> Vec<String> {
    let declared: Vec<String> = match meta.json_ld.as_ref().filter(|j| !j.authors.is_empty()) {
        Some(ld) => ld.authors.iter().flat_map(|a| names_in(a, site)).collect(),
        None => meta
            .first_tag(&[
                "author",
                "article:author",
                "parsely-author",
                "sailthru.author",
                "byl",
                "dc.creator",
            ])
            .map(|tag| names_in(tag, site))
            .unwrap_or_default(),
    };
    let visible = meta.byline.as_deref().map(|b| names_in(b, site)).unwrap_or_default();
    // The visible byline wins when it names everyone the metadata names, and more.
    if visible.len() > declared.len()
        && declared.iter().all(|d| visible.iter().any(|v| v.eq_ignore_ascii_case(d)))
    {
        return visible;
    }
    if declared.is_empty() { visible } else { declared }
}

/// The person names in a byline or author field.
pub fn names_in(byline: &str, site: Option<&str>) -> Vec<String> {
    let text = normalise_space(byline);
    let text = before_date(&text);
    let mut names = Vec::new();
    for part in
        text.split([',', ';', '|', '/', '·']).flat_map(|p| p.split(" and ")).flat_map(|p| p.split(" & "))
    {
        let name = strip_lead(part.trim()).trim_matches(|c: char| !c.is_alphanumeric() && c != '.').trim();
        if is_person(name, site) {
            names.push(title_case_shouting(name));
        }
    }
    names.dedup();
    names
}

/// The byline before its first date or time ("Jeff Foust — November 18, 2019" → "Jeff Foust —").
fn before_date(text: &str) -> &str {
    let mut offset = 0;
    let words: Vec<&str> = text.split(' ').collect();
    for (i, word) in words.iter().enumerate() {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
        let is_month_then_number = crate::dates::month(bare).is_some()
            && words.get(i + 1).is_some_and(|next| next.chars().next().is_some_and(|c| c.is_ascii_digit()));
        if bare.chars().any(|c| c.is_ascii_digit()) || is_month_then_number {
            return text[..offset].trim_end_matches([' ', '-', '—', '–', '|', ',', ':']);
        }
        offset += word.len() + 1;
    }
    text
}

fn strip_lead(part: &str) -> &str {
    let lower = part.to_lowercase();
    for lead in LEADS {
        if lower.starts_with(lead) && lower[lead.len()..].starts_with([' ', ':'])
            || lower.starts_with(lead) && lead.ends_with(':')
        {
            return part[lead.len()..].trim_start_matches([' ', ':']);
        }
    }
    part
}

fn is_person(name: &str, site: Option<&str>) -> bool {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 || name.contains("://") || name.contains('@') {
        return false;
    }
    if CREDENTIALS.contains(&lower.as_str())
        || words.iter().flat_map(|w| w.split('-')).any(|w| ROLE_WORDS.contains(&w))
    {
        return false;
    }
    if ORGANISATION_WORDS.contains(&lower.as_str())
        || words.iter().any(|w| ORGANISATION_WORDS[6..].contains(w))
    {
        return false;
    }
    // Account names ("jdadmin", "kei_eno") are single lower-case words or carry digits.
    if words.len() == 1 && (name.chars().all(|c| !c.is_uppercase()) || name.contains('_'))
        || name.chars().any(|c| c.is_ascii_digit())
    {
        return false;
    }
    let folded = fold(name);
    let site_folded = site.map(fold);
    !site_folded.is_some_and(|s| !s.is_empty() && (s.contains(&folded) || folded.contains(&s)))
}

/// "GREG BEACHAM" → "Greg Beacham"; names with lower-case letters stay as written.
fn title_case_shouting(name: &str) -> String {
    if name.chars().any(char::is_lowercase) || name.chars().filter(|c| c.is_alphabetic()).count() <= 3 {
        return name.to_owned();
    }
    crate::text::title_case(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines_lose_dates_roles_and_organisations() {
        assert_eq!(names_in("Jeff Foust — November 18, 2019", None), ["Jeff Foust"]);
        assert_eq!(names_in("GREG BEACHAM, AP Sports Writer", None), ["Greg Beacham"]);
        assert_eq!(names_in("Analysis by Chris Cillizza, CNN Editor-at-large", None), ["Chris Cillizza"]);
        assert_eq!(names_in("Ilana Muhlstein, MS, RDN", None), ["Ilana Muhlstein"]);
        assert_eq!(
            names_in("By Meg Kinnard and Errin Haines, Associated Press", None),
            ["Meg Kinnard", "Errin Haines"]
        );
        assert_eq!(names_in("Текст: Венера Ерофеева", None), ["Венера Ерофеева"]);
        assert!(names_in("Reuters", None).is_empty());
        assert!(names_in("JERUSALEM POST STAFF NOVEMBER 20, 2019 10:43", None).is_empty());
        assert!(names_in("jdadmin", None).is_empty());
        assert!(names_in("LinkNaija", Some("LinkNaija")).is_empty());
        assert!(names_in("Posted by Vortex", Some("Vortex Media")).is_empty());
    }
}
