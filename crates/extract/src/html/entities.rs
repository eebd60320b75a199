//! Character references: `&amp;`, `&#8217;`, `&#x2019;` and the named references news pages use.

/// Named references, sorted by name for binary search. The Latin-1 letters and symbols, typographic
/// punctuation, and a few arrows and symbols; rarer names pass through unchanged.
const NAMED: &[(&str, &str)] = &[
    ("AElig", "Æ"),
    ("Aacute", "Á"),
    ("Acirc", "Â"),
    ("Agrave", "À"),
    ("Aring", "Å"),
    ("Atilde", "Ã"),
    ("Auml", "Ä"),
    ("Ccedil", "Ç"),
    ("Dagger", "‡"),
    ("ETH", "Ð"),
    ("Eacute", "É"),
    ("Ecirc", "Ê"),
    ("Egrave", "È"),
    ("Euml", "Ë"),
    ("Iacute", "Í"),
    ("Icirc", "Î"),
    ("Igrave", "Ì"),
    ("Iuml", "Ï"),
    ("Ntilde", "Ñ"),
    ("OElig", "Œ"),
    ("Oacute", "Ó"),
    ("Ocirc", "Ô"),
    ("Ograve", "Ò"),
    ("Oslash", "Ø"),
    ("Otilde", "Õ"),
    ("Ouml", "Ö"),
    ("Prime", "″"),
    ("Scaron", "Š"),
    ("THORN", "Þ"),
    ("Uacute", "Ú"),
    ("Ucirc", "Û"),
    ("Ugrave", "Ù"),
    ("Uuml", "Ü"),
    ("Yacute", "Ý"),
    ("Yuml", "Ÿ"),
    ("Zcaron", "Ž"),
    ("aacute", "á"),
    ("acirc", "â"),
    ("acute", "´"),
    ("aelig", "æ"),
    ("agrave", "à"),
    ("amp", "&"),
    ("apos", "'"),
    ("aring", "å"),
    ("atilde", "ã"),
    ("auml", "ä"),
    ("bdquo", "„"),
    ("brvbar", "¦"),
    ("bull", "•"),
    ("ccedil", "ç"),
    ("cedil", "¸"),
    ("cent", "¢"),
    ("circ", "ˆ"),
    ("copy", "©"),
    ("curren", "¤"),
    ("dagger", "†"),
    ("darr", "↓"),
    ("deg", "°"),
    ("divide", "÷"),
    ("eacute", "é"),
    ("ecirc", "ê"),
    ("egrave", "è"),
    ("emsp", "\u{2003}"),
    ("ensp", "\u{2002}"),
    ("eth", "ð"),
    ("euml", "ë"),
    ("euro", "€"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("gt", ">"),
    ("harr", "↔"),
    ("hellip", "…"),
    ("iacute", "í"),
    ("icirc", "î"),
    ("iexcl", "¡"),
    ("igrave", "ì"),
    ("iquest", "¿"),
    ("iuml", "ï"),
    ("laquo", "«"),
    ("larr", "←"),
    ("ldquo", "“"),
    ("lrm", "\u{200e}"),
    ("lsaquo", "‹"),
    ("lsquo", "‘"),
    ("lt", "<"),
    ("macr", "¯"),
    ("mdash", "—"),
    ("micro", "µ"),
    ("middot", "·"),
    ("minus", "−"),
    ("nbsp", "\u{a0}"),
    ("ndash", "–"),
    ("not", "¬"),
    ("ntilde", "ñ"),
    ("oacute", "ó"),
    ("ocirc", "ô"),
    ("oelig", "œ"),
    ("ograve", "ò"),
    ("ordf", "ª"),
    ("ordm", "º"),
    ("oslash", "ø"),
    ("otilde", "õ"),
    ("ouml", "ö"),
    ("para", "¶"),
    ("permil", "‰"),
    ("plusmn", "±"),
    ("pound", "£"),
    ("prime", "′"),
    ("quot", "\""),
    ("raquo", "»"),
    ("rarr", "→"),
    ("rdquo", "”"),
    ("reg", "®"),
    ("rlm", "\u{200f}"),
    ("rsaquo", "›"),
    ("rsquo", "’"),
    ("sbquo", "‚"),
    ("scaron", "š"),
    ("sect", "§"),
    ("shy", "\u{ad}"),
    ("sup1", "¹"),
    ("sup2", "²"),
    ("sup3", "³"),
    ("szlig", "ß"),
    ("thinsp", "\u{2009}"),
    ("thorn", "þ"),
    ("tilde", "˜"),
    ("times", "×"),
    ("trade", "™"),
    ("uacute", "ú"),
    ("uarr", "↑"),
    ("ucirc", "û"),
    ("ugrave", "ù"),
    ("uml", "¨"),
    ("uuml", "ü"),
    ("yacute", "ý"),
    ("yen", "¥"),
    ("yuml", "ÿ"),
    ("zcaron", "ž"),
    ("zwj", "\u{200d}"),
    ("zwnj", "\u{200c}"),
];

/// Windows-1252 meanings of the C1 code points, which pages write as `&#146;` and mean `’`.
const C1: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}',
    '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decodes character references in text or an attribute value. Unknown or malformed references are
/// kept as written.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_decoded(&mut out, text);
    out
}

/// Appends `text` to `out` with character references decoded.
pub fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match reference(after) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Reads one reference after its `&`: the replacement and how many bytes it used.
fn reference(s: &str) -> Option<(std::borrow::Cow<'static, str>, usize)> {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b'#') {
        let (digits_start, radix) = if matches!(bytes.get(1), Some(b'x' | b'X')) { (2, 16) } else { (1, 10) };
        let digits = bytes[digits_start..].iter().take_while(|b| (**b as char).is_digit(radix)).count();
        if digits == 0 || digits > 8 {
            return None;
        }
        let end = digits_start + digits;
        let value = u32::from_str_radix(&s[digits_start..end], radix).ok()?;
        let used = if bytes.get(end) == Some(&b';') { end + 1 } else { end };
        let c = match value {
            0x80..=0x9f => C1[(value - 0x80) as usize],
            0 => '\u{fffd}',
            _ => char::from_u32(value).unwrap_or('\u{fffd}'),
        };
        return Some((c.to_string().into(), used));
    }
    let name_len = bytes.iter().take(10).take_while(|b| b.is_ascii_alphanumeric()).count();
    if name_len == 0 {
        return None;
    }
    let name = &s[..name_len];
    let index = NAMED.binary_search_by(|(n, _)| n.cmp(&name)).ok()?;
    let used = if bytes.get(name_len) == Some(&b';') { name_len + 1 } else { name_len };
    Some((NAMED[index].1.into(), used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted() {
        assert!(NAMED.windows(2).all(|w| w[0].0 < w[1].0), "NAMED must be sorted for binary search");
    }

    #[test]
    fn references() {
        assert_eq!(
            decode_entities("Tom &amp; Jerry&rsquo;s &#8220;show&#x201D; &nbsp;"),
            "Tom & Jerry’s “show” \u{a0}"
        );
        assert_eq!(decode_entities("it&#146;s"), "it’s");
        assert_eq!(decode_entities("AT&T &unknown; & &#;"), "AT&T &unknown; & &#;");
        assert_eq!(decode_entities("&copy 2026"), "© 2026");
    }
}
