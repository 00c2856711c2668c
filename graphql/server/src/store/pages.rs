//! Paged lists: an organization's sources, integrations, connections and members, and a
//! mailbox, a page at a time (API.md, "Paged lists").
//!
//! - **Order and cursors (keysets)**: by name then id (members: by username, the email
//!   they sign in with, then id; mail: newest first, by `created_at` then the order it was
//!   written in). A page after a cursor starts right after the cursor's key, `(name, id) >
//!   (after)`, so it stays valid whatever is added or removed before it, and a deep page
//!   costs what the first does: each list has an index that starts with its scope (the
//!   organization, source or address) and goes on with the sort key and id (migration
//!   `0006_paged_lists`), and the page is one range of it read in order up to `first + 1`
//!   rows. Text orders by bytes on both databases (SQLite's BINARY, PostgreSQL's `"C"`).
//! - **Filters** are equalities added to the statement only when given, so that an
//!   absent filter never hides the index range from the planner.
//! - **Search**: a case-insensitive substring, `LOWER(column) LIKE pattern ESCAPE '\'` with
//!   the search's `\`, `%` and `_` escaped (see [`search_pattern`]): the same statement on
//!   both databases. ASCII letters match in either case on both; beyond ASCII, SQLite's
//!   `LOWER` leaves letters as they are, so there a search matches them in the case given.
//!   No index serves a substring; the scope's index still bounds the rows read to the one
//!   organization, in order, until a page is full.
//! - **`totalCount`** counts the same filters over the scope's index range.

use super::events::search_pattern;
use super::integrations::IntegrationRow;
use super::links::MailRow;
use super::orgs::{MemberRow, Role};
use super::sources::AppRow;
use super::{ConnectionRow, StoreResult};
use async_trait::async_trait;

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Whether rows follow this page.
    pub has_next: bool,
    /// Every row the filters match, on any page.
    pub total_count: i64,
}

/// Where a page starts: right after the row whose sort key is `sort` and id is `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct After {
    pub sort: String,
    pub id: String,
}

/// How many rows, and after which: what every paged list takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageOf {
    /// At most this many rows.
    pub first: i64,
    pub after: Option<After>,
    /// Part of the name (members: of the name or email), either case.
    pub search: Option<String>,
}

/// Whose integrations: one source's, or an organization's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegrationScope<'a> {
    App(&'a str),
    Org(&'a str),
}

/// The filters of `clickstreamConfigPage` besides `search`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntegrationFilter {
    /// The destination's code.
    pub code: Option<String>,
    pub enabled: Option<bool>,
}

/// A mail and its place in the written order (the cursor's tie-break).
#[derive(Clone, Debug, PartialEq)]
pub struct MailEntry {
    pub seq: i64,
    pub mail: MailRow,
}

/// The paged lists.
#[async_trait]
pub trait Pages: Send + Sync {
    /// An organization's sources, by name then id, optionally of one `platform`.
    async fn apps_page(
        &self,
        org_id: &str,
        page: &PageOf,
        platform: Option<&str>,
    ) -> StoreResult<Page<AppRow>>;
    /// A source's or an organization's integrations, by name then id.
    async fn integrations_page(
        &self,
        scope: IntegrationScope<'_>,
        page: &PageOf,
        filter: &IntegrationFilter,
    ) -> StoreResult<Page<IntegrationRow>>;
    /// An organization's connections, by name then id, optionally of one connection
    /// prototype (its id or its destination's code, as `orgConnections` takes it).
    async fn connections_page(
        &self,
        org_id: &str,
        page: &PageOf,
        prototype: Option<&str>,
    ) -> StoreResult<Page<ConnectionRow>>;
    /// An organization's members, by username then id, optionally of one `role`; the
    /// search matches the first name, last name, both, or the username.
    async fn members_page(
        &self,
        org_id: &str,
        page: &PageOf,
        role: Option<Role>,
    ) -> StoreResult<Page<MemberRow>>;
    /// The mail to `address`, newest first, but mail of the `hidden` kind; `after` is a
    /// mail's `created_at` and `seq` (as text).
    async fn mail_page(
        &self,
        address: &str,
        page: &PageOf,
        hidden: &str,
    ) -> StoreResult<Page<MailEntry>>;
    /// The sources of these ids (those that exist), in no order: what a page of
    /// integrations shows of each one's source, read once for the page.
    async fn apps_by_ids(&self, ids: &[String]) -> StoreResult<Vec<AppRow>>;
    /// The connections of these ids (those that exist), in no order: what a page of
    /// integrations shows of each one's connection, read once for the page.
    async fn connections_by_ids(&self, ids: &[String]) -> StoreResult<Vec<ConnectionRow>>;
}

/// Rows read one past the page tell whether another page follows.
fn split<T>(mut rows: Vec<T>, first: i64) -> (Vec<T>, bool) {
    let first = usize::try_from(first.max(0)).unwrap_or(0);
    let has_next = rows.len() > first;
    rows.truncate(first);
    (rows, has_next)
}

for_each_backend! {
    use crate::store::accounts::USER_COLUMNS_OF_U;
    use crate::store::connections::CONNECTION_COLUMNS;
    use crate::store::integrations::INTEGRATION_SELECT;
    use crate::store::links::MAIL_COLUMNS;
    use crate::store::sources::APP_COLUMNS;
    use crate::store::{storable, UserRow};
    use sqlx::{QueryBuilder, Row};

    /// A statement of a paged list: `sql` (a `SELECT … WHERE scope = `), then the scope's
    /// value bound; the caller pushes the filters.
    fn begin(sql: String, scope: &str) -> QueryBuilder<'static, Db> {
        let mut q = QueryBuilder::new(sql);
        q.push_bind(scope.to_string());
        q
    }

    /// The end of a page's rows statement: after the keyset `after` (in the order's
    /// direction), ordered by `key` (`a, b`), `limit` rows.
    fn finish(
        q: &mut QueryBuilder<'static, Db>,
        key: &str,
        newest_first: bool,
        after: Option<&After>,
        limit: i64,
    ) {
        if let Some(a) = after {
            q.push(format!(
                " AND ({key}) {} (",
                if newest_first { "<" } else { ">" }
            ));
            q.push_bind(a.sort.clone());
            q.push(", ");
            // Mail's tie-break is a number (its written order); every other is an id.
            match a.id.parse::<i64>() {
                Ok(n) if newest_first => q.push_bind(n),
                _ => q.push_bind(a.id.clone()),
            };
            q.push(")");
        }
        let direction = if newest_first { "DESC" } else { "ASC" };
        let order: Vec<String> = key
            .split(',')
            .map(|c| format!("{} {direction}", c.trim()))
            .collect();
        q.push(format!(" ORDER BY {} LIMIT ", order.join(", ")));
        q.push_bind(limit);
    }

    /// `AND column = value` when a filter is given.
    fn equal<T>(q: &mut QueryBuilder<'static, Db>, column: &str, value: Option<T>)
    where
        T: 'static + Send + sqlx::Encode<'static, Db> + sqlx::Type<Db>,
    {
        if let Some(v) = value {
            q.push(format!(" AND {column} = "));
            q.push_bind(v);
        }
    }

    /// `AND (LOWER(c1) LIKE p ESCAPE '\' OR …)` when a search is given.
    fn search(q: &mut QueryBuilder<'static, Db>, columns: &[&str], search: Option<&str>) {
        let Some(s) = search else { return };
        let pattern = search_pattern(s);
        q.push(" AND (");
        for (n, c) in columns.iter().enumerate() {
            if n > 0 {
                q.push(" OR ");
            }
            q.push(format!("LOWER({c}) LIKE "));
            q.push_bind(pattern.clone());
            q.push(" ESCAPE '\\'");
        }
        q.push(")");
    }

    /// A page's two statements, rows and count; `prefix` goes before both (`EXPLAIN`).
    type Statements = [QueryBuilder<'static, Db>; 2];

    fn apps_statements(
        prefix: &str,
        org_id: &str,
        page: &PageOf,
        platform: Option<&str>,
    ) -> Statements {
        let from = "FROM applications WHERE org_id = ";
        let mut rows = begin(format!("{prefix}SELECT {APP_COLUMNS} {from}"), org_id);
        let mut count = begin(format!("{prefix}SELECT COUNT(*) {from}"), org_id);
        for q in [&mut rows, &mut count] {
            equal(q, "platform", platform.map(str::to_string));
            search(q, &["name"], page.search.as_deref());
        }
        finish(
            &mut rows,
            "name, id",
            false,
            page.after.as_ref(),
            page.first + 1,
        );
        [rows, count]
    }

    fn connections_statements(
        prefix: &str,
        org_id: &str,
        page: &PageOf,
        prototype: Option<&str>,
    ) -> Statements {
        let from = "FROM connections WHERE org_id = ";
        let mut rows = begin(
            format!("{prefix}SELECT {CONNECTION_COLUMNS} {from}"),
            org_id,
        );
        let mut count = begin(format!("{prefix}SELECT COUNT(*) {from}"), org_id);
        for q in [&mut rows, &mut count] {
            if let Some(p) = prototype {
                q.push(" AND (connection_prototype_id = ");
                q.push_bind(p.to_string());
                q.push(" OR integration_code = ");
                q.push_bind(p.to_string());
                q.push(")");
            }
            search(q, &["name"], page.search.as_deref());
        }
        finish(
            &mut rows,
            "name, id",
            false,
            page.after.as_ref(),
            page.first + 1,
        );
        [rows, count]
    }

    fn integrations_statements(
        prefix: &str,
        scope: IntegrationScope<'_>,
        page: &PageOf,
        filter: &IntegrationFilter,
    ) -> Statements {
        let (column, id) = match scope {
            IntegrationScope::App(id) => ("i.app_id", id),
            IntegrationScope::Org(id) => ("i.org_id", id),
        };
        let mut rows = begin(
            format!("{prefix}{INTEGRATION_SELECT} WHERE {column} = "),
            id,
        );
        let filters = |q: &mut QueryBuilder<'static, Db>| {
            equal(q, "i.code", filter.code.clone());
            equal(q, "i.enabled", filter.enabled);
            search(q, &["i.name"], page.search.as_deref());
        };
        filters(&mut rows);
        let unfiltered = filter.code.is_none() && filter.enabled.is_none() && page.search.is_none();
        let count = match scope {
            // Kept by triggers (migration 0007): an organization's integrations, unfiltered,
            // are too many to count at every page.
            IntegrationScope::Org(_) if unfiltered => {
                let mut q = begin(
                    format!(
                        "{prefix}SELECT COALESCE((SELECT n FROM org_integration_counts \
                         WHERE org_id = "
                    ),
                    id,
                );
                q.push("), 0)");
                q
            }
            _ => {
                let mut q = begin(
                    format!("{prefix}SELECT COUNT(*) FROM integrations i WHERE {column} = "),
                    id,
                );
                filters(&mut q);
                q
            }
        };
        finish(
            &mut rows,
            "i.name, i.id",
            false,
            page.after.as_ref(),
            page.first + 1,
        );
        [rows, count]
    }

    /// A member's name as the search sees it: first and last.
    const MEMBER_NAME: &str = "COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')";

    fn members_statements(
        prefix: &str,
        org_id: &str,
        page: &PageOf,
        role: Option<Role>,
    ) -> Statements {
        let from = "FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ";
        let mut rows = begin(
            format!("{prefix}SELECT {USER_COLUMNS_OF_U}, m.role AS member_role {from}"),
            org_id,
        );
        let mut count = begin(format!("{prefix}SELECT COUNT(*) {from}"), org_id);
        for q in [&mut rows, &mut count] {
            equal(q, "m.role", role.map(|r| r.as_str().to_string()));
            search(q, &[MEMBER_NAME, "u.username"], page.search.as_deref());
        }
        finish(
            &mut rows,
            "u.username, u.id",
            false,
            page.after.as_ref(),
            page.first + 1,
        );
        [rows, count]
    }

    fn mail_statements(prefix: &str, address: &str, page: &PageOf, hidden: &str) -> Statements {
        let order = Backend::MAIL_ORDER;
        let from = "FROM mail WHERE to_address = ";
        let mut rows = begin(
            format!("{prefix}SELECT {MAIL_COLUMNS}, {order} AS page_seq {from}"),
            address,
        );
        let mut count = begin(format!("{prefix}SELECT COUNT(*) {from}"), address);
        for q in [&mut rows, &mut count] {
            q.push(" AND kind <> ");
            q.push_bind(hidden.to_string());
        }
        finish(
            &mut rows,
            &format!("created_at, {order}"),
            true,
            page.after.as_ref(),
            page.first + 1,
        );
        [rows, count]
    }

    impl Backend {
        /// How the database runs a paged list's page query (`EXPLAIN QUERY PLAN` on SQLite,
        /// `EXPLAIN` on PostgreSQL), one line per step: for the tests that check the
        /// indexes serve them. `list` is `applications`, `connections`,
        /// `integrations_org`, `integrations_app`, `members` or `mail`; the page is the one
        /// after a cursor, unfiltered. `applications_by_id` and `connections_by_id` are the
        /// reads of a page of integrations' sources and connections (two ids each).
        pub async fn page_plan(&self, list: &str) -> StoreResult<Vec<String>> {
            let page = PageOf {
                first: 50,
                after: Some(After {
                    sort: "m".into(),
                    id: "1".into(),
                }),
                search: None,
            };
            let p = Backend::EXPLAIN;
            let none = IntegrationFilter::default();
            let two = ["a".to_string(), "b".to_string()];
            let by_id = |columns: &str, table: &str| {
                by_ids(p, columns, table, &two).ok_or(crate::store::StoreError::NotFound)
            };
            let [mut q, _] = match list {
                "applications_by_id" => [by_id(APP_COLUMNS, "applications")?, begin(String::new(), "")],
                "connections_by_id" => [by_id(CONNECTION_COLUMNS, "connections")?, begin(String::new(), "")],
                "applications" => apps_statements(p, "o", &page, None),
                "connections" => connections_statements(p, "o", &page, None),
                "integrations_org" => {
                    integrations_statements(p, IntegrationScope::Org("o"), &page, &none)
                }
                "integrations_app" => {
                    integrations_statements(p, IntegrationScope::App("a"), &page, &none)
                }
                "members" => members_statements(p, "o", &page, None),
                _ => {
                    let after = After {
                        sort: "2026-01-01T00:00:00Z".into(),
                        id: "7".into(),
                    };
                    let page = PageOf {
                        after: Some(after),
                        ..page
                    };
                    mail_statements(p, "a@example.com", &page, "PASSWORD_RESET")
                }
            };
            let mut tx = self.pool.begin().await?;
            for setting in Backend::PLAN_SETTINGS {
                sqlx::query(setting).execute(&mut *tx).await?;
            }
            let rows = q.build().fetch_all(&mut *tx).await?;
            rows.iter()
                .map(|r| Ok(r.try_get::<String, _>(Backend::PLAN_COLUMN)?))
                .collect()
        }
    }

    /// Runs a page's two statements.
    async fn run<T>(
        pool: &sqlx::Pool<Db>,
        [mut rows, mut count]: Statements,
        first: i64,
        decode: impl Fn(&DbRow) -> StoreResult<T>,
    ) -> StoreResult<Page<T>> {
        let read = rows
            .build()
            .fetch_all(pool)
            .await?
            .iter()
            .map(decode)
            .collect::<StoreResult<Vec<T>>>()?;
        let total_count: i64 = count.build_query_scalar().fetch_one(pool).await?;
        let (rows, has_next) = split(read, first);
        Ok(Page {
            rows,
            has_next,
            total_count,
        })
    }

    fn empty<T>() -> Page<T> {
        Page {
            rows: Vec::new(),
            has_next: false,
            total_count: 0,
        }
    }

    /// `SELECT columns FROM table WHERE id IN (ids)` over the storable `ids`, or `None`
    /// when none is (an empty `IN ()` is not SQL); `prefix` goes before it (`EXPLAIN`).
    fn by_ids(
        prefix: &str,
        columns: &str,
        table: &str,
        ids: &[String],
    ) -> Option<QueryBuilder<'static, Db>> {
        let ids: Vec<&String> = ids.iter().filter(|id| storable(id)).collect();
        if ids.is_empty() {
            return None;
        }
        let mut q =
            QueryBuilder::new(format!("{prefix}SELECT {columns} FROM {table} WHERE id IN ("));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
        list.push_unseparated(")");
        Some(q)
    }

    /// Whether every text a page is asked with can be stored (else it matches nothing).
    fn storable_page(page: &PageOf, more: &[Option<&str>]) -> bool {
        page.after
            .as_ref()
            .is_none_or(|a| storable(&a.sort) && storable(&a.id))
            && page.search.as_deref().is_none_or(storable)
            && more.iter().all(|m| m.is_none_or(storable))
    }

    #[async_trait]
    impl Pages for Backend {
        async fn apps_page(
            &self,
            org_id: &str,
            page: &PageOf,
            platform: Option<&str>,
        ) -> StoreResult<Page<AppRow>> {
            if !storable_page(page, &[Some(org_id), platform]) {
                return Ok(empty());
            }
            run(
                &self.pool,
                apps_statements("", org_id, page, platform),
                page.first,
                |r| Ok(<AppRow as sqlx::FromRow<DbRow>>::from_row(r)?),
            )
            .await
        }

        async fn integrations_page(
            &self,
            scope: IntegrationScope<'_>,
            page: &PageOf,
            filter: &IntegrationFilter,
        ) -> StoreResult<Page<IntegrationRow>> {
            let id = match scope {
                IntegrationScope::App(id) | IntegrationScope::Org(id) => id,
            };
            if !storable_page(page, &[Some(id), filter.code.as_deref()]) {
                return Ok(empty());
            }
            run(
                &self.pool,
                integrations_statements("", scope, page, filter),
                page.first,
                |r| domains::integration_from(&self.key, r),
            )
            .await
        }

        async fn connections_page(
            &self,
            org_id: &str,
            page: &PageOf,
            prototype: Option<&str>,
        ) -> StoreResult<Page<ConnectionRow>> {
            if !storable_page(page, &[Some(org_id), prototype]) {
                return Ok(empty());
            }
            run(
                &self.pool,
                connections_statements("", org_id, page, prototype),
                page.first,
                |r| domains::connection_from(&self.key, r),
            )
            .await
        }

        async fn members_page(
            &self,
            org_id: &str,
            page: &PageOf,
            role: Option<Role>,
        ) -> StoreResult<Page<MemberRow>> {
            if !storable_page(page, &[Some(org_id)]) {
                return Ok(empty());
            }
            run(
                &self.pool,
                members_statements("", org_id, page, role),
                page.first,
                |r| {
                    let user = <UserRow as sqlx::FromRow<DbRow>>::from_row(r)?;
                    let role: String = r.try_get("member_role")?;
                    Ok(MemberRow {
                        user,
                        role: Role::parse(&role),
                    })
                },
            )
            .await
        }

        async fn mail_page(
            &self,
            address: &str,
            page: &PageOf,
            hidden: &str,
        ) -> StoreResult<Page<MailEntry>> {
            if !storable_page(page, &[Some(address)]) {
                return Ok(empty());
            }
            run(
                &self.pool,
                mail_statements("", address, page, hidden),
                page.first,
                |r| {
                    Ok(MailEntry {
                        seq: r.try_get("page_seq")?,
                        mail: <MailRow as sqlx::FromRow<DbRow>>::from_row(r)?,
                    })
                },
            )
            .await
        }

        async fn apps_by_ids(&self, ids: &[String]) -> StoreResult<Vec<AppRow>> {
            let Some(mut q) = by_ids("", APP_COLUMNS, "applications", ids) else {
                return Ok(Vec::new());
            };
            Ok(q.build_query_as().fetch_all(&self.pool).await?)
        }

        async fn connections_by_ids(&self, ids: &[String]) -> StoreResult<Vec<ConnectionRow>> {
            let Some(mut q) = by_ids("", CONNECTION_COLUMNS, "connections", ids) else {
                return Ok(Vec::new());
            };
            let rows = q.build().fetch_all(&self.pool).await?;
            rows.iter()
                .map(|r| domains::connection_from(&self.key, r))
                .collect()
        }
    }
}
