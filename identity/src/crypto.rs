//! Cryptography identity relies on: signed session tokens (Better Auth's
//! cookie format), password hashes (argon2id; Better Auth's scrypt for
//! verification), and service JWTs.

pub mod hashing;
pub mod jwt;
pub mod keys;
pub mod password;
pub mod signed_token;
