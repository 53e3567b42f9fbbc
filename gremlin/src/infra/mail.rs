//! Mail adapters for identity's `Mailer` port, chosen by `mail.url`: `log`
//! (default) writes each message to the log, so invitations and links work
//! with zero configuration; `smtp://` / `smtps://` sends through an SMTP
//! server, each mail with a text and an HTML body from its templates
//! ([`templates`], replaceable through `mail.templates_dir`).

pub mod templates;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_config::Settings;
use gremlin_identity::ports::{AccountMail, InvitationMail, Mailer};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use templates::{Rendered, Templates};

/// Writes e-mails to the log instead of sending them. Links carry secret
/// tokens: this is for development, where the log is the inbox.
#[derive(Debug, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send_invitation(&self, mail: &InvitationMail) -> anyhow::Result<()> {
        tracing::info!(
            to = %mail.to,
            inviter = %mail.inviter_email,
            organization = %mail.organization_name,
            invitation_id = %mail.invitation_id,
            role = %mail.role,
            "invitation e-mail (log mailer: set mail.url to deliver it)"
        );
        Ok(())
    }

    async fn send_account_mail(&self, mail: &AccountMail) -> anyhow::Result<()> {
        tracing::info!(
            mail = mail.kind.template(),
            to = %mail.to,
            link = %mail.url,
            "account e-mail (log mailer: set mail.url to deliver it)"
        );
        Ok(())
    }
}

/// Sends identity's e-mails through SMTP.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    link: String,
    templates: Templates,
}

impl SmtpMailer {
    /// A mailer for `url` (`smtps://` with TLS, `smtp://…?tls=required`
    /// with STARTTLS, plain `smtp://` for a local relay), sending from
    /// `from`, linking invitations to `link` (`{id}` replaced), writing
    /// mail from `templates`. Fails on a malformed URL or sender; connects
    /// only when sending.
    pub fn new(url: &str, from: &str, link: String, templates: Templates) -> anyhow::Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).context("mail.url")?.build();
        Ok(Self { transport, from: from.parse().context("mail.from")?, link, templates })
    }

    async fn send(&self, to: &str, what: &str, mail: Rendered) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse().with_context(|| format!("the {what} e-mail's address"))?)
            .subject(mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .with_context(|| format!("building the {what} e-mail"))?;
        self.transport.send(message).await.with_context(|| format!("sending the {what} e-mail"))?;
        Ok(())
    }
}

/// The invitation's link: `link` with the invitation id for `{id}`.
pub fn invitation_url(mail: &InvitationMail, link: &str) -> String {
    link.replace("{id}", &mail.invitation_id)
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send_invitation(&self, mail: &InvitationMail) -> anyhow::Result<()> {
        let url = invitation_url(mail, &self.link);
        let values = [
            ("inviter_email", mail.inviter_email.as_str()),
            ("organization_name", mail.organization_name.as_str()),
            ("role", mail.role.as_str()),
            ("url", url.as_str()),
        ];
        let rendered = self.templates.render("invitation", &values)?;
        self.send(&mail.to, "invitation", rendered).await
    }

    async fn send_account_mail(&self, mail: &AccountMail) -> anyhow::Result<()> {
        let minutes = mail.expires_minutes.to_string();
        let values = [
            ("name", mail.name.as_str()),
            ("email", mail.to.as_str()),
            ("url", mail.url.as_str()),
            ("expires_minutes", minutes.as_str()),
            ("new_email", mail.new_email.as_deref().unwrap_or_default()),
        ];
        let template = mail.kind.template();
        let rendered = self.templates.render(template, &values)?;
        self.send(&mail.to, template, rendered).await
    }
}

/// The mailer `mail.url` names, with its templates read and checked now.
pub fn from_settings(settings: &Settings) -> anyhow::Result<Arc<dyn Mailer>> {
    let link =
        settings.mail.invitation_link.clone().unwrap_or_else(|| {
            format!("{}/accept-invitation/{{id}}", settings.server.public_url.trim_end_matches('/'))
        });
    let templates =
        Templates::load(settings.mail.templates_dir.as_deref().map(Path::new)).context("mail.templates_dir")?;
    match settings.mail.url.scheme().as_str() {
        "log" => Ok(Arc::new(LogMailer)),
        _ => Ok(Arc::new(SmtpMailer::new(settings.mail.url.expose(), &settings.mail.from, link, templates)?)),
    }
}
