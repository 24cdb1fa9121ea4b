//! Typo and prefix words, looked up in the index's dictionary before the query runs.
//!
//! tantivy's own fuzzy and prefix queries union the postings of every dictionary word they
//! accept, the typed word included — for a common word that is its whole, long posting list
//! again, read a second time beside the stemmed clause that already matches it. Expanding
//! here first lets the query leave out what its other clauses cover (the word itself and its
//! inflections) and keep only the most frequent few of the rest (a two-letter prefix accepts
//! thousands of words).

use std::collections::HashMap;

use tantivy::{Searcher, Term, query::FuzzyTermQuery, schema::Field};
use tantivy_fst::Automaton;

use super::SearchResult;

/// Most words one typed word or prefix stands for in a search: the most frequent.
pub const MAX_EXPANSIONS: usize = 16;
/// Most words a prefix stands for in a list's text filter, which must keep every record whose
/// words start so (a rare name is not crowded out by common forum words).
pub const MAX_FILTER_EXPANSIONS: usize = 512;

/// The dictionary words of `fields` within `edits` of `word` (transpositions count one) that
/// `keep` keeps, the most frequent first, at most `cap`.
pub fn typos(
    searcher: &Searcher,
    fields: &[Field],
    word: &str,
    edits: u8,
    keep: impl Fn(&str) -> bool,
    cap: usize,
) -> SearchResult<Vec<String>> {
    let Some(&first) = fields.first() else { return Ok(Vec::new()) };
    let automaton = FuzzyTermQuery::new(Term::from_field_text(first, word), edits, true).automaton()?;
    accepted(searcher, fields, &automaton, keep, cap)
}

/// The dictionary words of `fields` that start with `prefix` and that `keep` keeps, the most
/// frequent first, at most `cap`.
pub fn prefixed(
    searcher: &Searcher,
    fields: &[Field],
    prefix: &str,
    keep: impl Fn(&str) -> bool,
    cap: usize,
) -> SearchResult<Vec<String>> {
    let Some(&first) = fields.first() else { return Ok(Vec::new()) };
    let automaton = FuzzyTermQuery::new_prefix(Term::from_field_text(first, prefix), 0, true).automaton()?;
    accepted(searcher, fields, &automaton, keep, cap)
}

fn accepted<A: Automaton<State: Clone>>(
    searcher: &Searcher,
    fields: &[Field],
    automaton: &A,
    keep: impl Fn(&str) -> bool,
    cap: usize,
) -> SearchResult<Vec<String>> {
    // Documents per word (summed over segments and fields); `None` for a word `keep` left out.
    let mut documents: HashMap<String, Option<u64>> = HashMap::new();
    for segment in searcher.segment_readers() {
        for &field in fields {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(automaton).into_stream()?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else { continue };
                let n = u64::from(stream.value().doc_freq);
                match documents.get_mut(word) {
                    Some(total) => *total = total.map(|t| t + n),
                    None => {
                        documents.insert(word.to_owned(), keep(word).then_some(n));
                    }
                }
            }
        }
    }
    let mut words: Vec<(String, u64)> = documents.into_iter().filter_map(|(w, n)| Some((w, n?))).collect();
    words.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(cap);
    Ok(words.into_iter().map(|(w, _)| w).collect())
}
