//! Option-assignment filters (`echo_forms::MetadataFilter`): generated XPath expressions,
//! well-formed or not, compiled and evaluated against granule metadata, itself mutated.

use std::sync::Arc;

use echo_forms::MetadataFilter;
use proptest::prelude::*;

use crate::harness::{fuzz, mutated};

const METADATA: &str = "<Granule><GranuleUR>SC:GLAH09.033:93587</GranuleUR>\
<Collection><ShortName>GLAH09</ShortName><VersionId>033</VersionId></Collection>\
<DataGranule><SizeMBDataGranule>12.5</SizeMBDataGranule><DayNightFlag>DAY</DayNightFlag>\
</DataGranule><Platforms><Platform><ShortName>ICESat</ShortName></Platform></Platforms>\
<OnlineAccessURLs><OnlineAccessURL><URL>https://x/y</URL></OnlineAccessURL></OnlineAccessURLs>\
</Granule>";

/// Pieces of XPath 1.0, put together at random.
const TOKENS: &[&str] = &[
    "/",
    "//",
    "Granule",
    "Collection",
    "ShortName",
    "*",
    "@id",
    ".",
    "..",
    "[",
    "]",
    "(",
    ")",
    "=",
    "!=",
    "<",
    ">=",
    " and ",
    " or ",
    "not(",
    "contains(",
    "starts-with(",
    "count(",
    "string-length(",
    "sum(",
    "number(",
    "'GLAH09'",
    "\"DAY\"",
    "12.5",
    "1 div 0",
    "-",
    "+",
    ",",
    "|",
    "text()",
    "node()",
    "ancestor::",
    "following-sibling::",
    "position()",
    "last()",
    "$var",
    "unknown-function(",
    "concat(",
    "translate(",
    "substring(",
    "1e400",
    "'",
];

fn expression() -> impl Strategy<Value = String> {
    prop::collection::vec(0..TOKENS.len(), 0..40)
        .prop_map(|picks| picks.into_iter().map(|i| TOKENS[i]).collect::<String>())
}

#[test]
fn metadata_filters_generated() {
    let metadata = mutated(Arc::new(vec![METADATA.as_bytes().to_vec()]));
    fuzz(
        "metadata filters, generated",
        (expression(), metadata),
        |(source, metadata)| {
            if let Ok(filter) = MetadataFilter::compile(&source) {
                let _ = filter.matches(&String::from_utf8_lossy(&metadata));
            }
        },
    );
}
