//! The WebSocket protocol document, `openapi/asyncapi.yaml`, as a contract the tests check
//! frames against: loaded once, every message's payload resolved and compiled by a real
//! JSON-Schema validator (boon), so `Ws` can check each frame it sends or receives, each
//! close code it gets, and each query it connects with.
//!
//! Resolution inlines every `$ref` (into `openapi.json` for the REST shapes, whose own
//! `#/components/...` refs then point into that file) and turns the two dialects into plain
//! JSON Schema draft 7, which AsyncAPI's schema format extends:
//! - OpenAPI 3.0's `nullable: true` becomes a `null` type (poem-openapi writes none today,
//!   but an `Option` field with a `null` default would);
//! - poem-openapi's integer formats (`uint64`, `uint32`) are registered as formats, since a
//!   draft 7 validator ignores formats it doesn't know;
//! - every object schema that lists `properties` is closed (`additionalProperties: false`)
//!   unless it says otherwise: a frame carrying a field the documents don't list fails, so the
//!   document cannot fall behind the server. (The document itself stays open for clients, so
//!   fields can be added later without breaking them.)

use std::{
    collections::{BTreeMap, BTreeSet},
    error::Error,
    sync::OnceLock,
};

use boon::{Compiler, Draft, Format, SchemaIndex, Schemas};
use serde_json::{Value, json};

/// Which way a frame went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dir {
    /// Client to server: the document's `receive` operations.
    ToServer,
    /// Server to client: the document's `send` operations.
    ToClient,
}

/// The loaded document.
pub struct Contract {
    /// The document as parsed (for the document's own checks).
    pub doc: Value,
    /// Every message payload, resolved, by message name (for the document's own checks).
    pub payloads: BTreeMap<String, Value>,
    schemas: Schemas,
    /// Per channel address and direction: frame `type` → message name.
    routes: BTreeMap<(String, Dir), BTreeMap<String, String>>,
    /// Message name → compiled payload.
    compiled: BTreeMap<String, SchemaIndex>,
    /// Channel address → compiled query schema of its WebSocket binding.
    queries: BTreeMap<String, SchemaIndex>,
    /// Close code → the reasons documented for it.
    closes: BTreeMap<u16, Vec<String>>,
}

/// The contract, loaded on first use (the document is read and compiled once per test run).
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(Contract::load)
}

fn read(name: &str) -> String {
    let path = format!("{}/openapi/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The two documents a `$ref` may point into.
struct Docs {
    asyncapi: Value,
    openapi: Value,
}

/// Keywords whose values are data, not schemas: never resolved or rewritten.
const DATA_KEYWORDS: [&str; 5] = ["const", "enum", "default", "examples", "required"];

impl Docs {
    /// The node a `$ref` names, seen from document `from`; returns it and its document.
    fn target(&self, from: &str, reference: &str) -> (&'static str, &Value) {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let doc = match file {
            "" => from,
            "./openapi.json" | "openapi.json" => "openapi.json",
            other => panic!("$ref into an unknown file {other:?} ({reference})"),
        };
        let root = if doc == "openapi.json" { &self.openapi } else { &self.asyncapi };
        let node = root.pointer(pointer).unwrap_or_else(|| panic!("$ref {reference} points at nothing"));
        (if doc == "openapi.json" { "openapi.json" } else { "asyncapi.yaml" }, node)
    }

    /// `node` with every `$ref` inlined and the dialect rewritten (see the module header).
    fn resolve(&self, from: &str, node: &Value, depth: usize) -> Value {
        assert!(depth < 64, "$ref cycle");
        match node {
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(from, v, depth + 1)).collect()),
            Value::Object(map) => {
                // Siblings of a `$ref` are ignored by draft 7 and OpenAPI 3.0 alike.
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    let (doc, target) = self.target(from, reference);
                    return self.resolve(doc, target, depth + 1);
                }
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    let v = match (k.as_str(), v) {
                        // A map of schemas by name: its keys are names, never keywords.
                        ("properties", Value::Object(named)) => Value::Object(
                            named.iter().map(|(n, s)| (n.clone(), self.resolve(from, s, depth + 1))).collect(),
                        ),
                        (k, v) if DATA_KEYWORDS.contains(&k) => v.clone(),
                        (_, v) => self.resolve(from, v, depth + 1),
                    };
                    out.insert(k.clone(), v);
                }
                if out.remove("nullable") == Some(Value::Bool(true))
                    && let Some(Value::String(t)) = out.get("type").cloned()
                {
                    out.insert("type".into(), json!([t, "null"]));
                }
                if out.contains_key("properties") && !out.contains_key("additionalProperties") {
                    out.insert("additionalProperties".into(), Value::Bool(false));
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

fn unsigned(v: &Value, max: u64) -> Result<(), Box<dyn Error>> {
    match v {
        Value::Number(n) if n.as_u64().is_some_and(|n| n <= max) => Ok(()),
        Value::Number(n) => Err(format!("{n} is not an unsigned integer ≤ {max}").into()),
        _ => Ok(()), // formats only apply to their own types
    }
}

impl Contract {
    fn load() -> Self {
        let asyncapi: Value = serde_yaml::from_str(&read("asyncapi.yaml")).expect("asyncapi.yaml parses");
        let openapi: Value = serde_json::from_str(&read("openapi.json")).expect("openapi.json parses");
        let docs = Docs { asyncapi, openapi };
        let mut compiler = Compiler::new();
        compiler.set_default_draft(Draft::V7);
        compiler.register_format(Format { name: "uint64", func: |v| unsigned(v, u64::MAX) });
        compiler.register_format(Format { name: "uint32", func: |v| unsigned(v, u32::MAX.into()) });
        let mut schemas = Schemas::new();
        let mut compile = |loc: String, schema: Value| {
            compiler.add_resource(&loc, schema).unwrap_or_else(|e| panic!("{loc}: {e}"));
            compiler.compile(&loc, &mut schemas).unwrap_or_else(|e| panic!("{loc}: {e:#}"))
        };
        let doc = &docs.asyncapi;
        let (mut routes, mut compiled, mut payloads) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        for (op_name, op) in doc["operations"].as_object().expect("operations") {
            let dir = match op["action"].as_str() {
                Some("receive") => Dir::ToServer,
                Some("send") => Dir::ToClient,
                other => panic!("operation {op_name}: action {other:?}"),
            };
            let channel = docs.target("", op["channel"]["$ref"].as_str().expect("channel $ref")).1;
            let address = channel["address"].as_str().expect("channel address").to_owned();
            let route: &mut BTreeMap<String, String> = routes.entry((address, dir)).or_default();
            for m in op["messages"].as_array().expect("messages") {
                let message = docs.resolve("", m, 0);
                let name = message["name"].as_str().unwrap_or_else(|| panic!("{m} has no name")).to_owned();
                let kind = message["payload"]["properties"]["type"]["const"].as_str().expect("type const").to_owned();
                assert!(route.insert(kind.clone(), name.clone()).is_none(), "{op_name}: two messages of type {kind}");
                if let Some(known) = payloads.get(&name) {
                    assert_eq!(known, &message["payload"], "two messages named {name}");
                    continue;
                }
                let index = compile(format!("urn:asyncapi:message:{name}"), message["payload"].clone());
                compiled.insert(name.clone(), index);
                payloads.insert(name, message["payload"].clone());
            }
        }
        let mut queries = BTreeMap::new();
        for (key, channel) in doc["channels"].as_object().expect("channels") {
            let query = docs.resolve("", &channel["bindings"]["ws"]["query"], 0);
            let address = channel["address"].as_str().expect("address").to_owned();
            queries.insert(address, compile(format!("urn:asyncapi:query:{key}"), query));
        }
        let closes = doc["info"]["x-close-codes"]
            .as_array()
            .expect("info.x-close-codes")
            .iter()
            .map(|c| {
                let reasons = c["reasons"].as_array().expect("reasons").iter();
                (
                    c["code"].as_u64().expect("code") as u16,
                    reasons.map(|r| r.as_str().expect("reason").to_owned()).collect(),
                )
            })
            .collect();
        let doc = docs.asyncapi;
        Self { doc, payloads, schemas, routes, compiled, queries, closes }
    }

    /// The channel address a request path (with or without its query) opens, e.g.
    /// `/ws/forum/{topic_id}` for `/ws/forum/0195…?token=…`.
    pub fn channel_of(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap_or_default();
        let parts: Vec<&str> = path.split('/').collect();
        let matches = |address: &str| {
            let pattern: Vec<&str> = address.split('/').collect();
            pattern.len() == parts.len()
                && pattern.iter().zip(&parts).all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
        };
        self.queries.keys().find(|a| matches(a)).unwrap_or_else(|| panic!("no channel for {path}")).clone()
    }

    /// Checks the query string of a request to `channel`.
    pub fn check_query(&self, channel: &str, path: &str) {
        let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let params: serde_json::Map<String, Value> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                // Query values are text; a number is checked as the number it names.
                (k.to_owned(), v.parse::<u64>().map_or_else(|_| json!(v), |n| json!(n)))
            })
            .collect();
        let params = Value::Object(params);
        if let Err(e) = self.schemas.validate(&params, self.queries[channel]) {
            panic!("query {query:?} of {channel} is not the documented one: {e:#}");
        }
    }

    /// The name of the message `frame` is, sent on `channel` in direction `dir`, or why it
    /// is none of the document's.
    pub fn validate(&self, channel: &str, dir: Dir, frame: &Value) -> Result<String, String> {
        let kind = frame["type"].as_str().ok_or_else(|| format!("a frame without a type: {frame}"))?;
        let route = self.routes.get(&(channel.to_owned(), dir));
        let Some(name) = route.and_then(|r| r.get(kind)) else {
            return Err(format!(
                "{dir:?} frame of type {kind:?} on {channel} is not in openapi/asyncapi.yaml: {frame}"
            ));
        };
        match self.schemas.validate(frame, self.compiled[name]) {
            Ok(()) => Ok(name.clone()),
            Err(e) => {
                Err(format!("{dir:?} frame {name} on {channel} does not match openapi/asyncapi.yaml: {e:#}\n{frame}"))
            }
        }
    }

    /// Checks `frame`, sent on `channel` in direction `dir`; returns its message's name.
    pub fn check_frame(&self, channel: &str, dir: Dir, frame: &Value) -> String {
        self.validate(channel, dir, frame).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Checks a close code and reason the server sent are documented.
    pub fn check_close(&self, code: u16, reason: &str) {
        let reasons = self.closes.get(&code).unwrap_or_else(|| panic!("close code {code} ({reason}) is undocumented"));
        assert!(reasons.iter().any(|r| r == reason), "close {code} with undocumented reason {reason:?}");
    }

    /// Every message name of the document.
    pub fn message_names(&self) -> BTreeSet<String> {
        self.compiled.keys().cloned().collect()
    }

    /// The channel addresses, with the message names of each direction.
    pub fn routes(&self) -> impl Iterator<Item = (&str, Dir, BTreeSet<&str>)> {
        self.routes.iter().map(|((a, d), r)| (a.as_str(), *d, r.values().map(String::as_str).collect()))
    }
}
