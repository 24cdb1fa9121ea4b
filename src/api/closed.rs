//! The closed sets of the domain (`domain::closed::ClosedSet`) as OpenAPI enums: each is a
//! named string schema listing every wire name, parsed from JSON, query parameters and
//! multipart fields by that same list, so a generated client gets a union type and a value
//! outside the set is refused before a handler runs.

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use serde_json::Value;

use crate::domain::{
    activity::ActivityKind,
    closed::{ClosedSet, CompanySize, Industry},
    notifications::NotificationKind,
    search::SearchKind,
    use_case::Category,
};
use crate::error::ErrorCode;

macro_rules! closed_types {
    ($($set:ty),* $(,)?) => {$(
        impl Type for $set {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                <$set as ClosedSet>::SCHEMA.into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Reference(<$set as ClosedSet>::SCHEMA.into())
            }

            fn register(registry: &mut Registry) {
                registry.create_schema::<Self, _>(<$set as ClosedSet>::SCHEMA.into(), |_| MetaSchema {
                    description: Some(<$set as ClosedSet>::DESCRIPTION),
                    enum_items: <$set as ClosedSet>::ALL.iter().map(|v| Value::from(v.name())).collect(),
                    ..MetaSchema::new("string")
                });
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::once(self))
            }
        }

        impl ParseFromJSON for $set {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                let value = value.unwrap_or_default();
                match value.as_str().and_then(<$set as ClosedSet>::from_name) {
                    Some(v) => Ok(v),
                    None => Err(ParseError::expected_type(value)),
                }
            }
        }

        impl ParseFromParameter for $set {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                <$set as ClosedSet>::from_name(value)
                    .ok_or_else(|| ParseError::custom("Expect a valid enumeration value."))
            }
        }

        impl ToJSON for $set {
            fn to_json(&self) -> Option<Value> {
                Some(Value::from(self.name()))
            }
        }
    )*};
}

closed_types!(Category, Industry, CompanySize, ErrorCode, NotificationKind, ActivityKind, SearchKind);
