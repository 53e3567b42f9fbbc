//! Invitation e-mails through SMTP: a minimal SMTP server on a free port
//! receives what Gremlin sends when an invitation is created.

use std::sync::{Arc, Mutex};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::support::{Backend, TestApp, json, sign_up};

/// Accepts SMTP sessions and keeps each message's DATA.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let store = messages.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(data.take().unwrap_or_default());
                            write.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 test\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, messages)
}

/// Alice creates Acme and invites bob@example.com; the invitation answer.
async fn invite_bob(t: &TestApp) -> poem::test::TestResponse {
    let alice = sign_up(t, "alice@example.com", "Alice").await;
    let org = crate::support::create_organization(t, &alice.bearer, "Acme", "acme").await;
    t.client()
        .post("/api/auth/organization/invite-member")
        .header("authorization", &alice.bearer)
        .body_json(&json!({"email": "bob@example.com", "role": "member", "organizationId": org["id"]}))
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_are_mailed_through_smtp() {
    let (port, messages) = smtp_server().await;
    let t = TestApp::custom(
        Backend::Sqlite,
        |s| {
            s.mail.url = gremlin_config::ServiceUrl::new(format!("smtp://127.0.0.1:{port}"));
            s.mail.from = "Gremlin <no-reply@gremlin.test>".into();
            s.mail.invitation_link = Some("https://app.example.com/invite/{id}".into());
        },
        |b| b,
    )
    .await;
    let resp = invite_bob(&t).await;
    resp.assert_status_is_ok();
    let invitation = json(resp).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let message = loop {
        if let Some(m) = messages.lock().unwrap().first().cloned() {
            break m;
        }
        assert!(std::time::Instant::now() < deadline, "no e-mail arrived");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    // Undo quoted-printable soft line breaks and escapes.
    let message = message.replace("=\n", "").replace("=3D", "=");
    assert!(message.contains("To: bob@example.com"), "{message}");
    assert!(message.contains("no-reply@gremlin.test"), "{message}");
    assert!(message.contains("alice@example.com invited you to Acme"), "{message}");
    let link = format!("https://app.example.com/invite/{}", invitation["id"].as_str().unwrap());
    assert!(message.contains(&link), "{message}");
}

#[tokio::test]
async fn an_unreachable_smtp_server_does_not_fail_the_invitation() {
    let t =
        TestApp::custom(Backend::Sqlite, |s| s.mail.url = gremlin_config::ServiceUrl::new("smtp://127.0.0.1:1"), |b| b)
            .await;
    let resp = invite_bob(&t).await;
    resp.assert_status_is_ok();
}
