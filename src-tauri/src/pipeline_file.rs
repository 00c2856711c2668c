//! A pipeline file (issue 13 #9a) on disk, read and written by the shell at a path the
//! person chose in a native dialog. The webview gets no file system access: it hands over
//! or receives a pipeline's text, and only text that reads as a pipeline is written or
//! returned, so the commands can neither write nor read any other kind of file.

use std::path::Path;

use houston_client::pipeline::Pipeline;
use houston_client::vocabulary::ErrorCode;

use crate::session::CommandError;

/// The largest pipeline file read (a source's pipeline is a few KB to a few hundred).
pub const MAX_BYTES: u64 = 4 << 20;

/// What a file is offered as in the save dialog, e.g. `Web.houston-pipeline.json`.
pub fn file_name(source_name: &str) -> String {
    let safe: String = source_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let safe = safe.trim_matches('-');
    format!(
        "{}.houston-pipeline.json",
        if safe.is_empty() { "pipeline" } else { safe }
    )
}

/// Writes `text` to `path`, if it is a pipeline.
pub fn write(path: &Path, text: &str) -> Result<(), CommandError> {
    let pipeline = Pipeline::parse(text).map_err(invalid)?;
    std::fs::write(path, pipeline.to_text())
        .map_err(|e| CommandError::new(ErrorCode::Error, format!("The file was not written: {e}")))
}

/// The pipeline in the file at `path`, as text.
pub fn read(path: &Path) -> Result<String, CommandError> {
    let unread = |e: std::io::Error| {
        CommandError::new(ErrorCode::Error, format!("The file was not read: {e}"))
    };
    let size = std::fs::metadata(path).map_err(unread)?.len();
    if size > MAX_BYTES {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "This file is too large to be a Houston pipeline.",
        ));
    }
    let text = std::fs::read_to_string(path).map_err(unread)?;
    Ok(Pipeline::parse(&text).map_err(invalid)?.to_text())
}

fn invalid(e: houston_client::pipeline::PipelineError) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use houston_client::pipeline::FORMAT;

    fn pipeline_text() -> String {
        format!(
            r#"{{"format": "{FORMAT}", "source": {{"name": "Web", "platform": "analytics.js"}},
                "connections": [], "integrations": [{{"name": "A", "code": "acquisio",
                "enabled": true, "config": {{"events": ["x"]}}, "connection": null}}]}}"#
        )
    }

    #[test]
    fn only_pipelines_are_written_and_read() {
        let dir = std::env::temp_dir().join(format!("houston-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let path = dir.join(file_name("Web / shop"));
        assert!(
            path.ends_with("Web---shop.houston-pipeline.json"),
            "{path:?}"
        );
        write(&path, &pipeline_text()).expect("a pipeline is written");
        let back = read(&path).expect("and read back");
        assert_eq!(
            Pipeline::parse(&back).ok(),
            Pipeline::parse(&pipeline_text()).ok()
        );

        let other = dir.join("notes.txt");
        let refused = write(&other, "anything else");
        assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::InvalidInput));
        assert!(!other.exists(), "nothing but a pipeline is written");
        std::fs::write(&other, "a private note").ok();
        let refused = read(&other);
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| !e.message.contains("private")),
            "another file's content never reaches the webview: {refused:?}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
