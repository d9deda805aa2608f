//! Builds an sxd-document DOM from quick-xml's namespace-resolving reader.
//!
//! sxd-document's own parser took about half of a form's compile time and a fifth of a
//! validation; quick-xml reads the same XML several times faster, so the DOM is built from
//! its events. The document has already passed [`scan`](super::document) (no DOCTYPE, within
//! the limits). Comments and processing instructions are dropped: nothing in a form or a
//! selection reads them. The byte offset of every element's start tag is kept, in document
//! order, so that findings can say where in the file an element is (`position`).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;
use sxd_document::dom::{Document, Element};
use sxd_document::{Package, QName};

use super::document_error::DocumentError;

/// Parses `xml` (already scanned) into a package, with the byte offsets of its elements'
/// start tags in document order.
pub fn build(xml: &str) -> Result<(Package, Vec<usize>), DocumentError> {
    let package = Package::new();
    let mut offsets = Vec::new();
    {
        let mut builder = Builder {
            document: package.as_document(),
            open: Vec::new(),
            text: String::new(),
            has_root: false,
        };
        let mut reader = NsReader::from_str(xml);
        loop {
            // Where the next event begins: for a tag, its `<`.
            let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            match reader.read_event().map_err(malformed)? {
                Event::Start(start) => {
                    offsets.push(offset);
                    builder.open(&reader, &start, true)?
                }
                Event::Empty(start) => {
                    offsets.push(offset);
                    builder.open(&reader, &start, false)?
                }
                Event::End(_) => builder.close(),
                Event::Text(text) => builder.text(&text.xml10_content())?,
                Event::CData(data) => builder.text(&data.xml10_content())?,
                Event::GeneralRef(reference) => builder.reference(&reference)?,
                Event::Eof => break,
                _ => {}
            }
        }
        if !builder.open.is_empty() || !builder.has_root {
            return Err(DocumentError::Malformed(
                "document is incomplete".to_owned(),
            ));
        }
    }
    Ok((package, offsets))
}

struct Builder<'d> {
    document: Document<'d>,
    open: Vec<Element<'d>>,
    /// Character data not yet added: text and references between two tags form one node.
    text: String,
    has_root: bool,
}

impl<'d> Builder<'d> {
    fn open(
        &mut self,
        reader: &NsReader<&[u8]>,
        start: &BytesStart<'_>,
        has_content: bool,
    ) -> Result<(), DocumentError> {
        self.flush();
        let (namespace, local) = reader.resolver().resolve_element(start.name());
        let element = self
            .document
            .create_element(QName::with_namespace_uri(uri(namespace)?, local.as_ref()));
        if let Some(prefix) = start.name().prefix() {
            element.set_preferred_prefix(Some(prefix.as_ref()));
        }
        for attribute in start.attributes() {
            let attribute = attribute.map_err(malformed)?;
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(malformed)?;
            match attribute.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => element.set_default_namespace_uri(
                    Some(&value).filter(|v| !v.is_empty()).map(|v| v.as_ref()),
                ),
                Some(PrefixDeclaration::Named(prefix)) => element.register_prefix(prefix, &value),
                None => {
                    let (namespace, local) = reader.resolver().resolve_attribute(attribute.key);
                    let name = QName::with_namespace_uri(uri(namespace)?, local.as_ref());
                    let created = element.set_attribute_value(name, &value);
                    if let Some(prefix) = attribute.key.prefix() {
                        created.set_preferred_prefix(Some(prefix.as_ref()));
                    }
                }
            }
        }
        self.attach(element)?;
        if has_content {
            self.open.push(element);
        }
        Ok(())
    }

    fn attach(&mut self, element: Element<'d>) -> Result<(), DocumentError> {
        match self.open.last() {
            Some(parent) => parent.append_child(element),
            None if self.has_root => {
                return Err(DocumentError::Malformed(
                    "more than one root element".to_owned(),
                ));
            }
            None => {
                self.has_root = true;
                self.document.root().append_child(element);
            }
        }
        Ok(())
    }

    fn close(&mut self) {
        self.flush();
        self.open.pop();
    }

    fn text(&mut self, text: &str) -> Result<(), DocumentError> {
        if self.open.is_empty() {
            return match text.trim().is_empty() {
                true => Ok(()),
                false => Err(DocumentError::Malformed(
                    "text outside the root element".to_owned(),
                )),
            };
        }
        self.text.push_str(text);
        Ok(())
    }

    fn reference(
        &mut self,
        reference: &quick_xml::events::BytesRef<'_>,
    ) -> Result<(), DocumentError> {
        let resolved = match reference.resolve_char_ref().map_err(malformed)? {
            Some(c) => c.to_string(),
            None => {
                let name = reference.xml10_content();
                quick_xml::escape::resolve_predefined_entity(&name)
                    .ok_or_else(|| DocumentError::Malformed(format!("unknown entity &{name};")))?
                    .to_owned()
            }
        };
        if self.open.is_empty() {
            return Err(DocumentError::Malformed(
                "reference outside the root element".to_owned(),
            ));
        }
        self.text.push_str(&resolved);
        Ok(())
    }

    fn flush(&mut self) {
        if let (false, Some(parent)) = (self.text.is_empty(), self.open.last()) {
            parent.append_child(self.document.create_text(&self.text));
        }
        self.text.clear();
    }
}

fn uri(namespace: ResolveResult<'_>) -> Result<Option<&str>, DocumentError> {
    match namespace {
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Bound(namespace) => Ok(Some(namespace.into_inner())),
        ResolveResult::Unknown(prefix) => Err(DocumentError::Malformed(format!(
            "namespace prefix '{prefix}' is not declared"
        ))),
    }
}

fn malformed(error: impl std::fmt::Display) -> DocumentError {
    DocumentError::Malformed(error.to_string())
}
