//! Mail adapters for identity's `Mailer` port. The default writes each
//! message to the log, so invitations work with zero configuration and an
//! operator can copy the invitation id from the log.

use async_trait::async_trait;
use gremlin_identity::ports::{InvitationMail, Mailer};

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
            "invitation e-mail (log mailer: configure SMTP to deliver it)"
        );
        Ok(())
    }
}
