//! Reusable components: the form generator, the Test panel beside it, the Mail panel, the
//! sign-in-again modal, the confirmation dialog and unsaved-changes guard, and the small
//! pieces several pages share (busy buttons, timestamps, names).

pub mod busy;
pub mod combobox;
pub mod confirm;
pub mod form;
pub mod mail;
pub mod names;
pub mod no_organization;
pub mod pipeline;
pub mod reauth;
pub mod servers;
pub mod setup;
pub mod test_panel;
pub mod text_field;
pub mod time;
pub mod unsaved;
pub mod windowed;
