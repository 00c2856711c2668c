//! Reusable components: the form generator, the Mail panel, the sign-in-again modal.

pub mod form;
pub mod mail;
pub mod reauth;
