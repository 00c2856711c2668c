//! Limits on a document's shape that async-graphql does not count itself: aliases (the way
//! one request repeats an expensive field, `createToken` included) and total selections
//! (field duplication).

use super::{MAX_ALIASES, MAX_FIELDS};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Response, ServerError, ServerResult, Variables};
use std::sync::Arc;

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
}

fn count(set: &SelectionSet, c: &mut Count) {
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                c.fields += 1;
                if f.node.alias.is_some() {
                    c.aliases += 1;
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
        Ok(doc)
    }
}

fn limit_error(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "QUERY_TOO_LARGE");
    e.extensions = Some(ext);
    e
}
