//! The Parallax news site: server-rendered pages over a [`Store`](parallax_store::Store).
//!
//! [`router`] builds the axum application from an [`AppState`]; [`serve`] binds it to an address and
//! runs it until shutdown. Pages are rendered with compile-time checked templates and need no
//! JavaScript; the one stylesheet is embedded in the binary.
//!
//! | path | page |
//! |---|---|
//! | `/` | front page: stories ranked by breadth of coverage and recency, sections by place |
//! | `/story/{id}` | one story, its reports side by side |
//! | `/article/{id}` | one report in a reader view |
//! | `/search?q=&outlet=&entity=&from=&to=&sort=&page=` | full-text search with filters |
//! | `/entities`, `/entity/{id}` | the most named people, organisations and places; one of them |
//! | `/outlets`, `/outlet/{id}` | every outlet with its framing figures; one of them |
//! | `/about` | what Parallax is, and the sources of the demo corpus |
//! | `/feed.atom`, `/outlet/{id}/feed.atom`, `/entity/{id}/feed.atom`, `/search/feed.atom?q=` | Atom feeds |
//! | `/sitemap.xml`, `/robots.txt` | for crawlers |
//! | `/api/...`, `/api/openapi.json` | the read-only JSON API and its OpenAPI document |

mod api;
mod atom;
mod cache;
mod charts;
pub mod community;
mod error;
mod feeds;
mod markup;
mod pages;
mod params;
mod reader;
mod security;
mod view;
#[cfg(test)]
mod xml_tree;

pub use cache::{DEFAULT_TTL as DEFAULT_PAGE_TTL, PageCache};
pub use error::WebError;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use parallax_store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The store pages read from.
    pub store: Arc<dyn Store>,
    /// The site's public address ("https://news.example.org") for absolute links in feeds, sitemaps
    /// and link previews; `None` takes it from each request's `Host`.
    pub public_url: Option<String>,
    /// Rendered responses kept for a few seconds.
    pub cache: Arc<PageCache>,
    /// Addresses of reverse proxies in front of the site, whose `X-Forwarded-For` names the reader's
    /// address (for rate limits); requests from anywhere else are taken at their own address.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
}

impl AppState {
    /// A site over a store, its address taken from requests, pages kept for [`DEFAULT_PAGE_TTL`].
    pub fn new(store: Arc<dyn Store>) -> Self {
        AppState {
            store,
            public_url: None,
            cache: Arc::new(PageCache::new(cache::DEFAULT_TTL)),
            trusted_proxies: Arc::from(Vec::new()),
        }
    }
}

/// Runs a store read on the blocking pool, so that a slow query never stalls the async workers.
pub(crate) async fn read<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<T, parallax_store::StoreError> + Send + 'static,
) -> Result<T, error::PageError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref())).await?.map_err(error::PageError::from)
}

/// The largest request body read: a comment of the longest length in any script, form-encoded, fits.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The whole site.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::front))
        .route("/story/{id}", get(pages::story))
        .route("/article/{id}", get(pages::article))
        .route("/search", get(pages::search))
        .route("/entities", get(pages::entities))
        .route("/entity/{id}", get(pages::entity))
        .route("/outlets", get(pages::outlets))
        .route("/outlet/{id}", get(pages::outlet))
        .route("/about", get(pages::about))
        .route("/feed.atom", get(feeds::stories))
        .route("/outlet/{id}/feed.atom", get(feeds::outlet))
        .route("/entity/{id}/feed.atom", get(feeds::entity))
        .route("/search/feed.atom", get(feeds::search))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/robots.txt", get(feeds::robots))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/signin", get(community::accounts::sign_in_form).post(community::accounts::sign_in))
        .route("/signup", get(community::accounts::sign_up_form).post(community::accounts::sign_up))
        .route("/signout", post(community::accounts::sign_out))
        .route("/account", get(community::accounts::account))
        .route("/account/password", post(community::accounts::change_password))
        .route("/account/token", post(community::accounts::new_api_token))
        .route("/reset", get(community::accounts::reset_form).post(community::accounts::reset))
        .route("/comments", post(community::comments::post))
        .route("/comments/{id}/edit", post(community::comments::edit))
        .route("/comments/{id}/delete", post(community::comments::delete))
        .route("/comments/{id}/report", post(community::comments::report))
        .route("/comments/{id}/vote", post(community::comments::vote))
        .route("/story/{id}/rating", post(community::comments::rate))
        .route("/moderation", get(community::moderation::queue))
        .route("/moderation/log", get(community::moderation::log))
        .route("/moderation/comments/{id}", post(community::moderation::comment))
        .route("/moderation/users/{id}/ban", post(community::moderation::ban))
        .route("/moderation/threads", post(community::moderation::thread))
        .nest(api::ROOT, api::routes())
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.cache.clone(), cache::serve_cached))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Serves the site on `addr` until the shutdown future completes. Calls `on_ready` with the bound
/// address (useful when `addr` asks for port 0).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), WebError> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|source| WebError::Bind { addr, source })?;
    let bound = listener.local_addr().map_err(|source| WebError::Bind { addr, source })?;
    on_ready(bound);
    // The peer's address is kept with each request, for rate limits.
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(WebError::Serve)
}
