//! A forgiving HTML parser building an arena tree.
//!
//! Written for extraction rather than rendering: it follows the HTML rules that decide which element a
//! piece of text belongs to (void elements, raw-text elements, paragraphs and list items closed by what
//! follows them, stray end tags ignored) and skips the rest (foreign content, form owners, the adoption
//! agency's reparenting). Nesting deeper than [`MAX_DEPTH`] is flattened, so no page can make the tree
//! or any walk over it recurse without bound; every walk here is iterative anyway.

use super::entities::push_decoded;

/// Open elements beyond this depth are added as siblings instead of children.
pub const MAX_DEPTH: usize = 256;

/// Index of a node in a [`Document`].
pub type NodeId = usize;

/// A parsed page.
#[derive(Debug)]
pub struct Document {
    nodes: Vec<Node>,
}

/// One node: its links and its data.
#[derive(Debug)]
pub struct Node {
    /// The enclosing node (the root is its own parent).
    pub parent: NodeId,
    first_child: Option<NodeId>,
    last_child: Option<NodeId>,
    next_sibling: Option<NodeId>,
    /// What the node is.
    pub data: NodeData,
}

/// Element, text or the root.
#[derive(Debug)]
pub enum NodeData {
    /// The document root.
    Root,
    /// An element with its lower-case name and attributes (names lower-case, values decoded).
    Element {
        /// Tag name, lower-case.
        name: Box<str>,
        /// Attributes in source order.
        attrs: Vec<(Box<str>, String)>,
    },
    /// Text, with character references decoded (raw for `script` and `style`).
    Text(String),
}

/// The root's id.
pub const ROOT: NodeId = 0;

const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source",
    "wbr",
];
const RAW_TEXT: [&str; 8] =
    ["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"];
const ESCAPABLE_RAW_TEXT: [&str; 2] = ["textarea", "title"];
/// Start tags that close an open `p`.
const CLOSES_P: [&str; 33] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dd",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
];
const CLOSES_P_MORE: [&str; 4] = ["section", "summary", "table", "ul"];
/// Elements that bound the search for an element to close.
const SCOPE_BOUNDARIES: [&str; 9] =
    ["applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"];

fn closes_p(name: &str) -> bool {
    CLOSES_P.contains(&name) || CLOSES_P_MORE.contains(&name)
}

impl Document {
    /// Parses a page. Never fails: whatever the input, the result is a tree.
    pub fn parse(html: &str) -> Document {
        let mut builder =
            Builder { doc: Document { nodes: Vec::with_capacity(html.len() / 40 + 16) }, stack: Vec::new() };
        builder.doc.nodes.push(Node {
            parent: ROOT,
            first_child: None,
            last_child: None,
            next_sibling: None,
            data: NodeData::Root,
        });
        builder.stack.push(ROOT);
        builder.run(html);
        builder.doc
    }

    /// A node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// A node's children in order.
    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children { doc: self, next: self.nodes[id].first_child }
    }

    /// All nodes below `id` (not `id` itself) in document order.
    pub fn descendants(&self, id: NodeId) -> Descendants<'_> {
        Descendants { doc: self, root: id, next: self.nodes[id].first_child }
    }

    /// An element's tag name, `None` for text and the root.
    pub fn name(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id].data {
            NodeData::Element { name, .. } => Some(name),
            _ => None,
        }
    }

    /// An attribute's value.
    pub fn attr(&self, id: NodeId, attr: &str) -> Option<&str> {
        match &self.nodes[id].data {
            NodeData::Element { attrs, .. } => {
                attrs.iter().find(|(n, _)| &**n == attr).map(|(_, v)| v.as_str())
            }
            _ => None,
        }
    }

    /// The node's text if it is a text node.
    pub fn text(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id].data {
            NodeData::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The concatenated text below a node.
    pub fn text_content(&self, id: NodeId) -> String {
        let mut out = String::new();
        if let Some(t) = self.text(id) {
            out.push_str(t);
        }
        for d in self.descendants(id) {
            if let Some(t) = self.text(d) {
                out.push_str(t);
            }
        }
        out
    }

    /// The first element with this tag name, in document order.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.descendants(ROOT).find(|&id| self.name(id) == Some(name))
    }

    /// Ancestors of a node, nearest first, ending with the root.
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let mut current = id;
        std::iter::from_fn(move || {
            if current == ROOT {
                return None;
            }
            current = self.nodes[current].parent;
            Some(current)
        })
    }
}

/// Iterator over a node's children.
pub struct Children<'a> {
    doc: &'a Document,
    next: Option<NodeId>,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.next?;
        self.next = self.doc.nodes[id].next_sibling;
        Some(id)
    }
}

/// Iterator over a subtree in document order, without recursion.
pub struct Descendants<'a> {
    doc: &'a Document,
    root: NodeId,
    next: Option<NodeId>,
}

impl Descendants<'_> {
    /// Skips the subtree of the node last returned.
    pub fn skip_subtree(&mut self, last: NodeId) {
        self.next = self.after(last);
    }

    fn after(&self, mut id: NodeId) -> Option<NodeId> {
        loop {
            if id == self.root {
                return None;
            }
            if let Some(sibling) = self.doc.nodes[id].next_sibling {
                return Some(sibling);
            }
            id = self.doc.nodes[id].parent;
        }
    }
}

impl Iterator for Descendants<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.next?;
        self.next = self.doc.nodes[id].first_child.or_else(|| self.after(id));
        Some(id)
    }
}

struct Builder {
    doc: Document,
    stack: Vec<NodeId>,
}

impl Builder {
    fn run(&mut self, html: &str) {
        let bytes = html.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            let Some(lt) = memchr(b'<', &bytes[pos..]).map(|i| pos + i) else {
                self.text(&html[pos..]);
                break;
            };
            if lt > pos {
                self.text(&html[pos..lt]);
            }
            pos = self.markup(html, lt);
        }
    }

    /// Handles the markup at `lt` (a `<`); returns where parsing continues.
    fn markup(&mut self, html: &str, lt: usize) -> usize {
        let bytes = html.as_bytes();
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            return find_from(html, lt + 4, "-->").map_or(html.len(), |i| i + 3);
        }
        match bytes.get(lt + 1) {
            Some(b'!' | b'?') => memchr(b'>', &bytes[lt..]).map_or(html.len(), |i| lt + i + 1),
            Some(b'/') if bytes.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let (name, after_name) = tag_name(html, lt + 2);
                let end = memchr(b'>', &bytes[after_name..]).map_or(html.len(), |i| after_name + i + 1);
                self.end_tag(&name);
                end
            }
            Some(b) if b.is_ascii_alphabetic() => self.start_tag(html, lt),
            _ => {
                self.text("<");
                lt + 1
            }
        }
    }

    fn start_tag(&mut self, html: &str, lt: usize) -> usize {
        let bytes = html.as_bytes();
        let (name, mut pos) = tag_name(html, lt + 1);
        let mut attrs: Vec<(Box<str>, String)> = Vec::new();
        let mut self_closing = false;
        loop {
            while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b'/') {
                if bytes[pos] == b'/' && bytes.get(pos + 1) == Some(&b'>') {
                    self_closing = true;
                }
                pos += 1;
            }
            if pos >= bytes.len() {
                break;
            }
            if bytes[pos] == b'>' {
                pos += 1;
                break;
            }
            let start = pos;
            while pos < bytes.len()
                && !matches!(bytes[pos], b'=' | b'>' | b'/')
                && !bytes[pos].is_ascii_whitespace()
            {
                pos += 1;
            }
            let attr_name = html[start..pos].to_ascii_lowercase();
            while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            let mut value = String::new();
            if bytes.get(pos) == Some(&b'=') {
                pos += 1;
                while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
                    pos += 1;
                }
                let raw = match bytes.get(pos) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = memchr(q, &bytes[pos + 1..]).map_or(html.len(), |i| pos + 1 + i);
                        let raw = &html[pos + 1..end];
                        pos = (end + 1).min(html.len());
                        raw
                    }
                    _ => {
                        let start = pos;
                        while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() && bytes[pos] != b'>' {
                            pos += 1;
                        }
                        &html[start..pos]
                    }
                };
                if raw.contains('&') {
                    push_decoded(&mut value, raw);
                } else {
                    value.push_str(raw);
                }
            }
            if !attr_name.is_empty() && !attrs.iter().any(|(n, _)| **n == *attr_name) {
                attrs.push((attr_name.into(), value));
            }
        }

        let raw_text = RAW_TEXT.contains(&name.as_str());
        let escapable = ESCAPABLE_RAW_TEXT.contains(&name.as_str());
        let id = self.open_element(name.clone(), attrs, self_closing);
        if (raw_text || escapable) && !self_closing {
            let close = find_end_tag(html, pos, &name).unwrap_or(html.len());
            let content = &html[pos..close];
            if !content.is_empty() {
                let text =
                    if escapable { super::entities::decode_entities(content) } else { content.to_owned() };
                self.append(id, NodeData::Text(text));
            }
            self.pop_to(id);
            let after = memchr(b'>', &html.as_bytes()[close..]).map_or(html.len(), |i| close + i + 1);
            return after;
        }
        pos
    }

    /// Applies the implied-end-tag rules, then adds the element (and opens it unless void).
    fn open_element(&mut self, name: String, attrs: Vec<(Box<str>, String)>, self_closing: bool) -> NodeId {
        let n = name.as_str();
        if closes_p(n) {
            self.close_in_scope("p", &["button"]);
        }
        match n {
            "li" => self.close_in_scope("li", &["ul", "ol"]),
            "dt" | "dd" => {
                self.close_in_scope("dt", &["dl"]);
                self.close_in_scope("dd", &["dl"]);
            }
            "option" => self.close_current("option"),
            "tr" => {
                self.close_in_scope("td", &["tr"]);
                self.close_in_scope("th", &["tr"]);
                self.close_in_scope("tr", &["tbody", "thead", "tfoot"]);
            }
            "td" | "th" => {
                self.close_in_scope("td", &["tr"]);
                self.close_in_scope("th", &["tr"]);
            }
            "tbody" | "thead" | "tfoot" => {
                for cell in ["td", "th", "tr"] {
                    self.close_in_scope(cell, &["tbody", "thead", "tfoot"]);
                }
                for section in ["tbody", "thead", "tfoot"] {
                    self.close_in_scope(section, &[]);
                }
            }
            "a" => self.close_in_scope("a", &[]),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if let Some(current) = self.stack.last().and_then(|&id| self.doc.name(id))
                    && matches!(current, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                {
                    self.stack.pop();
                }
            }
            _ => {}
        }
        let void =
            VOID.contains(&n) || self_closing && !RAW_TEXT.contains(&n) && !ESCAPABLE_RAW_TEXT.contains(&n);
        let parent = self.current();
        let id = self.append(parent, NodeData::Element { name: name.into_boxed_str(), attrs });
        if !void && self.stack.len() < MAX_DEPTH {
            self.stack.push(id);
        }
        id
    }

    fn end_tag(&mut self, name: &str) {
        if name == "br" {
            let parent = self.current();
            self.append(parent, NodeData::Element { name: "br".into(), attrs: Vec::new() });
            return;
        }
        if VOID.contains(&name) {
            return;
        }
        // Look a bounded way down the stack: a stray end tag deep in a broken page must not cost a scan of
        // every open element each time.
        let found = self
            .stack
            .iter()
            .rev()
            .take(64)
            .take_while(|&&id| id != ROOT)
            .position(|&id| self.doc.name(id) == Some(name));
        if let Some(depth) = found {
            let keep = self.stack.len() - depth - 1;
            self.stack.truncate(keep);
        }
    }

    /// Closes `name` if it is open below the nearest scope boundary.
    fn close_in_scope(&mut self, name: &str, extra_boundaries: &[&str]) {
        for depth in (1..self.stack.len()).rev() {
            let Some(open) = self.doc.name(self.stack[depth]) else { continue };
            if open == name {
                self.stack.truncate(depth);
                return;
            }
            if SCOPE_BOUNDARIES.contains(&open) || extra_boundaries.contains(&open) {
                return;
            }
        }
    }

    fn close_current(&mut self, name: &str) {
        if self.stack.len() > 1 && self.stack.last().and_then(|&id| self.doc.name(id)) == Some(name) {
            self.stack.pop();
        }
    }

    fn pop_to(&mut self, id: NodeId) {
        if let Some(depth) = self.stack.iter().rposition(|&open| open == id) {
            self.stack.truncate(depth);
        }
    }

    fn current(&self) -> NodeId {
        self.stack.last().copied().unwrap_or(ROOT)
    }

    fn text(&mut self, raw: &str) {
        let parent = self.current();
        if let Some(last) = self.doc.nodes[parent].last_child
            && let NodeData::Text(existing) = &mut self.doc.nodes[last].data
        {
            push_decoded(existing, raw);
            return;
        }
        let mut text = String::with_capacity(raw.len());
        push_decoded(&mut text, raw);
        self.append(parent, NodeData::Text(text));
    }

    fn append(&mut self, parent: NodeId, data: NodeData) -> NodeId {
        let id = self.doc.nodes.len();
        self.doc.nodes.push(Node { parent, first_child: None, last_child: None, next_sibling: None, data });
        match self.doc.nodes[parent].last_child {
            Some(last) => self.doc.nodes[last].next_sibling = Some(id),
            None => self.doc.nodes[parent].first_child = Some(id),
        }
        self.doc.nodes[parent].last_child = Some(id);
        id
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn find_from(html: &str, from: usize, needle: &str) -> Option<usize> {
    html.get(from..)?.find(needle).map(|i| from + i)
}

/// A tag name starting at `start`, lower-cased, and the position after it.
fn tag_name(html: &str, start: usize) -> (String, usize) {
    let bytes = html.as_bytes();
    let mut end = start;
    while end < bytes.len() && !bytes[end].is_ascii_whitespace() && !matches!(bytes[end], b'/' | b'>') {
        end += 1;
    }
    (html[start..end].to_ascii_lowercase(), end)
}

/// Where the `</name` that ends a raw-text element starts, matched without regard to case.
fn find_end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut pos = from;
    while let Some(i) = memchr(b'<', &bytes[pos..]) {
        let at = pos + i;
        if bytes.get(at + 1) == Some(&b'/') {
            let candidate = bytes.get(at + 2..at + 2 + name.len())?;
            let boundary = bytes
                .get(at + 2 + name.len())
                .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'));
            if candidate.eq_ignore_ascii_case(name.as_bytes()) && boundary {
                return Some(at);
            }
        }
        pos = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as nested tags and text, for comparing shapes.
    fn outline(doc: &Document, id: NodeId) -> String {
        let mut out = String::new();
        for child in doc.children(id) {
            match &doc.node(child).data {
                NodeData::Element { name, .. } => {
                    out.push_str(&format!("<{name}>{}</{name}>", outline(doc, child)));
                }
                NodeData::Text(t) => out.push_str(t),
                NodeData::Root => {}
            }
        }
        out
    }

    fn parse(html: &str) -> String {
        outline(&Document::parse(html), ROOT)
    }

    #[test]
    fn implied_end_tags() {
        assert_eq!(parse("<p>one<p>two<div>three</div>"), "<p>one</p><p>two</p><div>three</div>");
        assert_eq!(parse("<ul><li>a<li>b</ul>"), "<ul><li>a</li><li>b</li></ul>");
        assert_eq!(
            parse("<table><tr><td>1<td>2<tr><td>3</table>"),
            "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>"
        );
        assert_eq!(parse("<ul><li>x<ul><li>y</ul></ul>"), "<ul><li>x<ul><li>y</li></ul></li></ul>");
    }

    #[test]
    fn void_raw_text_and_comments() {
        assert_eq!(parse("a<br>b<img src=x>c<!-- <p>hidden</p> -->d"), "a<br></br>b<img></img>cd");
        assert_eq!(
            parse("<script>if (a < b) { x = '</div>'; }</script>after"),
            "<script>if (a < b) { x = '</div>'; }</script>after"
        );
        assert_eq!(parse("<title>A &amp; B</title>"), "<title>A & B</title>");
        assert_eq!(parse("<STYLE>p{}</Style><P>x"), "<style>p{}</style><p>x</p>");
    }

    #[test]
    fn attributes_in_every_quoting_style() {
        let doc = Document::parse(r#"<a href="/x?a=1&amp;b=2" class='one two' data-n=5 hidden>t</a>"#);
        let a = doc.find("a").unwrap();
        assert_eq!(doc.attr(a, "href"), Some("/x?a=1&b=2"));
        assert_eq!(doc.attr(a, "class"), Some("one two"));
        assert_eq!(doc.attr(a, "data-n"), Some("5"));
        assert_eq!(doc.attr(a, "hidden"), Some(""));
    }

    #[test]
    fn broken_markup_never_fails() {
        for html in [
            "<",
            "<a",
            "<a href=\"x",
            "</",
            "<!--",
            "<script>no end",
            "</div></p>text",
            "<p><b><i>x</b>y</i>z",
            "a < b > c",
        ] {
            let doc = Document::parse(html);
            assert!(doc.len() >= 1);
        }
        assert_eq!(parse("a < b"), "a < b");
        assert_eq!(parse("<p><b><i>x</b>y</i>z"), "<p><b><i>x</i></b>yz</p>");
    }

    #[test]
    fn deep_nesting_is_flattened_not_overflowed() {
        let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000);
        let doc = Document::parse(&html);
        let text: Vec<&str> = doc.descendants(ROOT).filter_map(|id| doc.text(id)).collect();
        assert_eq!(text, ["deep"]);
        let depth = doc.ancestors(doc.descendants(ROOT).find(|&id| doc.text(id).is_some()).unwrap()).count();
        assert!(depth <= MAX_DEPTH + 1);
    }

    #[test]
    fn descendants_can_skip_subtrees() {
        let doc = Document::parse("<div><nav><a>menu</a></nav><p>body</p></div>");
        let mut walk = doc.descendants(ROOT);
        let mut seen = Vec::new();
        while let Some(id) = walk.next() {
            if doc.name(id) == Some("nav") {
                walk.skip_subtree(id);
                continue;
            }
            if let Some(t) = doc.text(id) {
                seen.push(t.to_owned());
            }
        }
        assert_eq!(seen, ["body"]);
    }
}
