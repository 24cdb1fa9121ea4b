//! Short-lived access tokens (HS256 JWT) naming a user and the session they belong to.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{SessionId, UserId};

/// Claims carried by an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Session id; every request checks that this session is still alive.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Lifetime of an access token in seconds.
    pub ttl_secs: i64,
}

impl TokenKeys {
    /// Keys from a shared secret.
    pub fn new(secret: &[u8], ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    /// Issues an access token for `user` in `session`, valid from `now_secs`.
    pub fn issue(&self, user: UserId, session: SessionId, now_secs: i64) -> anyhow::Result<String> {
        let claims =
            Claims { sub: user.to_string(), sid: session.to_string(), iat: now_secs, exp: now_secs + self.ttl_secs };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// Verifies signature and expiry; `None` for anything invalid.
    pub fn verify(&self, token: &str) -> Option<(UserId, SessionId)> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some((data.claims.sub.parse().ok()?, data.claims.sid.parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_verify_and_reject_tampering() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let (u, s) = (UserId::new(), SessionId::new());
        let now = chrono::Utc::now().timestamp();
        let t = keys.issue(u, s, now).unwrap();
        assert_eq!(keys.verify(&t), Some((u, s)));
        assert_eq!(TokenKeys::new(b"another secret another secret!!!", 60).verify(&t), None);
        assert_eq!(keys.verify(&keys.issue(u, s, now - 120).unwrap()), None);
    }
}
