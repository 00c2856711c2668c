//! Reusable components: the form generator, the Test panel beside it, the Mail panel, the
//! sign-in-again modal, and the small pieces several pages share.

pub mod form;
pub mod mail;
pub mod no_organization;
pub mod reauth;
pub mod test_panel;
pub mod text_field;
pub mod windowed;
