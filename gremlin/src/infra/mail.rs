//! Mail adapters for identity's `Mailer` port, chosen by `mail.url`: `log`
//! (default) writes each message to the log, so invitations work with zero
//! configuration; `smtp://` / `smtps://` sends through an SMTP server.

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_config::Settings;
use gremlin_identity::ports::{InvitationMail, Mailer};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Writes invitation e-mails to the log instead of sending them.
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
}

/// Sends invitation e-mails through SMTP.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    link: String,
}

impl SmtpMailer {
    /// A mailer for `url` (`smtps://` with TLS, `smtp://…?tls=required`
    /// with STARTTLS, plain `smtp://` for a local relay),
    /// sending from `from`, linking to `link` (`{id}` replaced). Fails on
    /// a malformed URL or sender; connects only when sending.
    pub fn new(url: &str, from: &str, link: String) -> anyhow::Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).context("mail.url")?.build();
        Ok(Self { transport, from: from.parse().context("mail.from")?, link })
    }
}

/// The text of an invitation e-mail.
pub fn invitation_text(mail: &InvitationMail, link: &str) -> (String, String) {
    let subject = format!("{} invited you to {}", mail.inviter_email, mail.organization_name);
    let url = link.replace("{id}", &mail.invitation_id);
    let body = format!(
        "Hello,\n\n{} invited you to join {} as {}.\n\nAccept the invitation: {url}\n\nThe invitation expires in 48 hours. \
         If you did not expect it, ignore this e-mail.\n",
        mail.inviter_email, mail.organization_name, mail.role
    );
    (subject, body)
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send_invitation(&self, mail: &InvitationMail) -> anyhow::Result<()> {
        let (subject, body) = invitation_text(mail, &self.link);
        let message = Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse().context("invitee address")?)
            .subject(subject)
            .body(body)
            .context("building the invitation e-mail")?;
        self.transport.send(message).await.context("sending the invitation e-mail")?;
        Ok(())
    }
}

/// The mailer `mail.url` names.
pub fn from_settings(settings: &Settings) -> anyhow::Result<Arc<dyn Mailer>> {
    let link =
        settings.mail.invitation_link.clone().unwrap_or_else(|| {
            format!("{}/accept-invitation/{{id}}", settings.server.public_url.trim_end_matches('/'))
        });
    match settings.mail.url.scheme().as_str() {
        "log" => Ok(Arc::new(LogMailer)),
        _ => Ok(Arc::new(SmtpMailer::new(settings.mail.url.expose(), &settings.mail.from, link)?)),
    }
}
