//! Mail templates: a subject, a text body and an HTML body per mail, with
//! `{{name}}` placeholders. Built-in ones are compiled in; an operator's
//! directory (`mail.templates_dir`) replaces any of the files
//! `<mail>.subject.txt`, `<mail>.txt` and `<mail>.html`. Templates are read
//! and checked once at start-up: a placeholder the mail does not have is
//! an error then, never a blank in a sent mail. Values are HTML-escaped in
//! HTML bodies; subjects are single lines.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};

/// Each mail and the placeholders its templates may use.
pub const MAILS: &[(&str, &[&str])] = &[
    ("invitation", &["inviter_email", "organization_name", "role", "url"]),
    ("verify_email", &["name", "email", "url", "expires_minutes"]),
    ("reset_password", &["name", "email", "url", "expires_minutes"]),
    ("change_email", &["name", "email", "url", "expires_minutes"]),
    ("change_email_notice", &["name", "email", "new_email"]),
    ("delete_account", &["name", "email", "url", "expires_minutes"]),
];

/// The three parts of a mail.
const PARTS: [&str; 3] = ["subject.txt", "txt", "html"];

fn built_in(mail: &str, part: &str) -> Option<&'static str> {
    Some(match (mail, part) {
        ("invitation", "subject.txt") => include_str!("templates/invitation.subject.txt"),
        ("invitation", "txt") => include_str!("templates/invitation.txt"),
        ("invitation", "html") => include_str!("templates/invitation.html"),
        ("verify_email", "subject.txt") => include_str!("templates/verify_email.subject.txt"),
        ("verify_email", "txt") => include_str!("templates/verify_email.txt"),
        ("verify_email", "html") => include_str!("templates/verify_email.html"),
        ("reset_password", "subject.txt") => include_str!("templates/reset_password.subject.txt"),
        ("reset_password", "txt") => include_str!("templates/reset_password.txt"),
        ("reset_password", "html") => include_str!("templates/reset_password.html"),
        ("change_email", "subject.txt") => include_str!("templates/change_email.subject.txt"),
        ("change_email", "txt") => include_str!("templates/change_email.txt"),
        ("change_email", "html") => include_str!("templates/change_email.html"),
        ("change_email_notice", "subject.txt") => include_str!("templates/change_email_notice.subject.txt"),
        ("change_email_notice", "txt") => include_str!("templates/change_email_notice.txt"),
        ("change_email_notice", "html") => include_str!("templates/change_email_notice.html"),
        ("delete_account", "subject.txt") => include_str!("templates/delete_account.subject.txt"),
        ("delete_account", "txt") => include_str!("templates/delete_account.txt"),
        ("delete_account", "html") => include_str!("templates/delete_account.html"),
        _ => return None,
    })
}

/// A mail made from its templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// Every mail's templates, checked.
#[derive(Debug, Clone)]
pub struct Templates {
    parts: HashMap<(&'static str, &'static str), String>,
}

impl Templates {
    /// The built-in templates, with the files of `dir` in their place where
    /// present. Fails naming the file on an unreadable one or an unknown
    /// placeholder.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Self> {
        let mut parts = HashMap::new();
        for (mail, names) in MAILS {
            for part in PARTS {
                let file = dir.map(|d| d.join(format!("{mail}.{part}")));
                let text = match file.as_deref().filter(|f| f.exists()) {
                    Some(f) => std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?,
                    None => built_in(mail, part).context("a built-in mail template is missing")?.to_owned(),
                };
                let place = file
                    .as_deref()
                    .filter(|f| f.exists())
                    .map_or_else(|| format!("the built-in {mail}.{part}"), |f| f.display().to_string());
                check(&text, names).with_context(|| format!("mail template {place}"))?;
                parts.insert((*mail, part), text);
            }
        }
        Ok(Self { parts })
    }

    /// Mail `mail` with `values` in its placeholders.
    pub fn render(&self, mail: &str, values: &[(&str, &str)]) -> anyhow::Result<Rendered> {
        let part = |p: &str| {
            self.parts
                .iter()
                .find(|((m, q), _)| *m == mail && *q == p)
                .map(|(_, t)| t.as_str())
                .with_context(|| format!("no mail template `{mail}`"))
        };
        let subject = fill(part("subject.txt")?, values, false);
        Ok(Rendered {
            subject: subject.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default().to_owned(),
            text: fill(part("txt")?, values, false),
            html: fill(part("html")?, values, true),
        })
    }
}

/// The placeholders of `template`, in order.
fn placeholders(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        found.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    found
}

fn check(template: &str, allowed: &[&str]) -> anyhow::Result<()> {
    for name in placeholders(template) {
        if !allowed.contains(&name) {
            bail!("unknown placeholder {{{{{name}}}}}; this mail has {}", allowed.join(", "));
        }
    }
    Ok(())
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn fill(template: &str, values: &[(&str, &str)], html: bool) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push_str(&rest[..start]);
        let name = after[..end].trim();
        let value = values.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| *v);
        if html {
            out.push_str(&escape_html(value));
        } else {
            out.push_str(value);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: &[(&str, &str)] = &[
        ("name", "Ada <Lovelace>"),
        ("email", "ada@example.com"),
        ("url", "https://gremlin.example/api/auth/verify-email?token=a.b.c&callbackURL=%2F"),
        ("expires_minutes", "60"),
    ];

    #[test]
    fn every_built_in_template_is_filled_with_its_values() {
        let templates = Templates::load(None).unwrap();
        for (mail, names) in MAILS {
            let values: Vec<(&str, &str)> = names.iter().map(|n| (*n, "VALUE")).collect();
            let r = templates.render(mail, &values).unwrap();
            for part in [&r.subject, &r.text, &r.html] {
                assert!(!part.contains("{{"), "{mail}: {part}");
            }
            assert!(r.text.contains("VALUE") && r.html.contains("VALUE"), "{mail}");
        }
    }

    #[test]
    fn html_bodies_escape_values_and_text_bodies_keep_them() {
        let r = Templates::load(None).unwrap().render("verify_email", VALUES).unwrap();
        assert!(r.html.contains("Ada &lt;Lovelace&gt;"));
        assert!(r.html.contains("token=a.b.c&amp;callbackURL=%2F"));
        assert!(r.text.contains("Ada <Lovelace>"));
        assert!(r.text.contains("token=a.b.c&callbackURL=%2F"));
        assert_eq!(r.subject, "Verify your e-mail address");
    }

    #[test]
    fn an_operators_file_replaces_only_its_part() {
        let dir = std::env::temp_dir().join(format!("gremlin-mail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("reset_password.subject.txt"), "Reset for {{ name }}\n").unwrap();
        let r = Templates::load(Some(&dir)).unwrap().render("reset_password", VALUES).unwrap();
        assert_eq!(r.subject, "Reset for Ada <Lovelace>");
        assert!(r.text.contains("choose a new password"));
        std::fs::write(dir.join("verify_email.html"), "<a href=\"{{link}}\">go</a>").unwrap();
        let err = format!("{:#}", Templates::load(Some(&dir)).unwrap_err());
        assert!(err.contains("verify_email.html") && err.contains("{{link}}"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
