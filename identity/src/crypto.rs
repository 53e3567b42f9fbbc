//! Cryptography identity relies on: signed session tokens (Better Auth's
//! cookie format), password hashes (argon2id; Better Auth's scrypt for
//! verification), service JWTs and e-mail verification tokens.

pub mod email_token;
pub mod hashing;
pub mod jwt;
pub mod keys;
pub mod password;
pub mod signed_token;
