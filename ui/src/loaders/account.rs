//! The signed-in person's own account: their profile, and changing it or the password.

use houston_client::{me, Me, UpdateUser};
use serde_json::Value;

use crate::api::{self, ApiError, Status};
use crate::loaders::Outcome;

/// The profile as the form shows it (empty for what is not set).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: String,
}

/// The signed-in person's profile (`None` when the server knows no one).
pub async fn profile() -> Result<Option<Profile>, ApiError> {
    let data = api::run::<Me>(me::Variables, None).await?;
    Ok(data.me.map(|user| Profile {
        first_name: user.profile.first_name.unwrap_or_default(),
        last_name: user.profile.last_name.unwrap_or_default(),
        company: user.profile.company.unwrap_or_default(),
    }))
}

/// Changes the account with `updateUser`'s `variables` (`profile`, or `currentPassword`
/// and `newPassword`), acting for `org`.
pub async fn update(variables: Value, org: Option<String>) -> Option<Outcome> {
    let variables = serde_json::from_value(variables).ok()?;
    Some(
        api::run::<UpdateUser>(variables, org)
            .await
            .map(|data| Status::of(&data.update_user)),
    )
}
