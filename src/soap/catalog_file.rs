//! Streaming reader for catalog files: `<CatalogItems>` holding any number of `<Item>`
//! elements (types namespace), each read into a small element tree as soon as it is complete,
//! so files of any size are read in constant memory.
//!
//! ```xml
//! <CatalogItems xmlns="http://echo.nasa.gov/echo/v10/types">
//!   <Item>
//!     <ItemGuid>G1000005028-DEV07</ItemGuid>
//!     <ProviderGuid>1282C3FE-6892-81C3-A86B-594FDCC13AF3</ProviderGuid>
//!     <CollectionId>C1200189943-DEV07</CollectionId>
//!     <DatasetId>GLAS/ICESat L2 ... V033</DatasetId>
//!     <GranuleUR>SC:GLAH09.033:93587</GranuleUR>
//!     <ProducerGranuleId>GLAH09_633_2107_002_0113_0_01_0001.H5</ProducerGranuleId>  <!-- optional -->
//!     <Price>0.0</Price>                       <!-- optional, default 0 -->
//!     <Orderable>true</Orderable>              <!-- optional, default true -->
//!     <Deleted>false</Deleted>                 <!-- optional, default false -->
//!     <Metadata><![CDATA[<Granule>...</Granule>]]></Metadata>  <!-- optional, escaped XML -->
//!   </Item>
//! </CatalogItems>
//! ```

use std::io::BufRead;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::TYPES_NS;
use crate::xml::{Element, QName};

/// The largest text a single field may hold (metadata documents included).
const MAX_FIELD_BYTES: usize = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum CatalogFileError {
    #[error("catalog file, byte {position}: {message}")]
    Format { position: u64, message: String },
}

/// Iterates over the `<Item>` elements of a catalog file.
pub struct CatalogItems<R: BufRead> {
    reader: NsReader<R>,
    buffer: Vec<u8>,
    finished: bool,
}

impl<R: BufRead> CatalogItems<R> {
    pub fn new(input: R) -> Self {
        let mut reader = NsReader::from_reader(input);
        reader.config_mut().check_end_names = true;
        CatalogItems {
            reader,
            buffer: Vec::new(),
            finished: false,
        }
    }

    /// Bytes consumed so far (for progress reporting).
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn error(&self, message: impl Into<String>) -> CatalogFileError {
        CatalogFileError::Format {
            position: self.position(),
            message: message.into(),
        }
    }

    /// Reads events until the next complete `<Item>`, or the end of the file.
    fn next_item(&mut self) -> Result<Option<Element>, CatalogFileError> {
        let mut buffer = std::mem::take(&mut self.buffer);
        let next = self.read_item(&mut buffer);
        self.buffer = buffer;
        next
    }

    fn read_item(&mut self, buffer: &mut Vec<u8>) -> Result<Option<Element>, CatalogFileError> {
        let mut item: Option<Element> = None;
        let mut field: Option<Element> = None;
        loop {
            buffer.clear();
            let (resolved, event) = self.reader.read_resolved_event_into(buffer).map_err(|e| {
                CatalogFileError::Format {
                    position: 0,
                    message: e.to_string(),
                }
            })?;
            let name = match &event {
                Event::Start(start) | Event::Empty(start) => Some(QName {
                    ns: match resolved {
                        ResolveResult::Bound(ns) => ns.as_ref().into(),
                        _ => "".into(),
                    },
                    local: start.local_name().as_ref().to_owned(),
                }),
                _ => None,
            };
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::DocType(_) => {
                    return Err(self.error("DOCTYPE declarations are not accepted"));
                }
                Event::Eof => {
                    return match item {
                        None => Ok(None),
                        Some(_) => Err(self.error("the file ends inside an Item")),
                    };
                }
                Event::Start(_) | Event::Empty(_) => {
                    let name = name.unwrap_or(QName {
                        ns: "".into(),
                        local: String::new(),
                    });
                    match (&mut item, &field) {
                        (None, _) if name.is(TYPES_NS, "Item") => item = Some(element(name)),
                        (None, _) if name.is(TYPES_NS, "CatalogItems") => {}
                        (None, _) => {
                            return Err(self.error(format!("unexpected element {}", name.local)));
                        }
                        (Some(_), None) => field = Some(element(name)),
                        (Some(_), Some(_)) => {
                            return Err(self.error("catalog fields hold text, not elements"));
                        }
                    }
                    if empty && let Some(done) = close(&mut item, &mut field) {
                        return Ok(Some(done));
                    }
                }
                Event::End(_) => {
                    if let Some(done) = close(&mut item, &mut field) {
                        return Ok(Some(done));
                    }
                }
                Event::Text(text) => append(&mut field, &text.xml10_content())
                    .map_err(|message| self.error(message))?,
                Event::CData(data) => {
                    append(&mut field, &data.into_inner()).map_err(|message| self.error(message))?
                }
                Event::GeneralRef(reference) => {
                    let text = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            quick_xml::escape::resolve_predefined_entity(&reference.xml10_content())
                                .map(str::to_owned)
                                .ok_or_else(|| self.error("undefined entity reference"))?
                        }
                    };
                    append(&mut field, &text).map_err(|message| self.error(message))?;
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }
}

/// Closes the innermost open element; returns the item when it is complete.
fn close(item: &mut Option<Element>, field: &mut Option<Element>) -> Option<Element> {
    match field.take() {
        Some(done) => {
            if let Some(item) = item {
                item.children.push(done);
            }
            None
        }
        None => item.take(),
    }
}

/// Adds text to the open field (text between fields is ignored).
fn append(field: &mut Option<Element>, text: &str) -> Result<(), String> {
    if let Some(field) = field {
        if field.text.len() + text.len() > MAX_FIELD_BYTES {
            return Err(format!(
                "field {} is larger than {MAX_FIELD_BYTES} bytes",
                field.name.local
            ));
        }
        field.text.push_str(text);
    }
    Ok(())
}

fn element(name: QName) -> Element {
    Element {
        name,
        attributes: Vec::new(),
        children: Vec::new(),
        text: String::new(),
    }
}

impl<R: BufRead> Iterator for CatalogItems<R> {
    type Item = Result<Element, CatalogFileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let next = self.next_item();
        if !matches!(next, Ok(Some(_))) {
            self.finished = true;
        }
        next.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_items_one_by_one() {
        let file = format!(
            r#"<?xml version="1.0"?><c:CatalogItems xmlns:c="{TYPES_NS}">
            <c:Item><c:ItemGuid>G1-P</c:ItemGuid><c:Metadata><![CDATA[<Granule a="1"/>]]></c:Metadata></c:Item>
            <c:Item><c:ItemGuid>G2-P</c:ItemGuid><c:Metadata>&lt;x/&gt;</c:Metadata><c:Deleted/></c:Item>
            </c:CatalogItems>"#
        );
        let items: Vec<Element> = CatalogItems::new(file.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].child(TYPES_NS, "ItemGuid").unwrap().text, "G1-P");
        assert_eq!(
            items[0].child(TYPES_NS, "Metadata").unwrap().text,
            "<Granule a=\"1\"/>"
        );
        assert_eq!(items[1].child(TYPES_NS, "Metadata").unwrap().text, "<x/>");
        assert!(items[1].child(TYPES_NS, "Deleted").is_some());
    }

    #[test]
    fn rejects_doctype_and_nesting() {
        let doctype = format!(r#"<!DOCTYPE x []><CatalogItems xmlns="{TYPES_NS}"/>"#);
        assert!(
            CatalogItems::new(doctype.as_bytes())
                .next()
                .unwrap()
                .is_err()
        );
        let nested = format!(
            r#"<CatalogItems xmlns="{TYPES_NS}"><Item><ItemGuid><b/></ItemGuid></Item></CatalogItems>"#
        );
        assert!(
            CatalogItems::new(nested.as_bytes())
                .next()
                .unwrap()
                .is_err()
        );
        let truncated = format!(r#"<CatalogItems xmlns="{TYPES_NS}"><Item><ItemGuid>x</ItemGuid>"#);
        assert!(CatalogItems::new(truncated.as_bytes()).any(|r| r.is_err()));
    }
}
