//! Parse-don't-validate text types and the validation rules of the reference contract
//! (names ≤ 50 with Arabic letters, email syntax, password policy, tags).

use super::FieldErrors;

/// Escapes the characters that could end an HTML text run or a quoted attribute (emails'
/// HTML parts, search snippets). Slashes stay: links read whole.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Collects field errors so one response can name every invalid field at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    /// Records `why` for `field` unless the field already has an error.
    pub fn fail(&mut self, field: &str, why: impl Into<String>) {
        self.errors.entry(field.to_owned()).or_insert_with(|| why.into());
    }

    /// Runs a parser and keeps its value, recording the error under `field` on failure.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(why) => {
                self.fail(field, why);
                None
            }
        }
    }

    /// Finishes validation: `Ok(())` when nothing failed, otherwise every failure.
    pub fn finish(self) -> Result<(), FieldErrors> {
        if self.errors.is_empty() { Ok(()) } else { Err(self.errors) }
    }
}

/// A syntactically valid, lower-cased email address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims and lower-cases `raw`, then checks its syntax.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        let invalid = || "must be a valid email address".to_owned();
        if email.is_empty() || email.len() > 254 {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok { Ok(Self(email)) } else { Err(invalid()) }
    }

    /// The address as stored (lower case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// Unwraps the address.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A person's first or last name: 1–50 letters (Latin or Arabic), spaces, `-` and `'`.
pub fn person_name(raw: &str) -> Result<String, String> {
    let name = collapse_spaces(raw);
    if name.is_empty() {
        return Err("is required".into());
    }
    if name.chars().count() > 50 {
        return Err("must be at most 50 characters".into());
    }
    if !name.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'') {
        return Err("may contain only letters, spaces, hyphens and apostrophes".into());
    }
    if !name.chars().any(char::is_alphabetic) {
        return Err("must contain a letter".into());
    }
    Ok(name)
}

/// Free single-line text such as a title, city or organization name: trimmed, bounded,
/// no control characters, no text-direction controls, no invisible characters (removed)
/// and no HTML tags.
pub fn line(raw: &str, min: usize, max: usize) -> Result<String, String> {
    let text = collapse_spaces(&visible(raw)?);
    let len = text.chars().count();
    if len < min {
        return Err(if min <= 1 { "is required".into() } else { format!("must be at least {min} characters") });
    }
    if len > max {
        return Err(format!("must be at most {max} characters"));
    }
    reject_markup(&text)?;
    Ok(text)
}

/// Multi-line text such as a bio: bounded, no control characters besides newlines and tabs.
pub fn paragraph(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim().to_owned();
    if text.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err("contains control characters".into());
    }
    Ok(text)
}

/// Expertise or content tags: at most `max` items of 2–30 letters, digits, spaces or hyphens,
/// de-duplicated case-insensitively.
pub fn tags(raw: &[String], max: usize) -> Result<Vec<String>, String> {
    if raw.len() > max {
        return Err(format!("at most {max} tags"));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for tag in raw {
        let tag = collapse_spaces(tag);
        let len = tag.chars().count();
        if !(2..=30).contains(&len) || !tag.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-') {
            return Err("each tag must be 2–30 letters, digits, spaces or hyphens".into());
        }
        if !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            out.push(tag);
        }
    }
    Ok(out)
}

/// The password policy: 8–128 characters with letters and digits, not the email, and not
/// one of the embedded common passwords.
pub fn password(raw: &str, email: Option<&str>, is_common: impl Fn(&str) -> bool) -> Result<(), String> {
    let len = raw.chars().count();
    if !(8..=128).contains(&len) {
        return Err("must be 8–128 characters".into());
    }
    if !raw.chars().any(char::is_alphabetic) || !raw.chars().any(|c| c.is_ascii_digit()) {
        return Err("must contain letters and digits".into());
    }
    let lower = raw.to_lowercase();
    if let Some(email) = email {
        let local = email.split('@').next().unwrap_or_default();
        if lower == email || (local.len() >= 4 && lower.contains(local)) {
            return Err("must not contain your email address".into());
        }
    }
    if is_common(&lower) {
        return Err("is too common; choose another".into());
    }
    Ok(())
}

/// A 6-digit one-time code as typed by a person.
pub fn one_time_code(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err("must be 6 digits".into())
    }
}

/// The one rule for text that names or titles something (people see it in lists, where it
/// must read as what it is): bidirectional embedding, override and isolate controls are
/// refused, since they reorder what follows them on screen (`\u{202E}` makes "gpj.exe" read
/// "exe.jpg"); invisible characters — zero-width spaces and joiners, direction marks, word
/// joiners, soft hyphens, fillers, tag characters — are removed, so two names that look the
/// same are the same. Arabic needs neither: its direction comes from its letters.
pub fn visible(raw: &str) -> Result<String, String> {
    if raw.chars().any(is_bidi_control) {
        return Err("must not contain text-direction control characters".into());
    }
    Ok(raw.chars().filter(|c| !is_invisible(*c)).collect())
}

/// U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing in a name or title.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' // soft hyphen
            | '\u{034F}' // combining grapheme joiner
            | '\u{061C}' // Arabic letter mark
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
            | '\u{180E}' // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space, non-joiner, joiner; LRM, RLM
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{FEFF}' // zero-width no-break space (BOM)
            | '\u{E0000}'..='\u{E007F}' // tag characters
    )
}

fn collapse_spaces(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn reject_markup(text: &str) -> Result<(), String> {
    if text.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    let lower = text.to_lowercase();
    if lower.contains('<') && lower.contains('>') || lower.contains("javascript:") {
        return Err("must not contain markup".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse(" Ali@Factory.SA ").map(Email::into_string), Ok("ali@factory.sa".into()));
        for bad in ["", "a", "a@b", "a@@b.com", "a b@c.com", "a@-b.com", "a@b.c", ".a@b.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_accept_arabic_and_reject_symbols() {
        assert_eq!(person_name(" محمد  العتيبي "), Ok("محمد العتيبي".into()));
        assert_eq!(person_name("O'Neil-Smith"), Ok("O'Neil-Smith".into()));
        assert!(person_name("Bob1").is_err());
        assert!(person_name(&"a".repeat(51)).is_err());
        assert!(person_name("   ").is_err());
    }

    #[test]
    fn password_policy() {
        let common = |p: &str| p == "password1";
        assert!(password("short1", None, common).is_err());
        assert!(password("allletters", None, common).is_err());
        assert!(password("12345678", None, common).is_err());
        assert!(password("Password1", None, common).is_err());
        assert!(password("ali.rahman99", Some("ali.rahman@f.sa"), common).is_err());
        assert!(password("Steel-mill-42", Some("ali@f.sa"), common).is_ok());
    }

    #[test]
    fn names_and_titles_refuse_direction_controls_and_drop_invisible_characters() {
        for spoof in ["Invoice \u{202E}gpj.exe", "a\u{2066}b\u{2069}c", "\u{202A}Plant", "\u{2068}x"] {
            assert!(line(spoof, 1, 100).is_err(), "{spoof:?}");
        }
        assert_eq!(line("Al\u{200B}-Jazira\u{FEFF} \u{200F}Plastics", 1, 100), Ok("Al-Jazira Plastics".into()));
        assert_eq!(line("مصنع\u{200D} الجزيرة\u{061C}", 1, 100), Ok("مصنع الجزيرة".into()));
        assert!(line("\u{200B}\u{200C}", 1, 100).is_err(), "nothing visible is nothing");
        assert_eq!(line("خط إنتاج ١٢", 1, 100), Ok("خط إنتاج ١٢".into()), "Arabic text passes unchanged");
    }

    #[test]
    fn tags_are_bounded_and_deduplicated() {
        let t = tags(&["IoT".into(), "iot".into(), "صيانة".into()], 10);
        assert_eq!(t, Ok(vec!["IoT".to_string(), "صيانة".to_string()]));
        assert!(tags(&vec!["ab".to_string(); 11], 10).is_err());
        assert!(tags(&["<b>".into()], 10).is_err());
    }
}
