//! CORS, so that browsers can use the official client against this server.

use std::time::Duration;

use axum::http::{HeaderName, Method};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer, ExposeHeaders};

/// Echoes the origin and the requested headers, allows credentials, exposes every header.
pub(super) fn layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_headers(AllowHeaders::mirror_request())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
            Method::PATCH,
        ])
        .expose_headers(ExposeHeaders::list([
            HeaderName::from_static("x-rivet-error"),
            HeaderName::from_static("x-rivet-actor"),
            HeaderName::from_static("content-type"),
        ]))
        .max_age(Duration::from_secs(86_400))
}
