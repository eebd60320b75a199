//! The article reader view: one report's text with each sentence marked by how it presents what it
//! says, its lead image with caption and credit, what the analysis found, the copies of its text
//! other outlets ran, and readers' discussion of it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use parallax_core::{ArticleId, StoryId};
use parallax_store::Target;

use super::{Meta, Segment, Site, render, script_json, web_url};
use crate::community::Viewer;
use crate::community::comments::{Section, ThreadParams, per_reader, section};
use crate::error::PageError;
use crate::reader::{Findings, ReaderBlock};
use crate::view::{self, UNATTRIBUTED};
use crate::{AppState, read};

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    meta: Meta,
    story: Option<i64>,
    title: String,
    outlet: String,
    outlet_href: String,
    attributed: bool,
    byline: String,
    dateline: String,
    when: String,
    iso: String,
    url: String,
    caption: String,
    credit: String,
    image_url: String,
    has_image: bool,
    body: Vec<ReaderBlock>,
    findings: Option<Findings>,
    words: usize,
    copies: Vec<CopyView>,
    lead: String,
    /// Readers' discussion.
    comments: Section,
}

/// Another outlet's run of the same text, as listed under the article.
struct CopyView {
    outlet: String,
    title: String,
    url: String,
    when: String,
    shared: String,
}

impl CopyView {
    fn new(copy: parallax_store::CopyRecord) -> Self {
        CopyView {
            outlet: copy.outlet.unwrap_or_else(|| UNATTRIBUTED.to_owned()),
            title: copy.title,
            url: web_url(copy.url.as_deref()),
            when: view::when(copy.published.map(|t| t.fixed_offset())),
            shared: format!("{:.0}%", copy.similarity * 100.0),
        }
    }
}

pub(crate) async fn article(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    Segment(id): Segment,
    Query(params): Query<ThreadParams>,
) -> Result<Response, PageError> {
    let id: ArticleId = id.parse().map_err(|_| PageError::NotFound)?;
    params.sort()?;
    let (stored, analysis, copies, outlet_id) = read(&state, move |s| {
        let Some(stored) = s.article(id)? else { return Ok((None, None, Vec::new(), None)) };
        let names: Vec<String> = stored.article.outlet.iter().cloned().collect();
        let outlet_id = s.outlet_ids(&names)?.into_values().next();
        Ok((Some(stored), s.analysis(id)?, s.copies(id)?, outlet_id))
    })
    .await?;
    let stored = stored.ok_or(PageError::NotFound)?;
    let comments = section(&state, &viewer, Target::Article(id), &params).await?;
    let a = &stored.article;
    let image = a.image.clone().unwrap_or_default();
    let image_url = web_url(image.url.as_deref());
    let lead = view::excerpt(a.lead().unwrap_or_default(), 300);
    let mut meta = Meta::page(&site, &format!("/article/{id}"));
    meta.og_type = "article";
    meta.image = image_url.clone();
    let mut json = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "url": meta.canonical,
        "mainEntityOfPage": meta.canonical,
        "description": lead,
        "wordCount": a.word_count(),
        "author": a.byline.iter().map(|name| serde_json::json!({ "@type": "Person", "name": name })).collect::<Vec<_>>(),
    });
    if let Some(outlet) = &a.outlet {
        json["publisher"] = serde_json::json!({ "@type": "Organization", "name": outlet });
    }
    if let Some(published) = a.published {
        json["datePublished"] = published.to_rfc3339().into();
    }
    if let Some(language) = &a.language {
        json["inLanguage"] = language.clone().into();
    }
    if let Some(dateline) = &a.dateline {
        json["dateline"] = dateline.clone().into();
    }
    if !image_url.is_empty() {
        let mut picture = serde_json::json!({ "@type": "ImageObject", "url": image_url });
        if let Some(caption) = &image.caption {
            picture["caption"] = caption.clone().into();
        }
        if let Some(credit) = &image.credit {
            picture["creditText"] = credit.clone().into();
        }
        json["image"] = picture;
    }
    let source = web_url(a.url.as_deref());
    if !source.is_empty() {
        json["isBasedOn"] = source.clone().into();
    }
    meta.json_ld = script_json(&json);
    let page = render(&ArticlePage {
        meta,
        story: stored.story.map(StoryId::get),
        title: a.title.clone(),
        outlet: a.outlet.clone().unwrap_or_else(|| UNATTRIBUTED.to_owned()),
        outlet_href: outlet_id.map(|id| format!("/outlet/{id}")).unwrap_or_default(),
        attributed: a.outlet.is_some(),
        byline: a.byline.join(", "),
        dateline: a.dateline.clone().unwrap_or_default(),
        when: view::when(a.published),
        iso: view::iso(a.published),
        url: source,
        has_image: a.image.is_some(),
        caption: image.caption.unwrap_or_default(),
        credit: image.credit.unwrap_or_default(),
        image_url,
        body: ReaderBlock::build(&a.body, analysis.as_ref()),
        findings: analysis.as_ref().map(Findings::new),
        words: a.word_count(),
        copies: copies.into_iter().map(CopyView::new).collect(),
        lead,
        comments,
    })?;
    Ok(per_reader(page, &viewer))
}
