//! Pattern constraints (4.1.1.8.2): a regular expression matched against the whole value.
//!
//! The pattern is anchored to the whole value, as XML Schema patterns are, so `[0-9]+`
//! does not accept `a1`. The regex crate matches in linear time, so no pattern can make
//! matching run away.

use regex::{Regex, RegexBuilder};

use super::limits::MAX_PATTERN_BYTES;

/// A compiled pattern constraint.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
}

impl Pattern {
    /// Compiles `source`, anchored to the whole value.
    pub fn compile(source: &str) -> Result<Pattern, String> {
        RegexBuilder::new(&format!("^(?:{source})$"))
            .size_limit(MAX_PATTERN_BYTES)
            .build()
            .map(|regex| Pattern { regex })
            .map_err(|e| format!("pattern `{source}` is not a supported regular expression: {e}"))
    }

    pub fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_to_the_whole_value() {
        let digits = Pattern::compile("[0-9]+").expect("valid");
        assert!(digits.matches("123"));
        assert!(!digits.matches("a123"));
        assert!(!digits.matches("123a"));
        let alternation = Pattern::compile("ab|cd").expect("valid");
        assert!(!alternation.matches("abcd"));
        assert!(alternation.matches("cd"));
    }

    #[test]
    fn keeps_explicit_anchors_meaningful() {
        let file = Pattern::compile(r"^[A-Za-z]+[A-Za-z0-9]*\.?[A-Za-z0-9]*$").expect("valid");
        assert!(file.matches("data.txt"));
        assert!(!file.matches("1data.txt"));
        let starts = Pattern::compile("^[A-Za-z]+").expect("valid");
        assert!(
            !starts.matches("a1"),
            "anchored: the whole value must match"
        );
    }

    #[test]
    fn refuses_unsupported_or_huge_patterns() {
        assert!(Pattern::compile("(a").is_err());
        assert!(Pattern::compile(r"(a)\1").is_err());
        assert!(Pattern::compile(r"\w{1000}{1000}").is_err());
    }
}
