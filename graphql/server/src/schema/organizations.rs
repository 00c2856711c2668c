//! Organizations and their members: `organizations` and `organization`, creating and
//! updating an organization (its details, members and roles), the `Organization`,
//! `Member` and `Role` types.

use super::accounts::User;
use super::invitations;
use super::paging::{page_of, Paged};
use super::scalars::Date;
use super::sources::Application;
use super::status::{status, StatusMessage};
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::input;
use crate::store::{InvitationRow, MemberRow, OrgRow, Role};
use crate::{clock, ids};
use async_graphql::{Context, Enum, InputObject, Object, ID};

/// A member's role in an organization.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "crate::store::Role")]
pub enum MemberRole {
    /// Full control of the organization.
    Owner,
    /// Reads the organization and works on its pipelines.
    User,
}

/// A person to add to an organization.
#[derive(InputObject, Clone, Debug)]
pub struct MemberInput {
    pub email: String,
    /// Defaults to `USER`.
    pub role: Option<MemberRole>,
}

/// A member's new role.
#[derive(InputObject, Clone, Debug)]
pub struct MemberRoleInput {
    pub user_id: String,
    pub role: MemberRole,
}

/// A member of an organization.
pub struct Member(pub MemberRow);

#[Object]
impl Member {
    async fn user(&self) -> User {
        User(self.0.user.clone())
    }
    async fn role(&self) -> MemberRole {
        self.0.role.into()
    }
}

/// An invitation to an organization, as its Owners see it.
pub struct OrgInvitation(pub InvitationRow);

#[Object]
impl OrgInvitation {
    async fn id(&self) -> &str {
        &self.0.id
    }
    /// The invited address.
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> MemberRole {
        self.0.role.into()
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at.clone())
    }
    async fn expires_at(&self) -> Date {
        Date(self.0.expires_at.clone())
    }
}

/// An organization, as seen by one of its members (`role` is the viewer's).
pub struct Organization {
    pub row: OrgRow,
    pub role: Role,
}

#[Object]
impl Organization {
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn description(&self) -> Option<&str> {
        self.row.description.as_deref()
    }
    async fn enabled(&self) -> bool {
        self.row.enabled
    }
    /// The viewer's role in this organization.
    async fn my_role(&self) -> MemberRole {
        self.role.into()
    }
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<Member>> {
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .members(&self.row.id)
            .await?
            .into_iter()
            .map(Member)
            .collect())
    }
    /// Members with the `USER` role.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn users(&self, ctx: &Context<'_>) -> ApiResult<Vec<User>> {
        self.with_role(ctx, Role::User).await
    }
    /// Members with the `OWNER` role.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn owners(&self, ctx: &Context<'_>) -> ApiResult<Vec<User>> {
        self.with_role(ctx, Role::Owner).await
    }
    /// Invitations not yet accepted (Owners only): who was invited, as what, until when.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn invitations(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrgInvitation>> {
        if self.role != Role::Owner {
            return Err(ApiError::Forbidden(
                "Only an owner of the organization can do that.",
            ));
        }
        let a = Access::of(ctx);
        let now = clock::rfc3339(clock::now());
        Ok(a.state
            .store
            .invitations_of_org(&self.row.id, &now)
            .await?
            .into_iter()
            .map(OrgInvitation)
            .collect())
    }
    /// Its clickstream sources.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn applications(&self, ctx: &Context<'_>) -> ApiResult<Vec<Application>> {
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .apps_of_org(&self.row.id)
            .await?
            .into_iter()
            .map(|row| Application {
                row,
                role: self.role,
                prefetched: None,
            })
            .collect())
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
}

impl Organization {
    /// The organization `org_id` as seen with `role`, read from the store; `NOT_FOUND`
    /// when it is gone. The caller has checked the role.
    pub(crate) async fn load(a: &Access<'_>, org_id: &str, role: Role) -> ApiResult<Organization> {
        let row = a
            .state
            .store
            .org_by_id(org_id)
            .await?
            .ok_or(ApiError::NotFound("Organization"))?;
        Ok(Organization { row, role })
    }

    async fn with_role(&self, ctx: &Context<'_>, role: Role) -> ApiResult<Vec<User>> {
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .members(&self.row.id)
            .await?
            .into_iter()
            .filter(|m| m.role == role)
            .map(|m| User(m.user))
            .collect())
    }
}

/// The list name inside `memberPage` cursors.
const MEMBERS_LIST: &str = "members";

/// The queries about organizations.
#[derive(Default)]
pub struct OrganizationsQuery;

#[Object]
impl OrganizationsQuery {
    /// Organizations: one by `orgId` (or the `organization` header), those of a member
    /// you share them with by `userId`, or all of yours. Always a list.
    #[graphql(complexity = "super::limits::store_list(org_id.is_some(), child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        user_id: Option<String>,
        org_id: Option<ID>,
    ) -> ApiResult<Vec<Organization>> {
        let a = Access::of(ctx);
        let scope = a.optional_org(org_id.as_ref())?;
        if let Some(org_id) = scope {
            let role = a.role_in(&org_id).await?;
            let org = Organization::load(&a, &org_id, role).await?;
            if let Some(uid) = &user_id {
                if a.state.store.role_of(&org_id, uid).await?.is_none() {
                    return Ok(Vec::new());
                }
            }
            return Ok(vec![org]);
        }
        let me = a.active_user()?;
        let mut out = Vec::new();
        for row in a.state.store.orgs_of_user(&me.id).await? {
            let role = a
                .state
                .store
                .role_of(&row.id, &me.id)
                .await?
                .unwrap_or(Role::User);
            if let Some(uid) = &user_id {
                if a.state.store.role_of(&row.id, uid).await?.is_none() {
                    continue;
                }
            }
            out.push(Organization { row, role });
        }
        Ok(out)
    }

    /// An organization's members a page at a time, by username (their email) then id;
    /// `search` is part of the first name, last name or email (either case), `role` one
    /// role. Whoever may read the organization's `members` may read it.
    #[graphql(complexity = "super::limits::page(first, child_complexity)")]
    async fn member_page(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        role: Option<MemberRole>,
    ) -> ApiResult<Paged<Member>> {
        let a = Access::of(ctx);
        let org_id = a.named_org(org_id.0)?;
        a.role_in(&org_id).await?;
        let page = page_of(MEMBERS_LIST, first, after, search)?;
        let rows = a
            .state
            .store
            .members_page(&org_id, &page, role.map(Role::from))
            .await?;
        Ok(Paged::of(
            MEMBERS_LIST,
            rows,
            |m| (m.user.username.as_str(), m.user.id.clone()),
            Member,
        ))
    }

    /// One organization (deprecated: use `organizations(orgId:)`).
    #[graphql(deprecation = "use organizations(orgId:)")]
    async fn organization(
        &self,
        ctx: &Context<'_>,
        org_id: String,
    ) -> ApiResult<Option<Organization>> {
        let a = Access::of(ctx);
        let org_id = a.named_org(org_id)?;
        let role = a.role_in(&org_id).await?;
        Ok(Some(Organization::load(&a, &org_id, role).await?))
    }
}

/// Why the last Owner cannot leave, and what to do instead.
const LAST_OWNER_LEAVING: &str =
    "You are its last Owner. Make another member an Owner first, or delete the organization.";

/// The mutations about organizations and their members.
#[derive(Default)]
pub struct OrganizationsMutation;

#[Object]
impl OrganizationsMutation {
    /// Creates an organization with the caller as its first Owner.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        name: String,
        user_id: Option<String>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let me = a.active_user()?;
                if user_id
                    .as_deref()
                    .is_some_and(|u| !u.is_empty() && u != me.id)
                {
                    return Err(ApiError::Forbidden(
                        "You can only create an organization you own yourself.",
                    ));
                }
                let name = input::name("name", &name)?;
                let org = OrgRow {
                    id: ids::new_id(),
                    name,
                    description: None,
                    enabled: true,
                    created_at: clock::rfc3339(clock::now()),
                };
                a.state.store.create_org(&org, &me.id).await?;
                Ok(StatusMessage::ok("Organization created.", Some(org.id)))
            }
            .await,
        )
    }

    /// Leaves the organization: any member may, for themselves (a person, not an API key),
    /// except its last Owner, who is told to make another member an Owner first
    /// (`LAST_OWNER`). `NOT_FOUND` for an organization the caller is not in.
    async fn leave_organization(&self, ctx: &Context<'_>, org_id: String) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let org_id = a.named_org(org_id)?;
                let me = a.person()?;
                a.role_in(&org_id).await?;
                match a.state.store.remove_member(&org_id, &me.id).await {
                    Ok(()) => Ok(StatusMessage::ok(
                        "You left the organization.",
                        Some(org_id),
                    )),
                    Err(crate::store::StoreError::LastOwner) => Ok(StatusMessage {
                        message: LAST_OWNER_LEAVING.into(),
                        ..StatusMessage::from(ApiError::LastOwner)
                    }),
                    Err(crate::store::StoreError::NotFound) => {
                        Err(ApiError::NotFound("Organization"))
                    }
                    Err(e) => Err(e.into()),
                }
            }
            .await,
        )
    }

    /// Owners only: rename or describe the organization, invite a member (`addUser`: the
    /// person joins by accepting, whether or not the address has an account; the answer's
    /// `id` is the invitation's), remove one, change a role, or delete it. One change a
    /// call. Members, roles and deletion are for people: API keys are refused them.
    #[allow(clippy::too_many_arguments)]
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        org_id: String,
        name: Option<String>,
        description: Option<String>,
        add_user: Option<MemberInput>,
        remove_user_id: Option<String>,
        set_role: Option<MemberRoleInput>,
        #[graphql(name = "delete")] delete_org: Option<bool>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let org_id = a.named_org(org_id)?;
                a.owner_of(&org_id).await?;
                let details = name.is_some() || description.is_some();
                let changes = [
                    details,
                    add_user.is_some(),
                    remove_user_id.is_some(),
                    set_role.is_some(),
                    delete_org == Some(true),
                ];
                // Who belongs and who decides are people's business: a leaked key must not
                // add Owners, demote or remove them, or delete the organization.
                if !details {
                    a.person().map_err(|_| {
                        ApiError::Forbidden(
                            "An API key cannot change members, roles or delete the organization.",
                        )
                    })?;
                }
                match changes.iter().filter(|c| **c).count() {
                    0 => return Err(ApiError::invalid("Nothing to change.")),
                    1 => {}
                    _ => return Err(ApiError::invalid(
                        "One change at a time: details, addUser, removeUserId, setRole or delete.",
                    )),
                }
                let store = &a.state.store;
                if delete_org == Some(true) {
                    store.delete_org(&org_id).await?;
                    return Ok(StatusMessage::ok("Organization deleted.", Some(org_id)));
                }
                if details {
                    let name = name.map(|n| input::name("name", &n)).transpose()?;
                    let description = description
                        .map(|d| input::text("description", &d, 2000))
                        .transpose()?;
                    store
                        .update_org(&org_id, name.as_deref(), description.as_deref())
                        .await?;
                    return Ok(StatusMessage::ok("Organization saved.", Some(org_id)));
                }
                if let Some(m) = add_user {
                    let email = input::email(&m.email).map_err(|_| {
                        ApiError::invalid_field("email", "Enter a valid email address.")
                    })?;
                    let role = m.role.map_or(Role::User, Role::from);
                    // Someone the caller already shares this organization with: saying so
                    // tells them nothing new.
                    if let Some(user) = store.user_by_username(&email).await? {
                        if store.role_of(&org_id, &user.id).await?.is_some() {
                            return Err(ApiError::Conflict(
                                "That person is already a member.".into(),
                            ));
                        }
                    }
                    crate::throttle::may_mail(&a, &email)?;
                    // Whether or not the address has an account, the same invitation: the
                    // person joins only by accepting it, and the answer tells nothing.
                    let id = invitations::invite(&a, &org_id, &email, role).await?;
                    return Ok(StatusMessage::ok("Invitation sent.", Some(id)));
                }
                if let Some(user_id) = remove_user_id {
                    store
                        .remove_member(&org_id, &user_id)
                        .await
                        .map_err(|e| match e {
                            crate::store::StoreError::NotFound => ApiError::NotFound("Member"),
                            e => e.into(),
                        })?;
                    return Ok(StatusMessage::ok("Member removed.", Some(user_id)));
                }
                if let Some(r) = set_role {
                    store
                        .set_role(&org_id, &r.user_id, r.role.into())
                        .await
                        .map_err(|e| match e {
                            crate::store::StoreError::NotFound => ApiError::NotFound("Member"),
                            e => e.into(),
                        })?;
                    return Ok(StatusMessage::ok("Role changed.", Some(r.user_id)));
                }
                Err(ApiError::invalid("Nothing to change."))
            }
            .await,
        )
    }
}
