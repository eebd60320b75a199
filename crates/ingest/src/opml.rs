//! OPML, the list of feeds readers exchange: the outlets an OPML file names (each outline with a
//! feed URL, at any depth of folders), and an OPML 2.0 file of the outlets Parallax follows.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// OPML files larger than this are refused.
pub const MAX_OPML_BYTES: usize = 4 * 1024 * 1024;

/// An outlet as an OPML outline names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlOutlet {
    /// Its name (the outline's `title`, else its `text`, else the feed URL).
    pub name: String,
    /// Its feed.
    pub feed_url: String,
    /// Its site, when given.
    pub site_url: Option<String>,
}

/// Why an OPML file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpmlError {
    /// The file is over [`MAX_OPML_BYTES`].
    #[error("the OPML file is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The file is not OPML.
    #[error("not a readable OPML file: {0}")]
    Malformed(String),
}

/// The outlets an OPML file lists, in document order, each feed once.
pub fn read_opml(bytes: &[u8]) -> Result<Vec<OpmlOutlet>, OpmlError> {
    if bytes.len() > MAX_OPML_BYTES {
        return Err(OpmlError::TooLarge { size: bytes.len(), limit: MAX_OPML_BYTES });
    }
    let text = parallax_extract::decode(bytes).map_err(|e| OpmlError::Malformed(e.to_string()))?.text;
    let mut reader = Reader::from_str(&text);
    let mut outlets: Vec<OpmlOutlet> = Vec::new();
    let mut seen_opml = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(element) | Event::Empty(element)) => match element.local_name().as_ref() {
                "opml" => seen_opml = true,
                "outline" => {
                    if let Some(outlet) = outline(&element)?
                        && !outlets.iter().any(|o| o.feed_url == outlet.feed_url)
                    {
                        outlets.push(outlet);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let at = reader.error_position();
                return Err(OpmlError::Malformed(format!("{e} (at byte {at})")));
            }
        }
    }
    if !seen_opml {
        return Err(OpmlError::Malformed("there is no <opml> element".into()));
    }
    Ok(outlets)
}

/// The outlet an outline names, if it has a feed URL.
fn outline(element: &BytesStart<'_>) -> Result<Option<OpmlOutlet>, OpmlError> {
    let attribute = |name: &str| -> Result<Option<String>, OpmlError> {
        let found = element
            .try_get_attribute(name)
            .map_err(|e| OpmlError::Malformed(e.to_string()))?
            .map(|a| a.normalized_value(XmlVersion::Implicit1_0).map(|v| v.trim().to_owned()))
            .transpose()
            .map_err(|e| OpmlError::Malformed(e.to_string()))?;
        Ok(found.filter(|v| !v.is_empty()))
    };
    let Some(feed_url) = attribute("xmlUrl")? else { return Ok(None) };
    let name = attribute("title")?.or(attribute("text")?).unwrap_or_else(|| feed_url.clone());
    Ok(Some(OpmlOutlet { name, feed_url, site_url: attribute("htmlUrl")? }))
}

/// An OPML 2.0 file listing outlets, under a title.
pub fn write_opml(title: &str, outlets: &[OpmlOutlet]) -> String {
    use quick_xml::escape::escape;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str(&format!("  <head>\n    <title>{}</title>\n  </head>\n  <body>\n", escape(title)));
    for outlet in outlets {
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{feed}\"",
            name = escape(outlet.name.as_str()),
            feed = escape(outlet.feed_url.as_str())
        ));
        if let Some(site) = &outlet.site_url {
            out.push_str(&format!(" htmlUrl=\"{}\"", escape(site.as_str())));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlets_at_any_depth_each_feed_once() {
        let opml = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>Subscriptions</title></head><body>
  <outline text="World">
    <outline text="Corvale Herald" title="Corvale Herald" type="rss" xmlUrl="https://herald.example/rss" htmlUrl="https://herald.example/"/>
    <outline text="River &amp; Gazette" type="rss" xmlUrl="https://gazette.example/atom.xml"/>
  </outline>
  <outline text="Again" xmlUrl="https://herald.example/rss"/>
  <outline text="A folder with no feed"/>
</body></opml>"#;
        let outlets = read_opml(opml.as_bytes()).unwrap();
        assert_eq!(
            outlets,
            [
                OpmlOutlet {
                    name: "Corvale Herald".into(),
                    feed_url: "https://herald.example/rss".into(),
                    site_url: Some("https://herald.example/".into())
                },
                OpmlOutlet {
                    name: "River & Gazette".into(),
                    feed_url: "https://gazette.example/atom.xml".into(),
                    site_url: None
                },
            ]
        );
    }

    #[test]
    fn written_opml_reads_back() {
        let outlets = vec![
            OpmlOutlet {
                name: "Tom & Jerry's \"Daily\"".into(),
                feed_url: "https://tj.example/feed?a=1&b=2".into(),
                site_url: None,
            },
            OpmlOutlet {
                name: "Wire".into(),
                feed_url: "https://wire.example/rss".into(),
                site_url: Some("https://wire.example/".into()),
            },
        ];
        let written = write_opml("Parallax outlets", &outlets);
        assert!(written.contains("&amp;b=2"), "{written}");
        assert_eq!(read_opml(written.as_bytes()).unwrap(), outlets);
    }

    #[test]
    fn what_is_not_opml_is_refused_with_a_reason() {
        assert!(matches!(read_opml(b"<rss version=\"2.0\"></rss>"), Err(OpmlError::Malformed(_))));
        let error = read_opml(b"<opml><body><outline xmlUrl=\"x\"></body>").unwrap_err();
        assert!(error.to_string().contains("not a readable OPML"), "{error}");
        assert!(matches!(read_opml(&vec![b' '; MAX_OPML_BYTES + 1]), Err(OpmlError::TooLarge { .. })));
    }
}
