//! One page of a longer list, as a screen shows it: a bounded slice and the total it came from.

/// The most entries one page may hold, whatever the caller asks for.
pub const MAX_PAGE_SIZE: usize = 100;

/// Which page: skip `offset` entries and take at most `limit` (capped at [`MAX_PAGE_SIZE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: usize,
    pub limit: usize,
}

/// A page of entries and how many there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub entries: Vec<T>,
    pub offset: usize,
    pub total: usize,
}

impl<T> Page<T> {
    /// The requested page of `all`, which is already in display order.
    pub fn of(all: Vec<T>, request: PageRequest) -> Page<T> {
        let total = all.len();
        let limit = request.limit.clamp(1, MAX_PAGE_SIZE);
        let entries = all.into_iter().skip(request.offset).take(limit).collect();
        Page {
            entries,
            offset: request.offset,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_bounded_and_knows_the_total() {
        let page = Page::of(
            (0..500).collect(),
            PageRequest {
                offset: 10,
                limit: 1000,
            },
        );
        assert_eq!(page.total, 500);
        assert_eq!(page.entries.len(), MAX_PAGE_SIZE);
        assert_eq!(page.entries[0], 10);
        let past_the_end = Page::of(
            vec![1, 2],
            PageRequest {
                offset: 5,
                limit: 10,
            },
        );
        assert!(past_the_end.entries.is_empty());
    }
}
