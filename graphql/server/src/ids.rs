//! Ids: the random ids of every stored row and of each server process.

use rand::rngs::OsRng;
use rand::RngCore;

const ID_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// A 21-character random id over `A-Za-z0-9_-` (126 bits, like nanoid).
///
/// The 21 bytes come from the OS in one call (one per character was 21 system calls, most
/// of the collector's time when it numbered events); each keeps its low 6 bits, which is
/// unbiased since 64 divides 256.
pub fn new_id() -> String {
    let mut bytes = [0u8; 21];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ID_ALPHABET[usize::from(b & 63)] as char)
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
