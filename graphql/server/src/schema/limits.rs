//! Limits on what one request may cost. Before anything runs: a document's shape that
//! async-graphql does not count itself (aliases, the way one request repeats an expensive
//! field; total selections; one field repeated in a selection set; circular
//! introspection), and the cost of its lists, summed over a whole batch ([`Budget`]).
//! While it runs: the values it produces, so an estimate that was too kind still ends.
//!
//! A list field costs its expected length times what is selected under it ([`list`]): a
//! store list ([`store_list`]) is expected to hold [`STORE_LIST`] items, a catalog list its
//! measured average over the bundled catalog. Nested lists multiply, so
//! `applications { organization { applications { … } } }` grows as a power of its depth and
//! is refused long before it could be run.

use super::{MAX_ALIASES, MAX_COMPLEXITY, MAX_FIELDS, MAX_VALUES};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextResolve,
    NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{
    Name, Positioned, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Expected length of a list read from the store (an organization's sources, members,
/// integrations…), in tenths of an item: 20.
pub const STORE_LIST: usize = 200;
/// Destinations in the catalog (483 bundled), rounded up: what an unfiltered catalog costs.
pub const CATALOG: usize = 500;
/// Average choices of a catalog field (4.07), in tenths.
pub const CHOICES: usize = 41;
/// Average nested properties of a catalog field (0.53), in tenths.
pub const PROPERTIES: usize = 6;
/// Average connection fields of a destination (1.41), in tenths.
pub const CONNECTION_FIELDS: usize = 15;
/// Average top-level config fields of a destination (1.52), in tenths.
pub const CONFIG_FIELDS: usize = 16;
/// Average sections of a destination (1.25), in tenths.
pub const SECTIONS: usize = 13;
/// Average fields of a section (9.74), in tenths.
pub const SECTION_FIELDS: usize = 98;

/// The cost of a list field: one for the field, plus `tenths`/10 items each costing `child`.
pub fn list(child: usize, tenths: usize) -> usize {
    child.saturating_mul(tenths).div_ceil(10).saturating_add(1)
}

/// The cost of a list read from the store: one item when an argument picks one, else
/// [`STORE_LIST`].
pub fn store_list(one: bool, child: usize) -> usize {
    list(child, if one { 10 } else { STORE_LIST })
}

/// The cost of a paged list: `first` items (its default when absent, at most the most a
/// page holds), each costing `child` (the page's selection: its nodes, `pageInfo`,
/// `totalCount`).
pub fn page(first: Option<i32>, child: usize) -> usize {
    use super::paging::{DEFAULT_PAGE, MAX_PAGE};
    let items = usize::try_from(first.unwrap_or(DEFAULT_PAGE).clamp(0, MAX_PAGE)).unwrap_or(0);
    list(child, items.saturating_mul(10))
}

/// The cost of a catalog list: one destination by `code`, else the whole catalog (a
/// `platform` or `search` filter may match all of it).
pub fn catalog_list(by_code: bool, child: usize) -> usize {
    list(child, if by_code { 10 } else { CATALOG * 10 })
}

/// What one HTTP request has spent so far, shared by the operations of a batch: a batch
/// of ten documents may cost no more than one document may.
#[derive(Debug, Default)]
pub struct Budget {
    complexity: AtomicUsize,
    values: AtomicUsize,
    /// Set once `values` passed [`MAX_VALUES`]: the rest of the request resolves nothing.
    spent: AtomicBool,
}

impl Budget {
    /// A fresh budget for one request (or one batch).
    pub fn new() -> Arc<Budget> {
        Arc::default()
    }
}

/// Most times one response key may be selected in one selection set. GraphQL merges the
/// copies, so a client never needs them; graphql-cop's field-duplication probe sends 500
/// `__typename`s. A few are tolerated because generated documents (a client that adds
/// `__typename` or `id` to every selection) can repeat a field the author also wrote.
const MAX_SAME_FIELD: usize = 3;

/// How deeply the introspection list fields (`fields`, `inputFields`, `interfaces`,
/// `possibleTypes`) may nest inside one another under `__schema` or `__type`. GraphiQL's
/// and every client's introspection query nests them once (`types { fields { type {
/// ...TypeRef } } }`, the type references go through `ofType`); the circular
/// introspection query (`types { fields { type { fields { type { fields ...`) fans out
/// over the whole schema at each level and is refused. The value and rule are those of
/// graphql-js's `MaxIntrospectionDepthRule` (refused at 3).
const MAX_INTROSPECTION_LISTS: usize = 2;

/// The extension that refuses documents over [`MAX_ALIASES`], [`MAX_FIELDS`] or (with the
/// rest of their batch) [`MAX_COMPLEXITY`], and stops one that produces more than
/// [`MAX_VALUES`] values.
pub struct DocumentLimits;

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimitsExtension {
            own: Budget::new(),
            over: AtomicBool::new(false),
        })
    }
}

struct DocumentLimitsExtension {
    /// The budget when the request brings none (in-process execution): this request's own.
    own: Arc<Budget>,
    /// This request passed [`MAX_VALUES`] (the request hook sees no request data, so the
    /// flag is kept here too).
    over: AtomicBool,
}

impl DocumentLimitsExtension {
    fn budget<'a>(&'a self, ctx: &ExtensionContext<'a>) -> &'a Budget {
        ctx.data_opt::<Arc<Budget>>().unwrap_or(&self.own)
    }
}

#[derive(Default)]
struct Count {
    aliases: usize,
    fields: usize,
    /// The most copies of one response key in one selection set, and that key.
    same_field: (usize, String),
}

fn count(set: &SelectionSet, c: &mut Count) {
    let mut keys: HashMap<&str, usize> = HashMap::new();
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                c.fields += 1;
                if f.node.alias.is_some() {
                    c.aliases += 1;
                }
                let key = f.node.response_key().node.as_str();
                let n = keys.entry(key).or_default();
                *n += 1;
                if *n > c.same_field.0 {
                    c.same_field = (*n, key.to_string());
                }
                count(&f.node.selection_set.node, c);
            }
            Selection::InlineFragment(fr) => count(&fr.node.selection_set.node, c),
            Selection::FragmentSpread(_) => c.fields += 1,
        }
    }
}

#[async_trait::async_trait]
impl Extension for DocumentLimitsExtension {
    /// Every error carries an `extensions.code`: the ones async-graphql makes itself (a
    /// document that does not parse or validate, a bad variable) get `INVALID_QUERY`.
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        if self.over.load(Ordering::Relaxed) {
            // What was resolved before the limit is dropped: a partial answer would look
            // like a complete one with nulls in it.
            response = Response::from_errors(vec![limit_error(format!(
                "The answer would hold more than {MAX_VALUES} values (with the rest of its \
                 batch); ask for fewer fields or filter the lists."
            ))]);
        }
        for error in &mut response.errors {
            let has_code = error
                .extensions
                .as_ref()
                .is_some_and(|ext| ext.get("code").is_some());
            if !has_code {
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("code", "INVALID_QUERY");
            }
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if self.budget(ctx).spent.load(Ordering::Relaxed) {
            return Err(limit_error(format!(
                "The batch already produced more than {MAX_VALUES} values."
            )));
        }
        let doc = next.run(ctx, query, variables).await?;
        let mut c = Count::default();
        for (_, op) in doc.operations.iter() {
            count(&op.node.selection_set.node, &mut c);
        }
        for frag in doc.fragments.values() {
            count(&frag.node.selection_set.node, &mut c);
        }
        if c.aliases > MAX_ALIASES {
            return Err(limit_error(format!(
                "The query uses {} aliases; at most {MAX_ALIASES} are allowed.",
                c.aliases
            )));
        }
        if c.fields > MAX_FIELDS {
            return Err(limit_error(format!(
                "The query selects {} fields; at most {MAX_FIELDS} are allowed.",
                c.fields
            )));
        }
        if c.same_field.0 > MAX_SAME_FIELD {
            return Err(limit_error(format!(
                "The query selects `{}` {} times in one place; at most {MAX_SAME_FIELD} are allowed.",
                c.same_field.1, c.same_field.0
            )));
        }
        let mut walk = IntrospectionWalk {
            fragments: &doc.fragments,
            visiting: HashSet::new(),
            memo: HashMap::new(),
        };
        let circular = doc
            .operations
            .iter()
            .any(|(_, op)| walk.too_deep(&op.node.selection_set.node, None))
            || doc
                .fragments
                .values()
                .any(|f| walk.too_deep(&f.node.selection_set.node, None));
        if circular {
            return Err(limit_error(format!(
                "The introspection query nests `fields`, `inputFields`, `interfaces` or \
                 `possibleTypes` more than {MAX_INTROSPECTION_LISTS} deep."
            )));
        }
        Ok(doc)
    }

    /// Adds the document's cost (async-graphql's complexity with our list costs) to the
    /// batch's, and refuses it when the sum passes [`MAX_COMPLEXITY`].
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let total = self
            .budget(ctx)
            .complexity
            .fetch_add(result.complexity, Ordering::Relaxed)
            .saturating_add(result.complexity);
        if total > MAX_COMPLEXITY {
            let batch = if total > result.complexity {
                format!(" ({total} with the rest of its batch)")
            } else {
                String::new()
            };
            return Err(vec![limit_error(format!(
                "The query costs {}{batch}; at most {MAX_COMPLEXITY} is allowed. A list costs \
                 its expected length times what is selected in it: ask for fewer fields, or \
                 filter the lists.",
                result.complexity
            ))]);
        }
        Ok(result)
    }

    /// Counts every value produced; past [`MAX_VALUES`] the rest resolve to nothing and
    /// [`Self::request`] answers with one error.
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let budget = self.budget(ctx);
        if budget.values.fetch_add(1, Ordering::Relaxed) >= MAX_VALUES {
            budget.spent.store(true, Ordering::Relaxed);
            self.over.store(true, Ordering::Relaxed);
            // A null, not `None`: async-graphql expects every list item to have a value.
            return Ok(Some(Value::Null));
        }
        next.run(ctx, info).await
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// Looks for introspection selections whose list fields nest deeper than
/// [`MAX_INTROSPECTION_LISTS`].
struct IntrospectionWalk<'a> {
    fragments: &'a Fragments,
    /// The fragments on the current path: a cycle (refused later by validation) ends the
    /// walk there instead of looping.
    visiting: HashSet<Name>,
    /// Each fragment is walked once per depth: a document that spreads fragments into
    /// fragments many times over costs no more than its size.
    memo: HashMap<(Name, usize), bool>,
}

impl IntrospectionWalk<'_> {
    /// `lists` is `None` outside `__schema`/`__type`, else how many list fields enclose
    /// `set`. Outside introspection, spreads are not followed: every fragment definition is
    /// walked on its own anyway.
    fn too_deep(&mut self, set: &SelectionSet, lists: Option<usize>) -> bool {
        set.items.iter().any(|sel| match &sel.node {
            Selection::Field(f) => {
                let lists = match (lists, f.node.name.node.as_str()) {
                    (None, "__schema" | "__type") => Some(0),
                    (Some(n), "fields" | "inputFields" | "interfaces" | "possibleTypes") => {
                        Some(n + 1)
                    }
                    (other, _) => other,
                };
                lists.is_some_and(|n| n > MAX_INTROSPECTION_LISTS)
                    || self.too_deep(&f.node.selection_set.node, lists)
            }
            Selection::InlineFragment(fr) => self.too_deep(&fr.node.selection_set.node, lists),
            Selection::FragmentSpread(sp) => {
                let Some(n) = lists else {
                    return false;
                };
                let name = &sp.node.fragment_name.node;
                if let Some(&known) = self.memo.get(&(name.clone(), n)) {
                    return known;
                }
                let Some(frag) = self.fragments.get(name) else {
                    return false;
                };
                if !self.visiting.insert(name.clone()) {
                    return false;
                }
                let deep = self.too_deep(&frag.node.selection_set.node, lists);
                self.visiting.remove(name);
                self.memo.insert((name.clone(), n), deep);
                deep
            }
        })
    }
}

fn limit_error(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "QUERY_TOO_LARGE");
    e.extensions = Some(ext);
    e
}
