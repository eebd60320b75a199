//! Function words: excluded from term profiles, and the evidence for language detection.

/// English function words and reporting verbs too common to tell stories apart.
const ENGLISH: &[&str] = &[
    "a", "about", "above", "according", "across", "after", "again", "against", "all", "also", "am", "among",
    "an", "and", "any", "are", "around", "as", "at", "back", "be", "because", "been", "before", "being",
    "below", "between", "both", "but", "by", "can", "could", "did", "didn't", "do", "does", "doing",
    "don't", "down", "during", "each", "even", "ever", "every", "few", "first", "for", "from", "further",
    "get", "go", "going", "got", "had", "has", "have", "having", "he", "he's", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "including", "into", "is", "it",
    "it's", "its", "itself", "just", "last", "like", "made", "make", "many", "may", "me", "might", "more",
    "most", "mr", "mrs", "ms", "much", "must", "my", "myself", "new", "no", "nor", "not", "now", "of",
    "off", "on", "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own",
    "per", "said", "same", "say", "says", "she", "she's", "should", "since", "so", "some", "still", "such",
    "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's",
    "these", "they", "this", "those", "though", "through", "time", "to", "today", "told", "too", "two",
    "under", "until", "up", "upon", "us", "very", "via", "was", "way", "we", "week", "well", "went", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with",
    "within", "without", "would", "year", "years", "yesterday", "yet", "you", "your", "yours",
];

/// Whether an English word (any case) is a function word.
pub fn is_stopword(word: &str) -> bool {
    let lower = word.to_lowercase();
    ENGLISH.binary_search(&lower.as_str()).is_ok() || lower.len() < 2
}

/// The most frequent function words of languages Parallax tells apart, most telling first.
pub(crate) const LANGUAGE_MARKERS: &[(&str, &[&str])] = &[
    ("en", &["the", "and", "of", "to", "in", "is", "that", "for", "was", "with", "on", "said"]),
    ("fr", &["le", "la", "les", "et", "des", "est", "une", "dans", "que", "pour", "qui", "du"]),
    ("de", &["der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "sich", "auf", "ein"]),
    ("es", &["el", "la", "los", "las", "y", "que", "del", "en", "por", "una", "con", "para"]),
    ("it", &["il", "di", "che", "e", "la", "per", "non", "una", "sono", "della", "con", "gli"]),
    ("pt", &["o", "os", "as", "que", "não", "uma", "com", "para", "do", "da", "em", "é"]),
    ("nl", &["de", "het", "een", "en", "van", "is", "niet", "dat", "op", "met", "voor", "zijn"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_for_binary_search() {
        let mut sorted = ENGLISH.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, ENGLISH);
    }

    #[test]
    fn stopwords_ignore_case() {
        assert!(is_stopword("The"));
        assert!(!is_stopword("earthquake"));
    }
}
