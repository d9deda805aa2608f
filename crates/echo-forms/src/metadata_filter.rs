//! Option-assignment filters: an XPath 1.0 expression over a granule's metadata document that
//! decides whether an option definition applies to an item. Filters go through the same
//! normalisation, bounds and engine as form expressions; prefixes are not bound (granule
//! metadata such as ECHO10 `<Granule>` has no namespace), so a prefixed name is refused.
//!
//! Every item of every order is matched against its collection's assignments, so a filter is
//! compiled once per source ([`FilterCache`]) and an item's metadata is parsed once for all
//! of its assignments ([`GranuleMetadata`]).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use sxd_document::Package;

use super::document::{DocumentError, parse_document};
use super::expression::{ExprId, ExpressionError, ExpressionSet, ExpressionSetBuilder};
use super::namespaces::NamespaceScope;
use super::sxd_engine::SxdEngine;
use super::xpath_engine::{EvaluationError, XPathEngine};

/// Why a filter could not be compiled or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("filter: {0}")]
    Expression(#[from] ExpressionError),
    #[error("granule metadata: {0}")]
    Metadata(#[from] DocumentError),
    #[error("filter: {0}")]
    Evaluation(#[from] EvaluationError),
}

/// A compiled filter; cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct MetadataFilter {
    set: Arc<ExpressionSet>,
    id: ExprId,
}

impl MetadataFilter {
    pub fn compile(source: &str) -> Result<Self, FilterError> {
        let mut builder = ExpressionSetBuilder::default();
        let id = builder.add::<SxdEngine>(source, &NamespaceScope::default())?;
        Ok(MetadataFilter {
            set: Arc::new(builder.build()),
            id,
        })
    }

    /// True when the filter holds for `metadata` (XPath 1.0 boolean conversion, with the
    /// document root as the context node).
    pub fn matches(&self, metadata: &str) -> Result<bool, FilterError> {
        self.matches_parsed(&GranuleMetadata::parse(metadata)?)
    }

    /// True when the filter holds for metadata already parsed (one parse serves every
    /// assignment of the item).
    pub fn matches_parsed(&self, metadata: &GranuleMetadata) -> Result<bool, FilterError> {
        let document = metadata.package.as_document();
        let engine = SxdEngine::for_set(&self.set)?;
        Ok(engine.evaluate_boolean(self.id, document.root().into())?)
    }
}

/// A granule's metadata document, parsed once and matched against any number of filters.
pub struct GranuleMetadata {
    package: Package,
}

impl GranuleMetadata {
    pub fn parse(metadata: &str) -> Result<Self, FilterError> {
        Ok(GranuleMetadata {
            package: parse_document(metadata)?,
        })
    }
}

/// Compiled filters by source text; thread-safe. Filters are immutable once assigned, so an
/// entry never goes stale; the cache is bounded by clearing it when full.
#[derive(Debug, Default)]
pub struct FilterCache {
    filters: RwLock<HashMap<String, Result<MetadataFilter, FilterError>>>,
}

/// Most filters one cache keeps before starting afresh.
const CACHED_FILTERS: usize = 4_096;

impl FilterCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The filter compiled from `source`, compiling it on the first request only (a filter
    /// that does not compile is remembered as such).
    pub fn get_or_compile(&self, source: &str) -> Result<MetadataFilter, FilterError> {
        let cached = self
            .filters
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(source)
            .cloned();
        if let Some(filter) = cached {
            return filter;
        }
        let compiled = MetadataFilter::compile(source);
        let mut filters = self.filters.write().unwrap_or_else(PoisonError::into_inner);
        if filters.len() >= CACHED_FILTERS {
            filters.clear();
        }
        filters.insert(source.to_owned(), compiled.clone());
        compiled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRANULE: &str = "<Granule><GranuleUR>SC:MYD14.005:1</GranuleUR>\
        <DataGranule><DayNightFlag>NIGHT</DayNightFlag><SizeMBDataGranule>12.5</SizeMBDataGranule></DataGranule></Granule>";

    #[test]
    fn evaluates_over_granule_metadata() {
        let night = MetadataFilter::compile("/Granule/DataGranule/DayNightFlag = 'NIGHT'").unwrap();
        assert!(night.matches(GRANULE).unwrap());
        let big = MetadataFilter::compile("//SizeMBDataGranule > 100").unwrap();
        assert!(!big.matches(GRANULE).unwrap());
        let any = MetadataFilter::compile("true").unwrap();
        assert!(any.matches(GRANULE).unwrap());
    }

    #[test]
    fn one_parse_serves_every_filter_and_each_filter_compiles_once() {
        let cache = FilterCache::new();
        let metadata = GranuleMetadata::parse(GRANULE).unwrap();
        let night = "/Granule/DataGranule/DayNightFlag = 'NIGHT'";
        for _ in 0..3 {
            let filter = cache.get_or_compile(night).unwrap();
            assert!(filter.matches_parsed(&metadata).unwrap());
        }
        let small = cache.get_or_compile("//SizeMBDataGranule < 100").unwrap();
        assert!(small.matches_parsed(&metadata).unwrap());
        assert!(cache.get_or_compile("/Granule[").is_err());
        assert!(
            cache.get_or_compile("/Granule[").is_err(),
            "remembered as failing"
        );
        let first = cache.get_or_compile(night).unwrap();
        let again = cache.get_or_compile(night).unwrap();
        assert!(Arc::ptr_eq(&first.set, &again.set), "compiled once");
        fn assert_shareable<T: Send + Sync>() {}
        assert_shareable::<FilterCache>();
    }

    #[test]
    fn refuses_bad_filters_and_documents() {
        assert!(MetadataFilter::compile("/Granule[").is_err());
        assert!(MetadataFilter::compile("/p:Granule").is_err());
        assert!(MetadataFilter::compile(&"(".repeat(40)).is_err());
        let filter = MetadataFilter::compile("/Granule").unwrap();
        assert!(filter.matches("<!DOCTYPE g []><Granule/>").is_err());
        assert!(filter.matches("not xml").is_err());
    }
}
