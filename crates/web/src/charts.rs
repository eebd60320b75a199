//! Server-drawn inline SVG pictures: the timeline of which outlet reported a story when, and stacked
//! bars of how sentences are framed.
//!
//! The markup goes into pages unescaped, so everything here escapes its own text and refuses link
//! targets that could run script. Colours come from `currentColor` and CSS classes so the site's
//! stylesheet decides them for light and dark mode; the drawings scale with their container through
//! a `viewBox`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::atom::xml_escape;

/// One report of a story, as a dot on the timeline.
pub(crate) struct TimelineEntry {
    pub outlet: String,
    pub at: DateTime<Utc>,
    pub title: String,
    pub href: String,
}

/// How one outlet's (or one report's) sentences split, in whole percent, in the order of
/// [`FRAMING_CATEGORIES`]: stated, attributed, hedged, unnamed sources, opinion, questions.
pub(crate) struct FramingBar {
    pub label: String,
    pub shares: [u32; 6],
}

/// The framing categories in bar and legend order: CSS class, then the name readers see.
pub(crate) const FRAMING_CATEGORIES: [(&str, &str); 6] = [
    ("fr-stated", "Stated"),
    ("fr-attributed", "Attributed"),
    ("fr-hedged", "Hedged"),
    ("fr-unnamed", "Unnamed sources"),
    ("fr-opinion", "Opinion"),
    ("fr-question", "Questions"),
];

/// Width of every drawing in viewBox units; the page scales it.
const WIDTH: f64 = 640.0;
/// Right edge of the left-hand label column (labels are right-aligned against it).
const LABEL_RIGHT: f64 = 150.0;
/// Labels longer than this many characters are cut, since SVG text does not wrap or clip itself.
const LABEL_CHARS: usize = 22;
/// Rough advance of one character at the drawings' font size, for fitting text without measuring it.
const CHAR_WIDTH: f64 = 6.5;
const FONT_SIZE: u32 = 11;

const TL_PLOT_LEFT: f64 = 170.0;
// Leaves room for half a tick label past the last tick.
const TL_PLOT_RIGHT: f64 = 610.0;
const TL_TOP: f64 = 8.0;
const TL_LANE: f64 = 26.0;
const TL_DOT_RADIUS: f64 = 5.0;
/// More ticks than this crowd the labels at small screen widths.
const TL_MAX_TICKS: i64 = 6;
/// Tick steps in seconds, from a minute to a fortnight; longer spans use whole days.
const TL_STEPS: [i64; 15] =
    [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600];
const DAY: i64 = 86400;

/// "Which outlet reported when" for one story: a lane per outlet, in the order outlets first
/// reported, a dot per report linked to it, and a UTC time axis. Empty when there are no entries.
pub(crate) fn timeline_svg(id_prefix: &str, entries: &[TimelineEntry]) -> String {
    let mut order: Vec<&TimelineEntry> = entries.iter().collect();
    order.sort_by_key(|e| e.at);
    let (Some(first), Some(last)) = (order.first(), order.last()) else { return String::new() };
    let (start, end) = (first.at, last.at);

    let mut lanes: Vec<&str> = Vec::new();
    let mut lane_of: HashMap<&str, usize> = HashMap::new();
    for entry in &order {
        lane_of.entry(entry.outlet.as_str()).or_insert_with(|| {
            lanes.push(entry.outlet.as_str());
            lanes.len() - 1
        });
    }

    let scale = TimeScale { start_ms: start.timestamp_millis(), span_ms: (end - start).num_milliseconds() };
    let axis_y = TL_TOP + lanes.len() as f64 * TL_LANE + 4.0;
    let height = axis_y + 36.0;
    let ids = ChartIds::new(id_prefix);

    let reports = plural(entries.len(), "report", "reports");
    let outlets = plural(lanes.len(), "outlet", "outlets");
    let desc = if start == end {
        format!("{reports} from {outlets} at {} UTC", start.format("%-d %b %Y %H:%M"))
    } else {
        format!(
            "{reports} from {outlets} between {} and {} UTC",
            start.format("%-d %b %Y %H:%M"),
            end.format("%-d %b %Y %H:%M")
        )
    };

    let mut svg = open_svg("tl-chart", "group", height, &ids, "When each outlet reported", &desc);
    let (step, ticks) = ticks(start, end);

    svg.push_str("<g class=\"tl-grid\" stroke=\"currentColor\" stroke-opacity=\"0.15\">");
    for tick in &ticks {
        let x = num(scale.x(tick.timestamp_millis()));
        svg.push_str(&format!("<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>", num(TL_TOP), num(axis_y)));
    }
    svg.push_str("</g>");

    for (i, outlet) in lanes.iter().enumerate() {
        let y = lane_y(i);
        svg.push_str(&format!(
            "<line class=\"tl-lane\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"currentColor\" \
             stroke-opacity=\"0.3\"/>",
            num(TL_PLOT_LEFT - TL_DOT_RADIUS),
            num(TL_PLOT_RIGHT + TL_DOT_RADIUS),
            y = num(y)
        ));
        svg.push_str(&label(outlet, "tl-label", y));
    }

    svg.push_str(&format!(
        "<line class=\"tl-axis\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"currentColor\"/>",
        num(TL_PLOT_LEFT - TL_DOT_RADIUS),
        num(TL_PLOT_RIGHT + TL_DOT_RADIUS),
        y = num(axis_y)
    ));
    let mut previous_day = None;
    for tick in &ticks {
        let x = num(scale.x(tick.timestamp_millis()));
        svg.push_str(&format!(
            "<line class=\"tl-axis\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"currentColor\"/>",
            num(axis_y),
            num(axis_y + 4.0)
        ));
        let day = tick.date_naive();
        let (main, under) = if step < DAY {
            // The date goes under the first time and wherever it changes, so "08:00" is never ambiguous.
            let under = (previous_day != Some(day)).then(|| tick.format("%-d %b").to_string());
            (tick.format("%H:%M").to_string(), under)
        } else {
            (tick.format("%-d %b").to_string(), None)
        };
        previous_day = Some(day);
        svg.push_str(&format!(
            "<text class=\"tl-tick\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{main}</text>",
            num(axis_y + 16.0)
        ));
        if let Some(under) = under {
            svg.push_str(&format!(
                "<text class=\"tl-date\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{under}</text>",
                num(axis_y + 29.0)
            ));
        }
    }
    svg.push_str(&format!(
        "<text class=\"tl-tick tl-zone\" x=\"{}\" y=\"{}\" text-anchor=\"end\">UTC</text>",
        num(LABEL_RIGHT),
        num(axis_y + 16.0)
    ));

    for entry in &order {
        let lane = lane_of.get(entry.outlet.as_str()).copied().unwrap_or_default();
        let mut tip = vec![clean(&entry.outlet)];
        let title = clean(&entry.title);
        if !title.is_empty() {
            tip.push(title);
        }
        tip.push(entry.at.format("%-d %b %Y %H:%M UTC").to_string());
        let dot = format!(
            "<title>{}</title><circle class=\"tl-dot\" cx=\"{}\" cy=\"{}\" r=\"{}\"/>",
            xml_escape(&tip.join(" — ")),
            num(scale.x(entry.at.timestamp_millis())),
            num(lane_y(lane)),
            num(TL_DOT_RADIUS)
        );
        match safe_href(&entry.href) {
            Some(href) => svg.push_str(&format!("<a href=\"{}\">{dot}</a>", xml_escape(href))),
            None => svg.push_str(&format!("<g>{dot}</g>")),
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Compact stacked horizontal bars, one per label, of how sentences are framed, with a legend. Empty
/// when there are no bars. Percentages are shown as given; segment lengths are scaled to the bar's
/// own total so rounding never overflows or leaves a gap.
pub(crate) fn framing_svg(id_prefix: &str, bars: &[FramingBar]) -> String {
    const TOP: f64 = 4.0;
    const BAR: f64 = 20.0;
    const ROW: f64 = 28.0;
    const GAP: f64 = 1.0;
    const LEGEND_ROW: f64 = 18.0;
    const SWATCH: f64 = 10.0;

    if bars.is_empty() {
        return String::new();
    }
    let labelled = bars.iter().any(|b| !clean(&b.label).is_empty());
    let left = if labelled { LABEL_RIGHT + 10.0 } else { 0.0 };
    let bar_width = WIDTH - left;

    // Legend items flow left to right and wrap, so their rows are known before the height is.
    let mut legend = Vec::with_capacity(FRAMING_CATEGORIES.len());
    let (mut lx, mut row) = (0.0, 0usize);
    for (class, name) in FRAMING_CATEGORIES {
        let width = SWATCH + 4.0 + text_width(name) + 16.0;
        if lx > 0.0 && lx + width > WIDTH {
            lx = 0.0;
            row += 1;
        }
        legend.push((class, name, lx, row));
        lx += width;
    }
    let legend_top = TOP + bars.len() as f64 * ROW + 4.0;
    let height = legend_top + (row + 1) as f64 * LEGEND_ROW;

    let desc = bars.iter().map(describe_bar).collect::<Vec<_>>().join("; ");
    let title =
        if labelled { "How each outlet's sentences are framed" } else { "How the sentences are framed" };
    let ids = ChartIds::new(id_prefix);
    let mut svg = open_svg("fr-chart", "img", height, &ids, title, &desc);

    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let middle = y + BAR / 2.0;
        if labelled {
            svg.push_str(&label(&bar.label, "fr-label", middle));
        }
        let total: u64 = bar.shares.iter().map(|&s| u64::from(s)).sum();
        if total == 0 {
            svg.push_str(&format!(
                "<g class=\"fr-empty\"><title>No classified sentences</title><rect x=\"{}\" y=\"{}\" \
                 width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"currentColor\"/></g>",
                num(left + 0.5),
                num(y + 0.5),
                num(bar_width - 1.0),
                num(BAR - 1.0)
            ));
            continue;
        }
        let segments: Vec<(usize, u32)> =
            bar.shares.iter().copied().enumerate().filter(|&(_, share)| share > 0).collect();
        let mut x = left;
        for (k, &(category, share)) in segments.iter().enumerate() {
            let (class, name) = FRAMING_CATEGORIES[category];
            let width = share as f64 / total as f64 * bar_width;
            // A hairline gap separates neighbours even where their colours are alike.
            let drawn = if k + 1 == segments.len() { width } else { (width - GAP).max(0.5) };
            let pct = format!("{share}%");
            svg.push_str(&format!(
                "<g class=\"fr-seg {class}\"><title>{name}: {pct}</title><rect x=\"{}\" y=\"{}\" \
                 width=\"{}\" height=\"{}\"/>",
                num(x),
                num(y),
                num(drawn),
                num(BAR)
            ));
            if drawn >= text_width(&pct) + 6.0 {
                svg.push_str(&format!(
                    "<text class=\"fr-pct\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{pct}</text>",
                    num(x + drawn / 2.0),
                    num(middle + 4.0)
                ));
            }
            svg.push_str("</g>");
            x += width;
        }
    }

    svg.push_str("<g class=\"fr-legend\">");
    for (class, name, x, row) in legend {
        let y = legend_top + row as f64 * LEGEND_ROW;
        svg.push_str(&format!(
            "<g class=\"fr-key {class}\"><rect class=\"fr-swatch\" x=\"{}\" y=\"{}\" width=\"{s}\" \
             height=\"{s}\"/><text class=\"fr-legend-label\" x=\"{}\" y=\"{}\">{name}</text></g>",
            num(x),
            num(y + 1.0),
            num(x + SWATCH + 4.0),
            num(y + SWATCH),
            s = num(SWATCH)
        ));
    }
    svg.push_str("</g></svg>");
    svg
}

/// "Outlet: stated 40%, hedged 12%" for the description screen readers get.
fn describe_bar(bar: &FramingBar) -> String {
    let parts: Vec<String> = FRAMING_CATEGORIES
        .iter()
        .zip(bar.shares)
        .filter(|&(_, share)| share > 0)
        .map(|((_, name), share)| format!("{} {share}%", name.to_lowercase()))
        .collect();
    let shares = if parts.is_empty() { "no classified sentences".to_owned() } else { parts.join(", ") };
    let label = clean(&bar.label);
    if label.is_empty() { shares } else { format!("{label}: {shares}") }
}

/// The ids a drawing gives its title and description; distinct per caller-chosen prefix so several
/// drawings can share a page.
struct ChartIds {
    title: String,
    desc: String,
}

impl ChartIds {
    fn new(prefix: &str) -> Self {
        // aria-labelledby is a space-separated list, so the prefix is kept to characters safe in ids.
        let mut safe: String = prefix
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        if safe.is_empty() {
            safe.push_str("chart");
        }
        ChartIds { title: format!("{safe}-title"), desc: format!("{safe}-desc") }
    }
}

/// The root element with its accessible name and description.
/// Opens a drawing. `role` is "img" for a picture read as a whole, "group" for one holding links a
/// reader can reach (an image's contents are hidden from assistive technology, links included).
fn open_svg(class: &str, role: &str, height: f64, ids: &ChartIds, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" viewBox=\"0 0 {} {}\" width=\"100%\" \
         role=\"{role}\" aria-labelledby=\"{t} {d}\" font-size=\"{FONT_SIZE}\" fill=\"currentColor\">\
         <title id=\"{t}\">{}</title><desc id=\"{d}\">{}</desc>",
        num(WIDTH),
        num(height),
        xml_escape(title),
        xml_escape(desc),
        t = ids.title,
        d = ids.desc
    )
}

/// A row label right-aligned in the label column, cut to fit, with the full text as a tooltip when
/// cut.
fn label(text: &str, class: &str, middle: f64) -> String {
    let full = clean(text);
    let full = if full.is_empty() { "Unnamed".to_owned() } else { full };
    let (shown, cut) = truncate(&full, LABEL_CHARS);
    let tip = if cut { format!("<title>{}</title>", xml_escape(&full)) } else { String::new() };
    format!(
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{tip}{}</text>",
        num(LABEL_RIGHT),
        num(middle + 4.0),
        xml_escape(&shown)
    )
}

fn lane_y(lane: usize) -> f64 {
    TL_TOP + lane as f64 * TL_LANE + TL_LANE / 2.0
}

/// Places instants along the plot; a zero span puts everything in the middle.
struct TimeScale {
    start_ms: i64,
    span_ms: i64,
}

impl TimeScale {
    fn x(&self, at_ms: i64) -> f64 {
        if self.span_ms <= 0 {
            return (TL_PLOT_LEFT + TL_PLOT_RIGHT) / 2.0;
        }
        let fraction = (at_ms - self.start_ms) as f64 / self.span_ms as f64;
        TL_PLOT_LEFT + fraction.clamp(0.0, 1.0) * (TL_PLOT_RIGHT - TL_PLOT_LEFT)
    }
}

/// The tick step in seconds and the ticks in `[start, end]`, on round UTC times. A span too short to
/// hold a round time gets one tick at its start so the axis always says when.
fn ticks(start: DateTime<Utc>, end: DateTime<Utc>) -> (i64, Vec<DateTime<Utc>>) {
    let span = (end - start).num_seconds().max(0);
    let step = TL_STEPS
        .iter()
        .copied()
        .find(|&step| span <= step * (TL_MAX_TICKS - 1))
        .unwrap_or_else(|| (span + DAY * (TL_MAX_TICKS - 1) - 1) / (DAY * (TL_MAX_TICKS - 1)) * DAY);
    let (from, to) = (start.timestamp(), end.timestamp());
    let mut at = from.div_euclid(step) * step;
    if at < start.timestamp() || (at == from && start.timestamp_subsec_nanos() > 0) {
        at += step;
    }
    let mut ticks = Vec::new();
    while at <= to {
        if let Some(t) = DateTime::from_timestamp(at, 0)
            && t <= end
        {
            ticks.push(t);
        }
        at += step;
    }
    if ticks.is_empty() {
        ticks.push(start);
    }
    (step, ticks)
}

/// Where a dot may link: web addresses and paths on this site only, never `javascript:` or `data:`.
fn safe_href(href: &str) -> Option<&str> {
    let href = href.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    let allowed = lower.starts_with("https://") || lower.starts_with("http://") || href.starts_with('/');
    (allowed && !href.chars().any(char::is_control)).then_some(href)
}

/// Text with runs of whitespace made single spaces, as one line of a drawing shows it.
fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters, ending in "…" when cut, and whether it was cut.
fn truncate(text: &str, max: usize) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_owned(), false);
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    (format!("{}…", kept.trim_end()), true)
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Coordinates to one decimal: enough for a 640-unit drawing, and short markup.
fn num(value: f64) -> String {
    format!("{value:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_tree::Node;
    use chrono::TimeZone;

    /// The root element; panics unless the markup is well-formed with balanced tags.
    fn parse(xml: &str) -> Node {
        crate::xml_tree::parse(xml).0
    }

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, day, hour, minute, 0).single().expect("valid time")
    }

    fn entry(outlet: &str, at: DateTime<Utc>, title: &str, href: &str) -> TimelineEntry {
        TimelineEntry { outlet: outlet.into(), at, title: title.into(), href: href.into() }
    }

    fn sample() -> Vec<TimelineEntry> {
        vec![
            entry("Gazette", at(1, 10, 0), "Second", "https://gazette.example/2"),
            entry("Herald", at(1, 8, 0), "First", "https://herald.example/1"),
            entry("Herald", at(2, 10, 15), "Fifth", "/article/5"),
            entry("Courier", at(1, 12, 30), "Third", "https://courier.example/3"),
            entry("Gazette", at(1, 20, 0), "Fourth", "https://gazette.example/4"),
        ]
    }

    fn view_box_height(svg: &Node) -> f64 {
        svg.attr("viewBox").and_then(|v| v.split(' ').nth(3)).and_then(|h| h.parse().ok()).expect("viewBox")
    }

    #[test]
    fn balance_check_rejects_broken_markup() {
        assert!(std::panic::catch_unwind(|| parse("<svg><g></svg>")).is_err());
        assert!(std::panic::catch_unwind(|| parse("<svg><g>")).is_err());
    }

    #[test]
    fn timeline_is_well_formed_and_accessible() {
        let svg = parse(&timeline_svg("story-7", &sample()));
        assert_eq!(svg.name, "svg");
        assert_eq!(svg.attr("role"), Some("group"), "its links stay reachable");
        assert_eq!(svg.attr("width"), Some("100%"));
        assert_eq!(svg.attr("aria-labelledby"), Some("story-7-title story-7-desc"));
        assert_eq!(svg.child("title").and_then(|t| t.attr("id")), Some("story-7-title"));
        let desc = svg.child("desc").expect("desc");
        assert_eq!(desc.attr("id"), Some("story-7-desc"));
        assert_eq!(desc.text, "5 reports from 3 outlets between 1 Feb 2026 08:00 and 2 Feb 2026 10:15 UTC");
        assert!(svg.classed("tl-zone").iter().any(|t| t.text == "UTC"));
    }

    #[test]
    fn lanes_follow_first_reports_and_dots_link_with_tooltips() {
        let svg = parse(&timeline_svg("t", &sample()));
        let labels: Vec<&str> = svg.classed("tl-label").iter().map(|l| l.text.as_str()).collect();
        assert_eq!(labels, ["Herald", "Gazette", "Courier"]);
        let links = svg.named("a");
        assert_eq!(links.len(), 5);
        assert_eq!(links[0].attr("href"), Some("https://herald.example/1"));
        let tip = &links[0].child("title").expect("tooltip").text;
        assert_eq!(tip, "Herald — First — 1 Feb 2026 08:00 UTC");
        let herald_y = links[0].child("circle").expect("dot").number("cy");
        let fifth = links.iter().find(|a| a.attr("href") == Some("/article/5")).expect("fifth");
        assert_eq!(fifth.child("circle").expect("dot").number("cy"), herald_y);
    }

    #[test]
    fn dots_are_placed_in_time_order() {
        let entries = sample();
        let svg = parse(&timeline_svg("t", &entries));
        let mut placed: Vec<(DateTime<Utc>, f64)> = svg
            .named("a")
            .iter()
            .map(|a| {
                let href = a.attr("href").expect("href");
                let when = entries.iter().find(|e| e.href == href).expect("known report").at;
                (when, a.child("circle").expect("dot").number("cx"))
            })
            .collect();
        placed.sort_by_key(|&(when, _)| when);
        assert!(placed.windows(2).all(|w| w[0].1 < w[1].1), "{placed:?}");
        assert_eq!(placed[0].1, TL_PLOT_LEFT);
        assert_eq!(placed[4].1, TL_PLOT_RIGHT);
    }

    #[test]
    fn no_entries_draw_nothing() {
        assert_eq!(timeline_svg("t", &[]), "");
        assert_eq!(framing_svg("f", &[]), "");
    }

    #[test]
    fn a_single_instant_is_centred() {
        let one = [entry("Herald", at(1, 8, 0), "Only", "https://herald.example/1")];
        let svg = parse(&timeline_svg("t", &one));
        let dot = &svg.named("circle")[0];
        assert_eq!(dot.number("cx"), (TL_PLOT_LEFT + TL_PLOT_RIGHT) / 2.0);
        assert_eq!(svg.child("desc").expect("desc").text, "1 report from 1 outlet at 1 Feb 2026 08:00 UTC");
        let ticks: Vec<&str> = svg.classed("tl-tick").iter().map(|t| t.text.as_str()).collect();
        assert!(ticks.contains(&"08:00"), "{ticks:?}");

        let same = [
            entry("Herald", at(1, 8, 0), "A", "/a"),
            entry("Gazette", at(1, 8, 0), "B", "/b"),
            entry("Courier", at(1, 8, 0), "C", "/c"),
        ];
        let svg = parse(&timeline_svg("t", &same));
        let xs: Vec<f64> = svg.named("circle").iter().map(|c| c.number("cx")).collect();
        assert_eq!(xs.len(), 3);
        assert!(xs.iter().all(|&x| x == (TL_PLOT_LEFT + TL_PLOT_RIGHT) / 2.0), "{xs:?}");
    }

    #[test]
    fn names_and_titles_are_escaped() {
        let nasty = [
            entry(
                "A<b>&\"c\"",
                at(1, 8, 0),
                "<script>alert('x')</script> & more",
                "https://x.example/?a=1&b=2",
            ),
            entry("Herald", at(1, 9, 0), "Fine", "javascript:alert(1)"),
        ];
        let markup = timeline_svg("t", &nasty);
        assert!(!markup.contains("<script") && !markup.contains("<b>"));
        let svg = parse(&markup);
        assert_eq!(svg.classed("tl-label")[0].text, "A<b>&\"c\"");
        let link = &svg.named("a")[0];
        assert_eq!(link.attr("href"), Some("https://x.example/?a=1&b=2"));
        assert!(link.child("title").expect("tip").text.contains("<script>alert('x')</script> & more"));
        assert_eq!(svg.named("a").len(), 1, "script links are not drawn as links");
        assert_eq!(svg.named("circle").len(), 2);

        let bars = [FramingBar { label: "Q&A <\"Daily\">".into(), shares: [50, 50, 0, 0, 0, 0] }];
        let svg = parse(&framing_svg("f", &bars));
        assert_eq!(svg.classed("fr-label")[0].text, "Q&A <\"Daily\">");
    }

    #[test]
    fn long_names_are_cut_and_many_outlets_grow_the_drawing() {
        let long = "The Extremely Long-Named Morning Chronicle of Everywhere";
        let svg = parse(&timeline_svg("t", &[entry(long, at(1, 8, 0), "T", "/a")]));
        let label = &svg.classed("tl-label")[0];
        assert!(label.text.ends_with('…') && label.text.chars().count() <= LABEL_CHARS, "{}", label.text);
        assert_eq!(label.child("title").expect("full name").text, long);
        let small = view_box_height(&svg);

        let many: Vec<TimelineEntry> =
            (0..30).map(|i| entry(&format!("Outlet {i}"), at(1, 8, i), "T", "/a")).collect();
        let svg = parse(&timeline_svg("t", &many));
        assert_eq!(svg.classed("tl-label").len(), 30);
        assert!(view_box_height(&svg) > small + 28.0 * TL_LANE);
    }

    #[test]
    fn ticks_suit_the_span() {
        let hours = [entry("A", at(1, 8, 0), "", "/a"), entry("B", at(1, 14, 0), "", "/b")];
        let svg = parse(&timeline_svg("t", &hours));
        let ticks: Vec<&str> = svg.classed("tl-tick").iter().map(|t| t.text.as_str()).collect();
        assert_eq!(ticks, ["08:00", "10:00", "12:00", "14:00", "UTC"]);
        let dates: Vec<&str> = svg.classed("tl-date").iter().map(|t| t.text.as_str()).collect();
        assert_eq!(dates, ["1 Feb"]);

        let days = [entry("A", at(1, 8, 0), "", "/a"), entry("B", at(5, 14, 0), "", "/b")];
        let svg = parse(&timeline_svg("t", &days));
        let ticks: Vec<&str> = svg.classed("tl-tick").iter().map(|t| t.text.as_str()).collect();
        assert_eq!(ticks, ["2 Feb", "3 Feb", "4 Feb", "5 Feb", "UTC"]);

        let minutes = [entry("A", at(1, 23, 50), "", "/a"), entry("B", at(2, 0, 10), "", "/b")];
        let svg = parse(&timeline_svg("t", &minutes));
        let dates: Vec<&str> = svg.classed("tl-date").iter().map(|t| t.text.as_str()).collect();
        assert_eq!(dates, ["1 Feb", "2 Feb"]);

        let seconds = Utc.with_ymd_and_hms(2026, 2, 1, 8, 0, 40).single().expect("valid");
        let short = [
            entry("A", at(1, 8, 0) + chrono::Duration::seconds(10), "", "/a"),
            entry("B", seconds, "", "/b"),
        ];
        let svg = parse(&timeline_svg("t", &short));
        assert_eq!(svg.classed("tl-tick")[0].text, "08:00");
    }

    #[test]
    fn framing_is_well_formed_with_a_legend() {
        let bars = [
            FramingBar { label: "Herald".into(), shares: [40, 30, 12, 8, 6, 4] },
            FramingBar { label: "Gazette".into(), shares: [60, 20, 10, 5, 3, 3] },
        ];
        let svg = parse(&framing_svg("fr-1", &bars));
        assert_eq!(svg.attr("role"), Some("img"));
        assert_eq!(svg.attr("aria-labelledby"), Some("fr-1-title fr-1-desc"));
        assert_eq!(
            svg.child("desc").expect("desc").text,
            "Herald: stated 40%, attributed 30%, hedged 12%, unnamed sources 8%, opinion 6%, questions 4%; \
             Gazette: stated 60%, attributed 20%, hedged 10%, unnamed sources 5%, opinion 3%, questions 3%"
        );
        let keys: Vec<&str> = svg.classed("fr-legend-label").iter().map(|t| t.text.as_str()).collect();
        assert_eq!(keys, ["Stated", "Attributed", "Hedged", "Unnamed sources", "Opinion", "Questions"]);
        let segments = svg.classed("fr-seg");
        assert_eq!(segments.len(), 12);
        let hedged = segments.iter().find(|s| s.has_class("fr-hedged")).expect("hedged");
        assert_eq!(hedged.child("title").expect("tip").text, "Hedged: 12%");
        assert_eq!(hedged.child("text").expect("fits its percentage").text, "12%");
        let right_edge = |s: &&Node| {
            let rect = s.child("rect").expect("rect");
            rect.number("x") + rect.number("width")
        };
        let widest = segments.iter().map(right_edge).fold(0.0, f64::max);
        assert!(widest <= WIDTH + 0.05, "{widest}");
    }

    #[test]
    fn empty_segments_are_left_out() {
        let bars = [FramingBar { label: String::new(), shares: [70, 0, 30, 0, 0, 0] }];
        let svg = parse(&framing_svg("f", &bars));
        let segments = svg.classed("fr-seg");
        assert_eq!(segments.len(), 2);
        assert!(segments[0].has_class("fr-stated") && segments[1].has_class("fr-hedged"));
        assert!(svg.classed("fr-label").is_empty(), "an unlabelled bar needs no label column");
        assert_eq!(segments[0].child("rect").expect("rect").number("x"), 0.0);
        assert_eq!(svg.classed("fr-key").len(), 6, "the legend always names every category");
        assert_eq!(svg.child("desc").expect("desc").text, "stated 70%, hedged 30%");
    }

    #[test]
    fn narrow_segments_carry_no_text_and_odd_totals_fit() {
        let bars = [FramingBar { label: "Herald".into(), shares: [97, 1, 1, 1, 1, 1] }];
        let svg = parse(&framing_svg("f", &bars));
        let segments = svg.classed("fr-seg");
        assert_eq!(segments.len(), 6);
        assert!(segments[0].child("text").is_some());
        assert!(segments[1..].iter().all(|s| s.child("text").is_none()));
        let last = segments[5].child("rect").expect("rect");
        assert!((last.number("x") + last.number("width") - WIDTH).abs() < 0.2);

        let nothing = [FramingBar { label: "Herald".into(), shares: [0; 6] }];
        let svg = parse(&framing_svg("f", &nothing));
        assert!(svg.classed("fr-seg").is_empty());
        assert_eq!(svg.classed("fr-empty").len(), 1);
    }

    #[test]
    fn prefixes_become_safe_ids() {
        let svg =
            parse(&framing_svg("a b\"c", &[FramingBar { label: "X".into(), shares: [100, 0, 0, 0, 0, 0] }]));
        assert_eq!(svg.attr("aria-labelledby"), Some("a_b_c-title a_b_c-desc"));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(xml_escape("a\u{1}b\u{7f}c\td"), "abc\td");
    }
}
