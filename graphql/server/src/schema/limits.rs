//! Limits on a document's shape that async-graphql does not count itself: aliases (the way
//! one request repeats an expensive field, `createToken` included), total selections, one
//! field repeated in a selection set (field duplication), and circular introspection.

use super::{MAX_ALIASES, MAX_FIELDS};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest,
};
use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, ServerError, ServerResult, Variables};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// The extension that refuses documents over [`MAX_ALIASES`] or [`MAX_FIELDS`].
pub struct DocumentLimits;

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimitsExtension)
    }
}

struct DocumentLimitsExtension;

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
