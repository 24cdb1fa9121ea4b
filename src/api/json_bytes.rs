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

/// JSON bytes that encode a `T`.
pub struct JsonBytes<T> {
    bytes: Bytes,
    shape: PhantomData<fn() -> T>,
}

impl<T> Clone for JsonBytes<T> {
    fn clone(&self) -> Self {
        Self { bytes: self.bytes.clone(), shape: PhantomData }
    }
}

impl<T: ToJSON> JsonBytes<T> {
    /// Serializes `value` exactly as `Json<T>` would.
    pub fn encode(value: &T) -> Self {
        let json = value.to_json().unwrap_or(serde_json::Value::Null);
        Self { bytes: Bytes::from(json.to_string()), shape: PhantomData }
    }

    /// Serializes `value` with serde, skipping the intermediate JSON tree of `encode`: for
    /// DTOs whose serde form is kept identical to their OpenAPI form (a test per type).
    pub fn serialize(value: &T) -> Self
    where
        T: serde::Serialize,
    {
        match serde_json::to_vec(value) {
            Ok(bytes) => Self { bytes: Bytes::from(bytes), shape: PhantomData },
            Err(_) => Self::encode(value),
        }
    }

    /// Bytes made by `encode` for a `T` earlier (a cached body).
    pub fn trusted(bytes: Bytes) -> Self {
        Self { bytes, shape: PhantomData }
    }

    /// The encoded body (cheap to clone).
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
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
        let builder = Response::builder().content_type(Self::CONTENT_TYPE);
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
