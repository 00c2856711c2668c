//! Names as lists show them: a name shared by several rows gets the start of its id, so
//! that same-named organizations and sources can be told apart; roles in one wording.

use houston_client::vocabulary::Role;

/// How many characters of an id tell same-named rows apart.
const ID_PREFIX: usize = 6;

/// `name`, followed by the start of `id` when another of `names` is the same.
pub fn distinct<'a>(name: &str, id: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    let same = names.into_iter().filter(|n| *n == name).count();
    if same > 1 {
        let short: String = id.chars().take(ID_PREFIX).collect();
        format!("{name} · {short}")
    } else {
        name.to_owned()
    }
}

/// A role as the window says it everywhere.
pub fn role(role: &Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        _ => "User",
    }
}

/// A name typed for a rename or a new row: trimmed, and refused when blank.
pub fn typed(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        Err("A name is needed: it cannot be blank.")
    } else {
        Ok(name.to_owned())
    }
}
