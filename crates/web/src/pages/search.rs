//! The search page: reports found by their words, with the matched words marked in their titles
//! and passages, the stories they belong to, filters by outlet, entity and dates, and pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use parallax_store::{SearchHit, SearchOrder, SearchResults, Snippet};

use super::{Meta, Site, pager};
use crate::error::PageError;
use crate::params::{SearchParams, query_value};
use crate::view::{self, UNATTRIBUTED};
use crate::{AppState, read};

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    meta: Meta,
    q: String,
    /// The filters as given, to fill the form again.
    entity: String,
    entity_name: String,
    from: String,
    to: String,
    newest: bool,
    /// Outlets to choose from: (id, name, chosen).
    outlets: Vec<(i64, String, bool)>,
    /// What is wrong with the request, when something is.
    error: String,
    /// Whether anything was asked.
    asked: bool,
    total: u64,
    first: u64,
    last: u64,
    hits: Vec<HitView>,
    stories: Vec<StoryView>,
    prev: String,
    next: String,
    /// The query string of this search without its page, for the feed and for removing a filter.
    feed: String,
    without_entity: String,
}

/// A found report as listed.
struct HitView {
    id: i64,
    title: Vec<(String, bool)>,
    snippet: Vec<(String, bool)>,
    outlet: String,
    when: String,
    iso: String,
    story: i64,
    story_title: String,
}

/// A story with found reports.
struct StoryView {
    id: i64,
    title: String,
    matched: u64,
    reports: u64,
    outlets: u64,
}

fn runs(snippet: &Snippet) -> Vec<(String, bool)> {
    snippet.0.iter().map(|p| (p.text.clone(), p.matched)).collect()
}

impl HitView {
    fn new(hit: &SearchHit) -> Self {
        let published = hit.article.published.map(|t| t.fixed_offset());
        HitView {
            id: hit.article.id.get(),
            title: runs(&hit.title),
            snippet: runs(&hit.snippet),
            outlet: hit.article.outlet.clone().unwrap_or_else(|| UNATTRIBUTED.to_owned()),
            when: view::when(published),
            iso: view::iso(published),
            story: hit.story.get(),
            story_title: hit.story_title.clone(),
        }
    }
}

/// The query string for these parameters, leaving out blanks and the page.
pub(crate) fn query_string(params: &SearchParams, drop_entity: bool) -> String {
    let mut pairs = Vec::new();
    let mut add = |name: &str, value: &Option<String>| {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            pairs.push(format!("{name}={}", query_value(v)));
        }
    };
    add("q", &params.q);
    add("outlet", &params.outlet);
    if !drop_entity {
        add("entity", &params.entity);
    }
    add("from", &params.from);
    add("to", &params.to);
    add("sort", &params.sort);
    pairs.join("&")
}

pub(crate) async fn search(
    State(state): State<AppState>,
    site: Site,
    Query(params): Query<SearchParams>,
) -> Result<Response, PageError> {
    // What is shown, linked and followed is what is searched: the text as far as it is read.
    let params = params.shortened();
    let query = params.query(None);
    let asked = query.as_ref().map_or(true, |q| !q.is_empty());
    let entity_id = query.as_ref().ok().and_then(|q| q.entity.clone());
    let run = query.clone().ok().filter(|q| !q.is_empty());
    let (outlets, results, entity) = read(&state, move |s| {
        let outlets = s.outlet_names()?;
        let results = match &run {
            Some(q) => s.search(q)?,
            None => SearchResults::default(),
        };
        let entity = match &entity_id {
            Some(id) => s.entity(id)?,
            None => None,
        };
        Ok((outlets, results, entity))
    })
    .await?;
    let (error, page, per_page) = match &query {
        Ok(q) => (String::new(), q.page.offset / q.page.limit.max(1) + 1, q.page.limit),
        Err(message) => (message.clone(), 1, 1),
    };
    let shown = results.hits.len() as u64;
    let first = u64::from(page - 1) * u64::from(per_page) + 1;
    let has_next = first + shown <= results.total;
    let feed = query_string(&params, false);
    let base = if feed.is_empty() { "/search".to_owned() } else { format!("/search?{feed}") };
    let (prev, next) = pager(&base, page, has_next);
    let chosen_outlet = query.as_ref().ok().and_then(|q| q.outlet).map(|o| o.get());
    let mut meta = Meta::page(&site, &base);
    meta.feed = Some(("Parallax: search results".to_owned(), format!("/search/feed.atom?{feed}")));
    let q = params.q.clone().unwrap_or_default();
    let page_view = SearchPage {
        meta,
        entity: params.entity.clone().unwrap_or_default(),
        entity_name: entity.map(|e| e.name).unwrap_or_default(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        newest: matches!(query.as_ref().map(|q| q.order), Ok(SearchOrder::Newest)),
        outlets: outlets
            .into_iter()
            .map(|(id, name)| (id.get(), name, Some(id.get()) == chosen_outlet))
            .collect(),
        asked: asked && error.is_empty(),
        error,
        total: results.total,
        first,
        last: first + shown.saturating_sub(1),
        hits: results.hits.iter().map(HitView::new).collect(),
        stories: results
            .stories
            .iter()
            .map(|s| StoryView {
                id: s.id.get(),
                title: s.title.clone(),
                matched: s.matched,
                reports: s.reports,
                outlets: s.outlets,
            })
            .collect(),
        prev,
        next,
        without_entity: query_string(&params, true),
        feed,
        q,
    };
    let status = if page_view.error.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok((status, Html(page_view.render()?)).into_response())
}
