//! Pipelines as files (issue 13 #9a): a source's pipeline exported to its file format and
//! imported into a source of another organization recreates its integrations with the
//! same configurations, on the connections of the same names there; the file holds no
//! secret, and the missing connections are named before anything is created.

use houston_client::pipeline::{self, Pipeline, PipelineConnection, PipelineError, FORMAT};
use houston_client::InProcessTransport;
use houston_test_harness::TestServer;
use serde_json::json;

const SECRETS: [&str; 3] = ["acq-key-SECRET-1", "s3-SECRET-2", "acq-key-SECRET-3"];

#[tokio::test]
async fn an_exported_pipeline_imports_into_another_organization() {
    let server = TestServer::start().await;
    let t = InProcessTransport::new(server.houston.clone());
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org_a = server.create_org(&owner, "A").await;
    let app_a = server.create_app(&owner, &org_a, "Web").await;
    let create_connection = |org: String, key: &'static str| {
        let (server, owner) = (&server, owner.clone());
        async move {
            server
                .ok_id(
                    "mutation($o: String!, $k: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: $k}, name: \"Acquisio account\", orgId: $o, connectionPrototypeId: \"acquisio\") { success id code } }",
                    json!({ "o": org, "k": key }),
                    Some(&owner),
                )
                .await
        }
    };
    let conn_a = create_connection(org_a.clone(), SECRETS[0]).await;
    let create = "mutation($a: String!, $c: String!, $p: JSON!, $k: String, $n: String!) { createIntegration(appId: $a, integrationCode: $c, configPayload: $p, connectionId: $k, name: $n) { success code id fieldErrors { propertyName message } } }";
    let acquisio = json!({"advertiserId": "42", "events": ["Order Completed"]});
    server
        .ok_id(
            create,
            json!({"a": app_a, "c": "acquisio", "p": acquisio, "k": conn_a, "n": "Acquisio (prod)"}),
            Some(&owner),
        )
        .await;
    // An integration with a secret of its own (LiveRamp's S3 key, optional) and no connection.
    let liveramp = |secret: bool| {
        let mut s3 = json!({
            "enabled": true, "s3_aws_access_key": "AKIAEXAMPLE", "s3_aws_bucket_name": "bucket",
            "s3_aws_region": "us-east-1", "audience_key": {"@path": "$.userId"}, "delimiter": ",",
            "filename": {"@template": "{{properties.audience_key}}.csv"}, "enable_batching": true
        });
        if secret {
            s3["s3_aws_secret_key"] = json!(SECRETS[1]);
        }
        json!({ "audienceEnteredS3": s3 })
    };
    let lr = server
        .ok_id(
            create,
            json!({"a": app_a, "c": "actions-liveramp-audiences", "p": liveramp(true), "n": "LiveRamp"}),
            Some(&owner),
        )
        .await;
    server
        .status(
            "mutation($i: String!) { updateIntegration(integrationId: $i, action: DISABLE) { success } }",
            json!({ "i": lr }),
            Some(&owner),
        )
        .await;

    let exported = pipeline::export(&t, Some(&owner), Some(&org_a), &app_a)
        .await
        .expect("the pipeline exports");
    let text = exported.to_text();
    for secret in SECRETS {
        assert!(!text.contains(secret), "a secret in the file: {text}");
    }
    assert!(!text.contains("********"), "a mask in the file: {text}");
    assert_eq!(exported.format, FORMAT);
    assert_eq!(
        exported.connections,
        [PipelineConnection {
            name: "Acquisio account".into(),
            integration_code: "acquisio".into()
        }],
        "{text}"
    );
    let read_back = Pipeline::parse(&text).expect("the file reads back");
    assert_eq!(read_back, exported);
    assert!(Pipeline::parse("{\"format\": \"other/9\"}").is_err());

    // Another organization: its connection is missing, and nothing is created until it is.
    let org_b = server.create_org(&owner, "B").await;
    let app_b = server.create_app(&owner, &org_b, "Shop").await;
    let there = pipeline::connections_of(&t, Some(&owner), &org_b)
        .await
        .expect("connections listed");
    assert_eq!(
        pipeline::missing_connections(&read_back, &there),
        exported.connections
    );
    let refused = pipeline::import(&t, Some(&owner), &org_b, &app_b, &read_back, &there).await;
    assert!(
        matches!(refused, Err(PipelineError::MissingConnections(ref m)) if m.len() == 1),
        "{refused:?}"
    );
    // The person creates it there (with its own key), under the same name.
    let conn_b = create_connection(org_b.clone(), SECRETS[2]).await;
    let there = pipeline::connections_of(&t, Some(&owner), &org_b)
        .await
        .expect("connections listed");
    assert!(pipeline::missing_connections(&read_back, &there).is_empty());
    let created = pipeline::import(&t, Some(&owner), &org_b, &app_b, &read_back, &there)
        .await
        .expect("the pipeline imports");
    assert_eq!(created.len(), 2);

    let again = pipeline::export(&t, Some(&owner), Some(&org_b), &app_b)
        .await
        .expect("the copy exports");
    assert_eq!(again.source.name, "Shop");
    let strip = |p: &Pipeline| {
        let mut list = p.integrations.clone();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    };
    assert_eq!(
        strip(&again),
        strip(&exported),
        "the same integrations, configurations, states and connections by name"
    );
    let listed = server
        .data(
            "query($a: String) { clickstreamConfigs(appId: $a) { name connection { id } secretsSet } }",
            json!({ "a": app_b }),
            Some(&owner),
        )
        .await;
    for row in listed["clickstreamConfigs"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if row["name"] == "Acquisio (prod)" {
            assert_eq!(row["connection"]["id"], conn_b, "{listed}");
        } else {
            assert_eq!(
                row["secretsSet"],
                json!([]),
                "the S3 secret is not copied: {listed}"
            );
        }
    }
}
