//! Reading what a person pastes from a mail into the app (the sign-in screen's "Have a link
//! or code from a mail?"), in a real browser like the other UI tests.
#![cfg(target_arch = "wasm32")]

use houston_client::vocabulary::MailKind;
use houston_ui::loaders::mail::{read_pasted, Link, Pasted};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TOKEN: &str = "DO_cx8bn5lxdjkMiEd5pcy6GmBTm0w5q_7HNsP6R794";

#[wasm_bindgen_test]
fn a_link_says_what_it_is_for_and_a_code_needs_to_be_told() {
    let confirm = format!("https://houston.example.org/confirm-email?token={TOKEN}");
    assert_eq!(
        read_pasted(&confirm, None, "", ""),
        Ok(Pasted::Follow(Link::Confirm {
            token: TOKEN.into()
        }))
    );
    assert_eq!(
        read_pasted(TOKEN, None, "", ""),
        Err("Choose what the code is for.")
    );
    assert_eq!(
        read_pasted(TOKEN, Some(MailKind::ConfirmEmail), "", ""),
        Ok(Pasted::Follow(Link::Confirm {
            token: TOKEN.into()
        }))
    );
    // The link's own kind wins over a choice made before it was pasted.
    let reset = format!("http://127.0.0.1:8871/reset-password?token={TOKEN}");
    assert_eq!(
        read_pasted(&reset, Some(MailKind::ConfirmEmail), "", ""),
        Err("Choose a password.")
    );
    assert_eq!(
        read_pasted("", None, "", ""),
        Err("Paste the link or the code from the mail.")
    );
    assert_eq!(
        read_pasted("https://elsewhere.example/login?token=abc", None, "", ""),
        Err("Paste the link or the code from the mail.")
    );
}

#[wasm_bindgen_test]
fn a_reset_needs_the_same_password_twice() {
    let reset = format!("https://h.example/reset-password?token={TOKEN}");
    assert_eq!(
        read_pasted(&reset, None, "new password", "new pasword"),
        Err("The two passwords differ.")
    );
    assert_eq!(
        read_pasted(&reset, None, "new password", "new password"),
        Ok(Pasted::Follow(Link::Accept {
            token: TOKEN.into(),
            password: "new password".into()
        }))
    );
}

#[wasm_bindgen_test]
fn an_invitation_joins_an_account_or_makes_one_with_a_password() {
    let invite = format!("https://h.example/accept-invitation?token={TOKEN}");
    assert_eq!(
        read_pasted(&invite, None, "", ""),
        Ok(Pasted::Join(TOKEN.into())),
        "no password: the address has an account"
    );
    assert_eq!(
        read_pasted(&invite, None, "chosen one", "chosen one"),
        Ok(Pasted::Follow(Link::Accept {
            token: TOKEN.into(),
            password: "chosen one".into()
        }))
    );
    assert_eq!(
        read_pasted(&invite, None, "chosen one", ""),
        Err("The two passwords differ.")
    );
}
