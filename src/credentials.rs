//! Secrets: password hashing with Argon2id (memory-hard) and random bearer tokens.
//!
//! Tokens are 256 random bits, given to the caller once and stored only as a SHA-256 digest.
//! Neither passwords nor tokens are ever logged; [`redact`] is the only form that may appear
//! in messages.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a password into a self-describing PHC string.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches the stored PHC hash.
pub fn verify_password(password: &str, phc_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc_hash)
        .is_ok()
}

/// A fresh bearer token (64 hexadecimal characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The digest under which a token is stored.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token shortened so it can be shown without being usable.
pub fn redact(token: &str) -> String {
    let visible: String = token.chars().take(4).collect();
    format!("{visible}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_when_equal() {
        let hash = hash_password("s3cret").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("s3cret", &hash));
        assert!(!verify_password("s3creT", &hash));
        assert!(!verify_password("s3cret", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_redacted() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_digest(&a), a);
        assert_eq!(redact(&a).chars().count(), 5);
    }
}
