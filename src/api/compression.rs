//! Response compression: brotli or gzip, as the client's `Accept-Encoding` prefers, for the
//! API's JSON and the docs page (Swagger UI is a 2 MB page; it shrinks to about a fifth).
//!
//! poem's `Compression` middleware compresses every answer whatever it is — media files
//! (already compressed, and answered in byte ranges that address the stored bytes), bodies
//! that carry their own encoding (the use-case map's stored gzip), a few bytes of error —
//! and it inflates compressed request bodies, past the JSON body limit. So the rules are
//! here, and poem's `Compress` (the same encoders) does the work.
//!
//! A page that never changes (the docs) is compressed once per encoding and kept
//! (`precompressed`): compressing Swagger UI costs about 0.1 s of CPU, too much to repeat on
//! every visit.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use bytes::Bytes;
use poem::{
    Body, Endpoint, EndpointExt, IntoResponse, PathPattern, Request, Response,
    http::{HeaderValue, Method, StatusCode, header},
    web::{Compress, CompressionAlgo, CompressionLevel},
};

/// Bodies smaller than this go out as they are: a packet either way, and compressing them
/// costs more than it saves.
pub const MIN_BYTES: usize = 1024;

/// Brotli's quality (0–11). poem's default for brotli is its fastest setting; 5 is smaller
/// than gzip's default level on both the docs page and JSON pages (see
/// the README's figures) while staying cheap enough to run as an answer is sent.
const BROTLI_QUALITY: i32 = 5;

/// Compresses `ep`'s answers as the module header says.
pub fn compress<E: Endpoint + 'static>(ep: E) -> impl Endpoint<Output = Response> {
    ep.around(|ep, req: Request| async move {
        let algo = if req.method() == Method::HEAD { None } else { negotiate(req.header(header::ACCEPT_ENCODING)) };
        let mut resp = ep.call(req).await?.into_response();
        if !compressible(&resp) {
            return Ok(resp);
        }
        // Caches must keep one copy per encoding even of an answer sent as it is.
        vary_on_encoding(&mut resp);
        let Some(algo) = algo else { return Ok(resp) };
        // JSON and HTML bodies are already in memory: reading them only moves the buffer.
        let body = resp.take_body().into_bytes().await?;
        let small = body.len() < MIN_BYTES;
        resp.set_body(Body::from(body));
        if small {
            return Ok(resp);
        }
        Ok(encode(resp, algo))
    })
}

/// `resp` with its body compressed by `algo` as it is sent.
fn encode(resp: Response, algo: CompressionAlgo) -> Response {
    let level = match algo {
        CompressionAlgo::BR => CompressionLevel::Precise(BROTLI_QUALITY),
        _ => CompressionLevel::Default,
    };
    Compress::new(resp, algo).with_quality(level).into_response()
}

/// A compressed answer kept for reuse: its content type, encoded bytes and the route that
/// answered (for the metrics' label, as if the route had answered again).
#[derive(Clone)]
struct Kept {
    content_type: HeaderValue,
    bytes: Bytes,
    route: Option<PathPattern>,
}

/// Serves `ep`, whose answers never change, compressing each of its successful answers once
/// per path and encoding and keeping the bytes. Only a fixed set of pages (its own routes)
/// is ever kept: an unknown path is no success.
pub fn precompressed<E: Endpoint + 'static>(ep: E) -> impl Endpoint<Output = Response> {
    let kept: Arc<Mutex<HashMap<(String, CompressionAlgo), Kept>>> = Arc::default();
    ep.around(move |ep, req: Request| {
        let kept = kept.clone();
        async move {
            let algo = if req.method() == Method::GET { negotiate(req.header(header::ACCEPT_ENCODING)) } else { None };
            let Some(algo) = algo else { return Ok(ep.call(req).await?.into_response()) };
            let key = (req.uri().path().to_owned(), algo);
            let hit = kept.lock().ok().and_then(|k| k.get(&key).cloned());
            let found = match hit {
                Some(found) => found,
                None => {
                    let resp = ep.call(req).await?.into_response();
                    let content_type = resp.headers().get(header::CONTENT_TYPE).cloned();
                    let (Some(content_type), true) =
                        (content_type, resp.status() == StatusCode::OK && compressible(&resp))
                    else {
                        return Ok(resp);
                    };
                    let route = resp.data::<PathPattern>().cloned();
                    let bytes = encode(resp, algo).into_body().into_bytes().await?;
                    let found = Kept { content_type, bytes, route };
                    if let Ok(mut k) = kept.lock() {
                        k.insert(key, found.clone());
                    }
                    found
                }
            };
            let mut resp = Response::builder()
                .header(header::CONTENT_TYPE, found.content_type)
                .header(header::CONTENT_ENCODING, algo.to_string())
                .header(header::VARY, "accept-encoding")
                .body(found.bytes);
            if let Some(route) = found.route {
                resp.set_data(route);
            }
            Ok(resp)
        }
    })
}

/// Whether `resp` is a body worth compressing: a successful answer with a body, JSON or
/// HTML, not encoded already, and not one served in byte ranges (media).
fn compressible(resp: &Response) -> bool {
    let status = resp.status();
    let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    status.is_success()
        && status != StatusCode::NO_CONTENT
        && status != StatusCode::PARTIAL_CONTENT
        && !resp.headers().contains_key(header::CONTENT_ENCODING)
        && !resp.headers().contains_key(header::ACCEPT_RANGES)
        && (media == "application/json" || media.ends_with("+json") || media == "text/html")
}

/// Adds `Vary: Accept-Encoding` unless the answer already varies on it.
fn vary_on_encoding(resp: &mut Response) {
    let varies = resp
        .headers()
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding") || v.trim() == "*");
    if !varies {
        resp.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
}

/// The encoding to answer in: brotli or gzip, whichever `accept` (an `Accept-Encoding`
/// value) weighs more, brotli on a tie; `None` for neither (absent, `identity`, or `q=0`).
/// `*` stands for both unless they are named.
pub fn negotiate(accept: Option<&str>) -> Option<CompressionAlgo> {
    let (mut br, mut gzip, mut any) = (None::<f32>, None::<f32>, None::<f32>);
    for part in accept.unwrap_or_default().split(',') {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q=").map(|q| q.trim().parse::<f32>().unwrap_or(0.0)))
            .next()
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let (br, gzip) = (br.or(any).unwrap_or(0.0), gzip.or(any).unwrap_or(0.0));
    match (br > 0.0, gzip > 0.0) {
        (true, _) if br >= gzip => Some(CompressionAlgo::BR),
        (_, true) => Some(CompressionAlgo::GZIP),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heavier_of_brotli_and_gzip_wins_brotli_on_a_tie() {
        assert_eq!(negotiate(Some("gzip, deflate, br")), Some(CompressionAlgo::BR));
        assert_eq!(negotiate(Some("gzip")), Some(CompressionAlgo::GZIP));
        assert_eq!(negotiate(Some("br;q=0.5, gzip;q=0.8")), Some(CompressionAlgo::GZIP));
        assert_eq!(negotiate(Some("br;q=0, *")), Some(CompressionAlgo::GZIP));
        assert_eq!(negotiate(Some("*")), Some(CompressionAlgo::BR));
        assert_eq!(negotiate(Some("identity")), None);
        assert_eq!(negotiate(Some("gzip;q=0")), None);
        assert_eq!(negotiate(None), None);
    }

    #[test]
    fn only_json_and_html_bodies_are_compressed() {
        let with = |status: StatusCode, ct: &str| Response::builder().status(status).content_type(ct).finish();
        assert!(compressible(&with(StatusCode::OK, "application/json; charset=utf-8")));
        assert!(compressible(&with(StatusCode::OK, "text/html; charset=utf-8")));
        assert!(!compressible(&with(StatusCode::OK, "image/png")));
        assert!(!compressible(&with(StatusCode::PARTIAL_CONTENT, "application/json")));
        assert!(!compressible(&with(StatusCode::SWITCHING_PROTOCOLS, "")));
        let ranged = Response::builder().content_type("application/json").header(header::ACCEPT_RANGES, "bytes");
        assert!(!compressible(&ranged.finish()));
        let encoded = Response::builder().content_type("application/json").header(header::CONTENT_ENCODING, "gzip");
        assert!(!compressible(&encoded.finish()));
    }
}
