//! The seed document's examples, sent as written (only the seed's syntax slips fixed:
//! the doubled braces around `profile`, the missing `mutation {` around
//! `createOrganization`, the quoted key in `configPayload`), with the placeholder ids
//! ("123456", "1234567890", "456", "123") replaced by the ids the earlier steps returned.

use houston_test_harness::TestServer;
use serde_json::json;

#[tokio::test]
async fn the_seed_examples_answer_as_the_seed_describes() {
    let server = TestServer::start().await;

    // "Creating a new User": createNewUser with a profile answers a token and decoded id.
    let d = server
        .data(
            r#"mutation {
  createNewUser(
    email: "someone.new@somewhere.com"
    password: "password_string"
    profile: {
        firstName: "Someone",
        lastName: "New",
        company: "My Company"
    }
  ) {
    success
    message
    token
    decoded {
      id
    }
  }
}"#,
            json!({}),
            None,
        )
        .await;
    let t = &d["createNewUser"];
    assert_eq!(t["success"], true, "{t}");
    assert!(
        t["token"]
            .as_str()
            .is_some_and(|s| s.split('.').count() == 3),
        "a JWT: {t}"
    );
    let new_user_id = t["decoded"]["id"].as_str().unwrap().to_string();

    // The example account of "Requesting JWT Access" signs up and confirms first.
    let (_, someone_id) = {
        let d = server
            .data(
                r#"mutation { createNewUser(email: "someone@somewhere.com", password: "password") { success token decoded { id } } }"#,
                json!({}),
                None,
            )
            .await;
        let pending = d["createNewUser"]["token"].as_str().unwrap().to_string();
        let link = server.mail_token(&pending, "CONFIRM_EMAIL").await;
        let c = server
            .data(
                "mutation($t: String!) { confirmEmail(token: $t) { success } }",
                json!({ "t": link }),
                None,
            )
            .await;
        assert_eq!(c["confirmEmail"]["success"], true);
        (
            pending,
            d["createNewUser"]["decoded"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    };
    assert_ne!(someone_id, new_user_id);

    // "Requesting JWT Access", verbatim.
    let d = server
        .data(
            r#"mutation createToken{
  createToken(username:"someone@somewhere.com", password:"password"){
    success
    message
    token
    decoded {
      id
    }
  }
}"#,
            json!({}),
            None,
        )
        .await;
    let t = &d["createToken"];
    assert_eq!(t["success"], true, "{t}");
    assert_eq!(t["decoded"]["id"], someone_id.as_str());
    let token = t["token"].as_str().unwrap().to_string();

    // "Creating and Editing Organizations": the creator becomes its Owner.
    let d = server
        .data(
            &r#"mutation {
createOrganization(
    name: "Human-friendly Organization Name"
    userId: "123456"
  ) {
    success
    message
    id
  }
}"#
            .replace("123456", &someone_id),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(d["createOrganization"]["success"], true, "{d}");
    let org = d["createOrganization"]["id"].as_str().unwrap().to_string();
    let d = server
        .data(
            "query($o: ID) { organizations(orgId: $o) { name owners { id } } }",
            json!({ "o": org }),
            Some(&token),
        )
        .await;
    assert_eq!(
        d["organizations"].as_array().unwrap().len(),
        1,
        "an array even for one org"
    );
    assert_eq!(
        d["organizations"][0]["owners"][0]["id"],
        someone_id.as_str()
    );

    // "Sources and Applications": a 21-character id.
    let d = server
        .data(
            &r#"mutation {
  createApplication(
      name: "Human-friendly Source Name",
      platform: "analytics.js",
      orgId: "1234567890"
    ) {
      success
      message
      id
    }
}"#
            .replace("1234567890", &org),
            json!({}),
            Some(&token),
        )
        .await;
    let app = d["createApplication"]["id"].as_str().unwrap().to_string();
    assert_eq!(d["createApplication"]["success"], true);
    assert_eq!(app.len(), 21, "the seed's 21-character id");
    assert!(app
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));

    // "Destinations and Integrations": the form comes from clickstreamPrototypes.
    let d = server
        .data(
            "{ clickstreamPrototypes(code: \"acquisio\") { connectionPrototype { id fields { propertyName label type } } configPrototype { propertyName label type } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let acq = &d["clickstreamPrototypes"][0];
    let proto_id = acq["connectionPrototype"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        acq["connectionPrototype"]["fields"][0]["propertyName"],
        "apiKey"
    );
    let config: Vec<_> = acq["configPrototype"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["propertyName"].as_str().unwrap(),
                f["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        config,
        vec![("advertiserId", "input"), ("events", "array")],
        "the seed's words for types"
    );

    let d = server
        .data(
            &r#"mutation {
  createConnection(
    integrationCode: "acquisio",
    details: {
      apiKey: "123"
    }
    name: "Friendly Connection Name"
    orgId: "1234567890"
    connectionPrototypeId: "123"
  ) {
    success
    message
    id
  }
}"#
            .replace("1234567890", &org)
            .replace(
                "connectionPrototypeId: \"123\"",
                &format!("connectionPrototypeId: \"{proto_id}\""),
            ),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(d["createConnection"]["success"], true, "{d}");
    let conn = d["createConnection"]["id"].as_str().unwrap().to_string();

    let d = server
        .data(
            &r#"mutation {
  createIntegration(
    appId: "456"
    integrationCode: "acquisio"
    configPayload:  {
          events : [
              "fvsbvsdfbsdfb"
          ]
    }
    connectionId: "123"
    name: "Friendly Application Name"
  ) {
    success
    message
    id
  }
}"#
            .replace("\"456\"", &format!("\"{app}\""))
            .replace("\"123\"", &format!("\"{conn}\"")),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(d["createIntegration"]["success"], true, "{d}");
    let d = server
        .data(
            "query($a: String) { clickstreamConfigs(appId: $a) { code config connection { id } } }",
            json!({ "a": app }),
            Some(&token),
        )
        .await;
    assert_eq!(
        d["clickstreamConfigs"][0]["config"],
        json!({ "events": ["fvsbvsdfbsdfb"] })
    );
    assert_eq!(
        d["clickstreamConfigs"][0]["connection"]["id"],
        conn.as_str()
    );
}
