//! The configuration's sources for figment: the `P2P_*` environment variables as a provider
//! (with the short aliases, comma-separated lists and the variable's own name in errors), and
//! figment's errors rendered as one line that names the key and where its value came from.
//!
//! figment's own `Env` provider is not used because it reads the process environment only
//! (tests pass theirs explicitly) and parses values as TOML-ish literals, which would turn a
//! numeric password or secret into a number and reject it for a string setting. Here values
//! stay strings; `extract_lossy` reads numbers and `yes`/`on`/`1` booleans from them.

use std::collections::BTreeMap;

use figment::{
    Error, Figment, Metadata, Profile, Provider,
    error::Kind,
    value::{Dict, Map, Value},
};

/// Environment-variable aliases for the settings SPEC §0 names.
const ALIASES: &[(&str, &str)] = &[
    ("P2P_DATA_DIR", "data_dir"),
    ("P2P_BIND", "bind"),
    ("P2P_CORS_ORIGINS", "cors_origins"),
    ("P2P_PUBLIC_URL", "public_url"),
    ("P2P_LOG_FORMAT", "log_format"),
    ("P2P_LOG_LEVEL", "log_level"),
    ("P2P_MEDIA_URI", "media_uri"),
    ("P2P_JWT_SECRET", "auth.jwt_secret"),
    ("P2P_MAIL_TRANSPORT", "mail.transport"),
];

/// Variables that are read elsewhere and are not settings.
const NOT_SETTINGS: &[&str] = &["P2P_CONFIG", "P2P_ADMIN_PASSWORD"];

/// One setting given by a variable.
struct Var {
    name: String,
    key: String,
    raw: String,
}

/// The `P2P_*` variables of an environment: `P2P_SECTION__KEY` sets `section.key`, an alias
/// sets its key, and a key whose default is a list takes a comma-separated value.
pub struct EnvVars {
    vars: Vec<Var>,
    lists: Vec<String>,
}

impl EnvVars {
    /// Picks the settings out of `env`; `defaults` tells which keys hold lists.
    pub fn new(env: impl IntoIterator<Item = (String, String)>, defaults: &Figment) -> Self {
        let mut vars: Vec<Var> = env
            .into_iter()
            .filter(|(name, _)| name.starts_with("P2P_") && !NOT_SETTINGS.contains(&name.as_str()))
            .map(|(name, raw)| {
                let key = ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == name)
                    .map(|(_, key)| (*key).to_owned())
                    .unwrap_or_else(|| name["P2P_".len()..].to_lowercase().replace("__", "."));
                Var { name, key, raw }
            })
            .collect();
        // A long name and its alias may both be set: the later (sorted) one wins, every time.
        vars.sort_by(|a, b| a.name.cmp(&b.name));
        let lists = vars
            .iter()
            .filter(|v| matches!(defaults.find_value(&v.key), Ok(Value::Array(..))))
            .map(|v| v.key.clone())
            .collect();
        Self { vars, lists }
    }
}

impl Provider for EnvVars {
    fn metadata(&self) -> Metadata {
        let names: BTreeMap<String, String> = self.vars.iter().map(|v| (v.key.clone(), v.name.clone())).collect();
        Metadata::named("environment variable").interpolater(move |_: &Profile, path: &[&str]| {
            // The error's path may stop at a table above the variable's key (an unknown key).
            let key = path.join(".");
            let below = format!("{key}.");
            names.iter().find(|(k, _)| **k == key || k.starts_with(&below)).map(|(_, name)| name.clone()).unwrap_or(key)
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        let mut dict = Dict::new();
        for var in &self.vars {
            let value = if self.lists.contains(&var.key) {
                let items: Vec<String> =
                    var.raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                Value::from(items)
            } else {
                Value::from(var.raw.clone())
            };
            insert(&mut dict, &var.key, value);
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// Sets `value` at the dotted `key`, making the tables on the way.
fn insert(dict: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            dict.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let slot = dict.entry(head.to_owned()).or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = slot {
                insert(inner, rest, value);
            } else {
                // `head` is a plain setting: give the rest as an unknown key beneath it.
                *slot = Value::from(Dict::new());
                if let Value::Dict(_, inner) = slot {
                    insert(inner, rest, value);
                }
            }
        }
    }
}

/// One line per problem: what is wrong, with the key and its source named.
pub fn describe(error: Error) -> String {
    error.into_iter().map(|e| describe_one(&e)).collect::<Vec<_>>().join("; ")
}

fn describe_one(e: &Error) -> String {
    let mut path = e.path.join(".");
    let what = match &e.kind {
        Kind::UnknownField(name, _) => {
            if !path.ends_with(name.as_str()) {
                path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            }
            format!("unknown configuration key `{path}`")
        }
        Kind::UnknownVariant(found, allowed) => {
            format!("bad value for `{path}`: {found:?} is not one of {}", allowed.join(", "))
        }
        Kind::MissingField(name) => format!("missing configuration key `{}`", join(&path, name)),
        kind => format!("bad value for `{path}`: {kind}"),
    };
    match &e.metadata {
        Some(md) if md.name == "environment variable" => {
            let profile = e.profile.clone().unwrap_or_default();
            format!("{what} (environment variable {})", md.interpolate(&profile, &e.path))
        }
        Some(md) => match &md.source {
            Some(source) => format!("{what} (in {source})"),
            None => format!("{what} (in {})", md.name),
        },
        None => what,
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}
