//! Documents for machines rather than readers: Atom feeds of stories (all, an entity's) and of
//! reports (an outlet's, a search's), the sitemap and robots.txt.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use parallax_core::{ArticleSummary, OutletId, Story, StoryId};
use parallax_store::{Page, SearchOrder};

use crate::atom::{Entry, Feed, SITEMAP_MAX_URLS, tag_uri, write_feed, write_sitemap};
use crate::error::PageError;
use crate::pages::{Segment, Site};
use crate::params::{SearchParams, path_segment};
use crate::view::{entity_href, excerpt, outlets_shown};
use crate::{AppState, read};

/// The most named entities whose pages the sitemap lists.
const SITEMAP_ENTITIES: u32 = 2000;

/// Entries per feed.
const FEED_ENTRIES: u32 = 30;

/// The day the ids of every entry are minted under: fixed, so that an entry's id never changes.
fn id_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
}

fn atom(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], body).into_response()
}

/// The host an entry's id is minted under: the site's, without its port.
fn authority(site: &Site) -> String {
    let host = site.authority();
    host.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
        .to_owned()
}

fn story_entry(site: &Site, story: &Story) -> Entry {
    let outlets: Vec<String> = outlets_shown(story).into_iter().map(str::to_owned).collect();
    let span = story.time_span();
    Entry {
        id: tag_uri(&authority(site), id_day(), &format!("story/{}", story.id)),
        title: story.title.clone(),
        href: site.url(&format!("/story/{}", story.id)),
        updated: span.map_or(story.created_at, |(_, last)| last.max(story.created_at)),
        published: span.map(|(first, _)| first),
        authors: outlets,
        summary: format!(
            "{} reports from {} outlets. {}",
            story.articles.len(),
            story.outlet_count(),
            story.articles.first().map(|a| excerpt(&a.lead, 400)).unwrap_or_default()
        ),
        categories: Vec::new(),
    }
}

fn article_entry(site: &Site, article: &ArticleSummary, story: StoryId) -> Entry {
    let updated = article.published.unwrap_or(article.ingested_at);
    Entry {
        id: tag_uri(&authority(site), id_day(), &format!("article/{}", article.id)),
        title: article.title.clone(),
        href: site.url(&format!("/article/{}", article.id)),
        updated,
        published: article.published,
        authors: article.outlet.iter().cloned().collect(),
        summary: format!("{} (story {story})", excerpt(&article.lead, 400)),
        categories: Vec::new(),
    }
}

fn feed(site: &Site, title: String, self_path: &str, page_path: &str, entries: Vec<Entry>) -> Response {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    atom(write_feed(&Feed {
        id: tag_uri(&authority(site), id_day(), &format!("feed{self_path}")),
        title,
        subtitle: Some("Every report of a story, side by side".to_owned()),
        updated,
        self_href: site.url(self_path),
        alternate_href: site.url(page_path),
        entries,
    }))
}

const LATEST: Page = Page { offset: 0, limit: FEED_ENTRIES };

pub(crate) async fn stories(State(state): State<AppState>, site: Site) -> Result<Response, PageError> {
    let stories = read(&state, |s| s.stories(LATEST)).await?;
    let entries = stories.iter().map(|s| story_entry(&site, s)).collect();
    Ok(feed(&site, "Parallax: all stories".to_owned(), "/feed.atom", "/", entries))
}

pub(crate) async fn outlet(
    State(state): State<AppState>,
    site: Site,
    Segment(id): Segment,
) -> Result<Response, PageError> {
    let id: OutletId = id.parse().map_err(|_| PageError::NotFound)?;
    let (record, reports) = read(&state, move |s| {
        let Some(record) = s.outlet(id)? else { return Ok((None, Vec::new())) };
        Ok((Some(record), s.outlet_articles(id, LATEST)?))
    })
    .await?;
    let record = record.ok_or(PageError::NotFound)?;
    let entries = reports.iter().map(|(a, story)| article_entry(&site, a, *story)).collect();
    let path = format!("/outlet/{id}");
    Ok(feed(&site, format!("Parallax: {}", record.name), &format!("{path}/feed.atom"), &path, entries))
}

pub(crate) async fn entity(
    State(state): State<AppState>,
    site: Site,
    Segment(id): Segment,
) -> Result<Response, PageError> {
    let key = id.clone();
    let (record, stories) = read(&state, move |s| {
        let Some(record) = s.entity(&key)? else { return Ok((None, Vec::new())) };
        Ok((Some(record), s.entity_stories(&key, LATEST)?))
    })
    .await?;
    let record = record.ok_or(PageError::NotFound)?;
    let entries = stories.iter().map(|s| story_entry(&site, s)).collect();
    let path = entity_href(&record.id);
    let self_path = format!("/entity/{}/feed.atom", path_segment(&record.id));
    Ok(feed(&site, format!("Parallax: {}", record.name), &self_path, &path, entries))
}

pub(crate) async fn search(
    State(state): State<AppState>,
    site: Site,
    Query(params): Query<SearchParams>,
) -> Result<Response, PageError> {
    let mut query = params.query(Some(FEED_ENTRIES)).map_err(PageError::BadRequest)?;
    query.order = SearchOrder::Newest;
    query.page = LATEST;
    let text = query.text.clone();
    let results = read(&state, move |s| s.search(&query)).await?;
    let entries = results.hits.iter().map(|h| article_entry(&site, &h.article, h.story)).collect();
    let string = crate::pages::search_query_string(&params, false);
    let page = if string.is_empty() { "/search".to_owned() } else { format!("/search?{string}") };
    let title = if text.is_empty() {
        "Parallax: search".to_owned()
    } else {
        format!("Parallax: reports matching {text}")
    };
    Ok(feed(&site, title, &format!("/search/feed.atom?{string}"), &page, entries))
}

pub(crate) async fn sitemap(State(state): State<AppState>, site: Site) -> Result<Response, PageError> {
    let (heads, outlets, entities) = read(&state, |s| {
        let heads = s.story_heads(Page { offset: 0, limit: SITEMAP_MAX_URLS as u32 })?;
        let outlets = s.outlet_names()?;
        let entities = s.top_entities(None, Page { offset: 0, limit: SITEMAP_ENTITIES })?;
        Ok((heads, outlets, entities))
    })
    .await?;
    // The few listing pages first, then stories, newest first, as many as the file may hold.
    let mut urls: Vec<(String, Option<DateTime<Utc>>)> =
        vec![(site.url("/"), heads.first().map(|h| h.updated_at))];
    urls.extend(outlets.iter().map(|(id, _)| (site.url(&format!("/outlet/{id}")), None)));
    urls.extend(entities.iter().map(|e| (site.url(&entity_href(&e.id)), None)));
    urls.extend(heads.iter().map(|h| (site.url(&format!("/story/{}", h.id)), Some(h.updated_at))));
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], write_sitemap(&urls)).into_response())
}

pub(crate) async fn robots(site: Site) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /search\nDisallow: /api/search\nAllow: /\n\nSitemap: {}\n",
        site.url("/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
