//! The story page: the comparison of its reports (what several outlets say, what one alone says,
//! where they disagree, who said what, how each outlet tells it), a timeline of who reported when,
//! the people, organisations and places it names, the reports side by side, and readers' discussion
//! of it with their rating of its coverage.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use parallax_core::{Story, StoryId};
use parallax_store::Target;

use super::{Meta, Segment, Site, render, script_json};
use crate::charts::{FramingBar, TimelineEntry, framing_svg, timeline_svg};
use crate::community::Viewer;
use crate::community::comments::{Section, ThreadParams, per_reader, section};
use crate::error::PageError;
use crate::view::{Coverage, EntityLink, Grouping, ReportCard, StoryCard, UNATTRIBUTED};
use crate::{AppState, read};

/// Entities listed on a story page.
const STORY_ENTITIES: usize = 18;

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    meta: Meta,
    card: StoryCard,
    reports: Vec<ReportCard>,
    coverage: Coverage,
    timeline: String,
    /// Each outlet covering the story once, with its page (empty for the unattributed).
    outlets: Vec<(String, String)>,
    framing_chart: String,
    people: Vec<EntityLink>,
    organisations: Vec<EntityLink>,
    places: Vec<EntityLink>,
    /// Stories merged into this one, with the mean probability they matched at.
    merged: Vec<(i64, String)>,
    /// The story this one split from, with the mean probability of one event the split was made at.
    split_from: Option<(i64, String)>,
    /// Stories split off this one, likewise.
    split_into: Vec<(i64, String)>,
    /// Readers' discussion.
    comments: Section,
}

/// What a story id leads to.
enum Found<T> {
    Story(Box<T>),
    /// Merged into this story.
    Moved(StoryId),
    Missing,
}

pub(crate) async fn story(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    Segment(id): Segment,
    Query(params): Query<ThreadParams>,
) -> Result<Response, PageError> {
    let id: StoryId = id.parse().map_err(|_| PageError::NotFound)?;
    params.sort()?;
    let found = read(&state, move |s| {
        let Some(story) = s.story(id)? else {
            return Ok(match s.story_alias(id)? {
                Some(kept) => Found::Moved(kept),
                None => Found::Missing,
            });
        };
        let analyses = s.story_analyses(id)?;
        // The comparison is CPU work: done here, off the async workers.
        let coverage = Coverage::new(&story, &analyses);
        let mut assignments = s.story_assignments(id)?;
        let assignments: Vec<_> = story.articles.iter().map(|a| assignments.remove(&a.id)).collect();
        let merged = s.merged_into(id)?;
        let splits = s.splits(id)?;
        let mut entities = s.story_entities(&[id], STORY_ENTITIES)?;
        let entities = entities.remove(&id).unwrap_or_default();
        Ok(Found::Story(Box::new((story, coverage, assignments, merged, splits, entities))))
    })
    .await?;
    let (story, coverage, assignments, merged, splits, entities) = match found {
        Found::Story(found) => *found,
        Found::Moved(kept) => return Ok(Redirect::permanent(&format!("/story/{kept}")).into_response()),
        Found::Missing => return Err(PageError::NotFound),
    };
    let comments = section(&state, &viewer, Target::Story(story.id), &params).await?;
    let reports: Vec<ReportCard> = story
        .articles
        .iter()
        .zip(&assignments)
        .map(|(a, assignment)| {
            let mut card = ReportCard::new(a, Grouping::new(assignment.as_ref(), &story));
            if let Some(id) = a.outlet_id {
                card.outlet_href = format!("/outlet/{id}");
            }
            card
        })
        .collect();
    let mut outlet_links: Vec<(String, String)> = Vec::new();
    for r in &reports {
        if !outlet_links.iter().any(|(name, _)| *name == r.outlet) {
            outlet_links.push((r.outlet.clone(), r.outlet_href.clone()));
        }
    }
    let of_kind = |kind| entities.iter().filter(|e| e.kind == kind).map(EntityLink::new).collect();
    use parallax_nlp::EntityKind;
    let card = StoryCard::new(&story);
    let meta = story_meta(&site, &story, &card);
    let page = render(&StoryPage {
        meta,
        timeline: timeline_svg("timeline", &timeline_entries(&story)),
        outlets: outlet_links,
        framing_chart: framing_svg(
            "framing",
            &coverage
                .framing
                .iter()
                .map(|f| FramingBar { label: f.outlet.clone(), shares: f.shares })
                .collect::<Vec<_>>(),
        ),
        people: of_kind(EntityKind::Person),
        organisations: of_kind(EntityKind::Organisation),
        places: of_kind(EntityKind::Place),
        card,
        reports,
        coverage,
        merged: merged.into_iter().map(shown_link).collect(),
        split_from: splits.from.map(shown_link),
        split_into: splits.into.into_iter().map(shown_link).collect(),
        comments,
    })?;
    Ok(per_reader(page, &viewer))
}

fn timeline_entries(story: &Story) -> Vec<TimelineEntry> {
    story
        .articles
        .iter()
        .filter_map(|a| {
            Some(TimelineEntry {
                outlet: a.outlet.clone().unwrap_or_else(|| UNATTRIBUTED.to_owned()),
                at: a.published?,
                title: a.title.clone(),
                href: format!("/article/{}", a.id),
            })
        })
        .collect()
}

/// The story as a schema.org `NewsArticle`: its headline, its reports' outlets as publishers, the
/// first and latest report times.
fn story_meta(site: &Site, story: &Story, card: &StoryCard) -> Meta {
    let path = format!("/story/{}", story.id);
    let mut meta = Meta::page(site, &path);
    meta.og_type = "article";
    meta.image = card.image.clone();
    let outlets = story.outlet_names();
    let span = story.time_span();
    let mut json = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "url": meta.canonical,
        "mainEntityOfPage": meta.canonical,
        "description": card.lead,
        "author": outlets.iter().map(|name| serde_json::json!({ "@type": "Organization", "name": name })).collect::<Vec<_>>(),
        "publisher": { "@type": "Organization", "name": "Parallax" },
        "isBasedOn": story.articles.iter().map(|a| site.url(&format!("/article/{}", a.id))).collect::<Vec<_>>(),
    });
    if let Some((first, last)) = span {
        json["datePublished"] = first.to_rfc3339().into();
        json["dateModified"] = last.to_rfc3339().into();
    }
    if !card.image.is_empty() {
        json["image"] = card.image.clone().into();
    }
    meta.json_ld = script_json(&json);
    meta
}

/// A story link with its probability as shown.
fn shown_link((id, probability): (StoryId, f32)) -> (i64, String) {
    (id.get(), format!("{probability:.2}"))
}
