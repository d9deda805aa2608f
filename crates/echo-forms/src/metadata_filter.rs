//! Option-assignment filters: an XPath 1.0 expression over a granule's metadata document that
//! decides whether an option definition applies to an item. Filters go through the same
//! normalisation, bounds and engine as form expressions; prefixes are not bound (granule
//! metadata such as ECHO10 `<Granule>` has no namespace), so a prefixed name is refused.

use std::sync::Arc;

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
        let package = parse_document(metadata)?;
        let document = package.as_document();
        let engine = SxdEngine::for_set(&self.set)?;
        Ok(engine.evaluate_boolean(self.id, document.root().into())?)
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
    fn refuses_bad_filters_and_documents() {
        assert!(MetadataFilter::compile("/Granule[").is_err());
        assert!(MetadataFilter::compile("/p:Granule").is_err());
        assert!(MetadataFilter::compile(&"(".repeat(40)).is_err());
        let filter = MetadataFilter::compile("/Granule").unwrap();
        assert!(filter.matches("<!DOCTYPE g []><Granule/>").is_err());
        assert!(filter.matches("not xml").is_err());
    }
}
