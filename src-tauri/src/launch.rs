//! The launch's milestones, logged with the time since the app started (`RUST_LOG=
//! houston_desktop::launch=info`), to see where a start's time goes.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Starts the clock (the first call; later ones do nothing).
pub fn begin() {
    STARTED.get_or_init(Instant::now);
}

/// Logs that `milestone` is reached, with the milliseconds since [`begin`].
pub fn mark(milestone: &str) {
    let ms = STARTED.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0;
    tracing::info!(target: "houston_desktop::launch", "{ms:.1} ms: {milestone}");
}

/// Gives back to the system the memory the start used and freed. Opening the bundled server
/// parses its catalog on a worker thread, and glibc keeps what that freed in the thread's
/// arena: about 55 MB of resident memory for the app's lifetime, measured on a first start.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of glibc's own heaps to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
