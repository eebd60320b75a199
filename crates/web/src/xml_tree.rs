//! For tests: markup the site writes (feeds, sitemaps, SVG) read back into a tree, so that tests
//! assert on structure rather than on strings, and fail on anything that is not well-formed.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// An element as parsed.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub text: String,
}

impl Node {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn has_class(&self, class: &str) -> bool {
        self.attr("class").is_some_and(|c| c.split(' ').any(|c| c == class))
    }

    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(crate) fn children(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    /// The text of the first child of that name; panics when there is none.
    pub(crate) fn text_of(&self, name: &str) -> &str {
        self.child(name).map(|c| c.text.as_str()).unwrap_or_else(|| panic!("no <{name}>"))
    }

    /// Every descendant, depth first, in document order.
    pub(crate) fn descendants(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        for child in &self.children {
            out.push(child);
            out.extend(child.descendants());
        }
        out
    }

    pub(crate) fn named<'a>(&'a self, name: &str) -> Vec<&'a Node> {
        self.descendants().into_iter().filter(|n| n.name == name).collect()
    }

    pub(crate) fn classed<'a>(&'a self, class: &str) -> Vec<&'a Node> {
        self.descendants().into_iter().filter(|n| n.has_class(class)).collect()
    }

    /// A numeric attribute; panics when missing or not a number.
    pub(crate) fn number(&self, attr: &str) -> f64 {
        self.attr(attr).and_then(|v| v.parse().ok()).expect("numeric attribute")
    }
}

fn element(start: &BytesStart<'_>) -> Node {
    let name = start.name().as_ref().to_owned();
    let attrs = start
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            let key = a.key.as_ref().to_owned();
            (key, a.normalized_value(XmlVersion::Implicit1_0).expect("known entities").into_owned())
        })
        .collect();
    Node { name, attrs, ..Node::default() }
}

/// The root element and whether the document began with an XML declaration; panics unless the
/// markup is well-formed with balanced tags and one root.
pub(crate) fn parse(xml: &str) -> (Node, bool) {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    let mut declared = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Decl(_) => declared = true,
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().expect("open").children.push(element(&e)),
            Event::End(_) => {
                let node = stack.pop().expect("open element");
                stack.last_mut().expect("a parent").children.push(node);
            }
            Event::Text(t) => stack.last_mut().expect("open").text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().expect("valid reference") {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&r.into_inner()).expect("known entity").to_owned(),
                };
                stack.last_mut().expect("open").text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().expect("document");
    assert_eq!(document.children.len(), 1, "one root element");
    (document.children.remove(0), declared)
}
