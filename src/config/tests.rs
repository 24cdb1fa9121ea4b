//! Tests of the configuration layering: defaults, file and environment (with the forms the
//! variables take), and errors that name the key and its source.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
}

#[test]
fn defaults_load_and_env_overrides() {
    let c = Config::load_from(None, env(&[("P2P_BIND", "127.0.0.1:0"), ("P2P_AUTH__IDLE_TIMEOUT_SECS", "5")])).unwrap();
    assert_eq!(c.bind, "127.0.0.1:0");
    assert_eq!(c.auth.idle_timeout_secs, 5);
    assert_eq!(c.data_dir, PathBuf::from("./data"));
    assert_eq!(c.cors_origins, vec!["http://localhost:5173".to_string()]);
}

#[test]
fn unknown_and_bad_values_name_the_key() {
    let e = Config::load_from(None, env(&[("P2P_NOPE", "1")])).unwrap_err();
    assert!(format!("{e:#}").contains("nope"), "{e:#}");
    let e = Config::load_from(None, env(&[("P2P_AUTH__LOCKOUT_SECS", "soon")])).unwrap_err();
    assert!(format!("{e:#}").contains("auth.lockout_secs"), "{e:#}");
    let e = Config::load_from(None, env(&[("P2P_LOG_FORMAT", "xml")])).unwrap_err();
    assert!(format!("{e:#}").contains("log_format"), "{e:#}");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    std::fs::write(&f, "[auth]\nmystery = 1\n").unwrap();
    let e = Config::load_from(Some(&f), env(&[])).unwrap_err();
    assert!(format!("{e:#}").contains("auth.mystery"), "{e:#}");
}

#[test]
fn variables_keep_their_forms_booleans_lists_aliases_and_strings() {
    let c = Config::load_from(
        None,
        env(&[
            ("P2P_AUTH__COOKIE_SECURE", "yes"),
            ("P2P_AUTH__DEVICE_VERIFICATION", "off"),
            ("P2P_CORS_ORIGINS", "https://a.example, https://b.example,"),
            ("P2P_AUTH__PERSONAL_DOMAINS", "mail.example"),
            // A numeric secret stays a string; a number is read from its string.
            ("P2P_JWT_SECRET", "123456"),
            ("P2P_MAIL__SMTP_PASSWORD", "007"),
            ("P2P_MAIL__SMTP_PORT", " 2525 "),
            ("P2P_CONFIG", "ignored.toml"),
            ("HOME", "/not/a/setting"),
        ]),
    )
    .unwrap();
    assert!(c.auth.cookie_secure);
    assert!(!c.auth.device_verification);
    assert_eq!(c.cors_origins, ["https://a.example", "https://b.example"]);
    assert_eq!(c.auth.personal_domains, ["mail.example"]);
    assert_eq!(c.auth.jwt_secret, "123456");
    assert_eq!(c.mail.smtp_password, "007");
    assert_eq!(c.mail.smtp_port, 2525);
    let e = Config::load_from(None, env(&[("P2P_AUTH__COOKIE_SECURE", "maybe")])).unwrap_err();
    assert!(format!("{e:#}").contains("P2P_AUTH__COOKIE_SECURE"), "{e:#}");
}

#[test]
fn the_file_sits_between_defaults_and_variables_and_errors_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    std::fs::write(&f, "bind = \"127.0.0.1:9\"\nlog_level = \"debug\"\n[auth]\nidle_timeout_secs = 60\n").unwrap();
    let c = Config::load_from(Some(&f), env(&[("P2P_LOG_LEVEL", "warn")])).unwrap();
    assert_eq!((c.bind.as_str(), c.log_level.as_str(), c.auth.idle_timeout_secs), ("127.0.0.1:9", "warn", 60));
    assert_eq!(c.auth.absolute_timeout_secs, 28800, "untouched keys keep their defaults");

    std::fs::write(&f, "[auth]\nidle_timeout_secs = \"soon\"\n").unwrap();
    let e = format!("{:#}", Config::load_from(Some(&f), env(&[])).unwrap_err());
    assert!(e.contains("auth.idle_timeout_secs") && e.contains("c.toml"), "{e}");
    let e = format!("{:#}", Config::load_from(Some(&dir.path().join("missing.toml")), env(&[])).unwrap_err());
    assert!(e.contains("missing.toml"), "{e}");
    let e = format!("{:#}", Config::load_from(None, env(&[("P2P_MAIL_TRANSPORT", "pigeon")])).unwrap_err());
    assert!(e.contains("mail.transport") && e.contains("P2P_MAIL_TRANSPORT"), "{e}");
}
