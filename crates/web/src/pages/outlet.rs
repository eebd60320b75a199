//! Outlet pages: an outlet's reports with the stories they belong to and a chart of how its
//! sentences present what they say; and the index of every outlet side by side.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use parallax_core::OutletId;
use parallax_store::OutletRecord;

use super::{Meta, Segment, Site, pager, render, web_url};
use crate::charts::{FRAMING_CATEGORIES, FramingBar, framing_svg};
use crate::error::PageError;
use crate::params::{PageParam, page_with_lookahead};
use crate::view::{self, ReportCard};
use crate::{AppState, read};

/// Reports per outlet page.
const REPORTS_PER_PAGE: u32 = 20;

/// Outlets drawn in the index's chart; the table lists them all.
const CHARTED_OUTLETS: usize = 16;

/// An outlet's figures as shown.
struct OutletView {
    id: i64,
    name: String,
    site: String,
    articles: u64,
    stories: u64,
    span: String,
    sentences: u64,
    /// (category name, percentage).
    shares: Vec<(&'static str, u32)>,
}

impl OutletView {
    fn new(o: &OutletRecord) -> Self {
        let day = |t: chrono::DateTime<chrono::Utc>| t.format("%-d %b %Y").to_string();
        let span = match (o.first_published, o.last_published) {
            (Some(first), Some(last)) if day(first) != day(last) => format!("{} – {}", day(first), day(last)),
            (Some(first), _) => day(first),
            _ => String::new(),
        };
        let percentages = o.stances.percentages();
        OutletView {
            id: o.id.get(),
            name: o.name.clone(),
            site: web_url(o.site_url.as_deref()),
            articles: o.articles,
            stories: o.stories,
            span,
            sentences: o.stances.sentences,
            shares: FRAMING_CATEGORIES.iter().zip(percentages).map(|((_, name), p)| (*name, p)).collect(),
        }
    }

    fn bar(o: &OutletRecord) -> FramingBar {
        FramingBar { label: o.name.clone(), shares: o.stances.percentages() }
    }
}

#[derive(Template)]
#[template(path = "outlet.html")]
struct OutletPage {
    meta: Meta,
    outlet: OutletView,
    chart: String,
    reports: Vec<(ReportCard, i64)>,
    page: u32,
    prev: String,
    next: String,
    feed_href: String,
}

pub(crate) async fn outlet(
    State(state): State<AppState>,
    site: Site,
    Segment(id): Segment,
    Query(query): Query<PageParam>,
) -> Result<Response, PageError> {
    let id: OutletId = id.parse().map_err(|_| PageError::NotFound)?;
    let page = query.number().map_err(PageError::BadRequest)?;
    let window = page_with_lookahead(page, REPORTS_PER_PAGE);
    let (record, mut reports) = read(&state, move |s| {
        let Some(record) = s.outlet(id)? else { return Ok((None, Vec::new())) };
        Ok((Some(record), s.outlet_articles(id, window)?))
    })
    .await?;
    let record = record.ok_or(PageError::NotFound)?;
    let has_next = reports.len() > REPORTS_PER_PAGE as usize;
    reports.truncate(REPORTS_PER_PAGE as usize);
    if reports.is_empty() && page > 1 {
        return Err(PageError::NotFound);
    }
    let href = format!("/outlet/{id}");
    let (prev, next) = pager(&href, page, has_next);
    let feed_href = format!("/outlet/{id}/feed.atom");
    let here = if page == 1 { href.clone() } else { format!("{href}?page={page}") };
    let meta = Meta::page(&site, &here).with_feed(format!("Parallax: {}", record.name), feed_href.clone());
    let chart = if record.stances.sentences > 0 {
        framing_svg(
            "outlet-framing",
            &[FramingBar { label: String::new(), shares: record.stances.percentages() }],
        )
    } else {
        String::new()
    };
    render(&OutletPage {
        meta,
        outlet: OutletView::new(&record),
        chart,
        reports: reports
            .iter()
            .map(|(a, story)| {
                let grouping = view::Grouping { linked: None, reason: String::new() };
                (ReportCard::new(a, grouping), story.get())
            })
            .collect(),
        page,
        prev,
        next,
        feed_href,
    })
}

#[derive(Template)]
#[template(path = "outlets.html")]
struct OutletsPage {
    meta: Meta,
    outlets: Vec<OutletView>,
    chart: String,
}

pub(crate) async fn outlets(State(state): State<AppState>, site: Site) -> Result<Response, PageError> {
    let records = read(&state, |s| s.outlets()).await?;
    let charted: Vec<FramingBar> = records
        .iter()
        .filter(|o| o.stances.sentences > 0)
        .take(CHARTED_OUTLETS)
        .map(OutletView::bar)
        .collect();
    render(&OutletsPage {
        meta: Meta::page(&site, "/outlets"),
        chart: framing_svg("outlets-framing", &charted),
        outlets: records.iter().map(OutletView::new).collect(),
    })
}
