//! Ids: the random ids of every stored row and of each server process.

use rand::rngs::OsRng;
use rand::Rng;

const ID_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// A 21-character random id over `A-Za-z0-9_-` (126 bits, like nanoid).
pub fn new_id() -> String {
    let mut rng = OsRng;
    (0..21)
        .map(|_| ID_ALPHABET[rng.gen_range(0..64)] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_21_characters_of_the_alphabet() {
        for _ in 0..100 {
            let id = new_id();
            assert_eq!(id.len(), 21, "the seed promises 21-character ids");
            assert!(id.bytes().all(|b| ID_ALPHABET.contains(&b)));
        }
        assert_ne!(
            new_id(),
            new_id(),
            "126 random bits never repeat in practice"
        );
    }
}
