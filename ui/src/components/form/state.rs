//! The reactive state of one generated form.

use std::collections::{BTreeSet, HashMap};

use houston_prototypes::{FieldError, PrototypeField};
use leptos::prelude::*;
use serde_json::Value;

use super::model::{errors_by_path, ErrorMap, FieldState, Rules};
use super::path::FieldPath;

/// One form's value, what was touched, and its errors (from the rules as the value changes,
/// and from the server after a save). Copy: pass it to every control.
#[derive(Clone, Copy)]
pub struct FormState {
    /// The whole value being edited.
    pub value: RwSignal<Value>,
    /// Bumped when the value is replaced wholesale (JSON applied), to rebuild the controls.
    pub generation: RwSignal<u32>,
    touched: RwSignal<BTreeSet<String>>,
    submitted: RwSignal<bool>,
    client_errors: Memo<ErrorMap>,
    server_errors: RwSignal<ErrorMap>,
    marks: RwSignal<ErrorMap>,
    rules: StoredValue<Rules>,
    parts: StoredValue<Parts>,
    kept: RwSignal<BTreeSet<String>>,
}

/// Memos of the value's top-level parts (a destination's settings and sections), made on
/// demand under the form's owner, so that they live exactly as long as the form.
struct Parts {
    owner: Option<Owner>,
    memos: HashMap<String, Memo<Option<Value>>>,
}

impl FormState {
    /// A form starting at `initial`, checked against `rules` whenever it changes.
    pub fn new(initial: Value, rules: Rules) -> Self {
        let value = RwSignal::new(initial);
        let kept = RwSignal::new(BTreeSet::new());
        let checked = rules.clone();
        let client_errors = Memo::new(move |_| {
            value.with(|current| {
                kept.with(|kept| errors_by_path(&checked.validate(current), current, kept))
            })
        });
        FormState {
            value,
            generation: RwSignal::new(0),
            touched: RwSignal::new(BTreeSet::new()),
            submitted: RwSignal::new(false),
            client_errors,
            server_errors: RwSignal::new(ErrorMap::new()),
            marks: RwSignal::new(ErrorMap::new()),
            rules: StoredValue::new(rules),
            parts: StoredValue::new(Parts {
                owner: Owner::current(),
                memos: HashMap::new(),
            }),
            kept,
        }
    }

    /// The secrets the server holds for the stored form being edited (its `secretsSet`):
    /// left out of the value, each is kept on save; their controls offer to replace or
    /// clear them ([`super::secret::SecretInput`]).
    pub fn keep_secrets(&self, paths: impl IntoIterator<Item = String>) {
        self.kept.set(paths.into_iter().collect());
    }

    /// Whether the server holds a secret at `path` (tracked).
    pub fn is_kept(&self, path: &FieldPath) -> bool {
        let dotted = path.dotted();
        self.kept.with(|kept| kept.contains(&dotted))
    }

    /// The value at `path` (tracked).
    pub fn get(&self, path: &FieldPath) -> Option<Value> {
        self.value.with(|value| path.get(value).cloned())
    }

    /// What a control shows of the value at `path`, as a memo that notifies only when its
    /// own result changes. Controls read their field through one, never the whole value: on
    /// the largest catalog form (852 fields, 812 controls) every control re-reading the
    /// whole value cost about 20 ms a keystroke, more than a 60 Hz frame. The memo reads
    /// the memo of its top-level part ([`Self::part`]), so a keystroke in one section
    /// recomputes that section's controls only, and sets the DOM of none but its own.
    pub fn at<T>(
        &self,
        path: FieldPath,
        project: impl Fn(Option<&Value>) -> T + Send + Sync + 'static,
    ) -> Memo<T>
    where
        T: PartialEq + Send + Sync + 'static,
    {
        match path.segments().split_first() {
            None => {
                let value = self.value;
                Memo::new(move |_| value.with(|v| project(Some(v))))
            }
            Some((first, rest)) => {
                let part = self.part(first);
                let rest = FieldPath::of(rest.iter().cloned());
                Memo::new(move |_| {
                    part.with(|part| project(part.as_ref().and_then(|p| rest.get(p))))
                })
            }
        }
    }

    /// The memo of the value's top-level `key`: one per key and form, notifying only when
    /// that part changes (cloning and comparing a part on each change is far cheaper than
    /// waking every control of the form).
    fn part(&self, key: &str) -> Memo<Option<Value>> {
        if let Some(memo) = self.parts.with_value(|p| p.memos.get(key).copied()) {
            return memo;
        }
        let value = self.value;
        let path = FieldPath::of([key]);
        let make = move || Memo::new(move |_| value.with(|v| path.get(v).cloned()));
        let memo = match self.parts.with_value(|p| p.owner.clone()) {
            Some(owner) => owner.with(make),
            None => make(),
        };
        self.parts.update_value(|p| {
            p.memos.insert(key.to_owned(), memo);
        });
        memo
    }

    /// Sets (or with `None` removes) the value at `path`, as the person typed it: the field
    /// counts as touched and the server's complaint about it is dropped.
    pub fn set(&self, path: &FieldPath, new: Option<Value>) {
        self.value.update(|value| match new {
            Some(new) => path.set(value, new),
            None => path.remove(value),
        });
        self.touch(path);
    }

    /// Marks `path` and the paths enclosing it as touched.
    pub fn touch(&self, path: &FieldPath) {
        let dotted = path.dotted();
        // Only real changes notify: every field's error slot reads both sets, and a
        // keystroke in an already touched field must not wake hundreds of them.
        if self
            .server_errors
            .with_untracked(|errors| errors.contains_key(&dotted))
        {
            self.server_errors.update(|errors| {
                errors.remove(&dotted);
            });
        }
        if self
            .touched
            .with_untracked(|touched| touched.contains(&dotted))
        {
            return;
        }
        self.touched.update(|touched| {
            let mut current = path.clone();
            while !current.segments().is_empty() {
                touched.insert(current.dotted());
                current = current.parent();
            }
        });
    }

    /// Replaces the whole value (from the JSON tab) and rebuilds the controls.
    pub fn replace(&self, new: Value) {
        self.value.set(new);
        self.server_errors.set(ErrorMap::new());
        self.generation.update(|g| *g += 1);
    }

    /// The message to show under the field at `path`, if any (tracked): the server's, or
    /// the rules' once the field was touched or a save was tried.
    pub fn error_for(&self, path: &FieldPath) -> Option<String> {
        let dotted = path.dotted();
        if let Some(messages) = self
            .server_errors
            .with(|errors| errors.get(&dotted).cloned())
        {
            return Some(messages.join("; "));
        }
        let shown = self.submitted.get() || self.touched.with(|touched| touched.contains(&dotted));
        if !shown {
            return None;
        }
        self.client_errors
            .with(|errors| errors.get(&dotted).map(|messages| messages.join("; ")))
    }

    /// A save attempt: from now on every error shows. `true` when the rules find none.
    pub fn submit(&self) -> bool {
        self.submitted.set(true);
        self.server_errors.set(ErrorMap::new());
        self.client_errors.with_untracked(ErrorMap::is_empty)
    }

    /// Whether a save was tried (tracked).
    pub fn submitted(&self) -> bool {
        self.submitted.get()
    }

    /// The server's `fieldErrors`, placed on their fields.
    pub fn set_server_errors(&self, errors: &[FieldError]) {
        let mut map = ErrorMap::new();
        for error in errors {
            map.entry(error.property_name.clone())
                .or_default()
                .push(error.message.clone());
        }
        self.server_errors.set(map);
    }

    /// Puts the Test panel's marks on the form (what the test event's delivery lacks, by
    /// path). Only a change notifies: every field reads them, and most keystrokes leave
    /// them as they were.
    pub fn set_marks(&self, marks: ErrorMap) {
        if self.marks.with_untracked(|old| *old != marks) {
            self.marks.set(marks);
        }
    }

    /// The Test panel's mark on the field at `path`, if any (tracked).
    pub fn mark_for(&self, path: &FieldPath) -> Option<String> {
        let dotted = path.dotted();
        self.marks
            .with(|marks| marks.get(&dotted).map(|messages| messages.join("; ")))
    }

    /// Every error now known, `(path, message)` (tracked).
    pub fn all_errors(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self.server_errors.with(flatten);
        all.extend(self.client_errors.with(flatten));
        all
    }

    /// Whether `field`, of the object at `parent`, shows and is required now (tracked: it
    /// reads the whole value), decided as validation decides it.
    pub fn field_state(&self, parent: &FieldPath, field: &PrototypeField) -> FieldState {
        self.value.with(|value| {
            self.rules
                .with_value(|rules| rules.field_state(value, parent, field))
        })
    }

    /// Checks a value against this form's rules (for the JSON tab).
    pub fn check(&self, value: &Value) -> Vec<FieldError> {
        self.rules.with_value(|rules| rules.validate(value))
    }
}

fn flatten(errors: &ErrorMap) -> Vec<(String, String)> {
    errors
        .iter()
        .flat_map(|(path, messages)| messages.iter().map(move |m| (path.clone(), m.clone())))
        .collect()
}
