//! Facet counts: for every matching document, its value of a few string fields (kind,
//! category, city) is counted, by term ordinal within a segment (no string is read per
//! document) and by value across segments.

use tantivy::{
    DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::StrColumn,
};

/// Counts by value, per field name (an empty value is not counted).
pub type Counts = crate::domain::search::FacetCounts;

/// Counts the values of `fields` (string fast fields) among the matches.
pub struct FacetCollector {
    pub fields: Vec<&'static str>,
}

/// One segment's counts, by term ordinal.
pub struct SegmentFacets {
    columns: Vec<(&'static str, Option<StrColumn>, Vec<u64>)>,
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = SegmentFacets;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let mut columns = Vec::with_capacity(self.fields.len());
        for name in &self.fields {
            let column = segment.fast_fields().str(name)?;
            let size = column.as_ref().map_or(0, |c| c.num_terms());
            columns.push((*name, column, vec![0; size]));
        }
        Ok(SegmentFacets { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::new();
        for fruit in fruits {
            for (field, counts) in fruit {
                let merged = all.entry(field).or_default();
                for (value, n) in counts {
                    *merged.entry(value).or_default() += n;
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (_, column, counts) in &mut self.columns {
            let Some(column) = column else { continue };
            for ord in column.ords().values_for_doc(doc) {
                if let Some(n) = counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out = Counts::new();
        for (name, column, counts) in self.columns {
            let field = out.entry(name.to_owned()).or_default();
            let Some(column) = column else { continue };
            let mut value = String::new();
            for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) && !value.is_empty() {
                    *field.entry(value.clone()).or_default() += n;
                }
            }
        }
        out
    }
}

/// The `key` of every matching document (up to `cap`), read from its fast field.
pub struct KeyCollector {
    pub cap: usize,
}

/// One segment's keys.
pub struct SegmentKeys {
    column: Option<StrColumn>,
    keys: Vec<String>,
    cap: usize,
}

impl Collector for KeyCollector {
    type Fruit = Vec<String>;
    type Child = SegmentKeys;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentKeys> {
        Ok(SegmentKeys { column: segment.fast_fields().str("key")?, keys: Vec::new(), cap: self.cap })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<String>>) -> tantivy::Result<Vec<String>> {
        Ok(fruits.into_iter().flatten().take(self.cap).collect())
    }
}

impl SegmentCollector for SegmentKeys {
    type Fruit = Vec<String>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(column) = &self.column else { return };
        if self.keys.len() >= self.cap {
            return;
        }
        let mut key = String::new();
        if let Some(ord) = column.ords().first(doc)
            && column.ord_to_str(ord, &mut key).unwrap_or(false)
        {
            self.keys.push(key);
        }
    }

    fn harvest(self) -> Vec<String> {
        self.keys
    }
}
