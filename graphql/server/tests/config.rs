//! Server options: another catalog file (`--catalog`), and mail over SMTP (`--smtp-url`).

use houston_server::{Houston, SecretSource, ServerConfig};
use houston_test_harness::TestServer;
use serde_json::json;
use std::path::PathBuf;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn config(dir: &tempfile::TempDir) -> ServerConfig {
    ServerConfig {
        database_url: format!("sqlite://{}", dir.path().join("h.db").display()),
        secret: SecretSource::Ephemeral,
        ..ServerConfig::in_memory()
    }
}

#[tokio::test]
async fn another_catalog_file_replaces_the_bundled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let small =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("catalog/segment-actions-small.json");
    let h = Houston::open(ServerConfig {
        catalog: Some(small),
        ..config(&dir)
    })
    .await
    .unwrap();
    let res = h
        .execute("{ clickstreamPrototypes { code } }", None, None)
        .await;
    let data = res.data.into_json().unwrap();
    assert_eq!(data["clickstreamPrototypes"].as_array().unwrap().len(), 12);

    // A broken file is a clear error naming the file, not a panic.
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, r#"[{"code": "x", "name": "X", "settings": [{"propertyName": "a", "label": "A", "type": "hologram"}]}]"#).unwrap();
    let err = Houston::open(ServerConfig {
        catalog: Some(bad.clone()),
        ..config(&dir)
    })
    .await
    .err()
    .expect("refused");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("broken.json") && msg.contains("hologram"),
        "{msg}"
    );
    let err = Houston::open(ServerConfig {
        catalog: Some(dir.path().join("missing.json")),
        ..config(&dir)
    })
    .await
    .err()
    .expect("refused");
    assert!(format!("{err:#}").contains("missing.json"));
}

/// A one-connection SMTP peer that accepts one message and hands back its DATA.
async fn smtp_sink() -> (u16, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    w.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    w.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"250 ok\r\n",
            };
            w.write_all(reply).await.unwrap();
        }
        data
    });
    (port, task)
}

#[tokio::test]
async fn mail_goes_over_smtp_and_the_outbox_keeps_no_link() {
    let (port, sink) = smtp_sink().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = ServerConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        mail_from: Some("Houston <houston@example.org>".into()),
        ..config(&dir)
    };
    let server = TestServer::with_config(cfg, tempfile::tempdir().unwrap()).await;
    let d = server
        .data("mutation { createNewUser(email: \"smtp@example.com\", password: \"password123\") { success token } }", json!({}), None)
        .await;
    let token = d["createNewUser"]["token"].as_str().unwrap().to_string();
    let data = tokio::time::timeout(std::time::Duration::from_secs(20), sink)
        .await
        .expect("mail arrives")
        .unwrap();
    assert!(data.contains("To: smtp@example.com"), "{data}");
    assert!(
        data.contains("Subject: Confirm your email for Houston"),
        "{data}"
    );
    // Mail clients undo quoted-printable (soft line breaks, =3D); so does this test.
    let body = data.replace("=\n", "").replace("=3D", "=");
    let link = body
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the mail carries the link")
        .to_string();
    assert!(
        body.contains(&format!("Or paste this code in the app: {link}")),
        "{body}"
    );
    // The outbox copy has no usable link when mail goes by SMTP.
    let mail = server
        .data("{ myMail { kind token body } }", json!({}), Some(&token))
        .await;
    assert_eq!(mail["myMail"][0]["token"], serde_json::Value::Null);
    assert!(!mail.to_string().contains(&link));
    // And the mailed link confirms the account.
    let c = server
        .data(
            "mutation($t: String!) { confirmEmail(token: $t) { success } }",
            json!({ "t": link }),
            None,
        )
        .await;
    assert_eq!(c["confirmEmail"]["success"], true, "{c}");
}
