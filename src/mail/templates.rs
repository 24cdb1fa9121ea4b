//! Emails rendered by minijinja from embedded templates (`templates/mail/`).
//!
//! Each email has one file per language, `<lang>/<template>.txt.j2`, defining the blocks
//! `subject`, `intro`, `action` (the button's label, empty when there is no button), `outro`
//! and `reason` (the footer: why the person gets it), filled from the `Mail`'s fields. Two
//! layouts shared by every email turn those blocks into the message's parts:
//! `layout.txt.j2` (plain text) and `layout.html.j2` (HTML, auto-escaped because of its name).
//! Undefined variables are errors, so a template naming a value its email lacks fails
//! instead of sending a blank.

use std::sync::LazyLock;

use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior, Value, context, escape_formatter,
};
use rust_embed::RustEmbed;

use crate::domain::{mail::Mail, user::Language};

/// The product's name, shown in every email's header and footer.
pub const PRODUCT: &str = "P2P Sandbox";

#[derive(RustEmbed)]
#[folder = "templates/mail/"]
struct Templates;

/// One email, ready to send.
#[derive(Debug)]
pub struct Rendered {
    /// A single line.
    pub subject: String,
    /// The plain-text part: codes and links each on a line of their own.
    pub text: String,
    /// The HTML part: inline CSS only, right to left for Arabic.
    pub html: String,
}

/// Built once: templates are parsed on first use and kept.
static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| environment(load_embedded));

/// An environment reading templates through `load` (the embedded files, or a test's own).
pub(crate) fn environment(
    load: impl Fn(&str) -> Result<Option<String>, Error> + Send + Sync + 'static,
) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on lines of their own leave no blank lines or indentation behind.
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_formatter(format);
    env.set_loader(load);
    env
}

/// Writes a value into a template's output. Undefined values fail (the strict check
/// minijinja's own formatter makes, which a custom one must repeat), and HTML escapes
/// `& < > " '` only: minijinja's escaper also turns `/` into `&#x2f;`, which would leave
/// every link entity-encoded in the message's source, for no safety gain in text or quoted
/// attributes.
fn format(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(text)) if !value.is_safe() => out.write_str(&escape_html(text)).map_err(Error::from),
        _ => escape_formatter(out, state, value),
    }
}

pub(crate) use crate::domain::text::escape_html;

/// Reads a template from the files embedded in the binary.
pub(crate) fn load_embedded(name: &str) -> Result<Option<String>, Error> {
    let Some(file) = Templates::get(name) else {
        return Ok(None);
    };
    String::from_utf8(file.data.into_owned())
        .map(Some)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("template {name} is not UTF-8")).with_source(e))
}

/// The path of `template` in `language`.
fn path(language: Language, template: &str) -> String {
    format!("{}/{template}.txt.j2", language.code())
}

/// Every embedded file's path (templates of both languages and the layouts).
pub fn names() -> Vec<String> {
    Templates::iter().map(|f| f.to_string()).collect()
}

/// Renders `mail` in `language` into its subject and both parts.
pub fn render(language: Language, mail: &Mail) -> anyhow::Result<Rendered> {
    render_with(&ENVIRONMENT, language, mail)
}

/// Renders with `env` (tests give theirs to check failures on templates of their own).
pub(crate) fn render_with(env: &Environment<'static>, language: Language, mail: &Mail) -> anyhow::Result<Rendered> {
    let name = path(language, mail.template());
    let blocks = blocks(env, &name, mail).map_err(|e| anyhow::anyhow!("email template {name}: {e:#}"))?;
    let link = mail.action_link();
    if link.is_some() == blocks.action.is_empty() {
        anyhow::bail!("email template {name}: a button label is needed exactly when the email has a link");
    }
    let ctx = context! {
        lang => language.code(),
        dir => if language.is_rtl() { "rtl" } else { "ltr" },
        product => PRODUCT,
        subject => blocks.subject,
        intro => blocks.intro,
        code => mail.code(),
        action => blocks.action,
        link => link,
        outro => blocks.outro,
        reason => blocks.reason,
    };
    let layout = |file: &str| -> anyhow::Result<String> {
        let out = env.get_template(file).and_then(|t| t.render(&ctx));
        out.map_err(|e| anyhow::anyhow!("email layout {file} for {name}: {e:#}"))
    };
    Ok(Rendered {
        subject: blocks.subject,
        text: format!("{}\n", layout("layout.txt.j2")?),
        html: layout("layout.html.j2")?,
    })
}

/// The blocks of one email's template, filled and tidied.
struct Blocks {
    subject: String,
    intro: Vec<String>,
    action: String,
    outro: Vec<String>,
    reason: String,
}

fn blocks(env: &Environment<'static>, name: &str, mail: &Mail) -> Result<Blocks, Error> {
    // The email's fields are its template's variables (the `vars` of its serde form).
    let vars = Value::from_serialize(mail).get_attr("vars")?;
    // Rendering the whole file (its blocks in a row) is thrown away: only the state is kept,
    // to render each block on its own.
    let mut captured = env.get_template(name)?.render_captured_to(vars, std::io::sink())?;
    captured.with_state_mut(|state| {
        Ok(Blocks {
            subject: one_line(&state.render_block("subject")?),
            intro: paragraphs(&state.render_block("intro")?),
            action: one_line(&state.render_block("action")?),
            outro: paragraphs(&state.render_block("outro")?),
            reason: one_line(&state.render_block("reason")?),
        })
    })
}

/// Collapses every run of whitespace, line breaks included, into one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Paragraphs separated by blank lines, each on one line (templates may wrap them).
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}
