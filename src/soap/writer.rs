//! Building response XML: a small element tree ([`Out`]) and its serialisation with ECHO's
//! prefixes (`ns2` operations, `ns3` types, `ns4` faults), declared on the payload element as
//! the recorded ECHO responses do.

use std::borrow::Cow;

use super::{ECHO_NS, FAULTS_NS, SOAP11_NS, SOAP12_NS, TYPES_NS};
use crate::xml::XSI_NS;

/// An element to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Out {
    ns: &'static str,
    name: Cow<'static, str>,
    body: Body,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Empty,
    Nil,
    Text(String),
    Children(Vec<Out>),
}

impl Out {
    pub fn new(ns: &'static str, name: impl Into<Cow<'static, str>>) -> Self {
        Out {
            ns,
            name: name.into(),
            body: Body::Empty,
        }
    }

    /// An operation-namespace element (`ns2:`).
    pub fn echo(name: impl Into<Cow<'static, str>>) -> Self {
        Out::new(ECHO_NS, name)
    }

    /// A types-namespace element (`ns3:`).
    pub fn types(name: impl Into<Cow<'static, str>>) -> Self {
        Out::new(TYPES_NS, name)
    }

    /// A types-namespace element holding text.
    pub fn field(name: &'static str, value: impl ToString) -> Self {
        Out::types(name).text(value)
    }

    pub fn text(mut self, value: impl ToString) -> Self {
        self.body = Body::Text(value.to_string());
        self
    }

    /// Marks the element `xsi:nil="true"`.
    pub fn nil(mut self) -> Self {
        self.body = Body::Nil;
        self
    }

    pub fn child(mut self, child: Out) -> Self {
        self.push(child);
        self
    }

    /// Appends `child` only when it is `Some`: optional fields are left out, not written empty.
    pub fn optional(mut self, child: Option<Out>) -> Self {
        if let Some(child) = child {
            self.push(child);
        }
        self
    }

    pub fn children(mut self, children: impl IntoIterator<Item = Out>) -> Self {
        for child in children {
            self.push(child);
        }
        self
    }

    pub fn push(&mut self, child: Out) {
        match &mut self.body {
            Body::Children(children) => children.push(child),
            _ => self.body = Body::Children(vec![child]),
        }
    }

    /// Serialises as a payload element: declares `ns2`, `ns3` and `ns4` on itself.
    pub fn write_payload(&self, out: &mut String) {
        self.write_payload_in(out, [ECHO_NS, TYPES_NS, FAULTS_NS]);
    }

    /// Serialises as a payload element of a contract shaped like ECHO v10 (operations, types,
    /// faults) in other namespaces: elements built in the v10 roles are written in
    /// `[operations, types, faults]`.
    pub fn write_payload_in(&self, out: &mut String, [operations, types, faults]: [&str; 3]) {
        self.write(out, &[("ns2", operations), ("ns3", types), ("ns4", faults)]);
    }

    /// Serialises with the given extra namespace declarations on this element. Everything is
    /// pushed piece by piece: no name is formatted into a string of its own (every element of
    /// every response and relayed request passes here).
    pub fn write(&self, out: &mut String, declarations: &[(&str, &str)]) {
        // `prefix:name`, or the bare name in a namespace without a prefix.
        let (prefix, colon) = prefix_of(self.ns).map_or(("", ""), |prefix| (prefix, ":"));
        let end = ["</", prefix, colon, &self.name, ">"];
        out.extend(["<", prefix, colon, &self.name]);
        for (prefix, ns) in declarations {
            out.extend([" xmlns:", prefix, "=\"", ns, "\""]);
        }
        match &self.body {
            Body::Empty => out.push_str("/>"),
            Body::Nil => out.extend([" xmlns:xsi=\"", XSI_NS, "\" xsi:nil=\"true\"/>"]),
            Body::Text(text) => {
                out.push('>');
                escape_into(out, text);
                out.extend(end);
            }
            Body::Children(children) => {
                out.push('>');
                for child in children {
                    child.write(out, &[]);
                }
                out.extend(end);
            }
        }
    }
}

/// The fixed prefix for each namespace the gateway writes.
fn prefix_of(ns: &str) -> Option<&'static str> {
    match ns {
        ECHO_NS => Some("ns2"),
        TYPES_NS => Some("ns3"),
        FAULTS_NS => Some("ns4"),
        SOAP11_NS | SOAP12_NS => Some("SOAP-ENV"),
        _ => None,
    }
}

/// Escapes character data, copying the runs between characters that need escaping whole.
pub fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '\r']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&#13;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_echo_prefixes_and_nil_like_the_recordings() {
        let payload = Out::echo("GetProvidersPoliciesResponse")
            .child(Out::echo("result").child(Out::types("Item").nil()));
        let mut xml = String::new();
        payload.write_payload(&mut xml);
        assert_eq!(
            xml,
            "<ns2:GetProvidersPoliciesResponse xmlns:ns2=\"http://echo.nasa.gov/echo/v10\" \
             xmlns:ns3=\"http://echo.nasa.gov/echo/v10/types\" \
             xmlns:ns4=\"http://echo.nasa.gov/echo/v10/faults\"><ns2:result>\
             <ns3:Item xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\"/>\
             </ns2:result></ns2:GetProvidersPoliciesResponse>"
        );
    }

    #[test]
    fn escapes_text() {
        let mut xml = String::new();
        Out::field("Properties", "<test>a & b\r\n</test>é").write(&mut xml, &[]);
        assert_eq!(
            xml,
            "<ns3:Properties>&lt;test&gt;a &amp; b&#13;\n&lt;/test&gt;é</ns3:Properties>"
        );
    }
}
