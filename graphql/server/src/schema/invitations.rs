//! Invitations to organizations, which need the invitee's consent: `myInvitations`,
//! accepting one (in the app, or by the mailed link) and declining one; the `Invitation`
//! type; and making one, for `updateOrganization(addUser)`.

use super::organizations::MemberRole;
use super::scalars::Date;
use super::status::{status, StatusMessage};
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::mail::MailKind;
use crate::store::{
    Accepted, InvitationProof, InvitationRow, PendingInvitation, Role, StoreError, UserRow,
};
use crate::{auth, clock, ids};
use async_graphql::{Context, Object};

/// An invitation to join an organization, as its invitee sees it.
pub struct Invitation(pub PendingInvitation);

#[Object]
impl Invitation {
    async fn id(&self) -> &str {
        &self.0.invitation.id
    }
    async fn organization_id(&self) -> &str {
        &self.0.invitation.org_id
    }
    async fn organization_name(&self) -> &str {
        &self.0.org_name
    }
    /// The role accepting gives.
    async fn role(&self) -> MemberRole {
        self.0.invitation.role.into()
    }
    async fn created_at(&self) -> Date {
        Date(self.0.invitation.created_at.clone())
    }
    /// Unaccepted by then, the invitation is gone.
    async fn expires_at(&self) -> Date {
        Date(self.0.invitation.expires_at.clone())
    }
}

/// Invites `email` to `org_id` with `role`: records the invitation and mails its link. No
/// account is made or changed, whether the address has one or not. Returns its id.
pub(crate) async fn invite(
    a: &Access<'_>,
    org_id: &str,
    email: &str,
    role: Role,
) -> ApiResult<String> {
    let store = &a.state.store;
    let org = store
        .org_by_id(org_id)
        .await?
        .ok_or(ApiError::NotFound("Organization"))?;
    let link = a
        .state
        .mailer
        .link(MailKind::Invitation, email, Some(&org.name));
    let now = clock::rfc3339(clock::now());
    let invitation = InvitationRow {
        id: ids::new_id(),
        org_id: org_id.to_string(),
        email: email.to_string(),
        role,
        token_hash: link.record.token_hash.clone(),
        created_at: now.clone(),
        expires_at: link.record.expires_at.clone(),
    };
    store
        .create_invitation(&invitation, &link.record.mail, &now)
        .await?;
    a.state.mailer.deliver(link);
    Ok(invitation.id)
}

/// Whether an unexpired invitation's link has this token (as pasted).
pub(crate) async fn invitation_link_is_live(a: &Access<'_>, token: &str) -> ApiResult<bool> {
    let now = clock::rfc3339(clock::now());
    Ok(a.state
        .store
        .invitation_is_live(&auth::sha256_hex(token.trim()), &now)
        .await?)
}

/// Accepts the invitation whose link has `token` by making the invited address's account
/// (`user`, whose username the store sets): the answer to `setPassword` with an
/// invitation link. INVALID_INPUT on `token` when the address has an account by now (its
/// owner signs in and accepts in the app) or the invitation is gone.
pub(crate) async fn accept_with_new_account(
    a: &Access<'_>,
    token: &str,
    user: &UserRow,
) -> ApiResult<UserRow> {
    let now = clock::rfc3339(clock::now());
    let proof = InvitationProof::Link {
        token_hash: &auth::sha256_hex(token.trim()),
    };
    let accepted = a
        .state
        .store
        .accept_invitation(proof, Some(user), &now)
        .await;
    match accepted {
        Ok(Some(Accepted::Joined { user, .. })) => Ok(*user),
        Ok(Some(_)) | Err(StoreError::Conflict) => Err(ApiError::invalid_field(
            "token",
            "This address has an account: sign in and accept the invitation in the app.",
        )),
        Ok(None) => Err(gone()),
        Err(e) => Err(e.into()),
    }
}

fn gone() -> ApiError {
    ApiError::NotFound("Invitation")
}

/// The queries about invitations.
#[derive(Default)]
pub struct InvitationsQuery;

#[Object]
impl InvitationsQuery {
    /// The unexpired invitations to the signed-in person's (confirmed) address.
    async fn my_invitations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Invitation>> {
        let a = Access::of(ctx);
        let me = a.active_user()?;
        let now = clock::rfc3339(clock::now());
        Ok(a.state
            .store
            .invitations_for(&me.username, &now)
            .await?
            .into_iter()
            .map(Invitation)
            .collect())
    }
}

/// The mutations about invitations.
#[derive(Default)]
pub struct InvitationsMutation;

#[Object]
impl InvitationsMutation {
    /// Joins an organization: an invitation of `myInvitations` by `invitationId`, signed in
    /// as the invited address; or by the mailed link's `token`, for an address that has a
    /// (confirmed) account; an address without one sets a password with the link
    /// (`setPassword`) instead, which accepts too.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        invitation_id: Option<String>,
        token: Option<String>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let token_hash;
                let proof = match (&invitation_id, &token) {
                    (Some(id), None) => InvitationProof::Account {
                        id,
                        email: &a.active_user()?.username,
                    },
                    (None, Some(token)) => {
                        token_hash = auth::sha256_hex(token.trim());
                        InvitationProof::Link {
                            token_hash: &token_hash,
                        }
                    }
                    _ => {
                        return Err(ApiError::invalid(
                            "Give either invitationId (signed in) or the link's token.",
                        ))
                    }
                };
                let now = clock::rfc3339(clock::now());
                match a.state.store.accept_invitation(proof, None, &now).await? {
                    Some(Accepted::Joined { org_id, .. }) => {
                        Ok(StatusMessage::ok("Invitation accepted.", Some(org_id)))
                    }
                    Some(Accepted::NeedsAccount) => Err(ApiError::invalid_field(
                        "token",
                        "This address has no account yet: choose a password with this link.",
                    )),
                    Some(Accepted::HasAccount) => Err(ApiError::Forbidden(
                        "Confirm this address's account (or sign in) first, then accept.",
                    )),
                    None => Err(gone()),
                }
            }
            .await,
        )
    }

    /// Declines an invitation to the signed-in person's address.
    async fn decline_invitation(&self, ctx: &Context<'_>, invitation_id: String) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let me = a.active_user()?;
                a.state
                    .store
                    .decline_invitation(&invitation_id, &me.username)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => gone(),
                        e => e.into(),
                    })?;
                Ok(StatusMessage::ok(
                    "Invitation declined.",
                    Some(invitation_id),
                ))
            }
            .await,
        )
    }
}
