//! The compact form of a parsed catalog: the field model in postcard's binary encoding,
//! deflated. The server's build turns the bundled JSON catalogs into it once
//! ([`encode_catalog`]), and a start reads it back in a few milliseconds
//! ([`decode_catalog`]) instead of parsing and checking 7 MB of JSON. The JSON stays the
//! source of truth: the compact form holds exactly what [`crate::parse_catalog`] made of it.

use std::io::{Read, Write};

use flate2::{read::DeflateDecoder, write::DeflateEncoder, Compression};

use crate::Destination;

/// Why a compact catalog could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CompactError {
    /// The model could not be encoded or decoded.
    #[error("the compact catalog cannot be encoded or decoded: {0}")]
    Encoding(#[from] postcard::Error),
    /// Deflating or inflating failed.
    #[error("the compact catalog cannot be compressed or decompressed: {0}")]
    Compression(#[from] std::io::Error),
}

/// `destinations` in the compact form.
pub fn encode_catalog(destinations: &[Destination]) -> Result<Vec<u8>, CompactError> {
    let plain = postcard::to_allocvec(destinations)?;
    let mut deflated = DeflateEncoder::new(Vec::new(), Compression::best());
    deflated.write_all(&plain)?;
    Ok(deflated.finish()?)
}

/// The destinations of a catalog in the compact form (as [`encode_catalog`] wrote them).
pub fn decode_catalog(compact: &[u8]) -> Result<Vec<Destination>, CompactError> {
    let mut plain = Vec::new();
    DeflateDecoder::new(compact).read_to_end(&mut plain)?;
    Ok(postcard::from_bytes(&plain)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_catalog;
    use serde_json::json;

    #[test]
    fn a_catalog_comes_back_as_it_was_encoded() {
        let destinations = parse_catalog(
            &json!([
                {"code": "c", "name": "C", "categories": ["Analytics"], "settings": [
                    {"propertyName": "n", "type": "NUMBER", "minimum": 0.5, "default": 3},
                    {"propertyName": "s", "type": "select", "choices": [{"label": "One", "value": 1}, "two"]},
                    {"propertyName": "rows", "type": "MIXED", "properties": [{"propertyName": "x", "type": "STRING"}]}
                ]},
                {"code": "a", "name": "A", "connection": {"scheme": "custom", "fields": []},
                 "presets": [{"name": "Track", "type": "automatic", "partnerAction": "send",
                              "subscribe": "type = \"track\"", "mapping": {"u": {"@path": "$.userId"}}}],
                 "actions": [{"code": "send", "name": "Send", "defaultSubscription": "type = \"track\"", "fields": [
                    {"propertyName": "u", "type": "string", "defaultMapping": "{\"@path\":\"$.userId\"}",
                     "dependsOn": {"conditions": [{"fieldKey": "k", "operator": "is", "value": ["x", null, 2.5]}]}}
                 ]}]}
            ])
            .to_string(),
        )
        .expect("parses");
        let compact = encode_catalog(&destinations).expect("encodes");
        assert_eq!(decode_catalog(&compact).expect("decodes"), destinations);
        // JSON, the wire, keeps its values as values (not as text).
        let wire = serde_json::to_value(&destinations[1].presets[0]).expect("serializes");
        assert_eq!(wire["mapping"], json!({"u": {"@path": "$.userId"}}));
    }

    #[test]
    fn damaged_bytes_are_an_error() {
        let compact =
            encode_catalog(&parse_catalog(r#"[{"code": "x", "settings": []}]"#).expect("parses"))
                .expect("encodes");
        assert!(decode_catalog(&compact[..compact.len() / 2]).is_err());
        assert!(decode_catalog(b"not deflate").is_err());
    }
}
