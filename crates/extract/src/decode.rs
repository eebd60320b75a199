//! Bytes to text: byte-order marks, UTF-8, and detection of legacy encodings.

use encoding_rs::Encoding;

use crate::ExtractError;

/// Text decoded from a document, with the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The WHATWG name of the encoding used ("UTF-8", "windows-1252", ...).
    pub encoding: &'static str,
}

/// Decodes a document: a byte-order mark wins, then valid UTF-8, then a statistical guess among legacy
/// encodings (Windows-1252 for Latin-1 text). Binary data and empty documents are refused.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ExtractError> {
    decode_with_label(bytes, None)
}

/// Decodes a document whose transport named a charset (an HTTP `Content-Type`): a byte-order mark
/// still wins, then the named charset when it is one, then as [`decode`].
pub fn decode_with_label(bytes: &[u8], label: Option<&str>) -> Result<Decoded, ExtractError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return finish(text.into_owned(), encoding);
    }
    if let Some((offset, byte)) = binary_evidence(bytes) {
        return Err(ExtractError::Binary { offset, byte });
    }
    let labelled = label.and_then(|l| Encoding::for_label(l.trim().as_bytes()));
    let encoding = match std::str::from_utf8(bytes) {
        _ if let Some(labelled) = labelled => labelled,
        Ok(_) => encoding_rs::UTF_8,
        Err(_) if let Some(declared) = declared_charset(bytes) => declared,
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(None, chardetng::Utf8Detection::Deny)
        }
    };
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    finish(text.into_owned(), encoding)
}

/// The encoding an HTML page declares in its first kilobytes (`<meta charset=...>` or the
/// `http-equiv` form), as browsers prescan for it. UTF-16 labels are ignored: a page that can be read
/// as ASCII to find the label is not UTF-16.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"charset").map(|i| from + i) {
        let rest = &lower[at + 7..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        if let Some(value) = rest.strip_prefix(b"=") {
            let value = value.strip_prefix(b"\"").or_else(|| value.strip_prefix(b"'")).unwrap_or(value);
            let end = value
                .iter()
                .position(|b| matches!(b, b'"' | b'\'' | b';' | b'>' | b' ' | b'/'))
                .unwrap_or(value.len());
            let encoding = Encoding::for_label(&value[..end])
                .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE);
            if encoding.is_some() {
                return encoding;
            }
        }
        from = at + 7;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn finish(text: String, encoding: &'static Encoding) -> Result<Decoded, ExtractError> {
    if text.trim().is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(Decoded { text, encoding: encoding.name() })
}

/// Finds the byte that shows a document is binary: any NUL, or control bytes making up more than one
/// in fifty of the first 64 KiB. Text files carry tabs, newlines and form feeds, never these.
fn binary_evidence(bytes: &[u8]) -> Option<(usize, u8)> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if let Some(offset) = sample.iter().position(|&b| b == 0) {
        return Some((offset, 0));
    }
    let is_control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b);
    let controls = sample.iter().filter(|&&b| is_control(b)).count();
    if controls * 50 > sample.len() {
        let offset = sample.iter().position(|&b| is_control(b))?;
        return Some((offset, sample[offset]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through() {
        let decoded = decode("Zürich — “quoted”".as_bytes()).unwrap();
        assert_eq!(decoded.text, "Zürich — “quoted”");
        assert_eq!(decoded.encoding, "UTF-8");
    }

    #[test]
    fn latin1_text_is_detected_and_decoded() {
        let bytes = b"Le ministre fran\xe7ais a d\xe9clar\xe9 \xe0 la presse qu'il \xe9tait d\xe9\xe7u.";
        let decoded = decode(bytes).unwrap();
        assert_eq!(decoded.text, "Le ministre français a déclaré à la presse qu'il était déçu.");
        assert_eq!(decoded.encoding, "windows-1252");
    }

    #[test]
    fn byte_order_marks_win() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "Hello".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().text, "Hello");
        assert_eq!(decode(b"\xef\xbb\xbfHi").unwrap().text, "Hi");
    }

    #[test]
    fn a_declared_charset_is_honoured_when_the_bytes_are_not_utf8() {
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body>\xcf\xf0\xe8\xe2\xe5\xf2</body></html>";
        let decoded = decode(page).unwrap();
        assert_eq!(decoded.encoding, "windows-1251");
        assert!(decoded.text.contains("Привет"));
        let utf8 = "<meta charset=\"iso-8859-1\"><p>Zürich</p>";
        assert_eq!(decode(utf8.as_bytes()).unwrap().encoding, "UTF-8", "valid UTF-8 wins over a wrong label");
    }

    #[test]
    fn a_transport_charset_comes_after_the_bom_and_before_the_content() {
        let bytes = b"<p>\xcf\xf0\xe8\xe2\xe5\xf2</p>";
        assert_eq!(decode_with_label(bytes, Some("windows-1251")).unwrap().text, "<p>Привет</p>");
        assert_eq!(decode_with_label(b"\xef\xbb\xbfok", Some("windows-1251")).unwrap().encoding, "UTF-8");
        assert_eq!(decode_with_label("é".as_bytes(), Some("no-such-charset")).unwrap().text, "é");
    }

    #[test]
    fn binary_and_empty_documents_are_refused() {
        assert!(matches!(decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Err(ExtractError::Binary { .. })));
        assert!(matches!(decode(b""), Err(ExtractError::Empty)));
        assert!(matches!(decode(b" \n\t\n"), Err(ExtractError::Empty)));
    }
}
