//! Session and trusted-device cookies for browser clients: HttpOnly, SameSite=Lax, Secure
//! when configured. The refresh cookie is scoped to the auth paths.

use std::time::Duration;

use poem::web::cookie::{Cookie, CookieJar, SameSite};

use crate::api::security::ACCESS_COOKIE;
use crate::{config::Config, service::sessions::IssuedSession};

/// Refresh-token cookie name.
pub const REFRESH_COOKIE: &str = "p2p_refresh";
/// Trusted-device cookie name.
pub const DEVICE_COOKIE: &str = "p2p_device";
const REFRESH_PATH: &str = "/api/v1/auth";

fn cookie(config: &Config, name: &str, value: &str, path: &str, max_age: Duration) -> Cookie {
    let mut c = Cookie::new_with_str(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path(path);
    c.set_max_age(max_age);
    c.set_secure(config.auth.cookie_secure);
    c
}

/// Sets the access and refresh cookies of a new session.
pub fn set_session(jar: &CookieJar, config: &Config, s: &IssuedSession) {
    jar.add(cookie(config, ACCESS_COOKIE, &s.access_token, "/", Duration::from_secs(s.expires_in.max(0) as u64)));
    jar.add(cookie(
        config,
        REFRESH_COOKIE,
        &s.refresh_token,
        REFRESH_PATH,
        Duration::from_secs(config.auth.absolute_timeout_secs),
    ));
}

/// Sets the trusted-device cookie.
pub fn set_device(jar: &CookieJar, config: &Config, token: &str) {
    jar.add(cookie(config, DEVICE_COOKIE, token, "/", Duration::from_secs(config.auth.trusted_device_days * 86_400)));
}

/// Expires the session cookies.
pub fn clear_session(jar: &CookieJar, config: &Config) {
    jar.add(cookie(config, ACCESS_COOKIE, "", "/", Duration::ZERO));
    jar.add(cookie(config, REFRESH_COOKIE, "", REFRESH_PATH, Duration::ZERO));
}
