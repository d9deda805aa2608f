//! Safe XML reading: parses a document into a small namespace-resolved element tree.
//!
//! Everything that arrives over the wire goes through [`parse_document`]. It never processes a
//! DOCTYPE (any DOCTYPE is rejected outright, so no entity expansion or XXE is possible), only
//! knows the five predefined entities and character references, and bounds nesting depth and
//! element count. Names are resolved to namespace URIs here, so callers never see prefixes.

use std::sync::Arc;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

use crate::error::{Malformed, RequestError};

/// The XML Schema instance namespace (`xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Limits applied while parsing untrusted XML.
#[derive(Debug, Clone, Copy)]
pub struct XmlLimits {
    pub max_depth: usize,
    pub max_elements: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_elements: 200_000,
        }
    }
}

/// Why a document was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    #[error("the XML is not well-formed: {0}")]
    Malformed(String),
    #[error("DOCTYPE declarations are not accepted")]
    Doctype,
    #[error("the entity reference &{0}; is not defined")]
    UndefinedEntity(String),
    #[error("the XML nests deeper than {0} elements")]
    TooDeep(usize),
    #[error("the XML has more than {0} elements")]
    TooManyElements(usize),
    #[error("the document has no root element")]
    Empty,
}

impl From<XmlError> for RequestError {
    fn from(error: XmlError) -> Self {
        let kind = match error {
            XmlError::Doctype => Malformed::Doctype,
            XmlError::TooDeep(_) | XmlError::TooManyElements(_) => Malformed::TooComplex,
            XmlError::Malformed(_) | XmlError::UndefinedEntity(_) | XmlError::Empty => {
                Malformed::Syntax
            }
        };
        RequestError::Malformed {
            kind,
            detail: error.to_string(),
        }
    }
}

/// A namespace-qualified name; `ns` is empty for names in no namespace. A document's names
/// share one copy of each namespace URI (see [`Namespaces`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QName {
    pub ns: Arc<str>,
    pub local: String,
}

impl QName {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        // Local names first: they tell siblings apart at once, while their namespace URIs are
        // mostly the same long string.
        self.local == local && &*self.ns == ns
    }
}

/// One attribute with its resolved name and unescaped value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: QName,
    pub value: String,
}

/// An element: resolved name, attributes, child elements and its own text content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: QName,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child with this namespace and local name.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name.is(ns, local))
    }

    /// All children with this namespace and local name, in document order.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name.is(ns, local))
    }

    pub fn attribute(&self, ns: &str, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.is(ns, local))
            .map(|a| a.value.as_str())
    }

    /// True when the element carries `xsi:nil="true"` (or `"1"`).
    pub fn is_nil(&self) -> bool {
        matches!(self.attribute(XSI_NS, "nil"), Some("true" | "1"))
    }
}

/// Parses a whole document into its root element.
/// Checks that `text` is a well-formed document under the default limits (free XML fields
/// such as a policy's Properties, which partners parse).
pub fn check_well_formed(text: &str) -> Result<(), XmlError> {
    parse_document(text, XmlLimits::default()).map(|_| ())
}

pub fn parse_document(input: &str, limits: XmlLimits) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(input);
    reader.config_mut().check_end_names = true;
    let mut namespaces = Namespaces::default();
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut count = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(XmlError::Malformed("content after the root element".into()));
                }
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError::TooManyElements(limits.max_elements));
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep(limits.max_depth));
                }
                let element = open_element(&reader, start, &mut namespaces)?;
                stack.push(element);
                if matches!(event, Event::Empty(_)) {
                    close_element(&mut stack, &mut root);
                }
            }
            Event::End(_) => close_element(&mut stack, &mut root),
            Event::Text(text) => append_text(&mut stack, &text.xml10_content())?,
            Event::CData(data) => append_text(&mut stack, &data.into_inner())?,
            Event::GeneralRef(reference) => {
                append_text(&mut stack, &resolve_reference(&reference)?)?
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unexpected end of document".into()));
    }
    root.ok_or(XmlError::Empty)
}

fn open_element(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    namespaces: &mut Namespaces,
) -> Result<Element, XmlError> {
    // Resolving splits the name once and hands back its local part too.
    let (resolved, local) = reader.resolver().resolve_element(start.name());
    let name = QName {
        ns: namespaces.of(resolved)?,
        local: local.as_ref().to_owned(),
    };
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| XmlError::Malformed(e.to_string()))?;
        if attribute.key.as_namespace_binding().is_some() {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        attributes.push(Attribute {
            name: QName {
                ns: namespaces.of(ns)?,
                local: local.as_ref().to_owned(),
            },
            value: value.into_owned(),
        });
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

fn close_element(stack: &mut Vec<Element>, root: &mut Option<Element>) {
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => *root = Some(done),
        }
    }
}

fn append_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(element) => element.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(XmlError::Malformed("text outside the root element".into())),
    }
    Ok(())
}

fn resolve_reference(reference: &BytesRef<'_>) -> Result<String, XmlError> {
    if let Some(ch) = reference
        .resolve_char_ref()
        .map_err(|e| XmlError::Malformed(e.to_string()))?
    {
        return Ok(ch.to_string());
    }
    let name = reference.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| XmlError::UndefinedEntity(name.into_owned()))
}

/// The namespace URIs of one document, each allocated once however many names use it: a
/// SOAP request names a handful of namespaces in hundreds of elements. Only the first
/// [`Namespaces::SHARED`] are remembered, so that a document declaring thousands costs a
/// bounded search per name (each further one is allocated per name, as before).
#[derive(Default)]
struct Namespaces {
    seen: Vec<Arc<str>>,
}

impl Namespaces {
    const SHARED: usize = 16;

    fn of(&mut self, resolved: ResolveResult<'_>) -> Result<Arc<str>, XmlError> {
        let uri = match resolved {
            ResolveResult::Bound(ns) => ns.into_inner(),
            ResolveResult::Unbound => "",
            ResolveResult::Unknown(prefix) => {
                return Err(XmlError::Malformed(format!(
                    "undeclared namespace prefix {prefix}"
                )));
            }
        };
        if let Some(known) = self.seen.iter().find(|ns| ns.as_ref() == uri) {
            return Ok(known.clone());
        }
        let ns: Arc<str> = uri.into();
        if self.seen.len() < Self::SHARED {
            self.seen.push(ns.clone());
        }
        Ok(ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<Element, XmlError> {
        parse_document(input, XmlLimits::default())
    }

    #[test]
    fn resolves_names_by_namespace_not_prefix() {
        let a = parse(r#"<a:x xmlns:a="urn:n"><a:y>1</a:y></a:x>"#).unwrap();
        let b = parse(r#"<b:x xmlns:b="urn:n"><b:y>1</b:y></b:x>"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.child("urn:n", "y").unwrap().text, "1");
    }

    #[test]
    fn names_share_their_namespace_and_many_namespaces_still_resolve() {
        let declared: String = (0..40)
            .map(|i| format!(r#"<p{i}:c xmlns:p{i}="urn:n{i}"/>"#))
            .collect();
        let doc = parse(&format!(r#"<r xmlns="urn:n0">{declared}<again/></r>"#)).unwrap();
        for (i, child) in doc.children.iter().take(40).enumerate() {
            assert!(child.name.is(&format!("urn:n{i}"), "c"), "{:?}", child.name);
        }
        let again = &doc.children[40];
        assert!(again.name.is("urn:n0", "again"));
        assert!(Arc::ptr_eq(&doc.name.ns, &again.name.ns));
    }

    #[test]
    fn unescapes_predefined_and_character_references() {
        let e = parse("<x>&lt;t&gt; &amp; &#65;&#x42;</x>").unwrap();
        assert_eq!(e.text, "<t> & AB");
    }

    #[test]
    fn rejects_any_doctype() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#;
        assert_eq!(parse(xxe), Err(XmlError::Doctype));
        let laughs = r#"<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>"#;
        assert_eq!(parse(laughs), Err(XmlError::Doctype));
    }

    #[test]
    fn rejects_undefined_entities() {
        assert_eq!(
            parse("<x>&e;</x>"),
            Err(XmlError::UndefinedEntity("e".into()))
        );
    }

    #[test]
    fn bounds_depth() {
        let deep = format!("{}{}", "<a>".repeat(70), "</a>".repeat(70));
        assert_eq!(parse(&deep), Err(XmlError::TooDeep(64)));
    }

    #[test]
    fn rejects_malformed_and_mismatched() {
        assert!(matches!(parse("<a><b></a>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse("<a>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse("<a/><b/>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse("<p:a/>"), Err(XmlError::Malformed(_))));
        assert_eq!(parse(""), Err(XmlError::Empty));
    }

    #[test]
    fn reads_xsi_nil() {
        let e = parse(&format!(r#"<x xmlns:i="{XSI_NS}" i:nil="true"/>"#)).unwrap();
        assert!(e.is_nil());
    }
}
