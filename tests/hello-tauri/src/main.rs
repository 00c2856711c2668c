//! A bare Tauri window showing one static page: nothing but what Tauri itself costs.

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("hello-tauri could not start: {e}");
        std::process::exit(1);
    }
}
