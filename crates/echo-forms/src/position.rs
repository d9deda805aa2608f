//! Where an element of a form document starts, as a person reads the file: line and column,
//! both 1-based, the column counted in characters. quick-xml reports byte offsets while the
//! DOM is built (`dom_builder`); they are converted here once per document, in one pass.

use std::collections::HashMap;

use serde::Serialize;
use sxd_document::dom::{Document, Element};

use super::document::{child_elements, root_element};

/// A place in a document: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// The start of every element of one parsed document.
pub struct ElementPositions<'d> {
    by_element: HashMap<Element<'d>, Position>,
}

impl<'d> ElementPositions<'d> {
    /// Pairs the elements of `document` (in document order, as the builder created them) with
    /// `offsets`, the byte offsets of their start tags in `xml`, in the same order.
    // An sxd element hashes and compares by the address of its node, which no mutation of the
    // document changes, so the key is stable.
    #[allow(clippy::mutable_key_type)]
    pub fn new(document: Document<'d>, xml: &str, offsets: &[usize]) -> ElementPositions<'d> {
        let positions = line_columns(xml, offsets);
        let by_element = elements_in_order(document)
            .into_iter()
            .zip(positions)
            .collect();
        ElementPositions { by_element }
    }

    pub fn of(&self, element: Element<'d>) -> Option<Position> {
        self.by_element.get(&element).copied()
    }
}

/// Every element, parents before their children and siblings in order (pre-order), without
/// recursion: depth is bounded by the limits, but a stack costs nothing.
fn elements_in_order(document: Document<'_>) -> Vec<Element<'_>> {
    let mut ordered = Vec::new();
    let mut pending: Vec<Element<'_>> = root_element(document).into_iter().collect();
    while let Some(element) = pending.pop() {
        ordered.push(element);
        let children: Vec<Element<'_>> = child_elements(element).collect();
        pending.extend(children.into_iter().rev());
    }
    ordered
}

/// Line and column of each of `offsets` (ascending byte offsets into `text`), in one pass.
fn line_columns(text: &str, offsets: &[usize]) -> Vec<Position> {
    let mut positions = Vec::with_capacity(offsets.len());
    let (mut line, mut column) = (1u32, 1u32);
    let mut chars = text.char_indices().peekable();
    for &offset in offsets {
        while let Some((_, c)) = chars.next_if(|(index, _)| *index < offset) {
            (line, column) = match c {
                '\n' => (line.saturating_add(1), 1),
                _ => (line, column.saturating_add(1)),
            };
        }
        positions.push(Position { line, column });
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_located;

    #[test]
    fn every_element_gets_its_start_tag_line_and_column() {
        let xml = "<a>\n  <b x='1'/>\n\t<é/><c>\n<d/></c></a>";
        let (package, offsets) = parse_located(xml).expect("well-formed");
        let document = package.as_document();
        let positions = ElementPositions::new(document, xml, &offsets);
        let found: Vec<(String, Option<Position>)> = elements_in_order(document)
            .into_iter()
            .map(|e| (e.name().local_part().to_owned(), positions.of(e)))
            .collect();
        let at = |line, column| Some(Position { line, column });
        assert_eq!(
            found,
            vec![
                ("a".to_owned(), at(1, 1)),
                ("b".to_owned(), at(2, 3)),
                ("é".to_owned(), at(3, 2)),
                ("c".to_owned(), at(3, 6)),
                ("d".to_owned(), at(4, 1)),
            ]
        );
    }
}
