//! Cryptography identity relies on: signed session tokens (Better Auth's
//! cookie format), password hashes (argon2id; Better Auth's scrypt for
//! verification), service JWTs, e-mail verification tokens and API keys.

pub mod api_key;
pub mod email_token;
pub mod hashing;
pub mod jwt;
pub mod keys;
pub mod password;
pub mod signed_token;
