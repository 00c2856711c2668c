//! The audit of API keys: every mutation an API key runs is recorded (its name, whether it
//! succeeded, when), for the organization's Owners to read (`apiKeyAudit`, `ApiKey.audit`).
//! A key is a credential that sits in scripts and CI settings; when one leaks, what it did
//! is the first question.

use crate::access::{Principal, RequestAuth};
use crate::store::KeyUseRow;
use crate::{clock, AppState};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};
use std::sync::Arc;

/// The extension that records what API keys do.
pub struct KeyAudit;

impl ExtensionFactory for KeyAudit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(KeyAudit)
    }
}

/// Whether an answer says it succeeded: its `success`, else its `code`; `None` when the
/// request selected neither.
fn outcome(value: &Value) -> Option<bool> {
    let Value::Object(fields) = value else {
        return None;
    };
    match (fields.get("success"), fields.get("code")) {
        (Some(Value::Boolean(ok)), _) => Some(*ok),
        (_, Some(Value::String(code))) => Some(code == "OK"),
        _ => None,
    }
}

#[async_trait::async_trait]
impl Extension for KeyAudit {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let root_mutation = info.path_node.parent.is_none() && info.parent_type == "Mutation";
        let key = match ctx.data_opt::<RequestAuth>().map(|a| &a.principal) {
            Some(Principal::ApiKey(key)) if root_mutation => Some(key.clone()),
            _ => None,
        };
        let operation = info.name.to_string();
        let result = next.run(ctx, info).await;
        if let (Some(key), Some(state)) = (key, ctx.data_opt::<Arc<AppState>>()) {
            let success = match &result {
                Ok(Some(value)) => outcome(value),
                Ok(None) | Err(_) => Some(false),
            };
            let entry = KeyUseRow {
                org_id: key.org_id,
                key_id: key.id,
                key_label: key.label,
                operation,
                success,
                at: clock::rfc3339(clock::now()),
            };
            if let Err(e) = state.store.record_key_use(&entry).await {
                tracing::error!(error = %e, "recording what an API key did");
            }
        }
        result
    }
}
