//! A JSON body serialized ahead of time: documented in OpenAPI with the schema of `T`, sent
//! as the stored bytes. For responses that many requests share (the map), so each request
//! copies a cached buffer instead of rebuilding and serializing thousands of objects.

use std::marker::PhantomData;

use bytes::Bytes;
use poem::{IntoResponse, Response};
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

impl<T: Type> IntoResponse for JsonBytes<T> {
    fn into_response(self) -> Response {
        Response::builder().content_type(Self::CONTENT_TYPE).body(self.bytes)
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
