//! The [`Transport`] trait and [`run`], which sends a typed operation through one.

use async_trait::async_trait;
use graphql_client::GraphQLQuery;
use serde_json::Value;

use crate::{ClientError, TransportError};

/// Carries one GraphQL request (`{"query", "variables", "operationName"}`) to a Houston
/// and brings back its JSON answer (`{"data", "errors"}`), whatever the answer says.
///
/// Object-safe: hold it as `Arc<dyn Transport>` and swap the Houston behind it.
/// On `wasm32` its futures need not be `Send`, so a webview can implement it too.
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait Transport: MaybeSendSync {
    /// Posts `body` as the holder of `authorization` (a raw JWT, `Bearer <jwt>` or
    /// `service:<key>`) acting for `organization` (an organization id).
    async fn post(
        &self,
        body: Value,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> Result<Value, TransportError>;
}

/// `Send + Sync` off the web; nothing on `wasm32`, where JavaScript values are neither.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSendSync: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync + ?Sized> MaybeSendSync for T {}

/// `Send + Sync` off the web; nothing on `wasm32`, where JavaScript values are neither.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSendSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSendSync for T {}

/// Runs the operation `Q` with `variables` through `transport`, as the holder of
/// `authorization` acting for `organization`, and answers its typed data.
///
/// When the answer has GraphQL `errors`, the first one becomes [`ClientError::Graphql`]
/// (even if some data came back with it). A mutation's business outcome (`success`,
/// `code`, `fieldErrors`) is data, not an error: read it from the answer.
pub async fn run<Q: GraphQLQuery>(
    transport: &dyn Transport,
    variables: Q::Variables,
    authorization: Option<&str>,
    organization: Option<&str>,
) -> Result<Q::ResponseData, ClientError> {
    let body = serde_json::to_value(Q::build_query(variables))
        .map_err(|e| ClientError::Malformed(format!("the request cannot be written: {e}")))?;
    let answer = transport.post(body, authorization, organization).await?;
    // Errors first, with the data left untyped: partial data must not hide the error.
    if let Some(error) = ClientError::from_answer(&answer) {
        return Err(error);
    }
    let response: graphql_client::Response<Value> = serde_json::from_value(answer)
        .map_err(|e| ClientError::Malformed(format!("not a GraphQL response: {e}")))?;
    match response.data {
        Some(data) if !data.is_null() => serde_json::from_value(data)
            .map_err(|e| ClientError::Malformed(format!("unexpected data: {e}"))),
        _ => Err(ClientError::Malformed(
            "the answer has neither data nor errors".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{healthcheck, me, Healthcheck, Me};
    use serde_json::json;

    /// Answers every request with the same JSON, and remembers nothing.
    struct Canned(Result<Value, TransportError>);

    #[async_trait]
    impl Transport for Canned {
        async fn post(
            &self,
            body: Value,
            _authorization: Option<&str>,
            _organization: Option<&str>,
        ) -> Result<Value, TransportError> {
            assert_eq!(
                body["operationName"], "Me",
                "run posts the document's operation by name: {body}"
            );
            self.0.clone()
        }
    }

    #[tokio::test]
    async fn the_first_error_wins_over_partial_data() {
        let t = Canned(Ok(json!({
            "data": { "me": null },
            "errors": [
                { "message": "Your session has expired; sign in again.",
                  "extensions": { "code": "TOKEN_EXPIRED" } },
                { "message": "second", "extensions": { "code": "INTERNAL" } }
            ]
        })));
        let answer = run::<Me>(&t, me::Variables, None, None).await;
        let Err(e) = answer else {
            panic!("errors must not be dropped for partial data: {answer:?}")
        };
        assert_eq!(e.code(), "TOKEN_EXPIRED");
        assert!(e.needs_sign_in(), "an expired session asks for a sign-in");
        assert_eq!(e.to_string(), "Your session has expired; sign in again.");
    }

    #[tokio::test]
    async fn an_error_without_a_code_still_reads() {
        let t = Canned(Ok(json!({ "errors": [{ "message": "boom" }] })));
        let answer = run::<Me>(&t, me::Variables, None, None).await;
        assert_eq!(
            answer,
            Err(ClientError::Graphql {
                code: None,
                message: "boom".into()
            })
        );
    }

    #[tokio::test]
    async fn an_answer_of_another_shape_is_malformed() {
        for body in [
            json!({}),
            json!({ "data": null }),
            json!({ "data": { "me": 3 } }),
            json!([1]),
        ] {
            let answer = run::<Me>(&Canned(Ok(body.clone())), me::Variables, None, None).await;
            assert!(
                matches!(answer, Err(ClientError::Malformed(_))),
                "{body} is not a Me answer, so it must be Malformed: {answer:?}"
            );
        }
    }

    #[tokio::test]
    async fn transport_failures_keep_their_kind() {
        let down = Canned(Err(TransportError::Unreachable(
            "connection refused".into(),
        )));
        let answer = run::<Me>(&down, me::Variables, None, None).await;
        assert_eq!(
            answer,
            Err(ClientError::Unreachable("connection refused".into()))
        );
        let status = Canned(Err(TransportError::Http(502)));
        let answer = run::<Me>(&status, me::Variables, None, None).await;
        assert_eq!(answer, Err(ClientError::Http(502)));
    }

    #[test]
    fn a_client_error_crosses_to_a_webview_as_json() {
        let e = ClientError::Graphql {
            code: Some("NOT_FOUND".into()),
            message: "No such source.".into(),
        };
        let wire = serde_json::to_value(&e).unwrap();
        assert_eq!(
            wire,
            json!({ "kind": "graphql", "code": "NOT_FOUND", "message": "No such source." })
        );
        let back: ClientError = serde_json::from_value(wire).unwrap();
        assert_eq!(back, e, "a webview reads back what the shell sent");
    }

    #[test]
    fn variables_leave_out_what_is_not_given() {
        // `skip_serializing_none`: an absent argument is absent, not `null`.
        let body = serde_json::to_value(Healthcheck::build_query(healthcheck::Variables)).unwrap();
        assert_eq!(body["operationName"], "Healthcheck");
        let body = serde_json::to_value(crate::Users::build_query(crate::users::Variables {
            user_id: None,
            email: Some("a@example.com".into()),
        }))
        .unwrap();
        assert_eq!(body["variables"], json!({ "email": "a@example.com" }));
    }
}
