//! Errors of the web layer: failures to serve, and per-request errors turned into responses.

use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("the web server failed")]
    Serve(#[source] std::io::Error),
}

/// A request that cannot be answered with its page.
#[derive(Debug)]
pub(crate) enum PageError {
    /// Nothing here: the styled 404.
    NotFound,
    /// The request cannot be read (a page number that is not one): a 400 saying why.
    BadRequest(String),
    /// The form did not come from this site (its token is missing or wrong): a 403.
    Forbidden(String),
    /// Too many attempts in too short a time: a 429 saying when to try again.
    TooMany(std::time::Duration),
    /// Something broke; logged, and the reader gets a plain 500 page.
    Internal(String),
}

impl<E: std::error::Error> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError::Internal(parallax_core::error_chain(&error))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => crate::pages::not_found_response(),
            PageError::BadRequest(message) => crate::pages::error_response(StatusCode::BAD_REQUEST, &message),
            PageError::Forbidden(message) => crate::pages::error_response(StatusCode::FORBIDDEN, &message),
            PageError::TooMany(window) => {
                let minutes = window.as_secs().div_ceil(60);
                let mut response = crate::pages::error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!("Too many attempts. Please wait up to {minutes} minutes and try again."),
                );
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(window.as_secs()));
                response
            }
            PageError::Internal(message) => {
                tracing::error!(error = %message, "Page failed.");
                crate::pages::error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The page could not be shown. Please try again later.",
                )
            }
        }
    }
}
