//! What a field's conditions see: the one rule the server's validation and the window's
//! forms both follow to decide whether a field is part of the form and whether it is
//! required.

use serde_json::{Map, Value};

use crate::model::{Destination, Lookup, PrototypeField};

/// The objects around a field, innermost last, each with its fields: what the field's
/// `dependsOn` and `requiredIf` read.
///
/// A condition's key is looked up in the innermost object first, then outwards: the first
/// object that holds a value under that key, or has a field of that name (absent: it reads
/// as empty), answers. A key that names no field and no value of any enclosing object
/// (Segment's internal sync mode, `__segment_internal_sync_mode`, for instance) cannot be
/// decided from a form, so its rule counts as satisfied: the field shows and is checked.
///
/// [`crate::validate`] builds a scope as it walks a value; a form builds one for the
/// object at a path with [`Scope::descend`] or [`Destination::config_scope`].
#[derive(Clone, Debug, Default)]
pub struct Scope<'a> {
    levels: Vec<Level<'a>>,
}

#[derive(Clone, Debug)]
struct Level<'a> {
    fields: &'a [PrototypeField],
    values: Option<&'a Map<String, Value>>,
}

impl<'a> Scope<'a> {
    /// The scope of the outermost object: its `fields`, and its value (`None`, or a value
    /// that is not an object, when it holds nothing yet).
    pub fn new(fields: &'a [PrototypeField], value: Option<&'a Value>) -> Self {
        let mut scope = Scope { levels: Vec::new() };
        scope.enter(fields, value);
        scope
    }

    /// Steps into an object of the current one (its fields and its value).
    pub fn enter(&mut self, fields: &'a [PrototypeField], value: Option<&'a Value>) {
        self.levels.push(Level {
            fields,
            values: value.and_then(Value::as_object),
        });
    }

    /// Steps into an object of the current one whose value is known to be an object.
    pub(crate) fn enter_object(
        &mut self,
        fields: &'a [PrototypeField],
        object: &'a Map<String, Value>,
    ) {
        self.levels.push(Level {
            fields,
            values: Some(object),
        });
    }

    /// Steps back out of the innermost object.
    pub fn leave(&mut self) {
        self.levels.pop();
    }

    /// The fields of the innermost object.
    pub fn fields(&self) -> &'a [PrototypeField] {
        self.levels.last().map_or(&[], |level| level.fields)
    }

    /// Enters the objects along `path` (property names and list indices, from the innermost
    /// object), as far as it names fields: `["items", "2"]` enters the third object of the
    /// list field `items`. A path that leaves the fields (a map's own keys) stops there.
    pub fn descend<S: AsRef<str>>(mut self, path: &[S]) -> Self {
        let mut rest = path;
        while let Some((name, tail)) = rest.split_first() {
            let name = name.as_ref();
            let Some(level) = self.levels.last() else {
                break;
            };
            let Some(field) = level.fields.iter().find(|f| f.property_name == name) else {
                break;
            };
            let mut value = level.values.and_then(|values| values.get(name));
            rest = tail;
            if field.multiple {
                let Some((index, tail)) = rest.split_first() else {
                    break;
                };
                value = value
                    .and_then(Value::as_array)
                    .zip(index.as_ref().parse::<usize>().ok())
                    .and_then(|(items, index)| items.get(index));
                rest = tail;
            }
            self.enter(&field.properties, value);
        }
        self
    }

    /// How a condition's key resolves here (see the type's documentation).
    pub(crate) fn lookup(&self, key: &str) -> Lookup<'a> {
        self.levels.iter().rev().find_map(|level| {
            let value = level.values.and_then(|values| values.get(key));
            let known = value.is_some() || level.fields.iter().any(|f| f.property_name == key);
            known.then_some(value)
        })
    }

    /// Whether `field` (of the innermost object) is part of the form: its `dependsOn`
    /// holds. A field that is not is neither shown, nor checked, nor required.
    pub fn applies(&self, field: &PrototypeField) -> bool {
        let lookup = |key: &str| self.lookup(key);
        field
            .depends_on
            .as_ref()
            .is_none_or(|condition| condition.holds_with(&lookup))
    }

    /// Whether `field` must have a value: `required`, or its `requiredIf` holds.
    pub fn requires(&self, field: &PrototypeField) -> bool {
        let lookup = |key: &str| self.lookup(key);
        field.required
            || field
                .required_if
                .as_ref()
                .is_some_and(|condition| condition.holds_with(&lookup))
    }

    /// Whether a form draws `field`: it is part of the form ([`Scope::applies`]) and not
    /// `hidden` (a hidden field keeps its default, which every catalog gives to the hidden
    /// fields it requires).
    pub fn shows(&self, field: &PrototypeField) -> bool {
        !field.hidden && self.applies(field)
    }
}

impl Destination {
    /// The scope of the object at `path` in a configPayload: the settings and the whole
    /// payload, then, when `path` starts with a section's code, that section's fields and
    /// object, then the objects along the rest of the path ([`Scope::descend`]).
    pub fn config_scope<'a, S: AsRef<str>>(&'a self, config: &'a Value, path: &[S]) -> Scope<'a> {
        let scope = Scope::new(&self.settings, Some(config));
        let section = path.split_first().and_then(|(first, rest)| {
            self.sections
                .iter()
                .find(|s| s.code == first.as_ref())
                .map(|section| (section, rest))
        });
        match section {
            Some((section, rest)) => {
                let mut scope = scope;
                scope.enter(&section.fields, config.get(&section.code));
                scope.descend(rest)
            }
            None => scope.descend(path),
        }
    }

    /// The scope of the object at `path` in connection details.
    pub fn connection_scope<'a, S: AsRef<str>>(
        &'a self,
        details: &'a Value,
        path: &[S],
    ) -> Scope<'a> {
        Scope::new(&self.connection_fields, Some(details)).descend(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Condition, ConditionRule, FieldType, PrototypeSection};
    use crate::test_support::field;
    use serde_json::json;

    fn when(key: &str, value: Value) -> Option<Condition> {
        Some(Condition {
            match_all: true,
            rules: vec![ConditionRule {
                field_key: Some(key.to_owned()),
                negate: false,
                value: Some(value),
            }],
        })
    }

    #[test]
    fn keys_resolve_innermost_first_then_outwards() {
        let mut token = field("token", FieldType::Input);
        token.depends_on = when("mode", json!("token"));
        let mode = field("mode", FieldType::Select);
        let mut row = field("rows", FieldType::Object);
        row.multiple = true;
        row.properties = vec![token.clone()];
        let mut shadow = field("shadow", FieldType::Object);
        shadow.properties = vec![mode.clone(), token.clone()];
        let fields = vec![mode, row, shadow];
        let value = json!({"mode": "token", "rows": [{}, {"token": "t"}], "shadow": {}});
        let top = Scope::new(&fields, Some(&value));
        assert!(top.applies(&token));
        let second_row = Scope::new(&fields, Some(&value)).descend(&["rows", "1"]);
        assert_eq!(second_row.fields(), std::slice::from_ref(&token));
        assert!(
            second_row.applies(&token),
            "an outer field is seen from a row"
        );
        let inner = Scope::new(&fields, Some(&value)).descend(&["shadow"]);
        assert!(
            !inner.applies(&token),
            "a field of the same name inside wins, even empty"
        );
        let missing = Scope::new(&fields, None).descend(&["rows", "7"]);
        assert!(
            !missing.applies(&token),
            "with no value yet, a known field reads as empty"
        );
    }

    #[test]
    fn a_key_that_names_no_field_cannot_be_decided() {
        let mut item = field("item", FieldType::Map);
        item.depends_on = when("__segment_internal_sync_mode", json!("upsert"));
        item.required_if = item.depends_on.clone();
        let fields = vec![item.clone()];
        let empty = json!({});
        let scope = Scope::new(&fields, Some(&empty));
        assert!(
            scope.applies(&item) && scope.shows(&item),
            "shown, as validation checks it"
        );
        assert!(scope.requires(&item));
        let mut hidden = item.clone();
        hidden.hidden = true;
        assert!(scope.applies(&hidden) && !scope.shows(&hidden));
    }

    #[test]
    fn a_section_sees_the_settings() {
        let mode = field("mode", FieldType::Input);
        let mut region = field("region", FieldType::Input);
        region.required_if = when("mode", json!("eu"));
        let destination = Destination {
            settings: vec![mode],
            sections: vec![PrototypeSection {
                code: "track".to_owned(),
                fields: vec![region.clone()],
                ..PrototypeSection::default()
            }],
            ..Destination::default()
        };
        let config = json!({"mode": "eu", "track": {"enabled": true}});
        let scope = destination.config_scope(&config, &["track"]);
        assert_eq!(scope.fields(), std::slice::from_ref(&region));
        assert!(scope.requires(&region));
        let config = json!({"mode": "us"});
        assert!(!destination
            .config_scope(&config, &["track"])
            .requires(&region));
    }
}
