//! The outermost layer of every request: request id and tracing span, JSON body limit,
//! uniform errors for anything poem raised, security headers, and request metrics.

use std::{sync::Arc, time::Instant};

use poem::{
    Endpoint, EndpointExt, IntoResponse, PathPattern, Request, Response,
    http::{HeaderValue, Method, StatusCode, header},
};
use tracing::Instrument;

use super::{error::ApiError, metrics::HttpMetrics, security::AuthFailure};
use crate::error::ErrorCode;
use crate::{error::AppError, telemetry::REQUEST_ID};

/// Wraps `ep` with the cross-cutting behaviour listed in the module header.
pub fn wrap<E>(ep: E, metrics: Arc<HttpMetrics>, json_limit: usize) -> impl Endpoint<Output = Response>
where
    E: Endpoint + 'static,
{
    ep.around(move |ep, mut req| {
        let metrics = metrics.clone();
        async move {
            let id = req
                .header("x-request-id")
                .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                .map(str::to_owned)
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            let method = req.method().clone();
            let path = req.uri().path().to_owned();
            let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
            let started = Instant::now();
            let auth_failure = AuthFailure::default();
            req.extensions_mut().insert(auth_failure.clone());
            super::origin::mark_same_origin(&mut req);
            let served = async {
                // Someone who opens the server's address wants the documentation.
                if req.method() == Method::GET && req.uri().path() == "/" {
                    return poem::web::Redirect::see_other("/docs").into_response();
                }
                if let Err(e) = limit_body(&mut req, json_limit).await {
                    return ApiError::from(e).into_response();
                }
                let resp = match ep.call(req).await {
                    Ok(r) => r.into_response(),
                    // Operations return their `ApiError` as an error built from a response:
                    // that response already has the uniform body.
                    Err(e) if e.is_from_response() => e.into_response(),
                    Err(e) => {
                        let pattern = e.data::<PathPattern>().cloned();
                        let mut resp = ApiError::response_for(e);
                        if let Some(p) = pattern {
                            resp.set_data(p);
                        }
                        resp
                    }
                };
                match auth_failure.take() {
                    // Only the generic 401 of a failed security check is replaced; a handler
                    // that ran (some scheme succeeded) keeps its own answer.
                    Some(reason) if resp.status() == StatusCode::UNAUTHORIZED => {
                        let mut replaced = ApiError::from(reason).into_response();
                        if let Some(p) = resp.data::<PathPattern>() {
                            replaced.set_data(p.clone());
                        }
                        replaced
                    }
                    _ => resp,
                }
            };
            let mut resp = REQUEST_ID.scope(id.clone(), served.instrument(span.clone())).await;
            let elapsed = started.elapsed();
            let status = resp.status();
            metrics.observe(&method, resp.data::<PathPattern>().map(|p| &*p.0), status, elapsed);
            span.in_scope(|| {
                tracing::info!(
                    status = status.as_u16(),
                    latency_ms = elapsed.as_secs_f64() * 1000.0,
                    "request finished"
                )
            });
            let h = resp.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&id) {
                h.insert("x-request-id", v);
            }
            h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            Ok(resp)
        }
    })
}

/// Buffers a request body of at most `limit` bytes (413 beyond it, refused from
/// `Content-Length` without reading when it is declared).
async fn limit_body(req: &mut Request, limit: usize) -> Result<(), AppError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    // Uploads stream through their own per-type limits (see `api::upload`).
    if req.content_type().is_some_and(|ct| ct.starts_with("multipart/form-data")) {
        return Ok(());
    }
    let too_large = || {
        AppError::new(
            crate::error::ErrorKind::PayloadTooLarge,
            ErrorCode::PayloadTooLarge,
            format!("The request body exceeds {limit} bytes"),
        )
    };
    let declared = req.header(header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let bytes = req.take_body().into_bytes_limit(limit).await.map_err(|e| match e {
        poem::error::ReadBodyError::PayloadTooLarge => too_large(),
        other => AppError::new(
            crate::error::ErrorKind::BadRequest,
            ErrorCode::BadRequest,
            format!("Cannot read the request body: {other}"),
        ),
    })?;
    req.set_body(bytes);
    Ok(())
}
