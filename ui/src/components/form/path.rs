//! Places in a form value: property names and list indices, written with dots
//! (`events.0`, `logEvent.user_id`) exactly as `houston_prototypes::validate` names them.

use serde_json::{Map, Value};

/// A place in a form value, one segment per property name or list index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<String>);

impl FieldPath {
    /// The value as a whole.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// A path of the given segments.
    pub fn of<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        FieldPath(segments.into_iter().map(Into::into).collect())
    }

    /// This path followed by `segment` (a property name or a list index).
    pub fn child(&self, segment: impl ToString) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment.to_string());
        FieldPath(segments)
    }

    /// The enclosing path (the root's parent is the root).
    pub fn parent(&self) -> Self {
        let mut segments = self.0.clone();
        segments.pop();
        FieldPath(segments)
    }

    /// The segments.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The dotted form, as in `FieldError::property_name` and `data-field`.
    pub fn dotted(&self) -> String {
        self.0.join(".")
    }

    /// The value at this path, if any.
    pub fn get<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        self.0
            .iter()
            .try_fold(value, |current, segment| step(current, segment))
    }

    /// Puts `new` at this path, creating the objects on the way (a list index one past the
    /// end appends; further ones pad with null).
    pub fn set(&self, value: &mut Value, new: Value) {
        let Some((last, init)) = self.0.split_last() else {
            *value = new;
            return;
        };
        let mut current = value;
        for segment in init {
            current = step_mut(current, segment);
        }
        match current {
            Value::Array(items) => match last.parse::<usize>() {
                Ok(index) => {
                    while items.len() <= index {
                        items.push(Value::Null);
                    }
                    items[index] = new;
                }
                Err(_) => {
                    let mut object = Map::new();
                    object.insert(last.clone(), new);
                    *current = Value::Object(object);
                }
            },
            Value::Object(object) => {
                object.insert(last.clone(), new);
            }
            other => {
                let mut object = Map::new();
                object.insert(last.clone(), new);
                *other = Value::Object(object);
            }
        }
    }

    /// Removes what is at this path: a key from its object, an item from its list (the
    /// later items move up). Nothing happens when there is nothing there.
    pub fn remove(&self, value: &mut Value) {
        let Some((last, init)) = self.0.split_last() else {
            *value = Value::Null;
            return;
        };
        let mut current = value;
        for segment in init {
            match step_existing_mut(current, segment) {
                Some(next) => current = next,
                None => return,
            }
        }
        match current {
            Value::Object(object) => {
                object.remove(last);
            }
            Value::Array(items) => {
                if let Some(index) = last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                    items.remove(index);
                }
            }
            _ => {}
        }
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.dotted())
    }
}

fn step<'v>(value: &'v Value, segment: &str) -> Option<&'v Value> {
    match value {
        Value::Object(object) => object.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

fn step_existing_mut<'v>(value: &'v mut Value, segment: &str) -> Option<&'v mut Value> {
    match value {
        Value::Object(object) => object.get_mut(segment),
        Value::Array(items) => segment
            .parse::<usize>()
            .ok()
            .and_then(move |i| items.get_mut(i)),
        _ => None,
    }
}

/// One step down for writing: into a list by index, else into an object (made if needed).
fn step_mut<'v>(value: &'v mut Value, segment: &str) -> &'v mut Value {
    match (value, segment.parse::<usize>()) {
        (Value::Array(items), Ok(index)) => {
            while items.len() <= index {
                items.push(Value::Null);
            }
            &mut items[index]
        }
        (value, _) => {
            if !value.is_object() {
                *value = Value::Object(Map::new());
            }
            value
                .as_object_mut()
                .expect("made an object just above")
                .entry(segment.to_owned())
                .or_insert(Value::Null)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_name_keys_and_indices() {
        let path = FieldPath::root().child("events").child(0);
        assert_eq!(path.dotted(), "events.0");
        assert_eq!(path.parent().dotted(), "events");
        assert_eq!(FieldPath::root().dotted(), "", "the root is the empty path");
    }

    #[test]
    fn get_walks_objects_and_lists() {
        let value = json!({"events": ["a", "b"], "logEvent": {"user_id": "u"}});
        assert_eq!(
            FieldPath::of(["events", "1"]).get(&value),
            Some(&json!("b"))
        );
        assert_eq!(
            FieldPath::of(["logEvent", "user_id"]).get(&value),
            Some(&json!("u"))
        );
        assert_eq!(FieldPath::of(["events", "x"]).get(&value), None);
        assert_eq!(FieldPath::of(["missing", "deeper"]).get(&value), None);
    }

    #[test]
    fn set_creates_what_is_missing() {
        let mut value = json!({});
        FieldPath::of(["logEvent", "user_id"]).set(&mut value, json!("u"));
        assert_eq!(value, json!({"logEvent": {"user_id": "u"}}));
        FieldPath::of(["events"]).set(&mut value, json!([]));
        FieldPath::of(["events", "0"]).set(&mut value, json!("a"));
        FieldPath::of(["events", "2"]).set(&mut value, json!("c"));
        assert_eq!(value["events"], json!(["a", null, "c"]), "padded with null");
        FieldPath::of(["rows", "0", "name"]).set(&mut value, json!("n"));
        assert_eq!(
            value["rows"],
            json!({"0": {"name": "n"}}),
            "a missing container is an object: the form makes lists itself"
        );
        let mut scalar = json!("text");
        FieldPath::of(["a"]).set(&mut scalar, json!(1));
        assert_eq!(scalar, json!({"a": 1}));
    }

    #[test]
    fn remove_drops_keys_and_list_items() {
        let mut value = json!({"events": ["a", "b", "c"], "x": 1});
        FieldPath::of(["events", "1"]).remove(&mut value);
        FieldPath::of(["x"]).remove(&mut value);
        FieldPath::of(["nothing", "here"]).remove(&mut value);
        assert_eq!(value, json!({"events": ["a", "c"]}));
    }
}
