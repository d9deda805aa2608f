//! Safe reading of XML documents (forms and selections) into sxd-document packages.
//!
//! Every document is scanned first with quick-xml, which is iterative, so that DOCTYPE
//! declarations (and so entity definitions) are refused and the structural limits are
//! enforced before the recursive sxd parser sees the text.

use quick_xml::events::Event;
use sxd_document::Package;
use sxd_document::dom::{ChildOfElement, Document, Element};

pub use super::document_error::DocumentError;
use super::limits::{MAX_DOCUMENT_BYTES, MAX_ELEMENT_DEPTH, MAX_NODES};

/// Checks the limits and parses `xml` into an owned document.
pub fn parse_document(xml: &str) -> Result<Package, DocumentError> {
    parse_located(xml).map(|(package, _)| package)
}

/// Like [`parse_document`], with the byte offsets of the elements' start tags in document
/// order (for [`ElementPositions`](super::position::ElementPositions)).
pub fn parse_located(xml: &str) -> Result<(Package, Vec<usize>), DocumentError> {
    scan(xml)?;
    let (package, offsets) = super::dom_builder::build(xml)?;
    if root_element(package.as_document()).is_none() {
        return Err(DocumentError::NoRootElement);
    }
    Ok((package, offsets))
}

fn scan(xml: &str) -> Result<(), DocumentError> {
    if xml.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge(xml.len()));
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut nodes = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| DocumentError::Malformed(e.to_string()))?;
        nodes += match &event {
            Event::Eof => return Ok(()),
            Event::DocType(_) => return Err(DocumentError::DoctypeRefused),
            Event::Start(start) | Event::Empty(start) => 1 + start.attributes().count(),
            _ => 1,
        };
        depth = match &event {
            Event::Start(_) => depth + 1,
            Event::End(_) => depth.saturating_sub(1),
            _ => depth,
        };
        if depth > MAX_ELEMENT_DEPTH {
            return Err(DocumentError::TooDeep);
        }
        if nodes > MAX_NODES {
            return Err(DocumentError::TooManyNodes);
        }
    }
}

/// The document element.
pub fn root_element(document: Document<'_>) -> Option<Element<'_>> {
    document
        .root()
        .children()
        .into_iter()
        .find_map(|child| child.element())
}

/// The element children of `element`, in document order.
pub fn child_elements<'d>(element: Element<'d>) -> impl Iterator<Item = Element<'d>> {
    element
        .children()
        .into_iter()
        .filter_map(|child| child.element())
}

/// The concatenated text of `element` and its descendants (the XPath string-value).
pub fn text_content(element: Element<'_>) -> String {
    let mut text = String::new();
    append_text(element, &mut text);
    text
}

fn append_text(element: Element<'_>, text: &mut String) {
    for child in element.children() {
        match child {
            ChildOfElement::Text(t) => text.push_str(t.text()),
            ChildOfElement::Element(e) => append_text(e, text),
            _ => {}
        }
    }
}

/// Serializes `document` as an XML string.
pub fn write_document(document: &Document<'_>) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail and sxd only emits UTF-8.
    let _ = sxd_document::writer::format_document(document, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Serializes `element` and its descendants as a standalone document, keeping the
/// namespace declarations it inherited. Comments and processing instructions are dropped.
pub fn subtree_xml(element: Element<'_>) -> String {
    let package = Package::new();
    let document = package.as_document();
    let copy = copy_element(element, document);
    for namespace in element.namespaces_in_scope() {
        if namespace.prefix() != "xml" {
            copy.register_prefix(namespace.prefix(), namespace.uri());
        }
    }
    copy.set_default_namespace_uri(element.recursive_default_namespace_uri());
    document.root().append_child(copy);
    write_document(&document)
}

fn copy_element<'n>(source: Element<'_>, target: Document<'n>) -> Element<'n> {
    let copy = target.create_element(source.name());
    copy.set_preferred_prefix(source.preferred_prefix());
    copy.set_default_namespace_uri(source.default_namespace_uri());
    for attribute in source.attributes() {
        let copied = copy.set_attribute_value(attribute.name(), attribute.value());
        copied.set_preferred_prefix(attribute.preferred_prefix());
    }
    for child in source.children() {
        match child {
            ChildOfElement::Element(e) => copy.append_child(copy_element(e, target)),
            ChildOfElement::Text(t) => copy.append_child(target.create_text(t.text())),
            _ => {}
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_doctype_and_entities() {
        let xml = "<!DOCTYPE a [<!ENTITY x 'boom'>]><a>&x;</a>";
        assert_eq!(
            parse_document(xml).err(),
            Some(DocumentError::DoctypeRefused)
        );
        assert!(matches!(
            parse_document("<a>&x;</a>"),
            Err(DocumentError::Malformed(_))
        ));
    }

    #[test]
    fn refuses_deep_nesting_before_parsing() {
        let xml = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        assert_eq!(parse_document(&xml).err(), Some(DocumentError::TooDeep));
    }

    #[test]
    fn refuses_too_many_nodes_and_bytes() {
        let many = format!("<a>{}</a>", "<b/>".repeat(MAX_NODES + 1));
        assert_eq!(
            parse_document(&many).err(),
            Some(DocumentError::TooManyNodes)
        );
        let big = format!("<a>{}</a>", "x".repeat(MAX_DOCUMENT_BYTES));
        assert!(matches!(
            parse_document(&big),
            Err(DocumentError::TooLarge(_))
        ));
    }

    #[test]
    fn refuses_malformed_and_empty() {
        assert!(matches!(
            parse_document("<a><b></a>"),
            Err(DocumentError::Malformed(_))
        ));
        assert!(parse_document("").is_err());
    }

    #[test]
    fn reads_namespaces_references_and_character_data() {
        let xml = r#"<a xmlns="urn:d" xmlns:p="urn:p" p:x="1 &amp;
2" p:y="&#10;"><p:b>t&lt;&#65;<![CDATA[<c>]]></p:b><!-- c --><c/></a>"#;
        let package = parse_document(xml).expect("well-formed");
        let a = root_element(package.as_document()).expect("root");
        assert_eq!(a.name().namespace_uri(), Some("urn:d"));
        let x = sxd_document::QName::with_namespace_uri(Some("urn:p"), "x");
        assert_eq!(
            a.attribute_value(x),
            Some("1 & 2"),
            "attribute values are normalized"
        );
        let y = sxd_document::QName::with_namespace_uri(Some("urn:p"), "y");
        assert_eq!(
            a.attribute_value(y),
            Some("\n"),
            "character references are kept"
        );
        let children: Vec<Element<'_>> = child_elements(a).collect();
        assert_eq!(children[0].name().namespace_uri(), Some("urn:p"));
        assert_eq!(text_content(children[0]), "t<A<c>");
        assert_eq!(children[1].name().namespace_uri(), Some("urn:d"));
        assert!(parse_document("<a>x</a><b/>").is_err(), "one root");
        assert!(parse_document("<q:a/>").is_err(), "undeclared prefix");
    }

    #[test]
    fn copies_subtree_with_inherited_namespaces() {
        let package = parse_document(r#"<f xmlns:p="urn:p"><i><p:a><p:b>1</p:b></p:a></i></f>"#)
            .expect("well-formed");
        let document = package.as_document();
        let form = root_element(document).expect("root");
        let instance = child_elements(form).next().expect("instance");
        let subtree = child_elements(instance).next().expect("subtree");
        let xml = subtree_xml(subtree);
        assert!(
            xml.contains("<p:a xmlns:p='urn:p'><p:b>1</p:b></p:a>"),
            "{xml}"
        );
        assert_eq!(text_content(subtree), "1");
    }
}
