//! Tests of the configuration layering: defaults, file and environment, and errors that name the key.

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
