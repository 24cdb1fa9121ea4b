//! Every email rendered in both languages, both parts looked at; escaping and strictness.

use std::collections::BTreeSet;

use super::templates::{self, PRODUCT, Rendered, escape_html, load_embedded, render, render_with};
use crate::domain::{
    mail::{DigestLine, Mail},
    user::Language,
};

const LANGUAGES: [Language; 2] = [Language::En, Language::Ar];

/// One email of each template, with values easy to spot.
fn samples() -> Vec<Mail> {
    let name = || "Layla".to_string();
    let org = || "Gulf Valves & Pumps".to_string();
    vec![
        Mail::VerifyEmail { name: name(), code: "104729".into(), minutes: "15".into() },
        Mail::LoginCode { name: name(), code: "550131".into(), minutes: "15".into() },
        Mail::EmailChange { name: name(), code: "870264".into(), minutes: "15".into() },
        Mail::Invitation {
            inviter: "Omar Haddad".into(),
            organization: org(),
            link: "https://p2p.example/join?token=inv-TOKEN_1".into(),
        },
        Mail::JoinApproved { name: name(), organization: org(), link: "https://p2p.example".into() },
        Mail::JoinRejected { name: name(), organization: org() },
        Mail::JoinRequest {
            name: name(),
            requester: "Sara O'Neil".into(),
            organization: org(),
            link: "https://p2p.example/organization?tab=requests".into(),
        },
        Mail::PasswordChanged { name: name(), link: "https://p2p.example/forgot-password".into() },
        Mail::ResetPassword { name: name(), link: "https://p2p.example/reset-password?token=rst-TOKEN_2".into() },
        Mail::NewMessage {
            name: name(),
            sender: "Omar Haddad".into(),
            preview: "Can you share the pump curve for the new line? متى يصل الطلب؟".into(),
            link: "https://p2p.example/messages/0190b6a2-7c1e-7000-8000-000000000001".into(),
        },
        Mail::NotificationDigest {
            name: name(),
            items: digest_lines(),
            link: "https://p2p.example/notifications".into(),
        },
    ]
}

/// Two lines of a digest: a best answer, and likes by four people.
fn digest_lines() -> Vec<DigestLine> {
    vec![
        DigestLine {
            kind: "best_answer".into(),
            actor: "Omar Haddad".into(),
            others: "0".into(),
            title: "Seal leaks on the filler valves".into(),
        },
        DigestLine {
            kind: "liked".into(),
            actor: "Sara O'Neil".into(),
            others: "3".into(),
            title: "تسرب الزيت من المضخة".into(),
        },
    ]
}

/// The email templates of `language` (layouts aside), by name.
fn templates_of(language: Language) -> BTreeSet<String> {
    let prefix = format!("{}/", language.code());
    templates::names()
        .iter()
        .filter_map(|n| n.strip_prefix(&prefix)?.strip_suffix(".txt.j2").map(str::to_owned))
        .collect()
}

/// The values of `mail`'s variables that show as they are (a digest line's `kind` shows as
/// a phrase and its `others` as a count, so those are looked at in their own test).
fn values(mail: &Mail) -> Vec<String> {
    fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            serde_json::Value::Object(map) => {
                map.iter().filter(|(k, _)| *k != "kind" && *k != "others").for_each(|(_, v)| collect(v, out))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(&serde_json::to_value(mail).unwrap()["vars"], &mut out);
    out
}

fn escaped(s: &str) -> String {
    escape_html(s)
}

#[test]
fn every_template_exists_in_both_languages_and_has_a_sample() {
    let en = templates_of(Language::En);
    assert_eq!(en, templates_of(Language::Ar), "each email needs an English and an Arabic template");
    let sampled: BTreeSet<String> = samples().iter().map(|m| m.template().to_owned()).collect();
    assert_eq!(samples().len(), en.len(), "one sample per template");
    assert_eq!(sampled, en, "the samples cover exactly the templates");
    let names = templates::names();
    assert!(names.contains(&"layout.txt.j2".into()) && names.contains(&"layout.html.j2".into()));
}

#[test]
fn every_email_renders_in_both_languages_with_both_parts() {
    for language in LANGUAGES {
        for mail in samples() {
            let what = format!("{} in {}", mail.template(), language.code());
            let Rendered { subject, text, html } = render(language, &mail).unwrap_or_else(|e| panic!("{what}: {e:#}"));
            assert!(!subject.is_empty() && !subject.contains('\n'), "{what}: subject {subject:?}");
            assert!(!text.contains("{{") && !html.contains("{{"), "{what}: unfilled placeholder");

            // Plain text: every value; the code and the link each alone on a line.
            for value in values(&mail) {
                assert!(text.contains(&value), "{what}: text lacks {value:?}:\n{text}");
                assert!(html.contains(&escaped(&value)), "{what}: HTML lacks {value:?}:\n{html}");
            }
            let lines: Vec<&str> = text.lines().collect();
            if let Some(code) = mail.code() {
                assert!(lines.contains(&code), "{what}: the code is not on a line of its own:\n{text}");
            }
            let link = mail.action_link();
            if let Some(link) = &link {
                assert!(lines.contains(&link.as_str()), "{what}: the link is not on a line of its own:\n{text}");
                assert!(html.contains(&format!("href=\"{}\"", escaped(link))), "{what}: no link in HTML");
            }
            // The footer: the product, then why the person gets this email.
            let footer = text.rsplit_once("\n-- \n").map(|(_, f)| f).unwrap_or_else(|| panic!("{what}: no footer"));
            let footer: Vec<&str> = footer.lines().collect();
            assert!(footer.len() == 2 && footer[0] == PRODUCT && !footer[1].is_empty(), "{what}: footer {footer:?}");
            assert!(html.contains(&escaped(footer[1])), "{what}: the HTML footer lacks the reason");
            assert!(html.matches(PRODUCT).count() >= 2, "{what}: product name in header and footer");

            // HTML: direction, fonts, one button exactly when there is a link.
            let (dir, lang) = if language.is_rtl() { ("rtl", "ar") } else { ("ltr", "en") };
            assert!(html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")), "{what}: {html}");
            if language.is_rtl() {
                assert!(html.contains("'Noto Naskh Arabic', 'Segoe UI', Tahoma, 'Geeza Pro', Arial, sans-serif"));
                assert!(html.contains("text-align:right") && !html.contains("text-align:left"), "{what}");
            } else {
                assert!(!html.contains("dir=\"rtl\"") && !html.contains("Noto Naskh"), "{what}");
            }
            let buttons = html.matches("display:inline-block").count();
            assert_eq!(buttons, usize::from(link.is_some()), "{what}: buttons");
            assert!(!html.contains("<style"), "{what}: inline CSS only");
        }
    }
}

#[test]
fn variables_are_escaped_in_html_and_verbatim_in_text() {
    let hostile = "<script>&\"x'";
    for language in LANGUAGES {
        let mail = Mail::JoinRequest {
            name: "Layla".into(),
            requester: hostile.into(),
            organization: "A&B".into(),
            link: "https://p2p.example/organization?tab=requests&x=\"><b>".into(),
        };
        let Rendered { subject, text, html } = render(language, &mail).unwrap();
        assert!(subject.contains(hostile), "the subject header is plain text");
        assert!(text.contains(hostile) && text.contains("A&B"));
        assert!(html.contains("&lt;script&gt;&amp;&quot;x&#39;"), "{html}");
        assert!(!html.contains("<script>") && !html.contains("<b>") && !html.contains("A&B"), "{html}");
        assert!(html.contains("tab=requests&amp;x=&quot;&gt;&lt;b&gt;"), "link escaped in href and text");
        // Slashes stay as they are: links read whole in the raw message.
        assert!(html.contains("href=\"https://p2p.example/organization?tab=requests&amp;"), "{html}");
    }
}

#[test]
fn a_template_naming_an_undefined_variable_fails() {
    let env = templates::environment(|name| {
        if name == "en/verify_email.txt.j2" {
            let broken = "{% block subject %}Code{% endblock %}{% block intro %}Hi {{ nickname }}{% endblock %}\
                          {% block action %}{% endblock %}{% block outro %}{% endblock %}\
                          {% block reason %}Why{% endblock %}";
            return Ok(Some(broken.into()));
        }
        load_embedded(name)
    });
    let mail = &samples()[0];
    let error = render_with(&env, Language::En, mail).unwrap_err();
    assert!(format!("{error:#}").contains("en/verify_email.txt.j2"), "{error:#}");
    assert!(format!("{error:#}").to_lowercase().contains("undefined"), "{error:#}");
    // The same environment renders the Arabic email, whose template is intact.
    render_with(&env, Language::Ar, mail).unwrap();
}

#[test]
fn a_button_label_without_a_link_fails() {
    let env = templates::environment(|name| {
        if name == "en/join_rejected.txt.j2" {
            let labelled = "{% block subject %}S{% endblock %}{% block intro %}I{% endblock %}\
                            {% block action %}Open{% endblock %}{% block outro %}{% endblock %}\
                            {% block reason %}R{% endblock %}";
            return Ok(Some(labelled.into()));
        }
        load_embedded(name)
    });
    let mail = Mail::JoinRejected { name: "Layla".into(), organization: "O".into() };
    assert!(render_with(&env, Language::En, &mail).is_err());
}

#[test]
fn a_digest_lists_each_line_as_a_paragraph_and_counts_the_others() {
    let mail =
        Mail::NotificationDigest { name: "Layla".into(), items: digest_lines(), link: "https://p2p.example".into() };
    let en = render(Language::En, &mail).unwrap();
    assert_eq!(en.subject, "2 new notifications on P2P Sandbox");
    let best = "• Omar Haddad chose your reply as the best answer in “Seal leaks on the filler valves”";
    let liked = "• Sara O'Neil and 3 others liked your post in “تسرب الزيت من المضخة”";
    let lines: Vec<&str> = en.text.lines().collect();
    let (b, l) = (lines.iter().position(|x| *x == best), lines.iter().position(|x| *x == liked));
    assert!(b.is_some() && l.is_some() && b < l, "lines in order, each alone:\n{}", en.text);
    assert!(en.html.contains("<p") && en.html.contains("Sara O&#39;Neil and 3 others liked"), "{}", en.html);
    let ar = render(Language::Ar, &mail).unwrap();
    assert!(ar.subject.starts_with("2 ") && ar.text.contains("Sara O'Neil و3 آخرون"), "{}", ar.text);

    let one = Mail::NotificationDigest {
        name: "Layla".into(),
        items: digest_lines()[..1].to_vec(),
        link: "https://p2p.example".into(),
    };
    let en = render(Language::En, &one).unwrap();
    assert_eq!(en.subject, "Omar Haddad chose your reply as the best answer in “Seal leaks on the filler valves”");
}
