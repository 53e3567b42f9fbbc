//! The mail the SMTP sink received (`make services`: aiosmtpd on
//! 127.0.0.1:2525 keeping a Maildir under `/var/tmp/gremlin-smtp`; override
//! with `GREMLIN_TEST_SMTP_PORT` and `GREMLIN_TEST_SMTP_MAILDIR`). Tests
//! send to addresses of their own and read their mail back as a client
//! would (MIME parts, transfer encodings), deleting what they read.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mail_parser::MessageParser;

/// The sink's SMTP URL, for `mail.url`.
pub fn smtp_url() -> String {
    let port = std::env::var("GREMLIN_TEST_SMTP_PORT").unwrap_or_else(|_| "2525".into());
    format!("smtp://127.0.0.1:{port}")
}

fn maildir() -> PathBuf {
    std::env::var("GREMLIN_TEST_SMTP_MAILDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/var/tmp/gremlin-smtp/Maildir"))
}

/// An address nobody else's test uses.
pub fn address(name: &str) -> String {
    format!("{name}-{}@example.com", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

/// One received mail.
#[derive(Debug, Clone)]
pub struct Received {
    /// `From`.
    pub from: String,
    /// `Subject`.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

impl Received {
    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self.text.find(prefix).unwrap_or_else(|| panic!("no link {prefix}… in:\n{}", self.text));
        self.text[start..].split_whitespace().next().unwrap_or_default().to_owned()
    }
}

/// Reads, parses and deletes the mail to `to` that has arrived, oldest first.
fn take(to: &str) -> Vec<Received> {
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir().join(sub)) else { continue };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files {
            let Ok(raw) = std::fs::read(&file) else { continue };
            let Some(message) = MessageParser::default().parse(&raw) else { continue };
            let to_us = message
                .to()
                .is_some_and(|list| list.iter().any(|a| a.address().is_some_and(|a| a.eq_ignore_ascii_case(to))));
            if !to_us {
                continue;
            }
            let from = message.from().and_then(|f| f.first()).and_then(|a| a.address()).unwrap_or_default();
            found.push(Received {
                from: from.to_owned(),
                subject: message.subject().unwrap_or_default().to_owned(),
                text: message.body_text(0).unwrap_or_default().into_owned(),
                html: message.body_html(0).unwrap_or_default().into_owned(),
            });
            std::fs::remove_file(&file).ok();
        }
    }
    found
}

/// Waits up to 10 s until `count` mails to `to` arrived; they are then read
/// and deleted, oldest first.
pub async fn mail_to(to: &str, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    loop {
        got.extend(take(to));
        if got.len() >= count {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} mails to {to} arrived at the SMTP sink in 10 s (is it running? make services)",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Mail to `to` that arrived by now (read and deleted).
pub fn arrived(to: &str) -> Vec<Received> {
    take(to)
}
