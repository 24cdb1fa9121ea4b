//! The layers point one way (STYLE.md §1): every `crate::…` path in a module of one layer
//! names only the layers that layer may use. Read from the sources, so a new upward import
//! fails here with its file and line.

use std::{collections::BTreeSet, fs, path::Path};

/// Layers below `api`/`service`, and what each may name besides itself.
const RULES: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("dto", &["domain"]),
    ("store", &["domain"]),
    ("realtime", &["domain"]),
    ("media", &["domain", "config", "error"]),
    ("auth", &["domain", "config", "error"]),
    ("mail", &["domain", "config", "error"]),
    ("jobs", &["domain", "config", "error", "store"]),
    ("search", &["domain"]),
    ("state", &["domain", "config", "auth", "jobs", "media", "realtime", "store", "search"]),
    ("config", &["domain"]),
    ("error", &["domain", "store"]),
    (
        "service",
        &["domain", "dto", "store", "search", "realtime", "media", "auth", "jobs", "mail", "state", "config", "error"],
    ),
    ("api", &["domain", "dto", "service", "realtime", "state", "config", "error", "auth", "media", "telemetry"]),
];

/// The top-level modules `text` names through `crate::` (in paths and `use crate::{…}` groups).
fn named_layers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: at brace depth 0, after `{` or `,`.
            let (mut depth, mut at_start, mut name) = (0usize, true, String::new());
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    // A name that ends the group or is followed by a comma (`{Config, app}`).
                    '}' if depth == 0 => {
                        if at_start && !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if at_start && !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                        at_start = true;
                    }
                    c if at_start && depth == 0 && (c.is_alphanumeric() || c == '_') => name.push(c),
                    _ if at_start && !name.is_empty() => {
                        out.insert(std::mem::take(&mut name));
                        at_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
        }
    }
    out.remove("self");
    out
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_layer_imports_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let layer = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        let Some((_, allowed)) = RULES.iter().find(|(l, _)| *l == layer) else { continue };
        let text = fs::read_to_string(file).unwrap();
        // Tests inside a module may reach anywhere.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for named in named_layers(code) {
            if named != layer && !allowed.contains(&named.as_str()) {
                violations.push(format!("{} names crate::{named}", rel.display()));
            }
        }
    }
    assert!(violations.is_empty(), "upward imports:\n{}", violations.join("\n"));
}

#[test]
fn the_import_reader_sees_grouped_and_inline_paths() {
    let text =
        "use crate::{\n    api::x,\n    domain::{a, b::c},\n    state::AppState,\n};\nfn f() { crate::store::get(); }";
    let names: Vec<_> = named_layers(text).into_iter().collect();
    assert_eq!(names, ["api", "domain", "state", "store"]);
    // Bare names in a group, before a comma or the closing brace.
    let names: Vec<_> = named_layers("use crate::{Config, app, service::x};\nuse crate::{mail};").into_iter().collect();
    assert_eq!(names, ["Config", "app", "mail", "service"]);
}
