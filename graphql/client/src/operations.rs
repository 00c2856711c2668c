//! One typed operation per document in `graphql/operations/`.
//!
//! Each `#[derive(GraphQLQuery)]` struct comes with a module of the same name in
//! snake_case holding its `Variables`, its `ResponseData` and the types they use.
// The generated modules carry no doc comments; the documents they come from are the docs.
#![allow(missing_docs)]

use graphql_client::GraphQLQuery;

/// The schema's `JSON` scalar: any JSON value.
pub type JSON = serde_json::Value;

/// The schema's `Role` enum is the vocabulary's (`extern_enums`), not a generated copy.
pub use houston_vocabulary::Role;

/// The schema's `Date` scalar: an RFC 3339 string, e.g. `2026-11-27T10:00:00Z`.
pub type Date = String;

/// Declares one operation: `$name` from `graphql/operations/$file`.
macro_rules! operation {
    ($(#[$doc:meta])* $name:ident => $path:tt) => {
        $(#[$doc])*
        #[derive(GraphQLQuery)]
        #[graphql(
            schema_path = "../schema.graphql",
            query_path = $path,
            response_derives = "Debug, Clone, PartialEq, Serialize",
            variables_derives = "Debug, Clone, Deserialize",
            extern_enums("Role"),
            skip_serializing_none
        )]
        pub struct $name;
    };
}

operation!(
    /// `createToken`: signs in with a username and password.
    CreateToken => "../operations/CreateToken.graphql"
);
operation!(
    /// `verifyToken`: checks a token and answers its claims.
    VerifyToken => "../operations/VerifyToken.graphql"
);
operation!(
    /// `logout`: revokes every token the caller holds.
    Logout => "../operations/Logout.graphql"
);
operation!(
    /// `createNewUser`: Self Signup; the account stays pending until its email is confirmed.
    CreateNewUser => "../operations/CreateNewUser.graphql"
);
operation!(
    /// `confirmEmail`: confirms an email with the mailed link's token.
    ConfirmEmail => "../operations/ConfirmEmail.graphql"
);
operation!(
    /// `resendConfirmation`: mails a new confirmation link.
    ResendConfirmation => "../operations/ResendConfirmation.graphql"
);
operation!(
    /// `setPassword`: sets a password with an invitation or reset link's token.
    SetPassword => "../operations/SetPassword.graphql"
);
operation!(
    /// `requestPasswordReset`: mails a password reset link.
    RequestPasswordReset => "../operations/RequestPasswordReset.graphql"
);
operation!(
    /// `updateUser`: edits your profile, or changes your password.
    UpdateUser => "../operations/UpdateUser.graphql"
);
operation!(
    /// `me`: the signed-in person.
    Me => "../operations/Me.graphql"
);
operation!(
    /// `myMail`: the outbox for your own address.
    MyMail => "../operations/MyMail.graphql"
);
operation!(
    /// `users`: yourself, or members of organizations you share.
    Users => "../operations/Users.graphql"
);
operation!(
    /// `organizations`: one by id, those of a member, or all of yours.
    Organizations => "../operations/Organizations.graphql"
);
operation!(
    /// `createOrganization`: a new organization with the caller as its first Owner.
    CreateOrganization => "../operations/CreateOrganization.graphql"
);
operation!(
    /// `updateOrganization`: one change to an organization or its members (Owners only).
    UpdateOrganization => "../operations/UpdateOrganization.graphql"
);
operation!(
    /// `leaveOrganization`: the caller leaves an organization (not its last Owner).
    LeaveOrganization => "../operations/LeaveOrganization.graphql"
);
operation!(
    /// How many sources, integrations and connections an organization holds (what
    /// deleting it deletes).
    OrgContents => "../operations/OrgContents.graphql"
);
operation!(
    /// `organizations { invitations }`: an organization's pending invitations (Owners).
    OrgInvitations => "../operations/OrgInvitations.graphql"
);
operation!(
    /// `myInvitations`: invitations to the signed-in person's address.
    MyInvitations => "../operations/MyInvitations.graphql"
);
operation!(
    /// `acceptInvitation`: joins the organization an invitation is for.
    AcceptInvitation => "../operations/AcceptInvitation.graphql"
);
operation!(
    /// `acceptInvitation(token:)`: joins with a mailed invitation link, for an address
    /// that has an account (signed in or not).
    AcceptInvitationLink => "../operations/AcceptInvitationLink.graphql"
);
operation!(
    /// `declineInvitation`: drops an invitation to your address.
    DeclineInvitation => "../operations/DeclineInvitation.graphql"
);
operation!(
    /// `applications`: the sources of an organization, or one by id.
    Applications => "../operations/Applications.graphql"
);
operation!(
    /// `createApplication`: a new clickstream source.
    CreateApplication => "../operations/CreateApplication.graphql"
);
operation!(
    /// `updateApplication`: renames, re-platforms or deletes a source.
    UpdateApplication => "../operations/UpdateApplication.graphql"
);
operation!(
    /// `clickstreamPrototypes`: the destination catalog with every form field, nested
    /// `properties` three levels deep.
    ClickstreamPrototypes => "../operations/ClickstreamPrototypes.graphql"
);
operation!(
    /// `clickstreamPrototypes` as the catalog page lists it: names, categories,
    /// descriptions and platforms, no form fields.
    DestinationList => "../operations/DestinationList.graphql"
);
operation!(
    /// `orgConnections`: an organization's saved connections.
    OrgConnections => "../operations/OrgConnections.graphql"
);
operation!(
    /// `connection`: one saved connection.
    Connection => "../operations/Connection.graphql"
);
operation!(
    /// `createConnection`: saves credentials for a destination.
    CreateConnection => "../operations/CreateConnection.graphql"
);
operation!(
    /// `updateConnection`: renames, replaces the details of, or deletes a connection.
    UpdateConnection => "../operations/UpdateConnection.graphql"
);
operation!(
    /// `clickstreamConfigs`: the integrations of a source or an organization.
    ClickstreamConfigs => "../operations/ClickstreamConfigs.graphql"
);
operation!(
    /// `createIntegration`: switches a destination on for a source.
    CreateIntegration => "../operations/CreateIntegration.graphql"
);
operation!(
    /// `updateIntegration`: changes, enables, disables or deletes an integration.
    UpdateIntegration => "../operations/UpdateIntegration.graphql"
);
operation!(
    /// `apiKeys`: an organization's API keys (Owners only).
    ApiKeys => "../operations/ApiKeys.graphql"
);
operation!(
    /// `createApiKey`: a new API key; the key is in this answer and nowhere else.
    CreateApiKey => "../operations/CreateApiKey.graphql"
);
operation!(
    /// `revokeApiKey`: revokes an API key at once.
    RevokeApiKey => "../operations/RevokeApiKey.graphql"
);
operation!(
    /// `sources`: the event router's lookup of one source and its integrations.
    Sources => "../operations/Sources.graphql"
);
operation!(
    /// `healthcheck`: a liveness answer with the server's version.
    Healthcheck => "../operations/Healthcheck.graphql"
);
operation!(
    /// `events`: a source's stored events, newest first, paged and filtered.
    Events => "../operations/Events.graphql"
);
operation!(
    /// `eventReceived`: each event of a source as it is stored (the live debugger).
    EventReceived => "../operations/EventReceived.graphql"
);
operation!(
    /// `clickstreamChanged`: an organization's sources and integrations as they change
    /// (the window's live updates).
    ClickstreamChanged => "../operations/ClickstreamChanged.graphql"
);
operation!(
    /// `applicationLifetimeEvents`: a source's event counts since it was made.
    ApplicationLifetimeEvents => "../operations/ApplicationLifetimeEvents.graphql"
);
operation!(
    /// `eventReport`: events per hour, day, week or month, by source and type.
    EventReport => "../operations/EventReport.graphql"
);
operation!(
    /// `applicationPage`: an organization's sources a page at a time, by name.
    ApplicationPage => "../operations/ApplicationPage.graphql"
);
operation!(
    /// `clickstreamConfigPage`: a source's or an organization's integrations a page at a
    /// time, by name.
    ClickstreamConfigPage => "../operations/ClickstreamConfigPage.graphql"
);
operation!(
    /// `orgConnectionPage`: an organization's connections a page at a time, by name.
    OrgConnectionPage => "../operations/OrgConnectionPage.graphql"
);
operation!(
    /// `memberPage`: an organization's members a page at a time, by email.
    MemberPage => "../operations/MemberPage.graphql"
);
operation!(
    /// `mailPage`: your mail a page at a time, newest first.
    MailPage => "../operations/MailPage.graphql"
);
operation!(
    /// `previewDelivery`: what each section of an unsaved form would receive for an event.
    PreviewDelivery => "../operations/PreviewDelivery.graphql"
);
operation!(
    /// `deliveryPreview`: what every integration of a source would receive for an event.
    DeliveryPreview => "../operations/DeliveryPreview.graphql"
);
