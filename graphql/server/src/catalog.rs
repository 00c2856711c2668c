//! The destination catalog served by `clickstreamPrototypes`.

use houston_prototypes::{decode_catalog, parse_catalog, CatalogError, CompactError, Destination};
use std::collections::HashMap;
use std::path::Path;

/// The catalogs shipped inside the server: Segment's action destinations (MIT) and its
/// classic 2019 catalog (CC BY 4.0), with `acquisio` of the seed. Licences in `catalog/`.
/// The build parses their JSON (the source of truth) and embeds the result in the compact
/// form, deflated (about 0.5 MB instead of 7 MB of JSON), so a start reads it back in a few
/// milliseconds instead of parsing the JSON.
pub mod bundled {
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

/// Every destination a connection or an integration can be made for.
#[derive(Debug, Clone)]
pub struct Catalog {
    destinations: Vec<Destination>,
    by_code: HashMap<String, usize>,
}

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: {source}")]
    Parse { file: String, source: CatalogError },
    #[error("{file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("destination code {0:?} appears in more than one catalog")]
    Duplicate(String),
    #[error("the bundled catalog: {0}")]
    Compact(#[from] CompactError),
}

impl Catalog {
    /// The two bundled catalogs (483 destinations), from their compact form.
    pub fn bundled() -> Result<Catalog, LoadError> {
        Catalog::new(decode_catalog(bundled::COMPACT)?)
    }

    /// A catalog file in either format, instead of the bundled ones.
    pub fn from_file(path: &Path) -> Result<Catalog, LoadError> {
        Catalog::from_files(&[path])
    }

    /// The destinations of several catalog files, in either format, as one catalog.
    pub fn from_files(paths: &[&Path]) -> Result<Catalog, LoadError> {
        let mut all = Vec::new();
        for path in paths {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
                file: file.clone(),
                source,
            })?;
            all.extend(parse_catalog(&text).map_err(|source| LoadError::Parse { file, source })?);
        }
        Catalog::new(all)
    }

    /// From parsed destinations; codes must be unique.
    pub fn new(mut destinations: Vec<Destination>) -> Result<Catalog, LoadError> {
        destinations.sort_by_cached_key(|d| d.name.to_lowercase());
        let mut by_code = HashMap::new();
        for (i, d) in destinations.iter().enumerate() {
            if by_code.insert(d.code.clone(), i).is_some() {
                return Err(LoadError::Duplicate(d.code.clone()));
            }
        }
        Ok(Catalog {
            destinations,
            by_code,
        })
    }

    /// The destination with this code.
    pub fn get(&self, code: &str) -> Option<&Destination> {
        self.by_code.get(code).map(|&i| &self.destinations[i])
    }

    /// All destinations, sorted by name.
    pub fn all(&self) -> &[Destination] {
        &self.destinations
    }

    /// Destinations matching every given filter: exact `code`, a `platform` they accept, and
    /// `search` found case-insensitively in the name or the code.
    pub fn find(
        &self,
        code: Option<&str>,
        platform: Option<&str>,
        search: Option<&str>,
    ) -> Vec<&Destination> {
        let needle = search.map(str::to_lowercase);
        self.destinations
            .iter()
            .filter(|d| code.is_none_or(|c| d.code == c))
            .filter(|d| platform.is_none_or(|p| d.platforms.iter().any(|x| x == p)))
            .filter(|d| {
                needle.as_deref().is_none_or(|n| {
                    d.name.to_lowercase().contains(n) || d.code.to_lowercase().contains(n)
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_catalog_is_the_json_catalog() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
        let files: Vec<_> = bundled::FILES.iter().map(|f| dir.join(f)).collect();
        let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
        let json = Catalog::from_files(&paths).expect("the JSON catalogs parse");
        let compact = Catalog::bundled().expect("the compact catalog reads");
        assert_eq!(json.all().len(), 483, "both files, every destination");
        assert!(
            compact.all() == json.all(),
            "the compact form holds exactly what the JSON parses to"
        );
        for d in json.all() {
            assert_eq!(
                compact.get(&d.code),
                Some(d),
                "{} is found by its code",
                d.code
            );
        }
    }
}
