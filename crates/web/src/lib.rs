//! The Parallax news site: server-rendered pages over a [`Store`](parallax_store::Store).
//!
//! [`router`] builds the axum application from an [`AppState`]; [`serve`] binds it to an address and
//! runs it until shutdown. Pages are rendered with compile-time checked templates and need no
//! JavaScript; the one stylesheet is embedded in the binary.
//!
//! | path | page |
//! |---|---|
//! | `/` | front page: stories, most recently updated first |
//! | `/story/{id}` | one story, its reports side by side |
//! | `/article/{id}` | one report in a reader view |
//! | `/about` | what Parallax is, and the sources of the demo corpus |

mod error;
mod pages;
mod reader;
mod view;

pub use error::WebError;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use parallax_store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The store pages read from.
    pub store: Arc<dyn Store>,
}

/// The whole site.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::front))
        .route("/story/{id}", get(pages::story))
        .route("/article/{id}", get(pages::article))
        .route("/about", get(pages::about))
        .route("/static/style.css", get(pages::stylesheet))
        .fallback(pages::not_found)
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
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await.map_err(WebError::Serve)
}
