//! What a GraphQL document from the webview asks for, read from the parsed document (never
//! by searching its text, where a field name in a string, a comment or an alias would
//! mislead): which root fields it selects, and which kind of operation runs.

use async_graphql_parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql_parser::Positioned;
use std::collections::HashSet;

/// A parsed document.
pub struct Document(ExecutableDocument);

impl Document {
    /// Parses `query`; the error says what is wrong with it, for a person.
    pub fn parse(query: &str) -> Result<Document, String> {
        async_graphql_parser::parse_query(query)
            .map(Document)
            .map_err(|e| e.to_string())
    }

    /// Every root field that any operation of the document selects (by its name, not its
    /// alias), following fragment spreads and inline fragments at the root. Every
    /// operation, not only the one that runs: a check on these cannot be dodged by an
    /// operation name the server would read differently.
    pub fn root_fields(&self) -> HashSet<&str> {
        let mut fields = HashSet::new();
        for (_, operation) in self.0.operations.iter() {
            let mut seen = HashSet::new();
            self.collect(&operation.node.selection_set, &mut seen, &mut fields);
        }
        fields
    }

    /// The kind of the operation that runs: the one named `operation_name`, or the only
    /// one. `None` when the document does not say which (the server refuses it).
    pub fn kind(&self, operation_name: Option<&str>) -> Option<OperationType> {
        match (&self.0.operations, operation_name) {
            (DocumentOperations::Single(operation), _) => Some(operation.node.ty),
            (DocumentOperations::Multiple(operations), Some(name)) => {
                operations.get(name).map(|operation| operation.node.ty)
            }
            (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
                .values()
                .next()
                .map(|operation| operation.node.ty),
            (DocumentOperations::Multiple(_), None) => None,
        }
    }

    fn collect<'a>(
        &'a self,
        set: &'a Positioned<SelectionSet>,
        seen: &mut HashSet<&'a str>,
        fields: &mut HashSet<&'a str>,
    ) {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    fields.insert(field.node.name.node.as_str());
                }
                Selection::InlineFragment(fragment) => {
                    self.collect(&fragment.node.selection_set, seen, fields)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // A fragment that spreads itself is refused by the server; here it
                    // must only not loop.
                    if seen.insert(name) {
                        if let Some(fragment) = self.0.fragments.get(name) {
                            self.collect(&fragment.node.selection_set, seen, fields);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(query: &str) -> Vec<String> {
        let document = Document::parse(query).expect("parses");
        let mut fields: Vec<String> = document
            .root_fields()
            .into_iter()
            .map(str::to_owned)
            .collect();
        fields.sort();
        fields
    }

    #[test]
    fn root_fields_are_names_not_aliases_or_text() {
        assert_eq!(
            fields("mutation { ok: createToken(username: \"a\", password: \"b\") { token } }"),
            ["createToken"]
        );
        // A token field's name in a string, a comment or below the root is not selected.
        assert_eq!(
            fields(
                "# createToken\nmutation { createOrganization(name: \"createToken\") { success } }"
            ),
            ["createOrganization"]
        );
        assert_eq!(fields("{ me { verifyToken: id } }"), ["me"]);
    }

    #[test]
    fn fragments_at_the_root_are_followed() {
        let query = "mutation { ...Sign ... on Mutation { logout { success } } }
            fragment Sign on Mutation { ...Again setPassword(token: \"t\", password: \"p\") { token } }
            fragment Again on Mutation { ...Sign }";
        assert_eq!(fields(query), ["logout", "setPassword"]);
    }

    #[test]
    fn every_operation_counts_and_the_named_one_runs() {
        let query = "query Q { me { id } } mutation M { confirmEmail(token: \"t\") { token } }";
        assert_eq!(fields(query), ["confirmEmail", "me"]);
        let document = Document::parse(query).unwrap();
        assert_eq!(document.kind(Some("M")), Some(OperationType::Mutation));
        assert_eq!(document.kind(Some("Q")), Some(OperationType::Query));
        assert_eq!(document.kind(None), None, "two operations and no name");
        assert_eq!(document.kind(Some("X")), None);
        let single = Document::parse("mutation Only { logout { success } }").unwrap();
        assert_eq!(single.kind(None), Some(OperationType::Mutation));
        let anonymous = Document::parse("{ me { id } }").unwrap();
        assert_eq!(anonymous.kind(None), Some(OperationType::Query));
    }

    #[test]
    fn a_document_that_does_not_parse_says_why() {
        assert!(Document::parse("mutation { createToken(").is_err());
        assert!(Document::parse("").is_err());
    }
}
