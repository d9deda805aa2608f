//! The streaming catalog file reader (`soap::catalog_file`) and the item decoder behind it,
//! as `echo-gateway catalog import` uses them, on mutated catalog files.

use std::sync::Arc;

use echo_gateway::soap::catalog::decode_item;
use echo_gateway::soap::catalog_file::CatalogItems;

use crate::harness::{fuzz, mutated};

/// Items read per case at most (a mutation can duplicate many).
const MAX_ITEMS: usize = 10_000;

const ITEM: &str = "<Item><ItemGuid>G1000005028-DEV07</ItemGuid>\
<ProviderGuid>1282C3FE-6892-81C3-A86B-594FDCC13AF3</ProviderGuid>\
<CollectionId>C1200189943-DEV07</CollectionId><DatasetId>GLAS/ICESat L2 V033</DatasetId>\
<GranuleUR>SC:GLAH09.033:93587</GranuleUR><ProducerGranuleId>GLAH09_633</ProducerGranuleId>\
<Price>0.0</Price><Orderable>true</Orderable><Deleted>false</Deleted>\
<Metadata><![CDATA[<Granule><GranuleUR>SC:GLAH09.033:93587</GranuleUR></Granule>]]></Metadata>\
</Item>";

fn seeds() -> Arc<Vec<Vec<u8>>> {
    let catalog = |items: &str| {
        format!("<?xml version=\"1.0\"?><CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\">{items}</CatalogItems>")
            .into_bytes()
    };
    Arc::new(vec![catalog(ITEM), catalog(&ITEM.repeat(3)), catalog("")])
}

#[test]
fn catalog_files_mutated() {
    fuzz("catalog files, mutated", mutated(seeds()), |bytes| {
        for element in CatalogItems::new(bytes.as_slice())
            .take(MAX_ITEMS)
            .flatten()
        {
            let _ = decode_item(&element);
        }
    });
}
