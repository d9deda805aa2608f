//! A lexer for XPath 1.0 expressions, enough to rewrite namespace prefixes and to
//! measure nesting without evaluating anything.

/// One lexical unit of an expression; concatenating `text`s gives the source back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokenKind<'a>,
    pub text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind<'a> {
    /// A quoted string literal.
    Literal,
    /// A name test, function name or operator name, split at its prefix.
    Name {
        prefix: Option<&'a str>,
        local: &'a str,
    },
    Open(Bracket),
    Close(Bracket),
    /// Numbers, operators, axis separators and whitespace.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bracket {
    Paren,
    Predicate,
}

/// The literal starting at byte `at` is never closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnterminatedLiteral {
    pub at: usize,
}

/// Splits `source` into tokens.
pub fn tokenize(source: &str) -> Result<Vec<Token<'_>>, UnterminatedLiteral> {
    let mut tokens = Vec::new();
    let mut rest = source;
    let mut offset = 0;
    while let Some(first) = rest.chars().next() {
        let (kind, len) = match first {
            '\'' | '"' => literal(rest, first).ok_or(UnterminatedLiteral { at: offset })?,
            '(' => (TokenKind::Open(Bracket::Paren), 1),
            ')' => (TokenKind::Close(Bracket::Paren), 1),
            '[' => (TokenKind::Open(Bracket::Predicate), 1),
            ']' => (TokenKind::Close(Bracket::Predicate), 1),
            c if is_name_start(c) => name(rest),
            c if c.is_ascii_digit() || (c == '.' && starts_with_digit(&rest[1..])) => {
                (TokenKind::Other, number_len(rest))
            }
            c => (TokenKind::Other, c.len_utf8()),
        };
        let (text, remainder) = rest.split_at(len);
        tokens.push(Token { kind, text });
        rest = remainder;
        offset += len;
    }
    Ok(tokens)
}

fn literal(rest: &str, quote: char) -> Option<(TokenKind<'static>, usize)> {
    rest[1..]
        .find(quote)
        .map(|end| (TokenKind::Literal, end + 2))
}

fn name(rest: &str) -> (TokenKind<'_>, usize) {
    let first_len = ncname_len(rest);
    let after = &rest[first_len..];
    let prefixed = after.starts_with(':') && !after.starts_with("::");
    let local_len = match after.get(1..) {
        Some(local) if prefixed && local.starts_with('*') => 1,
        Some(local) if prefixed && local.chars().next().is_some_and(is_name_start) => {
            ncname_len(local)
        }
        _ => 0,
    };
    if local_len == 0 {
        let local = &rest[..first_len];
        return (
            TokenKind::Name {
                prefix: None,
                local,
            },
            first_len,
        );
    }
    let kind = TokenKind::Name {
        prefix: Some(&rest[..first_len]),
        local: &after[1..1 + local_len],
    };
    (kind, first_len + 1 + local_len)
}

fn ncname_len(text: &str) -> usize {
    text.char_indices()
        .find(|&(i, c)| !(is_name_char(c) || (i == 0 && is_name_start(c))))
        .map_or(text.len(), |(i, _)| i)
}

fn number_len(text: &str) -> usize {
    text.char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
        .map_or(text.len(), |(i, _)| i)
}

fn starts_with_digit(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || !c.is_ascii()
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

/// How deeply brackets nest in an expression.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nesting {
    /// Deepest nesting of parentheses and predicates together.
    pub brackets: usize,
    /// Deepest nesting of predicates alone.
    pub predicates: usize,
}

/// Measures bracket nesting; unbalanced brackets are left for the XPath parser to report.
pub fn nesting(tokens: &[Token<'_>]) -> Nesting {
    let mut open: Vec<Bracket> = Vec::new();
    let mut deepest = Nesting::default();
    for token in tokens {
        match token.kind {
            TokenKind::Open(bracket) => open.push(bracket),
            TokenKind::Close(bracket) if open.last() == Some(&bracket) => {
                open.pop();
            }
            _ => {}
        }
        let predicates = open.iter().filter(|b| **b == Bracket::Predicate).count();
        deepest.brackets = deepest.brackets.max(open.len());
        deepest.predicates = deepest.predicates.max(predicates);
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<(Option<&str>, &str)> {
        tokenize(source)
            .expect("lexes")
            .into_iter()
            .filter_map(|t| match t.kind {
                TokenKind::Name { prefix, local } => Some((prefix, local)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn splits_prefixed_names_axes_and_wildcards() {
        assert_eq!(
            names("child::p:a-b/q:*[@r:c = 'x:y'] and count(//z)"),
            vec![
                (None, "child"),
                (Some("p"), "a-b"),
                (Some("q"), "*"),
                (Some("r"), "c"),
                (None, "and"),
                (None, "count"),
                (None, "z"),
            ]
        );
    }

    #[test]
    fn reassembles_source_exactly() {
        let source = "(//h:N >= -90.5) and .5 < ../x[1]/é";
        let tokens = tokenize(source).expect("lexes");
        assert_eq!(tokens.iter().map(|t| t.text).collect::<String>(), source);
    }

    #[test]
    fn reports_unterminated_literal() {
        assert_eq!(tokenize("a = 'b"), Err(UnterminatedLiteral { at: 4 }));
    }

    #[test]
    fn measures_nesting() {
        let tokens = tokenize("a[b[(c)]] or (d)").expect("lexes");
        assert_eq!(
            nesting(&tokens),
            Nesting {
                brackets: 3,
                predicates: 2
            }
        );
        assert_eq!(nesting(&tokenize("]]]((").expect("lexes")).brackets, 2);
    }
}
