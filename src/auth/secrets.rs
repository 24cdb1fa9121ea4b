//! Random secrets (tokens, one-time codes) and the hashes under which they are stored.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore, rngs::OsRng};
use sha2::{Digest, Sha256};

/// A URL-safe random token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A 6-digit code from the OS CSPRNG.
pub fn six_digit_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// HMAC-SHA256 of `data` under `key`; used for one-time codes (peppered, so a leaked
/// database does not reveal codes by brute force over a million candidates).
pub fn keyed_hash(key: &[u8], context: &str, data: &str) -> [u8; 32] {
    // HMAC accepts keys of any length, so construction cannot fail; fall back to a plain
    // hash rather than panic if it ever did.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(context.as_bytes());
            mac.update(&[0]);
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().into()
        }
        Err(_) => sha256(format!("{context}\0{data}").as_bytes()),
    }
}

/// Constant-time equality of two digests.
pub fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    subtle::ConstantTimeEq::ct_eq(&a[..], &b[..]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_tokens_differ() {
        for _ in 0..100 {
            let c = six_digit_code();
            assert!(c.len() == 6 && c.chars().all(|c| c.is_ascii_digit()));
        }
        assert_ne!(random_token(32), random_token(32));
        assert_ne!(keyed_hash(b"k", "a", "1"), keyed_hash(b"k", "b", "1"));
    }
}
