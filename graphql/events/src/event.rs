//! Placeholder: the event model (filled in by this branch).
