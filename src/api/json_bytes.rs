//! A JSON body serialized ahead of time: documented in OpenAPI with the schema of `T`, sent
//! as the stored bytes. For responses that many requests share (the map), so each request
//! copies a cached buffer instead of rebuilding and serializing thousands of objects.

use std::marker::PhantomData;

use bytes::Bytes;
use poem::{Body, IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};

use crate::service::use_cases::cache::SharedBody;

/// JSON bytes that encode a `T` (gzip-compressed when `gzip`).
pub struct JsonBytes<T> {
    bytes: Bytes,
    gzip: bool,
    shape: PhantomData<fn() -> T>,
}

impl<T> Clone for JsonBytes<T> {
    fn clone(&self) -> Self {
        Self { bytes: self.bytes.clone(), gzip: self.gzip, shape: PhantomData }
    }
}

/// The encoding of a shared body (see `service::use_cases::cache`) that a client whose
/// `Accept-Encoding` is `accept` takes.
pub fn shared<T>(body: &SharedBody, accept: Option<&str>) -> JsonBytes<T> {
    let gzip = !body.gzip.is_empty() && accepts_gzip(accept);
    let bytes = if gzip { body.gzip.clone() } else { body.plain.clone() };
    JsonBytes { bytes, gzip, shape: PhantomData }
}

/// Whether an `Accept-Encoding` value allows gzip (`gzip` or `*` without `q=0`).
fn accepts_gzip(accept: Option<&str>) -> bool {
    accept.unwrap_or_default().split(',').any(|part| {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or_default().trim();
        let refused =
            it.any(|p| p.trim().strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0)));
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

impl<T: ToJSON> JsonBytes<T> {
    /// Serializes `value` exactly as `Json<T>` would.
    pub fn encode(value: &T) -> Self {
        let json = value.to_json().unwrap_or(serde_json::Value::Null);
        Self { bytes: Bytes::from(json.to_string()), gzip: false, shape: PhantomData }
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// Bytes rendered elsewhere that encode a `T` (a renderer with a test against `encode`).
    pub fn prebuilt(bytes: Bytes) -> Self {
        Self { bytes, gzip: false, shape: PhantomData }
    }
}

impl<T: Type> Payload for JsonBytes<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// A 200 answer whose body was serialized ahead of time.
#[derive(ApiResponse)]
pub enum SuccessBytes<T: Type + Send + Sync> {
    /// The request succeeded; the body is the result.
    #[oai(status = 200)]
    Ok(JsonBytes<T>),
}

/// Bodies above this go out as a stream of slices of the shared buffer: handed one large
/// buffer, hyper copies all of it into the connection's write buffer (megabytes per
/// connection at once); slices are copied a piece at a time as the socket drains.
const CHUNK: usize = 64 * 1024;

impl<T: Type> IntoResponse for JsonBytes<T> {
    fn into_response(self) -> Response {
        let mut builder = Response::builder().content_type(Self::CONTENT_TYPE);
        if self.gzip {
            builder = builder.header("content-encoding", "gzip");
        }
        if self.bytes.len() <= CHUNK {
            return builder.body(self.bytes);
        }
        let len = self.bytes.len();
        let chunks =
            (0..len).step_by(CHUNK).map(move |at| Ok::<_, std::io::Error>(self.bytes.slice(at..len.min(at + CHUNK))));
        builder.header("content-length", len).body(Body::from_bytes_stream(futures::stream::iter(chunks)))
    }
}

impl<T: Type> ApiResponse for JsonBytes<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The request succeeded; the body is the result.",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType { content_type: Self::CONTENT_TYPE, schema: Self::schema_ref() }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_chosen_only_when_accepted() {
        for (accept, gzip) in [
            (None, false),
            (Some("gzip, deflate, br"), true),
            (Some("br;q=1.0, GZIP;q=0.5"), true),
            (Some("gzip;q=0"), false),
            (Some("*"), true),
            (Some("identity"), false),
        ] {
            assert_eq!(accepts_gzip(accept), gzip, "{accept:?}");
        }
        let body = SharedBody::new(7, JsonBytes::encode(&vec!["point".to_owned(); 1000]).bytes);
        assert!(shared::<Vec<String>>(&body, Some("gzip")).gzip);
        assert_eq!(shared::<Vec<String>>(&body, None).bytes, body.plain);
    }

    #[tokio::test]
    async fn large_bodies_stream_in_slices_with_their_length() {
        for n in [10, 20_000] {
            let value: Vec<String> = (0..n).map(|i| format!("point {i}")).collect();
            let body = JsonBytes::encode(&value);
            let expected = serde_json::to_vec(&value).unwrap();
            let resp = body.into_response();
            assert_eq!(resp.headers()["content-type"], "application/json; charset=utf-8");
            if expected.len() > CHUNK {
                assert_eq!(resp.headers()["content-length"], expected.len().to_string().as_str());
            }
            assert_eq!(resp.into_body().into_vec().await.unwrap(), expected, "{n} items");
        }
    }
}
