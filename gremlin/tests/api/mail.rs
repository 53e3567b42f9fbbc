//! Invitation e-mails through SMTP: the sink `make services` starts
//! receives what Gremlin sends when an invitation is created, read back
//! as a mail client would.

use serde_json::json;

use crate::support::mailbox::{address, mail_to, smtp_url};
use crate::support::{Backend, TestApp, json, sign_up};

/// Alice creates Acme and invites `email`; the invitation answer.
async fn invite(t: &TestApp, email: &str) -> poem::test::TestResponse {
    let alice = sign_up(t, "alice@example.com", "Alice").await;
    let org = crate::support::create_organization(t, &alice.bearer, "Acme", "acme").await;
    t.client()
        .post("/api/auth/organization/invite-member")
        .header("authorization", &alice.bearer)
        .body_json(&json!({"email": email, "role": "member", "organizationId": org["id"]}))
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_are_mailed_through_smtp() {
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| {
            s.mail.url = gremlin_config::ServiceUrl::new(smtp_url());
            s.mail.from = "Gremlin <no-reply@gremlin.test>".into();
            s.mail.invitation_link = Some("https://app.example.com/invite/{id}".into());
        },
        |b| b,
    )
    .await;
    let bob = address("bob");
    let resp = invite(&t, &bob).await;
    resp.assert_status_is_ok();
    let invitation = json(resp).await;
    let mail = mail_to(&bob, 1).await.remove(0);
    assert_eq!(mail.from, "no-reply@gremlin.test");
    assert_eq!(mail.subject, "alice@example.com invited you to Acme");
    let link = format!("https://app.example.com/invite/{}", invitation["id"].as_str().unwrap());
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(mail.html.contains(&link) && mail.html.contains("<strong>Acme</strong>"), "{}", mail.html);
}

#[tokio::test]
async fn an_unreachable_smtp_server_does_not_fail_the_invitation() {
    let t =
        TestApp::custom(Backend::Sqlite, |s| s.mail.url = gremlin_config::ServiceUrl::new("smtp://127.0.0.1:1"), |b| b)
            .await;
    let resp = invite(&t, "bob@example.com").await;
    resp.assert_status_is_ok();
}
