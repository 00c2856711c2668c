//! The destination catalog served by `clickstreamPrototypes`.

use houston_prototypes::{parse_catalog, CatalogError, Destination};
use std::collections::HashMap;
use std::path::Path;

/// The catalogs shipped inside the server: Segment's action destinations (MIT) and its
/// classic 2019 catalog (CC BY 4.0), with `acquisio` of the seed. Licences in `catalog/`.
const BUNDLED: [(&str, &str); 2] = [
    (
        "segment-actions.json",
        include_str!("../catalog/segment-actions.json"),
    ),
    (
        "segment-classic-2019.json",
        include_str!("../catalog/segment-classic-2019.json"),
    ),
];

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
}

impl Catalog {
    /// The two bundled catalogs (483 destinations).
    pub fn bundled() -> Result<Catalog, LoadError> {
        let mut all = Vec::new();
        for (file, text) in BUNDLED {
            all.extend(parse_catalog(text).map_err(|source| LoadError::Parse {
                file: file.to_string(),
                source,
            })?);
        }
        Catalog::new(all)
    }

    /// A catalog file in either format, instead of the bundled ones.
    pub fn from_file(path: &Path) -> Result<Catalog, LoadError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            file: file.clone(),
            source,
        })?;
        Catalog::new(parse_catalog(&text).map_err(|source| LoadError::Parse { file, source })?)
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
