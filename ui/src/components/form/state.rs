//! The reactive state of one generated form.

use std::collections::{BTreeSet, HashMap};

use houston_prototypes::{FieldError, PrototypeField};
use leptos::prelude::*;
use serde_json::Value;

use super::model::{errors_by_path, section_enabled, ErrorMap, FieldState, Rules};
use super::path::FieldPath;

/// One form's value, what was touched, and its errors (from the rules as the value changes,
/// and from the server after a save). Copy: pass it to every control.
///
/// A keystroke costs what depends on the changed value, not the form's size: every write
/// goes through this type, which then notifies only the changed top-level part
/// ([`Self::at`]) and only the error and mark slots whose message changed
/// ([`Self::error_slot`]). On the largest catalog form (852 fields) one shared map of
/// errors read by every field's slot cost 12 ms a keystroke once a trigger's parse error
/// changed with each character.
#[derive(Clone, Copy)]
pub struct FormState {
    /// The whole value being edited (read it here; write it through [`Self::set`],
    /// [`Self::update`] or [`Self::replace`]).
    pub value: ReadSignal<Value>,
    /// Bumped when the value is replaced wholesale (JSON applied), to rebuild the controls.
    pub generation: RwSignal<u32>,
    cell: RwSignal<Value>,
    touched: RwSignal<BTreeSet<String>>,
    submitted: RwSignal<bool>,
    client_errors: RwSignal<ErrorMap>,
    server_errors: RwSignal<ErrorMap>,
    marks: RwSignal<ErrorMap>,
    /// The sections open in the form (a closed one shows only its header).
    open: RwSignal<BTreeSet<String>>,
    rules: StoredValue<Rules>,
    slots: StoredValue<Slots>,
    /// The stored secrets left out of the value (the server's `secretsSet`).
    kept: RwSignal<BTreeSet<String>>,
}

/// What is made on demand under the form's owner, so that it lives exactly as long as the
/// form: the signals of the value's top-level parts (a destination's settings and
/// sections) and the message slots of the fields.
struct Slots {
    owner: Owner,
    parts: HashMap<String, RwSignal<Option<Value>>>,
    errors: Messages,
    marks: Messages,
}

/// The message each path shows now, and one signal per path a field reads it through.
#[derive(Default)]
struct Messages {
    shown: HashMap<String, String>,
    signals: HashMap<String, RwSignal<Option<String>>>,
}

impl Messages {
    /// Takes `now` as the messages shown, setting only the signals whose message changed.
    fn refresh(&mut self, now: HashMap<String, String>) {
        for (path, signal) in &self.signals {
            let (old, new) = (self.shown.get(path), now.get(path));
            if old != new {
                // A form outliving its owner's disposal sets nothing.
                let _ = signal.try_set(new.cloned());
            }
        }
        self.shown = now;
    }
}

impl FormState {
    /// A form starting at `initial`, checked against `rules` whenever it changes.
    pub fn new(initial: Value, rules: Rules) -> Self {
        let open = match &rules {
            Rules::Config(destination) => destination
                .sections
                .iter()
                .filter(|section| section_enabled(&initial, &section.code))
                .map(|section| section.code.clone())
                .collect(),
            _ => BTreeSet::new(),
        };
        let client_errors = errors_by_path(&rules.validate(&initial), &initial, &BTreeSet::new());
        let cell = RwSignal::new(initial);
        let form = FormState {
            value: cell.read_only(),
            generation: RwSignal::new(0),
            cell,
            touched: RwSignal::new(BTreeSet::new()),
            submitted: RwSignal::new(false),
            client_errors: RwSignal::new(client_errors),
            server_errors: RwSignal::new(ErrorMap::new()),
            marks: RwSignal::new(ErrorMap::new()),
            open: RwSignal::new(open),
            rules: StoredValue::new(rules),
            slots: StoredValue::new(Slots {
                // A child of the caller's owner (a root when there is none, as in tests),
                // so that what fields ask for outlives the fields that asked first.
                owner: Owner::new(),
                parts: HashMap::new(),
                errors: Messages::default(),
                marks: Messages::default(),
            }),
            kept: RwSignal::new(BTreeSet::new()),
        };
        form.refresh_errors();
        form
    }

    /// The secrets the server holds for the stored form being edited (its `secretsSet`):
    /// left out of the value, each is kept on save; their controls offer to replace or
    /// clear them ([`super::secret::SecretInput`]).
    pub fn keep_secrets(&self, paths: impl IntoIterator<Item = String>) {
        self.kept.set(paths.into_iter().collect());
        self.changed(None);
    }

    /// Whether the server holds a secret at `path` (tracked).
    pub fn is_kept(&self, path: &FieldPath) -> bool {
        let dotted = path.dotted();
        self.kept.with(|kept| kept.contains(&dotted))
    }

    /// The paths of the secrets the server holds for this form (tracked).
    pub fn kept_secrets(&self) -> BTreeSet<String> {
        self.kept.get()
    }

    /// The value at `path` (untracked: for event handlers).
    pub fn get(&self, path: &FieldPath) -> Option<Value> {
        self.value.with_untracked(|value| path.get(value).cloned())
    }

    /// What a control shows of the value at `path`, as a memo that notifies only when its
    /// own result changes. Controls read their field through one, never the whole value:
    /// the memo reads the signal of its top-level part, which a write sets only when that
    /// part changed, so a keystroke in one section recomputes that section's controls only,
    /// and sets the DOM of none but its own.
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

    /// Runs `make` under the form's owner, so that what it creates lives as the form does.
    fn owned<T>(&self, make: impl FnOnce() -> T) -> T {
        self.slots.with_value(|s| s.owner.clone()).with(make)
    }

    /// The signal of the value's top-level `key`: one per key and form, set by the writes
    /// only when that part changed.
    fn part(&self, key: &str) -> RwSignal<Option<Value>> {
        if let Some(signal) = self.slots.with_value(|s| s.parts.get(key).copied()) {
            return signal;
        }
        let current = self.value.with_untracked(|v| v.get(key).cloned());
        let signal = self.owned(|| RwSignal::new(current));
        self.slots.update_value(|s| {
            s.parts.insert(key.to_owned(), signal);
        });
        signal
    }

    /// After a write within `key` (every key for `None`): sets the parts that changed, and
    /// checks the value again.
    fn changed(&self, key: Option<&str>) {
        let parts: Vec<(String, RwSignal<Option<Value>>)> = self.slots.with_value(|s| {
            s.parts
                .iter()
                .filter(|(k, _)| key.is_none_or(|key| key == k.as_str()))
                .map(|(k, signal)| (k.clone(), *signal))
                .collect()
        });
        for (k, signal) in parts {
            let now = self.value.with_untracked(|v| v.get(&k).cloned());
            if signal.with_untracked(|old| *old != now) {
                signal.set(now);
            }
        }
        let errors = self.value.with_untracked(|value| {
            self.rules.with_value(|rules| {
                self.kept
                    .with_untracked(|kept| errors_by_path(&rules.validate(value), value, kept))
            })
        });
        if self.client_errors.with_untracked(|old| *old != errors) {
            self.client_errors.set(errors);
        }
        self.refresh_errors();
    }

    /// Changes the value with `change`, which touches nothing outside `within`.
    pub fn update(&self, within: &FieldPath, change: impl FnOnce(&mut Value)) {
        self.cell.update(change);
        self.changed(within.segments().first().map(String::as_str));
    }

    /// Sets (or with `None` removes) the value at `path`, as the person typed it: the field
    /// counts as touched and the server's complaint about it is dropped.
    pub fn set(&self, path: &FieldPath, new: Option<Value>) {
        self.cell.update(|value| match new {
            Some(new) => path.set(value, new),
            None => path.remove(value),
        });
        self.touch_quietly(path);
        self.changed(path.segments().first().map(String::as_str));
    }

    /// Marks `path` and the paths enclosing it as touched.
    pub fn touch(&self, path: &FieldPath) {
        if self.touch_quietly(path) {
            self.refresh_errors();
        }
    }

    /// [`Self::touch`] without refreshing the shown errors; `true` when something changed.
    fn touch_quietly(&self, path: &FieldPath) -> bool {
        let dotted = path.dotted();
        let mut changed = false;
        if self
            .server_errors
            .with_untracked(|errors| errors.contains_key(&dotted))
        {
            self.server_errors.update(|errors| {
                errors.remove(&dotted);
            });
            changed = true;
        }
        if self
            .touched
            .with_untracked(|touched| touched.contains(&dotted))
        {
            return changed;
        }
        self.touched.update(|touched| {
            let mut current = path.clone();
            while !current.segments().is_empty() {
                touched.insert(current.dotted());
                current = current.parent();
            }
        });
        true
    }

    /// Replaces the whole value (from the JSON tab) and rebuilds the controls.
    pub fn replace(&self, new: Value) {
        self.cell.set(new);
        self.server_errors.set(ErrorMap::new());
        self.changed(None);
        self.generation.update(|g| *g += 1);
    }

    /// The signal of the message to show under the field at `path`: the server's, or the
    /// rules' once the field was touched or a save was tried. It is set only when that
    /// message changes.
    pub fn error_slot(&self, path: &FieldPath) -> RwSignal<Option<String>> {
        self.slot(path, |s| &mut s.errors)
    }

    /// The message to show under the field at `path`, if any (tracked).
    pub fn error_for(&self, path: &FieldPath) -> Option<String> {
        self.error_slot(path).get()
    }

    fn slot(
        &self,
        path: &FieldPath,
        messages: impl Fn(&mut Slots) -> &mut Messages,
    ) -> RwSignal<Option<String>> {
        let dotted = path.dotted();
        let (mut existing, mut current) = (None, None);
        self.slots.update_value(|s| {
            let messages = messages(s);
            match messages.signals.get(&dotted) {
                Some(signal) => existing = Some(*signal),
                None => current = messages.shown.get(&dotted).cloned(),
            }
        });
        if let Some(signal) = existing {
            return signal;
        }
        // Made under the form's owner (not the field's), and kept for the form's life.
        let signal = self.owned(|| RwSignal::new(current));
        self.slots.update_value(|s| {
            messages(s).signals.insert(dotted, signal);
        });
        signal
    }

    /// Works out which message each path shows now and sets the slots that changed.
    fn refresh_errors(&self) {
        let submitted = self.submitted.get_untracked();
        let mut shown: HashMap<String, String> = self
            .server_errors
            .with_untracked(|errors| joined(errors).collect());
        self.touched.with_untracked(|touched| {
            self.client_errors.with_untracked(|errors| {
                for (path, message) in joined(errors) {
                    if (submitted || touched.contains(&path)) && !shown.contains_key(&path) {
                        shown.insert(path, message);
                    }
                }
            })
        });
        self.slots.update_value(|s| s.errors.refresh(shown));
    }

    /// A save attempt: from now on every error shows. `true` when the rules find none.
    pub fn submit(&self) -> bool {
        self.submitted.set(true);
        self.server_errors.set(ErrorMap::new());
        self.refresh_errors();
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
        self.refresh_errors();
    }

    /// Puts the Test panel's marks on the form (what the test event's delivery lacks, by
    /// path). Only the fields whose mark changed are told.
    pub fn set_marks(&self, marks: ErrorMap) {
        if self.marks.with_untracked(|old| *old != marks) {
            let shown = joined(&marks).collect();
            self.marks.set(marks);
            self.slots.update_value(|s| s.marks.refresh(shown));
        }
    }

    /// The signal of the Test panel's mark on the field at `path`.
    pub fn mark_slot(&self, path: &FieldPath) -> RwSignal<Option<String>> {
        self.slot(path, |s| &mut s.marks)
    }

    /// The Test panel's mark on the field at `path`, if any (tracked).
    pub fn mark_for(&self, path: &FieldPath) -> Option<String> {
        self.mark_slot(path).get()
    }

    /// Every error now known, `(path, message)` (tracked).
    pub fn all_errors(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self.server_errors.with(flatten);
        all.extend(self.client_errors.with(flatten));
        all
    }

    /// Whether the section `code` is open (tracked).
    pub fn is_open(&self, code: &str) -> bool {
        self.open.with(|open| open.contains(code))
    }

    /// Opens or closes the section `code`.
    pub fn set_open(&self, code: &str, open: bool) {
        if self.open.with_untracked(|set| set.contains(code)) != open {
            self.open.update(|set| {
                if open {
                    set.insert(code.to_owned());
                } else {
                    set.remove(code);
                }
            });
        }
    }

    /// Opens every section holding an error shown now (a closed section would hide it);
    /// `true` when an error is shown anywhere.
    pub fn open_errors(&self) -> bool {
        let sections: BTreeSet<String> = self.slots.with_value(|s| {
            s.errors
                .shown
                .keys()
                .filter_map(|path| path.split('.').next())
                .map(str::to_owned)
                .collect()
        });
        for code in &sections {
            self.set_open(code, true);
        }
        !sections.is_empty()
    }

    /// Whether `field`, of the object at `parent`, shows and is required now, decided as
    /// validation decides it. Tracked through the parts it can read, not the whole value:
    /// a condition sees the enclosing objects (all within `parent`'s top-level part) and,
    /// at the top, the values of its own keys, so a keystroke elsewhere wakes no row.
    pub fn field_state(&self, parent: &FieldPath, field: &PrototypeField) -> FieldState {
        if let Some(first) = parent.segments().first() {
            self.part(first).track();
        }
        let conditions = field.depends_on.iter().chain(field.required_if.iter());
        for key in conditions
            .flat_map(|condition| &condition.rules)
            .filter_map(|rule| rule.field_key.as_deref())
        {
            self.part(key).track();
        }
        self.value.with_untracked(|value| {
            self.rules
                .with_value(|rules| rules.field_state(value, parent, field))
        })
    }

    /// Checks a value against this form's rules (for the JSON tab).
    pub fn check(&self, value: &Value) -> Vec<FieldError> {
        self.rules.with_value(|rules| rules.validate(value))
    }
}

/// Each path's messages joined into the one line a field shows.
fn joined(errors: &ErrorMap) -> impl Iterator<Item = (String, String)> + '_ {
    errors
        .iter()
        .map(|(path, messages)| (path.clone(), messages.join("; ")))
}

fn flatten(errors: &ErrorMap) -> Vec<(String, String)> {
    errors
        .iter()
        .flat_map(|(path, messages)| messages.iter().map(move |m| (path.clone(), m.clone())))
        .collect()
}
