//! The events store: one story told once and run on SQLite and PostgreSQL (a request is
//! one transaction, replayed message ids, retention by count and by age with exact
//! counts, paging, filters and search, reports by hour, day, week and month), a copy
//! between the two, and 100,000 events into one source.

use houston_server::seal::DataKey;
use houston_server::store::{
    AppRow, EventBucket, EventFilter, EventRow, NewEvent, OrgRow, Period, PgStore, Retention,
    SqliteStore, Store, TypeCount, UserRow,
};
use houston_test_harness::PgDatabase;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const CREATED: &str = "2026-11-01T00:00:00Z";

async fn sqlite(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    SqliteStore::open(
        &format!("sqlite://{}", dir.path().join(name).display()),
        DataKey::ephemeral(),
    )
    .await
    .unwrap()
}

/// A user, an organization and the given sources.
async fn sources(s: &dyn Store, apps: &[&str]) {
    s.create_user(
        &UserRow {
            id: "u-1".into(),
            username: "ann@example.com".into(),
            password_hash: None,
            first_name: None,
            last_name: None,
            company: None,
            status: houston_vocabulary::UserStatus::Active,
            email_verified: true,
            token_version: 0,
            created_at: CREATED.into(),
        },
        None,
    )
    .await
    .unwrap();
    s.create_org(
        &OrgRow {
            id: "o-1".into(),
            name: "Org".into(),
            description: None,
            enabled: true,
            created_at: CREATED.into(),
        },
        "u-1",
    )
    .await
    .unwrap();
    for id in apps {
        s.create_app(&AppRow {
            id: id.to_string(),
            org_id: "o-1".into(),
            name: format!("App {id}"),
            platform: "analytics.js".into(),
            created_at: CREATED.into(),
        })
        .await
        .unwrap();
    }
}

/// A valid track event `Event <id>` by `user-<id>`, received at `at`.
fn track(id: &str, at: OffsetDateTime) -> NewEvent {
    NewEvent {
        message_id: id.into(),
        event_type: "track".into(),
        event: Some(format!("Event {id}")),
        user_id: Some(format!("user-{id}")),
        anonymous_id: None,
        received_at: at,
        timestamp: Some(at - Duration::seconds(2)),
        problems: vec![],
        payload: format!("{{\"type\":\"track\",\"messageId\":\"{id}\"}}"),
    }
}

fn of_type(mut e: NewEvent, event_type: &str) -> NewEvent {
    e.event_type = event_type.into();
    e
}

fn invalid(mut e: NewEvent, reason: &str) -> NewEvent {
    e.problems = vec![reason.into()];
    e
}

fn ids(rows: &[EventRow]) -> Vec<&str> {
    rows.iter().map(|r| r.message_id.as_str()).collect()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Keeps everything a report test sends, however old.
const FOREVER: Retention = Retention {
    max_events: 1_000_000,
    max_age: Duration::days(365 * 100),
};

async fn page(
    s: &dyn Store,
    app: &str,
    first: i64,
    after: Option<i64>,
    f: EventFilter,
) -> houston_server::store::EventPage {
    s.events_page(app, first, after, &f).await.unwrap()
}

fn counts(pairs: &[(&str, i64)]) -> Vec<TypeCount> {
    pairs
        .iter()
        .map(|(t, n)| TypeCount {
            event_type: t.to_string(),
            count: *n,
        })
        .collect()
}

fn bucket(
    start: &str,
    app: &str,
    total: i64,
    invalid: i64,
    by_type: &[(&str, i64)],
) -> EventBucket {
    EventBucket {
        start: start.into(),
        app_id: app.into(),
        total,
        invalid,
        by_type: counts(by_type),
    }
}

async fn story(s: &dyn Store) {
    sources(s, &["a-1", "a-2", "a-old", "a-page", "a-r", "a-r2"]).await;
    let t = now();

    // --- A request mixing valid and invalid events stores them all, each with its reasons.
    let stored = s
        .record_events(
            "a-1",
            &[
                track("m-1", t),
                invalid(of_type(track("m-2", t), "group"), "missing_group_id"),
                track("m-3", t),
            ],
            Retention::default(),
        )
        .await
        .unwrap();
    assert_eq!(ids(&stored), ["m-1", "m-2", "m-3"]);
    assert_eq!(
        stored.iter().map(|e| e.valid).collect::<Vec<_>>(),
        [true, false, true]
    );
    assert!(stored[0].seq < stored[1].seq && stored[1].seq < stored[2].seq);
    let all = page(s, "a-1", 10, None, EventFilter::default()).await;
    assert_eq!(ids(&all.rows), ["m-3", "m-2", "m-1"], "newest first");
    assert_eq!(all.rows[1].problems, ["missing_group_id"]);
    assert_eq!(all.rows[1].event_type, "group");
    assert_eq!(all.rows[2], stored[0], "read back as stored");
    assert_eq!(all.rows[2].user_id.as_deref(), Some("user-m-1"));
    assert_eq!(
        all.rows[2].payload,
        "{\"type\":\"track\",\"messageId\":\"m-1\"}"
    );
    assert!(all.rows[2].received_at.ends_with('Z'));

    // --- A replayed messageId: in a later request, or twice in one, stored as invalid.
    let replay = s
        .record_events(
            "a-1",
            &[track("m-1", t), track("m-4", t), track("m-4", t)],
            Retention::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        replay
            .iter()
            .map(|e| (e.valid, e.problems.clone()))
            .collect::<Vec<_>>(),
        [
            (false, vec!["duplicate_message_id".to_string()]),
            (true, vec![]),
            (false, vec!["duplicate_message_id".to_string()]),
        ]
    );
    // Another source may use the same messageId.
    let other = s
        .record_events("a-2", &[track("m-1", t)], Retention::default())
        .await
        .unwrap();
    assert!(other[0].valid);
    let lifetime = s.lifetime_counts("a-1").await.unwrap();
    assert_eq!(
        (lifetime.total, lifetime.valid, lifetime.invalid),
        (6, 3, 3)
    );
    assert_eq!(lifetime.by_type, counts(&[("group", 1), ("track", 5)]));

    // --- Retention by count: 250 events, at most 100 kept, the newest; counts exact.
    let keep_100 = Retention {
        max_events: 100,
        ..Retention::default()
    };
    for range in [0..100, 100..200, 200..250] {
        let batch: Vec<_> = range.map(|i| track(&format!("n-{i:03}"), t)).collect();
        s.record_events("a-2", &batch, keep_100).await.unwrap();
    }
    let kept = page(s, "a-2", 500, None, EventFilter::default()).await;
    assert_eq!(kept.total_count, 100);
    assert_eq!(kept.rows.len(), 100);
    assert_eq!(kept.rows[0].message_id, "n-249");
    assert_eq!(kept.rows[99].message_id, "n-150");
    assert_eq!(s.lifetime_counts("a-2").await.unwrap().total, 251);

    // --- Retention by age: nothing received longer ago than `max_age`.
    s.record_events(
        "a-old",
        &[
            track("o-40", t - Duration::days(40)),
            track("o-20", t - Duration::days(20)),
        ],
        FOREVER,
    )
    .await
    .unwrap();
    assert_eq!(
        page(s, "a-old", 10, None, EventFilter::default())
            .await
            .total_count,
        2
    );
    s.record_events("a-old", &[track("o-0", t)], Retention::default())
        .await
        .unwrap();
    let young = page(s, "a-old", 10, None, EventFilter::default()).await;
    assert_eq!(ids(&young.rows), ["o-0", "o-20"]);
    let week = Retention {
        max_events: 10_000,
        max_age: Duration::days(7),
    };
    s.record_events("a-old", &[track("o-1", t)], week)
        .await
        .unwrap();
    let young = page(s, "a-old", 10, None, EventFilter::default()).await;
    assert_eq!(ids(&young.rows), ["o-1", "o-0"]);
    assert_eq!(s.lifetime_counts("a-old").await.unwrap().total, 4);
    // An event deleted by retention is new again when replayed.
    let again = s
        .record_events("a-old", &[track("o-40", t)], week)
        .await
        .unwrap();
    assert!(again[0].valid);

    // --- Paging: newest first; a cursor stays valid when newer events arrive.
    let batch: Vec<_> = (0..10).map(|i| track(&format!("p-{i}"), t)).collect();
    s.record_events("a-page", &batch, Retention::default())
        .await
        .unwrap();
    let first = page(s, "a-page", 3, None, EventFilter::default()).await;
    assert_eq!(ids(&first.rows), ["p-9", "p-8", "p-7"]);
    assert!(first.has_next);
    assert_eq!(first.total_count, 10);
    let cursor = first.rows[2].seq;
    let newer: Vec<_> = (10..15).map(|i| track(&format!("p-{i}"), t)).collect();
    s.record_events("a-page", &newer, Retention::default())
        .await
        .unwrap();
    let second = page(s, "a-page", 3, Some(cursor), EventFilter::default()).await;
    assert_eq!(ids(&second.rows), ["p-6", "p-5", "p-4"]);
    assert_eq!(second.total_count, 15);
    let rest = page(
        s,
        "a-page",
        10,
        Some(second.rows[2].seq),
        EventFilter::default(),
    )
    .await;
    assert_eq!(ids(&rest.rows), ["p-3", "p-2", "p-1", "p-0"]);
    assert!(!rest.has_next);
    // A cursor whose row retention deleted still marks its place.
    let keep_8 = Retention {
        max_events: 8,
        ..Retention::default()
    };
    s.record_events("a-page", &[track("p-15", t)], keep_8)
        .await
        .unwrap();
    let after_gone = page(s, "a-page", 3, Some(cursor), EventFilter::default()).await;
    assert!(after_gone.rows.is_empty() && !after_gone.has_next);
    let kept = page(s, "a-page", 10, None, EventFilter::default()).await;
    assert_eq!(
        ids(&kept.rows),
        ["p-15", "p-14", "p-13", "p-12", "p-11", "p-10", "p-9", "p-8"]
    );
    let after_p12 = page(
        s,
        "a-page",
        2,
        Some(kept.rows[3].seq),
        EventFilter::default(),
    )
    .await;
    assert_eq!(ids(&after_p12.rows), ["p-11", "p-10"], "p-12's cursor");

    // --- Filters and search (wildcards are literal, ASCII letters in either case).
    let named = |id: &str, name: &str| {
        let mut e = track(id, t);
        e.event = Some(name.into());
        e
    };
    let search_batch = vec![
        named("s-1", "Signed Up"),
        named("s-2", "100% done"),
        named("s-3", "snake_case"),
        invalid(
            named("s-4", "signed out"),
            "missing_user_id_and_anonymous_id",
        ),
        of_type(named("s-5", "Home"), "page"),
        {
            let mut e = named("s-6", "Anon");
            e.user_id = None;
            e.anonymous_id = Some("ANON-Zeta".into());
            e
        },
    ];
    s.record_events("a-r2", &search_batch, Retention::default())
        .await
        .unwrap();
    let find = |search: &str| EventFilter {
        search: Some(search.into()),
        ..EventFilter::default()
    };
    let found = |f: EventFilter| async move {
        ids(&page(s, "a-r2", 50, None, f).await.rows)
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(found(find("SIGNED")).await, ["s-4", "s-1"]);
    assert_eq!(found(find("%")).await, ["s-2"]);
    assert_eq!(found(find("_")).await, ["s-3"]);
    assert_eq!(found(find("anon-z")).await, ["s-6"], "anonymous id");
    assert_eq!(found(find("user-s-5")).await, ["s-5"], "user id");
    assert_eq!(found(find("S-3")).await, ["s-3"], "message id");
    assert_eq!(found(find("nothing")).await, Vec::<String>::new());
    let pages = EventFilter {
        event_type: Some("page".into()),
        ..EventFilter::default()
    };
    assert_eq!(found(pages).await, ["s-5"]);
    let bad = EventFilter {
        valid: Some(false),
        ..EventFilter::default()
    };
    assert_eq!(found(bad).await, ["s-4"]);
    let good_signed = EventFilter {
        valid: Some(true),
        event_type: Some("track".into()),
        search: Some("signed".into()),
    };
    let f = page(s, "a-r2", 50, None, good_signed).await;
    assert_eq!((ids(&f.rows), f.total_count), (vec!["s-1"], 1));

    // --- Reports, from the hourly counts only.
    let report_events = vec![
        track("r-1", datetime!(2026-11-02 10:15 UTC)),
        of_type(track("r-2", datetime!(2026-11-02 10:20 UTC)), "track"),
        invalid(
            of_type(track("r-3", datetime!(2026-11-02 10:45 UTC)), "page"),
            "missing_user_id_and_anonymous_id",
        ),
        track("r-4", datetime!(2026-11-02 11:05 UTC)),
        track("r-5", datetime!(2026-11-08 23:59 UTC)),
        of_type(track("r-6", datetime!(2026-11-09 00:00 UTC)), "identify"),
        track("r-7", datetime!(2026-12-01 00:30 UTC)),
    ];
    s.record_events("a-r", &report_events, FOREVER)
        .await
        .unwrap();
    // Retention deleted none of the old ones here, but reports would not need them.
    let apps = ["a-r".to_string()];
    let report = |period| s.event_report(&apps, period, None, None);
    assert_eq!(
        report(Period::Hour).await.unwrap(),
        [
            bucket(
                "2026-11-02T10:00:00Z",
                "a-r",
                3,
                1,
                &[("page", 1), ("track", 2)]
            ),
            bucket("2026-11-02T11:00:00Z", "a-r", 1, 0, &[("track", 1)]),
            bucket("2026-11-08T23:00:00Z", "a-r", 1, 0, &[("track", 1)]),
            bucket("2026-11-09T00:00:00Z", "a-r", 1, 0, &[("identify", 1)]),
            bucket("2026-12-01T00:00:00Z", "a-r", 1, 0, &[("track", 1)]),
        ]
    );
    assert_eq!(
        report(Period::Day).await.unwrap(),
        [
            bucket(
                "2026-11-02T00:00:00Z",
                "a-r",
                4,
                1,
                &[("page", 1), ("track", 3)]
            ),
            bucket("2026-11-08T00:00:00Z", "a-r", 1, 0, &[("track", 1)]),
            bucket("2026-11-09T00:00:00Z", "a-r", 1, 0, &[("identify", 1)]),
            bucket("2026-12-01T00:00:00Z", "a-r", 1, 0, &[("track", 1)]),
        ]
    );
    assert_eq!(
        report(Period::Week).await.unwrap(),
        [
            bucket(
                "2026-11-02T00:00:00Z",
                "a-r",
                5,
                1,
                &[("page", 1), ("track", 4)]
            ),
            bucket("2026-11-09T00:00:00Z", "a-r", 1, 0, &[("identify", 1)]),
            bucket("2026-11-30T00:00:00Z", "a-r", 1, 0, &[("track", 1)]),
        ],
        "weeks start on Monday"
    );
    assert_eq!(
        report(Period::Month).await.unwrap(),
        [
            bucket(
                "2026-11-01T00:00:00Z",
                "a-r",
                6,
                1,
                &[("identify", 1), ("page", 1), ("track", 4)]
            ),
            bucket("2026-12-01T00:00:00Z", "a-r", 1, 0, &[("track", 1)]),
        ]
    );
    // From an hour's start (inclusive) to another's (exclusive); a `to` inside an hour
    // takes that hour in.
    assert_eq!(
        s.event_report(
            &apps,
            Period::Day,
            Some(datetime!(2026-11-02 11:00 UTC)),
            Some(datetime!(2026-11-09 00:00 UTC))
        )
        .await
        .unwrap(),
        [
            bucket("2026-11-02T00:00:00Z", "a-r", 1, 0, &[("track", 1)]),
            bucket("2026-11-08T00:00:00Z", "a-r", 1, 0, &[("track", 1)]),
        ]
    );
    assert_eq!(
        s.event_report(
            &apps,
            Period::Hour,
            Some(datetime!(2026-11-02 10:59 UTC)),
            Some(datetime!(2026-11-02 11:01 UTC))
        )
        .await
        .unwrap(),
        [
            bucket(
                "2026-11-02T10:00:00Z",
                "a-r",
                3,
                1,
                &[("page", 1), ("track", 2)]
            ),
            bucket("2026-11-02T11:00:00Z", "a-r", 1, 0, &[("track", 1)]),
        ]
    );
    // Several sources: a bucket each, by start then source.
    s.record_events(
        "a-r2",
        &[track("r2-1", datetime!(2026-11-02 10:05 +01:00))],
        FOREVER,
    )
    .await
    .unwrap();
    let both = s
        .event_report(
            &["a-r2".to_string(), "a-r".to_string()],
            Period::Month,
            None,
            Some(datetime!(2026-12-01 00:00 UTC)),
        )
        .await
        .unwrap();
    assert_eq!(
        both,
        [
            bucket(
                "2026-11-01T00:00:00Z",
                "a-r",
                6,
                1,
                &[("identify", 1), ("page", 1), ("track", 4)]
            ),
            bucket("2026-11-01T00:00:00Z", "a-r2", 1, 0, &[("track", 1)]),
        ],
        "an offset time counts in its UTC hour"
    );
    assert!(s
        .event_report(&[], Period::Day, None, None)
        .await
        .unwrap()
        .is_empty());
}

/// A request is one transaction: an insert failing midway (a trigger set up by the test,
/// on the 700th event, past the first multi-row statement) leaves no event and no count.
async fn all_or_nothing(s: &dyn Store) {
    let t = now();
    let batch: Vec<_> = (0..1000)
        .map(|i| {
            let e = track(&format!("x-{i}"), t);
            if i % 3 == 0 {
                invalid(e, "missing_event")
            } else {
                e
            }
        })
        .map(|mut e| {
            if e.message_id == "x-700" {
                e.message_id = "boom".into();
            }
            e
        })
        .collect();
    assert!(s
        .record_events("a-1", &batch, Retention::default())
        .await
        .is_err());
    let nothing = page(s, "a-1", 10, None, EventFilter::default()).await;
    assert_eq!(nothing.total_count, 0);
    assert_eq!(s.lifetime_counts("a-1").await.unwrap().total, 0);
    // Without the bad one, the same request is stored whole.
    let good: Vec<_> = batch
        .into_iter()
        .filter(|e| e.message_id != "boom")
        .collect();
    s.record_events("a-1", &good, Retention::default())
        .await
        .unwrap();
    let lifetime = s.lifetime_counts("a-1").await.unwrap();
    assert_eq!((lifetime.total, lifetime.invalid), (999, 334));
}

#[tokio::test]
async fn sqlite_stores_events() {
    let dir = tempfile::tempdir().unwrap();
    story(&sqlite(&dir, "e.db").await).await;
}

#[tokio::test]
async fn postgres_stores_events() {
    let db = PgDatabase::create().await;
    story(&PgStore::open(&db.url, DataKey::ephemeral()).await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_request_is_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let s = sqlite(&dir, "t.db").await;
    sources(&s, &["a-1"]).await;
    sqlx::query(
        "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.message_id = 'boom' \
         BEGIN SELECT RAISE(ABORT, 'boom'); END",
    )
    .execute(s.pool())
    .await
    .unwrap();
    all_or_nothing(&s).await;
}

#[tokio::test]
async fn postgres_request_is_one_transaction() {
    let db = PgDatabase::create().await;
    let s = PgStore::open(&db.url, DataKey::ephemeral()).await.unwrap();
    sources(&s, &["a-1"]).await;
    sqlx::query(
        "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.message_id = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$",
    )
    .execute(s.pool())
    .await
    .unwrap();
    sqlx::query("CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION boom()")
        .execute(s.pool())
        .await
        .unwrap();
    all_or_nothing(&s).await;
}

/// `houston-server migrate`'s copy keeps events (numbers included, so cursors survive)
/// and counts; afterwards new events are numbered after the copied ones and a copied
/// messageId is still a replay.
async fn copy_keeps_events(from: &dyn Store, to: &dyn Store) {
    sources(from, &["a-1"]).await;
    let t = now();
    let batch: Vec<_> = (0..30).map(|i| track(&format!("c-{i}"), t)).collect();
    let keep_20 = Retention {
        max_events: 20,
        ..Retention::default()
    };
    from.record_events("a-1", &batch, keep_20).await.unwrap();
    from.record_events("a-1", &[track("c-29", t)], keep_20)
        .await
        .unwrap();
    let dump = from.export().await.unwrap();
    assert_eq!((dump.events.len(), dump.event_counts.len()), (20, 2));
    to.import(&dump).await.unwrap();
    assert_eq!(to.export().await.unwrap(), dump);
    let before = page(to, "a-1", 50, None, EventFilter::default()).await;
    assert_eq!(
        before,
        page(from, "a-1", 50, None, EventFilter::default()).await
    );
    assert_eq!(
        to.lifetime_counts("a-1").await.unwrap(),
        from.lifetime_counts("a-1").await.unwrap()
    );
    let next = to
        .record_events("a-1", &[track("c-15", t), track("c-new", t)], keep_20)
        .await
        .unwrap();
    assert!(!next[0].valid, "a copied messageId is a replay");
    assert!(next[0].seq > before.rows[0].seq);
    assert_eq!(to.lifetime_counts("a-1").await.unwrap().total, 33);
}

#[tokio::test]
async fn copies_events_between_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let db = PgDatabase::create().await;
    let pg = PgStore::open(&db.url, DataKey::ephemeral()).await.unwrap();
    copy_keeps_events(&sqlite(&dir, "from.db").await, &pg).await;
    let db2 = PgDatabase::create().await;
    let pg2 = PgStore::open(&db2.url, DataKey::ephemeral()).await.unwrap();
    copy_keeps_events(&pg2, &sqlite(&dir, "to.db").await).await;
}

/// 100,000 events into one source, 2,500 a request: retention holds, counts are exact.
async fn hundred_thousand(s: &dyn Store) {
    sources(s, &["a-1"]).await;
    let t = now();
    for call in 0..40 {
        let batch: Vec<_> = (0..2500)
            .map(|i| {
                let n = call * 2500 + i;
                let e = track(&format!("h-{n:06}"), t);
                if n % 10 == 0 {
                    invalid(e, "missing_event")
                } else {
                    e
                }
            })
            .collect();
        s.record_events("a-1", &batch, Retention::default())
            .await
            .unwrap();
    }
    let kept = page(s, "a-1", 2, None, EventFilter::default()).await;
    assert_eq!(kept.total_count, 10_000);
    assert_eq!(ids(&kept.rows), ["h-099999", "h-099998"]);
    let lifetime = s.lifetime_counts("a-1").await.unwrap();
    assert_eq!(
        (lifetime.total, lifetime.valid, lifetime.invalid),
        (100_000, 90_000, 10_000)
    );
}

#[tokio::test]
async fn sqlite_holds_100000_events() {
    let dir = tempfile::tempdir().unwrap();
    hundred_thousand(&sqlite(&dir, "h.db").await).await;
}

#[tokio::test]
async fn postgres_holds_100000_events() {
    let db = PgDatabase::create().await;
    hundred_thousand(&PgStore::open(&db.url, DataKey::ephemeral()).await.unwrap()).await;
}
