//! Placeholder: FQL triggers (filled in by this branch).
