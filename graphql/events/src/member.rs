//! Looking a key up in an event's object, which is most of what matching a trigger or
//! mapping a field costs.

use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Up to this many keys, walking a map's keys in order (comparing in place) finds one
/// faster than its B-tree's search (a `memcmp` call per key it passes); beyond, the search.
const WALKED: usize = 32;

/// `map[key]`, as `map.get(key)` answers. In a small map (an event's top-level object,
/// `properties`, `context`) `get` compares `key` with every key before it in a node, each
/// comparison a call to `memcmp`; here the keys are compared in place, and walked from the
/// end for a key late in the alphabet (`type`, `userId`, `timestamp`: the ones triggers
/// and mappings read most), so fewer are passed.
#[inline]
pub(crate) fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() > WALKED {
        return map.get(key);
    }
    let wanted = key.as_bytes();
    if wanted.first().is_some_and(|first| *first >= b's') {
        for (k, v) in map.iter().rev() {
            match order(k.as_bytes(), wanted) {
                Ordering::Greater => {}
                Ordering::Equal => return Some(v),
                Ordering::Less => return None,
            }
        }
    } else {
        for (k, v) in map {
            match order(k.as_bytes(), wanted) {
                Ordering::Less => {}
                Ordering::Equal => return Some(v),
                Ordering::Greater => return None,
            }
        }
    }
    None
}

/// The order of two keys (as `str`'s), compared byte by byte in place: keys are short and
/// mostly differ early, where a call to `memcmp` costs more than the comparison.
#[inline]
fn order(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::member;
    use serde_json::{json, Value};

    /// Every key of maps of one node and of several, present or not, on either side of
    /// the alphabet's split, and the empty key: answered as `get` answers.
    #[test]
    fn answers_as_get() {
        let mut keys: Vec<String> = [
            "",
            "a",
            "anonymousId",
            "context",
            "event",
            "name",
            "properties",
            "s",
            "sentAt",
            "timestamp",
            "traits",
            "type",
            "userId",
            "zz",
            "é",
            "ty",
            "typeX",
            "0",
            "10",
            "2",
        ]
        .map(String::from)
        .to_vec();
        keys.extend((0..30).map(|i| format!("k{i}")));
        for size in [0, 1, 5, 11, 12, 20, 32, 33, 45] {
            let map: serde_json::Map<String, Value> = keys
                .iter()
                .step_by(2)
                .chain(keys.iter().skip(1).step_by(2))
                .take(size)
                .map(|k| (k.clone(), json!(k)))
                .collect();
            assert_eq!(map.len(), size);
            for key in keys.iter().map(String::as_str).chain(["missing", "u", "b"]) {
                assert_eq!(member(&map, key), map.get(key), "{key} in {map:?}");
            }
        }
    }
}
