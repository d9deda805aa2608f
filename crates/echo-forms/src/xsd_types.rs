//! The XML Schema types ECHO Forms supports (4.2) and their lexical rules.

use serde::Serialize;

use super::datetime::DateTime;
use super::namespaces::NamespaceScope;

pub const XML_SCHEMA_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema";

/// A supported XML Schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FormType {
    String,
    Int,
    Long,
    Short,
    Double,
    Boolean,
    DateTime,
    AnyUri,
}

/// A `type` attribute read with a tolerated quirk, and why it is a quirk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeQuirk(pub String);

impl FormType {
    const ALL: [(FormType, &'static str); 8] = [
        (FormType::String, "string"),
        (FormType::Int, "int"),
        (FormType::Long, "long"),
        (FormType::Short, "short"),
        (FormType::Double, "double"),
        (FormType::Boolean, "boolean"),
        (FormType::DateTime, "dateTime"),
        (FormType::AnyUri, "anyURI"),
    ];

    /// The `xs:` name of this type.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("string", |(_, name)| name)
    }

    /// Resolves a `type` QName in `scope`; quirks ECHO tolerated resolve with a warning.
    pub fn resolve(
        qname: &str,
        scope: &NamespaceScope,
    ) -> Result<(FormType, Option<TypeQuirk>), String> {
        let (prefix, local) = match qname.trim().split_once(':') {
            Some((prefix, local)) => (Some(prefix), local),
            None => (None, qname.trim()),
        };
        let namespace_quirk = match prefix.map(|p| (p, scope.resolve(p))) {
            Some((_, Some(XML_SCHEMA_NAMESPACE))) => None,
            Some((p @ ("xs" | "xsd"), None)) => Some(format!(
                "prefix '{p}' of type '{qname}' is not declared; read as the XML Schema namespace"
            )),
            Some((p, Some(uri))) => {
                return Err(format!(
                    "type '{qname}': prefix '{p}' is bound to '{uri}', not XML Schema"
                ));
            }
            Some((p, None)) => return Err(format!("type '{qname}': prefix '{p}' is not declared")),
            None => Some(format!(
                "type '{qname}' has no XML Schema prefix; read as xs:{local}"
            )),
        };
        let (form_type, case_quirk) = Self::by_local_name(local)
            .ok_or_else(|| format!("type '{qname}' is not one of the types ECHO Forms supports"))?;
        let quirk = namespace_quirk.or(case_quirk).map(TypeQuirk);
        Ok((form_type, quirk))
    }

    fn by_local_name(local: &str) -> Option<(FormType, Option<String>)> {
        if let Some((t, _)) = Self::ALL.iter().find(|(_, name)| *name == local) {
            return Some((*t, None));
        }
        Self::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(local))
            .map(|(t, name)| {
                let why = format!(
                    "type '{local}' is not an XML Schema type (names are case-sensitive); \
                     read as xs:{name} as ECHO clients did"
                );
                (*t, Some(why))
            })
    }

    /// Whether `value` is in the lexical space of this type. Values of types other than
    /// string are whitespace-collapsed by XML Schema, so they are trimmed first.
    pub fn accepts(self, value: &str) -> bool {
        let trimmed = value.trim();
        match self {
            FormType::String => true,
            FormType::Int => integer_in(trimmed, i32::MIN.into(), i32::MAX.into()),
            FormType::Long => integer_in(trimmed, i64::MIN.into(), i64::MAX.into()),
            FormType::Short => integer_in(trimmed, i16::MIN.into(), i16::MAX.into()),
            FormType::Double => parse_double(trimmed).is_some(),
            FormType::Boolean => matches!(trimmed, "true" | "false" | "1" | "0"),
            FormType::DateTime => DateTime::parse(trimmed).is_some(),
            FormType::AnyUri => is_any_uri(trimmed),
        }
    }
}

/// Parses an XML Schema integer literal (`[+-]?[0-9]+`), refusing values beyond i128.
pub fn parse_integer(text: &str) -> Option<i128> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn integer_in(text: &str, min: i128, max: i128) -> bool {
    parse_integer(text).is_some_and(|n| (min..=max).contains(&n))
}

/// Parses the XML Schema 1.0 `xs:double` lexical form.
pub fn parse_double(text: &str) -> Option<f64> {
    match text {
        "INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    if mantissa_ok && exponent_ok {
        text.parse().ok()
    } else {
        None
    }
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// A lenient `xs:anyURI` check: no spaces or control characters, well-formed `%`
/// escapes, at most one fragment, and a well-formed scheme when one is present.
fn is_any_uri(text: &str) -> bool {
    let clean = !text.chars().any(|c| c.is_whitespace() || c.is_control());
    let escapes_ok = text.split('%').skip(1).all(|after| {
        after.len() >= 2 && after.as_bytes().iter().take(2).all(u8::is_ascii_hexdigit)
    });
    let one_fragment = text.matches('#').count() <= 1;
    let scheme_ok = match text.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => true,
    };
    clean && escapes_ok && one_fragment && scheme_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(t: FormType, values: &[&str]) {
        for value in values {
            assert!(t.accepts(value), "{} should accept {value:?}", t.name());
        }
    }

    fn refuses(t: FormType, values: &[&str]) {
        for value in values {
            assert!(!t.accepts(value), "{} should refuse {value:?}", t.name());
        }
    }

    #[test]
    fn int_boundaries() {
        accepts(
            FormType::Int,
            &["2147483647", "-2147483648", "+7", "007", " 42 "],
        );
        refuses(
            FormType::Int,
            &[
                "2147483648",
                "-2147483649",
                "1.0",
                "1e3",
                "",
                "+",
                "0x10",
                "4 2",
            ],
        );
    }

    #[test]
    fn short_boundaries() {
        accepts(FormType::Short, &["32767", "-32768", "0"]);
        refuses(FormType::Short, &["32768", "-32769"]);
    }

    #[test]
    fn long_boundaries() {
        accepts(
            FormType::Long,
            &[
                "9223372036854775807",
                "-9223372036854775808",
                "999999999999",
            ],
        );
        refuses(
            FormType::Long,
            &[
                "9223372036854775808",
                "-9223372036854775809",
                "99999999999999999999999999999999999999999",
            ],
        );
    }

    #[test]
    fn double_lexical_space() {
        accepts(
            FormType::Double,
            &[
                "1.2e34", "-1.234", "123.456", ".5", "5.", "-0", "1E-3", "+1.5", "INF", "-INF",
                "NaN", " 1.0\n",
            ],
        );
        refuses(
            FormType::Double,
            &[
                "1.2.34", "--1234", "123four", "", ".", "e5", "1e", "inf", "Infinity", "nan",
                "+INF", "1,5", "0x1p3",
            ],
        );
    }

    #[test]
    fn boolean_lexical_space() {
        accepts(FormType::Boolean, &["true", "false", "1", "0", " true "]);
        refuses(FormType::Boolean, &["TRUE", "yes", "2", ""]);
    }

    #[test]
    fn date_time_lexical_space() {
        accepts(
            FormType::DateTime,
            &["2020-01-01T00:00:00", "2000-06-15T01:15:23Z"],
        );
        refuses(
            FormType::DateTime,
            &[
                "2020-13-01T00:00:00",
                "2020-01-32T00:00:00",
                "2020-01-01T24:00:00",
                "2020-01-01T00:60:00",
                "123456",
            ],
        );
    }

    #[test]
    fn any_uri_lexical_space() {
        accepts(
            FormType::AnyUri,
            &[
                "http://www.nasa.gov",
                "relative/path?q=1#frag",
                "%20x",
                "urn:a:b",
                "123456",
            ],
        );
        refuses(
            FormType::AnyUri,
            &["http://a b", "%zz", "a#b#c", "1http://x"],
        );
    }

    #[test]
    fn resolves_type_names_and_quirks() {
        let package = super::super::document::parse_document(
            "<f xmlns:xs='http://www.w3.org/2001/XMLSchema' xmlns:o='urn:other'/>",
        )
        .expect("xml");
        let root = super::super::document::root_element(package.as_document()).expect("root");
        let scope = NamespaceScope::in_scope_of(root);
        assert_eq!(
            FormType::resolve("xs:int", &scope),
            Ok((FormType::Int, None))
        );
        let (t, quirk) = FormType::resolve("xs:datetime", &scope).expect("tolerated");
        assert_eq!(t, FormType::DateTime);
        assert!(quirk.is_some_and(|q| q.0.contains("case-sensitive")));
        let (t, quirk) = FormType::resolve("xsd:string", &scope).expect("tolerated");
        assert_eq!(t, FormType::String);
        assert!(quirk.is_some_and(|q| q.0.contains("not declared")));
        assert!(FormType::resolve("o:int", &scope).is_err());
        assert!(FormType::resolve("xs:float", &scope).is_err());
        assert!(FormType::resolve("q:int", &scope).is_err());
    }
}
