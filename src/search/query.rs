//! Searching the index: a query's words, each matched by its stem, with typos (one edit
//! from 5 letters, two from 9) and — the last word — as a prefix; exact and phrase matches
//! weigh most and title matches above body ones; filters; facet counts; and snippets with the
//! matched words marked (HTML-escaped, `<mark>`).
//!
//! A document must match every word by its stem, a typo or a prefix; the typos and prefixes
//! are words of the dictionary (`expand`), searched by their stems. The exact word and the
//! phrase only add to the score of what matched: they need not be read beside the long
//! posting lists that decide what matches, only looked up for those documents.

use std::ops::Bound;

use frostem::{Algorithm, Stemmer};
use tantivy::{
    DocAddress, TantivyDocument, Term,
    collector::{Count, TopDocs},
    query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery},
    schema::{Field, IndexRecordOption, Value},
    snippet::SnippetGenerator,
};

use super::{SearchIndex, SearchResult, analysis, expand, facets, filter_value};
use crate::domain::{
    closed::ClosedSet,
    search::{Hit, SearchKind, SearchPage, SearchRequest},
    text::escape_html as escape,
};

/// Most characters of a snippet.
const SNIPPET_CHARS: usize = 200;
/// Most words of a query that are looked at.
const MAX_WORDS: usize = 12;
/// Shortest last word matched as a prefix (one letter would stand for thousands of words).
const MIN_PREFIX_CHARS: usize = 2;

/// Weights: exact words count most, then stems, then typos and prefixes; the title doubles.
const EXACT: f32 = 2.0;
const STEM: f32 = 1.0;
const FUZZY: f32 = 0.4;
const PREFIX: f32 = 0.6;
const PHRASE: f32 = 3.0;
const TITLE: f32 = 2.0;

fn boosted(q: Box<dyn Query>, by: f32) -> (Occur, Box<dyn Query>) {
    (Occur::Should, Box::new(BoostQuery::new(q, by)))
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// Documents with any of `stems` in `field`, each scoring `score` (however many it has).
fn any_of(field: Field, stems: &[String], score: f32) -> (Occur, Box<dyn Query>) {
    let terms = stems
        .iter()
        .map(|s| {
            let t = TermQuery::new(Term::from_field_text(field, s), IndexRecordOption::Basic);
            (Occur::Should, Box::new(t) as Box<dyn Query>)
        })
        .collect();
    (Occur::Should, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(terms)), score)))
}

/// Edits a word of `chars` characters may have and still match.
pub fn typos_allowed(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

impl SearchIndex {
    /// The text part of a query; `None` when `q` has no words. Without `typos`, words match
    /// by stem or (the last) as a prefix only — of at most `expansions` words.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        q: &str,
        prefix_last: bool,
        typos: bool,
        expansions: usize,
    ) -> SearchResult<Option<Box<dyn Query>>> {
        let f = self.fields;
        let words: Vec<String> = analysis::words(&mut analysis::exact(), q).into_iter().take(MAX_WORDS).collect();
        if words.is_empty() {
            return Ok(None);
        }
        let (english, arabic) = (Stemmer::new(Algorithm::English), Stemmer::new(Algorithm::Arabic));
        let stem_of = |w: &str| analysis::stem(&english, &arabic, w);
        let exact_fields = [f.title_exact, f.body_exact];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let stem = stem_of(w);
            let mut one = vec![boosted(term(f.title, &stem), STEM * TITLE), boosted(term(f.body, &stem), STEM)];
            // Dictionary words this one may stand for, searched by their stems; the stem's
            // own words are matched already.
            let other = |t: &str| stem_of(t) != stem;
            let mut prefixed = Vec::new();
            if prefix_last && i + 1 == words.len() && w.chars().count() >= MIN_PREFIX_CHARS {
                prefixed = stems(expand::prefixed(searcher, &exact_fields, w, other, expansions)?, &stem_of, &[]);
            }
            let edits = if typos { typos_allowed(w.chars().count()) } else { 0 };
            let mut corrected = Vec::new();
            if edits > 0 {
                let found = expand::typos(searcher, &exact_fields, w, edits, other, expansions)?;
                corrected = stems(found, &stem_of, &prefixed);
            }
            for (found, weight) in [(&prefixed, PREFIX), (&corrected, FUZZY)] {
                if !found.is_empty() {
                    one.push(any_of(f.title, found, weight * TITLE));
                    one.push(any_of(f.body, found, weight));
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(one))));
            clauses.push(boosted(term(f.title_exact, w), EXACT * TITLE));
            clauses.push(boosted(term(f.body_exact, w), EXACT));
        }
        if words.len() > 1 {
            for (field, by) in [(f.title_exact, PHRASE * TITLE), (f.body_exact, PHRASE)] {
                let terms = words.iter().map(|w| Term::from_field_text(field, w)).collect();
                clauses.push(boosted(Box::new(PhraseQuery::new(terms)), by));
            }
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    fn filtered(&self, text: Box<dyn Query>, r: &SearchRequest) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        if !r.kinds.is_empty() {
            let kinds = r.kinds.iter().map(|k| (Occur::Should, term(f.kind, k.name()))).collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        for (name, value) in [("category", &r.category), ("industry", &r.industry), ("city", &r.city)] {
            if let Some(v) = value {
                let folded = analysis::words(&mut analysis::keyword(), &filter_value(name, v)).concat();
                clauses.push((Occur::Must, term(f.filters, &folded)));
            }
        }
        if let Some(org) = r.org {
            clauses.push((Occur::Must, term(f.org, &org.to_string())));
        }
        if r.from.is_some() || r.to.is_some() {
            let at = |t: i64| Term::from_field_i64(f.created, t);
            let lower = r.from.map_or(Bound::Unbounded, |t| Bound::Included(at(t)));
            let upper = r.to.map_or(Bound::Unbounded, |t| Bound::Excluded(at(t)));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Searches; `None` when `q` has no words to look for.
    pub fn search(&self, r: &SearchRequest) -> SearchResult<Option<SearchPage>> {
        let searcher = self.searcher();
        let prefix_last = !r.q.ends_with(char::is_whitespace);
        let text = self.text_query(&searcher, &r.q, prefix_last, true, expand::MAX_EXPANSIONS)?;
        let Some(text) = text else { return Ok(None) };
        let query = self.filtered(text, r);
        let facets = facets::FacetCollector { fields: vec!["kind", "category", "city"] };
        let top = TopDocs::with_limit(r.limit.max(1)).and_offset(r.offset).order_by_score();
        let (top, total, facets) = searcher.search(&*query, &(top, Count, facets))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*query, self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            if let Some(hit) = self.hit(&searcher, &snippets, address, score)? {
                hits.push(hit);
            }
        }
        Ok(Some(SearchPage { hits, total: total as u64, facets }))
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        snippets: &SnippetGenerator,
        address: DocAddress,
        score: f32,
    ) -> SearchResult<Option<Hit>> {
        let f = self.fields;
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let Some(kind) = SearchKind::from_name(&text(f.kind)) else { return Ok(None) };
        let snippet = snippets.snippet_from_doc(&doc);
        let snippet = if snippet.highlighted().is_empty() {
            escape(&text(f.body).chars().take(SNIPPET_CHARS).collect::<String>())
        } else {
            marked(snippet.fragment(), snippet.highlighted())
        };
        let optional = |field: Field| Some(text(field)).filter(|s| !s.is_empty());
        Ok(Some(Hit {
            kind,
            key: text(f.key),
            title: text(f.label),
            snippet,
            score,
            topic: optional(f.topic),
            org: optional(f.org),
            slug: text(f.slug),
            org_slug: text(f.org_slug),
        }))
    }

    /// The keys of every document of `kind` that `q` finds (at most `cap`, in no order);
    /// `None` when `q` has no words. The text filters of the lists use this, without typo
    /// tolerance: a filter narrows a list (`factory3` must not keep `factory1`).
    pub fn matching_keys(&self, q: &str, kind: SearchKind, cap: usize) -> SearchResult<Option<Vec<String>>> {
        let searcher = self.searcher();
        let text = self.text_query(&searcher, q, true, false, expand::MAX_FILTER_EXPANSIONS)?;
        let Some(text) = text else { return Ok(None) };
        let query = self.filtered(text, &SearchRequest { kinds: vec![kind], ..Default::default() });
        Ok(Some(searcher.search(&*query, &facets::KeyCollector { cap })?))
    }

    /// Titles and names for search-as-you-type: every word matched as typed and the last as
    /// a prefix (of two letters or more: its most frequent completions), in titles only (a
    /// reply's is its topic's, not searched); at most `limit`.
    pub fn suggest(&self, q: &str, limit: usize) -> SearchResult<Vec<Hit>> {
        let f = self.fields;
        let words: Vec<String> = analysis::words(&mut analysis::exact(), q).into_iter().take(MAX_WORDS).collect();
        let Some((last, rest)) = words.split_last() else { return Ok(Vec::new()) };
        if last.chars().count() < MIN_PREFIX_CHARS {
            return Ok(Vec::new());
        }
        let searcher = self.searcher();
        let completions = expand::prefixed(&searcher, &[f.title_exact], last, |_| true, expand::MAX_EXPANSIONS)?;
        if completions.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            rest.iter().map(|w| (Occur::Must, term(f.title_exact, w))).collect();
        let any = completions.iter().map(|c| (Occur::Should, term(f.title_exact, c))).collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let snippets = SnippetGenerator::create(&searcher, &query, f.body)?;
        let mut out = Vec::with_capacity(top.len());
        for (score, address) in top {
            out.extend(self.hit(&searcher, &snippets, address, score)?);
        }
        Ok(out)
    }
}

/// The distinct stems of `words`, leaving out those in `known`.
fn stems(words: Vec<String>, stem_of: &impl Fn(&str) -> String, known: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        let s = stem_of(&w);
        if !out.contains(&s) && !known.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// `fragment` escaped, with the `highlighted` byte ranges in `<mark>`.
fn marked(fragment: &str, highlighted: &[std::ops::Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for r in highlighted {
        let (Some(before), Some(word)) = (fragment.get(at..r.start), fragment.get(r.start..r.end)) else { continue };
        out.push_str(&escape(before));
        out.push_str("<mark>");
        out.push_str(&escape(word));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(fragment.get(at..).unwrap_or_default()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_wrap_the_matches_and_everything_is_escaped() {
        let fragment = "<b>valve</b> & pump";
        assert_eq!(marked(fragment, &[3..8, 15..19]), "&lt;b&gt;<mark>valve</mark>&lt;/b&gt; &amp; <mark>pump</mark>");
        assert_eq!(typos_allowed(4), 0);
        assert_eq!((typos_allowed(5), typos_allowed(8), typos_allowed(9)), (1, 1, 2));
    }
}
