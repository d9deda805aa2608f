//! Reading request parameters and type fields out of a parsed operation element, with a
//! precise [`RequestError`] for anything missing or malformed.

use super::{ECHO_NS, TYPES_NS};
use crate::error::RequestError;
use crate::xml::Element;
use echo_domain::timestamp::Timestamp;

/// Reads the children of one element that live in one namespace: operation parameters (ECHO
/// namespace) or type fields (types namespace).
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    element: &'a Element,
    ns: &'static str,
}

impl<'a> Fields<'a> {
    /// Parameters of an operation element.
    pub fn params(operation: &'a Element) -> Self {
        Fields {
            element: operation,
            ns: ECHO_NS,
        }
    }

    /// Fields of a type instance.
    pub fn of_type(element: &'a Element) -> Self {
        Fields {
            element,
            ns: TYPES_NS,
        }
    }

    /// The child element, if present and not nil.
    pub fn element(&self, name: &str) -> Option<&'a Element> {
        self.element.child(self.ns, name).filter(|e| !e.is_nil())
    }

    pub fn required_element(&self, name: &str) -> Result<&'a Element, RequestError> {
        self.element(name)
            .ok_or_else(|| RequestError::Missing(name.to_owned()))
    }

    /// The text of a child element; absent or nil gives `None`.
    pub fn text(&self, name: &str) -> Option<&'a str> {
        self.element(name).map(|e| e.text.as_str())
    }

    /// The trimmed text of a required, non-empty child.
    pub fn required_text(&self, name: &str) -> Result<&'a str, RequestError> {
        match self.text(name).map(str::trim) {
            Some(text) if !text.is_empty() => Ok(text),
            _ => Err(RequestError::Missing(name.to_owned())),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, RequestError> {
        self.parsed(name, "a boolean (true or false)", |t| match t {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        })
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, RequestError> {
        self.parsed(name, "an integer", |t| t.parse().ok())
    }

    pub fn double(&self, name: &str) -> Result<Option<f64>, RequestError> {
        self.parsed(name, "a number (xsd:double)", |t| t.parse().ok())
    }

    /// An xs:dateTime.
    pub fn timestamp(&self, name: &str) -> Result<Option<Timestamp>, RequestError> {
        self.parsed(name, "an xs:dateTime", |t| Timestamp::parse(t).ok())
    }

    /// A list of `<Item>` strings; `None` when the list is absent or nil ("all").
    pub fn string_list(&self, name: &str) -> Option<Vec<String>> {
        self.element(name).map(|list| {
            list.children_named(TYPES_NS, "Item")
                .map(|item| item.text.trim().to_owned())
                .collect()
        })
    }

    fn parsed<T>(
        &self,
        name: &str,
        expected: &'static str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, RequestError> {
        match self.text(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => parse(text).map(Some).ok_or_else(|| RequestError::Invalid {
                element: name.to_owned(),
                value: text.to_owned(),
                expected,
            }),
        }
    }
}
