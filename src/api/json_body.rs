//! `JsonBody<T>`: a JSON request body that, before poem-openapi parses it into `T`, checks
//! it against `T`'s own schema and names every missing required field and every field of
//! the wrong JSON type in one 422 — where poem-openapi's parser would stop at the first and
//! answer a 400 that names the object but not the field.

use std::{
    collections::HashMap,
    ops::Deref,
    sync::{Arc, RwLock},
};

use poem::{FromRequest, Request, RequestBody, Result};
use poem_openapi::{
    payload::{ParsePayload, Payload},
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseFromJSON, Type},
};
use serde_json::Value;

use crate::error::ErrorCode;
use crate::{
    domain::FieldErrors,
    error::{AppError, ErrorKind},
};

/// A JSON request body of type `T` (documented exactly as `Json<T>`).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        <poem_openapi::payload::Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> Result<Self> {
        let data = Vec::<u8>::from_request(request, body).await?;
        let value = if data.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&data).map_err(|e| {
                AppError::new(ErrorKind::BadRequest, ErrorCode::BadRequest, format!("The body is not valid JSON: {e}"))
            })?
        };
        if let Value::Object(fields) = &value {
            let wrong = check_fields::<T>(fields);
            if !wrong.is_empty() {
                return Err(AppError::validation(wrong).into());
            }
        }
        T::parse_from_json(Some(value)).map(Self).map_err(|e| {
            AppError::new(
                ErrorKind::BadRequest,
                ErrorCode::BadRequest,
                format!("The body cannot be read: {}", e.into_message()),
            )
            .into()
        })
    }
}

poem_openapi::impl_apirequest_for_payload!(JsonBody<T>, T: ParseFromJSON);

/// What `T`'s schema says of one top-level field.
struct Field {
    name: String,
    required: bool,
    /// Its JSON type when that is a plain one (`string`, `integer`, …); `None` for objects
    /// and anything richer, which the parser checks.
    ty: Option<&'static str>,
    /// The values of a closed set (an enum), else empty.
    allowed: Vec<Value>,
    /// For a list of objects: the fields of each item (checked the same way).
    items: Vec<Field>,
}

type Shape = Arc<Vec<Field>>;

/// The shape of `T`, worked out once per type from the registry poem-openapi fills.
fn shape<T: Type>() -> Shape {
    // Read on every JSON request; written once per body type.
    static SHAPES: RwLock<Option<HashMap<String, Shape>>> = RwLock::new(None);
    let name = T::name();
    if let Some(shape) = SHAPES.read().ok().and_then(|s| s.as_ref()?.get(name.as_ref()).cloned()) {
        return shape;
    }
    let name = name.into_owned();
    let mut shapes = SHAPES.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    shapes
        .get_or_insert_with(HashMap::new)
        .entry(name.clone())
        .or_insert_with(|| {
            let mut registry = Registry::new();
            T::register(&mut registry);
            let fields = registry.schemas.get(&name).map(|schema| describe(schema, &registry, 0)).unwrap_or_default();
            Arc::new(fields)
        })
        .clone()
}

/// Lists of objects are looked into this deep (a body's list of entries; no recursive type
/// can make it loop).
const MAX_DEPTH: usize = 2;

fn describe(schema: &MetaSchema, registry: &Registry, depth: usize) -> Vec<Field> {
    schema
        .properties
        .iter()
        .map(|(name, property)| {
            let resolved = resolve(property, registry);
            let allowed = resolved.map(|s| s.enum_items.clone()).unwrap_or_default();
            let ty = resolved.filter(|s| s.ty != "object").map(|s| s.ty);
            let item = resolved.and_then(|s| s.items.as_deref()).and_then(|i| resolve(i, registry));
            let items = match item {
                Some(item) if item.ty == "object" && depth < MAX_DEPTH => describe(item, registry, depth + 1),
                _ => Vec::new(),
            };
            Field { name: (*name).to_owned(), required: schema.required.contains(name), ty, allowed, items }
        })
        .collect()
}

/// The schema `r` stands for: itself, the one it references, or the named type in its
/// `allOf` (how a documented field refers to a named type: the reference plus a
/// description-only schema).
fn resolve<'a>(r: &'a MetaSchemaRef, registry: &'a Registry) -> Option<&'a MetaSchema> {
    match r {
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
        MetaSchemaRef::Inline(s) if s.all_of.is_empty() => Some(s),
        MetaSchemaRef::Inline(s) => s.all_of.iter().find_map(|part| match part {
            MetaSchemaRef::Reference(name) => registry.schemas.get(name),
            MetaSchemaRef::Inline(_) => None,
        }),
    }
}

/// Every missing required field and every field whose JSON type is not its schema's (in
/// lists of objects too, named like `settings[0].kind`).
fn check_fields<T: Type>(fields: &serde_json::Map<String, Value>) -> FieldErrors {
    let mut wrong = FieldErrors::new();
    check(&shape::<T>(), fields, "", &mut wrong);
    wrong
}

fn check(shape: &[Field], fields: &serde_json::Map<String, Value>, prefix: &str, wrong: &mut FieldErrors) {
    for f in shape {
        let name = format!("{prefix}{}", f.name);
        match fields.get(&f.name) {
            None | Some(Value::Null) if f.required => {
                wrong.insert(name, "is required".into());
            }
            Some(v) if !v.is_null() && f.ty.is_some_and(|t| !fits(t, v)) => {
                let ty = f.ty.unwrap_or_default();
                let article = if ty.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                wrong.insert(name, format!("must be {article} {ty}"));
            }
            Some(v) if !v.is_null() && !f.allowed.is_empty() && !f.allowed.contains(v) => {
                let values: Vec<String> = f.allowed.iter().map(|a| a.as_str().unwrap_or_default().to_owned()).collect();
                wrong.insert(name, format!("must be one of: {}", values.join(", ")));
            }
            Some(Value::Array(list)) if !f.items.is_empty() => {
                for (i, item) in list.iter().enumerate() {
                    match item {
                        Value::Object(fields) => check(&f.items, fields, &format!("{name}[{i}]."), wrong),
                        _ => {
                            wrong.insert(format!("{name}[{i}]"), "must be an object".into());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether `v` is a JSON value of the schema type `ty`.
fn fits(ty: &str, v: &Value) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use serde_json::json;

    use super::*;

    #[derive(poem_openapi::Enum, Debug)]
    enum Size {
        Small,
        Large,
    }

    #[derive(Object, Debug)]
    struct Part {
        size: Size,
        count: u32,
    }

    #[derive(Object, Debug)]
    struct Sample {
        name: String,
        age: u32,
        tags: Option<Vec<String>>,
        size: Option<Size>,
        parts: Option<Vec<Part>>,
    }

    #[test]
    fn every_missing_and_mistyped_field_is_named() {
        let body = json!({"age": "old", "tags": "x", "size": "Huge"});
        let wrong = check_fields::<Sample>(body.as_object().unwrap());
        assert_eq!(wrong.get("name").map(String::as_str), Some("is required"));
        assert_eq!(wrong.get("age").map(String::as_str), Some("must be an integer"));
        assert_eq!(wrong.get("tags").map(String::as_str), Some("must be an array"));
        assert_eq!(wrong.get("size").map(String::as_str), Some("must be one of: Small, Large"));
        assert!(check_fields::<Sample>(json!({"name": "A", "age": 3}).as_object().unwrap()).is_empty());
    }

    #[test]
    fn entries_of_a_list_of_objects_are_checked_by_index() {
        let body = json!({"name": "A", "age": 3, "parts": [{"size": "Small", "count": 1}, {"size": "Huge"}, 7]});
        let wrong = check_fields::<Sample>(body.as_object().unwrap());
        assert_eq!(wrong.get("parts[1].size").map(String::as_str), Some("must be one of: Small, Large"));
        assert_eq!(wrong.get("parts[1].count").map(String::as_str), Some("is required"));
        assert_eq!(wrong.get("parts[2]").map(String::as_str), Some("must be an object"));
        assert_eq!(wrong.len(), 3, "{wrong:?}");
    }
}
