//! Embedded email templates (`templates/mail/<lang>/<name>.txt`): a `Subject:` line, a
//! blank line, then the body; `{{var}}` placeholders are replaced by values.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow};
use rust_embed::RustEmbed;

use crate::domain::user::Language;

#[derive(RustEmbed)]
#[folder = "templates/mail/"]
struct Templates;

/// Renders `name` in `language` (falling back to English) into (subject, body).
pub fn render(name: &str, language: Language, vars: &BTreeMap<String, String>) -> anyhow::Result<(String, String)> {
    let lang = match language {
        Language::Ar => "ar",
        Language::En => "en",
    };
    let file = Templates::get(&format!("{lang}/{name}.txt"))
        .or_else(|| Templates::get(&format!("en/{name}.txt")))
        .ok_or_else(|| anyhow!("no email template named {name}"))?;
    let text = std::str::from_utf8(&file.data).context("template is not UTF-8")?;
    let (head, body) =
        text.split_once("\n\n").ok_or_else(|| anyhow!("template {name} lacks a blank line after the subject"))?;
    let subject = head.strip_prefix("Subject: ").ok_or_else(|| anyhow!("template {name} lacks a Subject line"))?;
    Ok((fill(subject.trim(), vars), fill(body, vars)))
}

fn fill(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}",), v);
    }
    out
}

/// Names of every template, for the test that checks both languages exist.
pub fn names() -> Vec<String> {
    Templates::iter().map(|f| f.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_exists_in_both_languages_and_renders() {
        let names = names();
        assert!(!names.is_empty());
        for n in &names {
            let (lang, rest) = n.split_once('/').unwrap();
            let other = if lang == "en" { "ar" } else { "en" };
            assert!(names.contains(&format!("{other}/{rest}")), "{n} has no {other} twin");
        }
        let vars = BTreeMap::from([("code".to_string(), "123456".to_string()), ("name".into(), "Ali".into())]);
        let (subject, body) = render("verify_email", Language::Ar, &vars).unwrap();
        assert!(subject.contains("رمز"));
        assert!(body.contains("123456") && body.contains("Ali"));
    }
}
