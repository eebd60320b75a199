//! Finding and reading the article's own text on a page.
//!
//! Three passes over the tree. First, boilerplate is marked: elements that never hold article text
//! (scripts, forms' controls, navigation, headers and footers, asides), hidden elements, and elements
//! whose class or id names page furniture (comments, sharing, related stories, newsletters, ads) —
//! unless they hold most of the page's text, which a page wrapper with an unlucky class name can.
//! Second, paragraphs vote for their ancestors, weighted by length and commas and discounted by link
//! density; the best-scored container wins, together with siblings that score well or read as prose.
//! Third, the winning nodes are read into blocks, and blocks that are link lists or page phrases are
//! dropped.

use parallax_core::{Block, Image};

use super::dom::{Document, NodeData, NodeId, ROOT};
use super::text::{class_tokens, normalise_space};
use crate::split_caption_credit;

/// Elements that never hold article text.
const NEVER_TEXT: [&str; 20] = [
    "script", "style", "noscript", "template", "svg", "math", "head", "title", "meta", "link", "iframe",
    "object", "embed", "canvas", "select", "option", "button", "input", "textarea", "video",
];
/// Elements that hold page furniture rather than the article.
const FURNITURE_TAGS: [&str; 6] = ["nav", "footer", "aside", "header", "menu", "dialog"];
/// Class and id words naming page furniture.
const FURNITURE_WORDS: [&str; 53] = [
    "comment",
    "comments",
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "subscribe",
    "subscription",
    "promo",
    "advert",
    "advertisement",
    "ads",
    "ad",
    "sponsor",
    "sponsored",
    "cookie",
    "cookies",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "footer",
    "sidebar",
    "menu",
    "nav",
    "navbar",
    "navigation",
    "popup",
    "modal",
    "recommended",
    "recommendations",
    "outbrain",
    "taboola",
    "widget",
    "tags",
    "byline",
    "bio",
    "masthead",
    "toolbar",
    "pagination",
    "pager",
    "signup",
    "login",
    "hidden",
    "sr",
    "screenreader",
    "visually",
    "skip",
    "print",
    "caption",
    "credit",
    "disclaimer",
    "trending",
];
/// Class and id words naming furniture even beside content words ("comment-body").
const ALWAYS_FURNITURE_WORDS: [&str; 8] =
    ["comment", "comments", "disqus", "respond", "related", "newsletter", "outbrain", "taboola"];
/// Class and id words naming article text.
const CONTENT_WORDS: [&str; 12] = [
    "article",
    "body",
    "content",
    "entry",
    "main",
    "post",
    "story",
    "text",
    "blog",
    "page",
    "prose",
    "articlebody",
];
/// Elements that flow inside a line of text.
const INLINE_TAGS: [&str; 31] = [
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time",
    "tt", "u", "var",
];
/// Elements whose start and end break text into separate blocks.
const BLOCK_TAGS: [&str; 19] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "center",
    "dd",
    "dt",
    "dl",
    "address",
    "form",
    "fieldset",
    "details",
    "summary",
    "hgroup",
    "li",
    "figcaption",
    "tr",
    "body",
];
/// Short lines that are page phrases, compared in lower case without trailing punctuation.
const PAGE_PHRASES: [&str; 22] = [
    "advertisement",
    "advertising",
    "read more",
    "continue reading",
    "share this",
    "share this article",
    "share",
    "click here",
    "sign up",
    "subscribe",
    "follow us",
    "related",
    "related articles",
    "related stories",
    "more on this story",
    "recommended",
    "story continues below advertisement",
    "scroll to continue",
    "read next",
    "you may also like",
    "most popular",
    "skip advertisement",
];

/// The article text found on a page, and the first captioned figure in it.
#[derive(Debug, Default)]
pub struct MainText {
    /// Blocks in reading order.
    pub blocks: Vec<Block>,
    /// The first figure's caption and credit.
    pub figure: Option<Image>,
}

/// Per-node facts computed in one pass each.
struct Marks {
    skip: Vec<bool>,
    text_len: Vec<u32>,
    link_len: Vec<u32>,
    /// Text held directly by a block element (not inside a nested block), and its commas.
    own_len: Vec<u32>,
    own_commas: Vec<u32>,
}

/// Finds and reads the main text.
pub fn main_text(doc: &Document) -> MainText {
    let marks = mark(doc);
    let chosen = choose(doc, &marks);
    let mut reader = Reader {
        doc,
        marks: &marks,
        blocks: Vec::new(),
        inline: String::new(),
        linked: 0,
        in_link: 0,
        figure: None,
    };
    for &id in &chosen {
        reader.read(id, 0);
        reader.flush();
    }
    // The lead figure often sits just outside the text's container, beside the headline: look in the
    // enclosing <article>, or one level up, when the text itself had none.
    if reader.figure.is_none()
        && let Some(&first) = chosen.first()
    {
        let scope = doc
            .ancestors(first)
            .take(4)
            .find(|&a| doc.name(a) == Some("article"))
            .unwrap_or(doc.node(first).parent);
        if let Some(figure) =
            doc.descendants(scope).find(|&d| doc.name(d) == Some("figure") && !marks.skip[d])
        {
            reader.figure(figure);
        }
    }
    let blocks = reader.blocks.into_iter().filter(|b| !is_page_phrase(b)).collect();
    MainText { blocks, figure: reader.figure }
}

fn mark(doc: &Document) -> Marks {
    let n = doc.len();
    let mut never = vec![false; n];
    for id in 1..n {
        let parent = doc.node(id).parent;
        never[id] = never[parent] || doc.name(id).is_some_and(|name| NEVER_TEXT.contains(&name));
    }
    // Children come after their parents, so one reverse pass sums subtrees.
    let mut text_len = vec![0u32; n];
    let mut link_len = vec![0u32; n];
    let mut own_len = vec![0u32; n];
    let mut own_commas = vec![0u32; n];
    for id in (1..n).rev() {
        if never[id] {
            continue;
        }
        if let Some(text) = doc.text(id) {
            text_len[id] = text.split_whitespace().map(|w| w.chars().count() as u32 + 1).sum();
            if let Some(owner) = doc
                .ancestors(id)
                .find(|&a| a == ROOT || doc.name(a).is_some_and(|n| !INLINE_TAGS.contains(&n)))
            {
                own_len[owner] += text_len[id];
                own_commas[owner] += text.matches([',', '，', '、']).count() as u32;
            }
        }
        if doc.name(id) == Some("a") {
            link_len[id] = text_len[id];
        }
        let parent = doc.node(id).parent;
        text_len[parent] += text_len[id];
        link_len[parent] += link_len[id];
    }
    let page_text = doc.find("body").map_or(text_len[ROOT], |b| text_len[b]).max(1);
    let mut skip = never;
    for id in 1..n {
        let parent = doc.node(id).parent;
        if skip[parent] {
            skip[id] = true;
        } else if !skip[id] && doc.name(id).is_some() {
            // A wrapper holding most of the page is never furniture, whatever it is called.
            skip[id] = is_furniture(doc, id) && text_len[id] * 2 < page_text;
        }
    }
    Marks { skip, text_len, link_len, own_len, own_commas }
}

fn is_furniture(doc: &Document, id: NodeId) -> bool {
    let name = doc.name(id).unwrap_or_default();
    if FURNITURE_TAGS.contains(&name) {
        return true;
    }
    if doc.attr(id, "hidden").is_some() || doc.attr(id, "aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = doc.attr(id, "style") {
        let style = style.to_ascii_lowercase().replace(' ', "");
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    if matches!(
        doc.attr(id, "role"),
        Some("navigation" | "complementary" | "banner" | "contentinfo" | "dialog")
    ) {
        return true;
    }
    let tokens = class_tokens(doc, id);
    if tokens.iter().any(|t| ALWAYS_FURNITURE_WORDS.contains(&t.as_str())) {
        return true;
    }
    // "content-with-sidebar", "blog widget": a furniture word beside a content word names a layout
    // wrapper, not furniture.
    tokens.iter().any(|t| FURNITURE_WORDS.contains(&t.as_str()))
        && !tokens.iter().any(|t| CONTENT_WORDS.contains(&t.as_str()))
}

/// The nodes holding the article, in document order.
fn choose(doc: &Document, marks: &Marks) -> Vec<NodeId> {
    let n = doc.len();
    let mut score = vec![0f32; n];
    let mut seen = vec![false; n];
    for id in 1..n {
        let len = marks.own_len[id];
        if len < 25
            || marks.skip[id]
            || doc.name(id).is_none_or(|n| {
                matches!(
                    n,
                    "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" | "dt" | "figcaption" | "caption"
                )
            })
        {
            continue;
        }
        let value = 1.0 + marks.own_commas[id] as f32 + (len as f32 / 100.0).min(3.0);
        // A container holding its text directly (no <p>) is a candidate itself, beside its ancestors.
        let holds_text_itself = !matches!(doc.name(id), Some("p" | "pre" | "blockquote"));
        let own = holds_text_itself.then_some((0, id));
        for (level, ancestor) in own.into_iter().chain(doc.ancestors(id).take(5).enumerate()) {
            if ancestor == ROOT {
                break;
            }
            if !seen[ancestor] {
                seen[ancestor] = true;
                score[ancestor] += initial_score(doc, ancestor);
            }
            let divisor = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[ancestor] += value / divisor;
        }
    }
    let final_score = |id: NodeId| {
        let density = marks.link_len[id] as f32 / marks.text_len[id].max(1) as f32;
        score[id] * (1.0 - density)
    };
    let Some(top) = (1..n)
        .filter(|&id| seen[id] && !marks.skip[id])
        .max_by(|&a, &b| final_score(a).total_cmp(&final_score(b)))
    else {
        return fallback(doc, marks);
    };
    let top = common_container(doc, top, &final_score, (1..n).filter(|&id| seen[id] && !marks.skip[id]));
    let top_score = final_score(top);
    let threshold = (top_score * 0.2).max(10.0);
    let parent = doc.node(top).parent;
    doc.children(parent)
        .filter(|&sibling| {
            if sibling == top {
                return true;
            }
            if marks.skip[sibling] || doc.name(sibling).is_none() {
                return false;
            }
            if seen[sibling] && final_score(sibling) >= threshold {
                return true;
            }
            let len = marks.text_len[sibling];
            let density = marks.link_len[sibling] as f32 / len.max(1) as f32;
            doc.name(sibling) == Some("p")
                && (len > 80 && density < 0.25
                    || len > 0 && density == 0.0 && {
                        let text = normalise_space(&doc.text_content(sibling));
                        text.ends_with('.') && text.contains(". ")
                    })
        })
        .collect()
}

/// Articles split into several containers ("chunks" between ads) have several good candidates; when
/// enough of the runners-up sit inside one ancestor of the best, that ancestor holds the article.
fn common_container(
    doc: &Document,
    top: NodeId,
    score: &impl Fn(NodeId) -> f32,
    candidates: impl Iterator<Item = NodeId>,
) -> NodeId {
    const RUNNERS_UP: usize = 5;
    const NEEDED: usize = 3;
    let top_score = score(top);
    let mut ranked: Vec<NodeId> = candidates.filter(|&c| c != top && score(c) >= top_score * 0.75).collect();
    ranked.sort_by(|&a, &b| score(b).total_cmp(&score(a)));
    ranked.truncate(RUNNERS_UP);
    if ranked.len() < NEEDED {
        return top;
    }
    // Ancestors of the runners-up, to count how many each ancestor of `top` holds.
    let ancestor_sets: Vec<Vec<NodeId>> = ranked.iter().map(|&c| doc.ancestors(c).collect()).collect();
    for ancestor in doc.ancestors(top).take_while(|&a| a != ROOT && doc.name(a) != Some("body")) {
        let held = ancestor_sets.iter().filter(|set| set.contains(&ancestor)).count();
        if held >= NEEDED {
            return ancestor;
        }
    }
    top
}

/// A page without paragraphs: read the body (or everything) and let the block filters work.
fn fallback(doc: &Document, marks: &Marks) -> Vec<NodeId> {
    match doc.find("body") {
        Some(body) if !marks.skip[body] => vec![body],
        _ => doc.children(ROOT).collect(),
    }
}

fn initial_score(doc: &Document, id: NodeId) -> f32 {
    let by_tag = match doc.name(id) {
        Some("div" | "article" | "main") => 5.0,
        Some("pre" | "td" | "blockquote") => 3.0,
        Some("address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form") => -3.0,
        Some("h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th") => -5.0,
        _ => 0.0,
    };
    let tokens = class_tokens(doc, id);
    let mut by_class = 0.0;
    if tokens.iter().any(|t| CONTENT_WORDS.contains(&t.as_str())) {
        by_class += 25.0;
    }
    if tokens.iter().any(|t| FURNITURE_WORDS.contains(&t.as_str())) {
        by_class -= 25.0;
    }
    if doc.attr(id, "itemprop") == Some("articleBody") {
        by_class += 50.0;
    }
    by_tag + by_class
}

/// Reads chosen nodes into blocks.
struct Reader<'a> {
    doc: &'a Document,
    marks: &'a Marks,
    blocks: Vec<Block>,
    inline: String,
    /// Characters of `inline` that came from links.
    linked: usize,
    in_link: usize,
    figure: Option<Image>,
}

impl Reader<'_> {
    fn read(&mut self, id: NodeId, depth: usize) {
        if self.marks.skip[id] || depth > super::dom::MAX_DEPTH {
            return;
        }
        let doc = self.doc;
        let name = match &doc.node(id).data {
            NodeData::Text(text) => {
                if self.in_link > 0 {
                    self.linked += text.trim().chars().count();
                }
                self.inline.push_str(text);
                return;
            }
            NodeData::Root => None,
            NodeData::Element { name, .. } => Some(&**name),
        };
        match name {
            Some("br") => self.flush(),
            Some("hr") => self.flush(),
            Some(heading @ ("h1" | "h2" | "h3" | "h4" | "h5" | "h6")) => {
                self.flush();
                let text = normalise_space(&self.inline_text(id));
                if !text.is_empty() {
                    let level = heading.as_bytes()[1] - b'0';
                    self.blocks.push(Block::Heading { level, text });
                }
            }
            Some(list @ ("ul" | "ol")) => {
                self.flush();
                self.list(id, list == "ol");
            }
            Some("blockquote") => {
                self.flush();
                let before = self.blocks.len();
                self.children(id, depth);
                self.flush();
                let inner: Vec<String> = self.blocks.drain(before..).map(|b| block_text(&b)).collect();
                let text = normalise_space(&inner.join(" "));
                if !text.is_empty() {
                    self.blocks.push(Block::Quote { text });
                }
            }
            Some("pre") => {
                self.flush();
                let text = doc.text_content(id).trim_matches('\n').to_owned();
                if !text.trim().is_empty() {
                    self.blocks.push(Block::Paragraph { text });
                }
            }
            Some("table") => {
                self.flush();
                self.table(id, depth);
            }
            Some("figure") => {
                self.flush();
                self.figure(id);
            }
            Some("img" | "picture") => {}
            Some("a") => {
                self.in_link += 1;
                self.children(id, depth);
                self.in_link -= 1;
            }
            Some(block) if BLOCK_TAGS.contains(&block) => {
                self.flush();
                self.children(id, depth);
                self.flush();
            }
            _ => self.children(id, depth),
        }
    }

    fn children(&mut self, id: NodeId, depth: usize) {
        for child in self.doc.children(id) {
            self.read(child, depth + 1);
        }
    }

    /// Ends the current paragraph, dropping it when it is mostly links.
    fn flush(&mut self) {
        let text = normalise_space(&self.inline);
        let total = text.chars().count();
        let mostly_links = self.linked * 2 > total && total < 300;
        if !text.is_empty() && !mostly_links {
            self.blocks.push(Block::Paragraph { text });
        }
        self.inline.clear();
        self.linked = 0;
    }

    /// The text of an element, skipping marked subtrees, with line breaks as spaces.
    fn inline_text(&self, id: NodeId) -> String {
        let mut out = String::new();
        let mut walk = self.doc.descendants(id);
        while let Some(node) = walk.next() {
            if self.marks.skip[node] {
                walk.skip_subtree(node);
                continue;
            }
            match &self.doc.node(node).data {
                NodeData::Text(t) => out.push_str(t),
                NodeData::Element { name, .. } if BLOCK_TAGS.contains(&&**name) || &**name == "br" => {
                    out.push(' ')
                }
                _ => {}
            }
        }
        out
    }

    fn list(&mut self, id: NodeId, ordered: bool) {
        let mut items = Vec::new();
        let mut linked_items = 0;
        for item in self.doc.children(id).filter(|&c| self.doc.name(c) == Some("li") && !self.marks.skip[c]) {
            let text = normalise_space(&self.inline_text(item));
            if text.is_empty() {
                continue;
            }
            let len = self.marks.text_len[item].max(1);
            if self.marks.link_len[item] * 2 > len {
                linked_items += 1;
            }
            items.push(text);
        }
        // A list of links is navigation or "related stories", not article text.
        if !items.is_empty() && linked_items * 2 <= items.len() {
            self.blocks.push(Block::List { ordered, items });
        }
    }

    fn table(&mut self, id: NodeId, depth: usize) {
        let doc = self.doc;
        let rows: Vec<NodeId> = doc
            .descendants(id)
            .filter(|&r| {
                doc.name(r) == Some("tr")
                    && doc.ancestors(r).find(|&a| doc.name(a) == Some("table")) == Some(id)
            })
            .collect();
        // A table used for layout holds paragraphs; read it as a container.
        let layout =
            doc.descendants(id).any(|d| matches!(doc.name(d), Some("p" | "div" | "table")) && d != id);
        if layout || rows.is_empty() {
            self.children(id, depth);
            self.flush();
            return;
        }
        for row in rows {
            let cells: Vec<String> = doc
                .children(row)
                .filter(|&c| matches!(doc.name(c), Some("td" | "th")) && !self.marks.skip[c])
                .map(|c| normalise_space(&self.inline_text(c)))
                .filter(|c| !c.is_empty())
                .collect();
            if !cells.is_empty() {
                self.blocks.push(Block::Paragraph { text: cells.join(" | ") });
            }
        }
    }

    fn figure(&mut self, id: NodeId) {
        if self.figure.is_some() {
            return;
        }
        let doc = self.doc;
        let caption = doc
            .descendants(id)
            .find(|&d| doc.name(d) == Some("figcaption"))
            .map(|c| normalise_space(&doc.text_content(c)));
        let src = doc
            .descendants(id)
            .find(|&d| doc.name(d) == Some("img"))
            .and_then(|img| doc.attr(img, "src").or_else(|| doc.attr(img, "data-src")).map(str::to_owned));
        if let Some(caption) = caption.filter(|c| !c.is_empty()) {
            let (caption, credit) = split_caption_credit(&caption);
            self.figure = Some(Image { url: src, caption, credit });
        }
    }
}

fn block_text(block: &Block) -> String {
    block.texts().collect::<Vec<_>>().join(" ")
}

fn is_page_phrase(block: &Block) -> bool {
    let text = match block {
        Block::Paragraph { text } | Block::Heading { text, .. } => text,
        _ => return false,
    };
    if text.chars().count() > 60 {
        return false;
    }
    let lower = text.to_lowercase();
    let bare = lower.trim_end_matches([':', '.', '!', '›', '»', '>', ' ']);
    PAGE_PHRASES.contains(&bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<String> {
        main_text(&Document::parse(html)).blocks.iter().map(block_text).collect()
    }

    const PROSE: &str = "The council voted on Tuesday to close the old bridge, citing cracks found by inspectors, and said repairs would take a year.";

    #[test]
    fn the_article_container_wins_over_furniture() {
        let html = format!(
            r##"<body><nav><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></nav>
            <div class="article-body"><h1>Bridge closed</h1><p>{PROSE}</p><p>{PROSE}</p>
            <div class="share-bar"><a href="#">Share on X</a></div><p>Advertisement</p>
            <ul><li>First point, explained at some length.</li><li>Second point, also explained.</li></ul></div>
            <div class="comments"><p>{PROSE}</p></div><footer><p>© 2026 Example</p></footer></body>"##
        );
        let got = texts(&html);
        assert_eq!(
            got,
            [
                "Bridge closed",
                PROSE,
                PROSE,
                "First point, explained at some length. Second point, also explained."
            ]
        );
    }

    #[test]
    fn link_lists_and_hidden_text_are_dropped() {
        let html = format!(
            r#"<article><p>{PROSE}</p><ul><li><a href="/1">Another story</a></li><li><a href="/2">And another</a></li></ul>
            <p style="display: none">{PROSE} hidden</p><p>{PROSE}</p></article>"#
        );
        assert_eq!(texts(&html), [PROSE, PROSE]);
    }

    #[test]
    fn quotes_tables_and_figures() {
        let html = format!(
            r#"<div class="story"><figure><img src="/a.jpg"><figcaption>The bridge at dawn. Photo: Jane Doe/AP</figcaption></figure>
            <p>{PROSE}</p><blockquote><p>We had no choice,</p><p>the mayor said.</p></blockquote>
            <table><tr><th>Year</th><th>Cost</th></tr><tr><td>2026</td><td>$4m</td></tr></table><p>{PROSE}</p></div>"#
        );
        let main = main_text(&Document::parse(&html));
        let got: Vec<String> = main.blocks.iter().map(block_text).collect();
        assert_eq!(got, [PROSE, "We had no choice, the mayor said.", "Year | Cost", "2026 | $4m", PROSE]);
        let figure = main.figure.unwrap();
        assert_eq!(figure.caption.as_deref(), Some("The bridge at dawn."));
        assert_eq!(figure.credit.as_deref(), Some("Jane Doe/AP"));
        assert_eq!(figure.url.as_deref(), Some("/a.jpg"));
    }

    #[test]
    fn prose_siblings_of_the_best_container_are_kept() {
        let html = format!(
            r#"<body><div class="intro"><p>{PROSE}</p><p>{PROSE}</p></div><div class="main"><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div><p>{PROSE}</p></body>"#
        );
        assert_eq!(texts(&html).len(), 6);
    }

    #[test]
    fn pages_without_paragraphs_fall_back_to_the_body() {
        assert_eq!(texts("<body>Just one line of text</body>"), ["Just one line of text"]);
        assert!(texts("").is_empty());
    }
}
