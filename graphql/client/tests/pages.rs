//! The paged lists' typed operations (issue 14 #1) over both transports: each decodes
//! into its types, and walking a list by its cursors gives every row once, in order.

use houston_client::{
    application_page, clickstream_config_page, mail_page, member_page, org_connection_page, run,
    ApplicationPage, ClickstreamConfigPage, HttpTransport, InProcessTransport, MailPage,
    MemberPage, OrgConnectionPage, Transport,
};
use houston_test_harness::TestServer;

/// Every source's name, walked `first` at a time.
async fn source_names(t: &dyn Transport, token: &str, org: &str, first: i64) -> Vec<String> {
    let mut names = Vec::new();
    let mut after = None;
    loop {
        let page = run::<ApplicationPage>(
            t,
            application_page::Variables {
                org_id: Some(org.into()),
                first: Some(first),
                after: after.clone(),
                search: None,
                platform: None,
            },
            Some(token),
            None,
        )
        .await
        .expect("a member pages through the sources")
        .application_page;
        assert_eq!(page.total_count, 4);
        names.extend(page.nodes.into_iter().map(|n| n.name));
        if !page.page_info.has_next_page {
            return names;
        }
        after = page.page_info.end_cursor;
    }
}

async fn pages(t: &dyn Transport, token: &str, org: &str) {
    assert_eq!(
        source_names(t, token, org, 1).await,
        ["Android", "Web", "Web 2", "web"],
        "by name (bytes), every row once"
    );
    let configs = run::<ClickstreamConfigPage>(
        t,
        clickstream_config_page::Variables {
            org_id: Some(org.into()),
            app_id: None,
            first: Some(10),
            after: None,
            search: Some("ACQ".into()),
            code: Some("acquisio".into()),
            enabled: Some(true),
        },
        Some(token),
        None,
    )
    .await
    .expect("clickstreamConfigPage answers")
    .clickstream_config_page;
    assert_eq!(configs.total_count, 2);
    assert!(configs.nodes.iter().all(|n| n.connection.is_some()));
    let connections = run::<OrgConnectionPage>(
        t,
        org_connection_page::Variables {
            org_id: org.into(),
            first: None,
            after: None,
            search: None,
            connection_prototype: Some("acquisio".into()),
        },
        Some(token),
        None,
    )
    .await
    .expect("orgConnectionPage answers")
    .org_connection_page;
    assert_eq!(connections.nodes.len(), 1);
    let members = run::<MemberPage>(
        t,
        member_page::Variables {
            org_id: org.into(),
            first: Some(1),
            after: None,
            search: Some("Test".into()),
            role: Some(houston_client::vocabulary::Role::Owner),
        },
        Some(token),
        None,
    )
    .await
    .expect("memberPage answers")
    .member_page;
    assert_eq!(members.total_count, 1, "{members:?}");
    let mail = run::<MailPage>(
        t,
        mail_page::Variables {
            first: Some(5),
            after: None,
        },
        Some(token),
        None,
    )
    .await
    .expect("mailPage answers")
    .mail_page;
    assert_eq!(mail.total_count, 1, "the confirmation: {mail:?}");
    assert_eq!(mail.nodes[0].kind, "CONFIRM_EMAIL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_paged_lists_over_http_and_in_process() {
    let server = TestServer::start().await;
    let (token, _) = server.confirmed_user("pages@example.com").await;
    let org = server.create_org(&token, "Pages").await;
    let mut apps = Vec::new();
    for name in ["Web", "web", "Android", "Web 2"] {
        apps.push(server.create_app(&token, &org, name).await);
    }
    let conn = server.create_connection(&token, &org, "k").await;
    server.create_integration(&token, &apps[0], &conn).await;
    server.create_integration(&token, &apps[1], &conn).await;

    let http = HttpTransport::new(&server.url).expect("an HTTP client");
    let local = InProcessTransport::new(server.houston.clone());
    pages(&http, &token, &org).await;
    pages(&local, &token, &org).await;
}
