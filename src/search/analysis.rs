//! Text analysis for Arabic and English, chosen per token by its script.
//!
//! Words are split on anything that is neither a letter, a digit nor an Arabic mark (so a
//! word with diacritics stays one word). Every word is normalized: Arabic alef forms
//! (أ إ آ ٱ) become ا, ى becomes ي, ة becomes ه, tatweel and diacritics go, Arabic-Indic digits
//! become ASCII; other scripts are lower-cased and folded to ASCII where they can be. The
//! stemmed analyzer then stems Arabic words with the Snowball Arabic stemmer and the others
//! with the English one; the exact analyzer stops at normalization (exact matches rank
//! above stemmed ones because they match this one too).

use std::borrow::Cow;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{AsciiFoldingFilter, TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name of the stemmed analyzer in the index's tokenizer manager.
pub const STEMMED: &str = "bilingual";
/// Name of the normalizing, non-stemming analyzer.
pub const EXACT: &str = "bilingual_exact";
/// Name of the analyzer of whole filter values: one token, lower-cased.
pub const KEYWORD: &str = "keyword_folded";

/// Words longer than this (in bytes) are dropped: no one searches for them.
const MAX_WORD_BYTES: usize = 60;

/// Whether `c` is an Arabic letter (the blocks Arabic script is written in).
fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Arabic diacritics (harakat, shadda, sukun, dagger alef, Quranic marks) and tatweel.
fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_arabic_mark(c)
}

/// Normalizes one word into `out` (see the module's header); returns whether it is Arabic.
pub fn normalize_word(word: &str, out: &mut String) -> bool {
    out.clear();
    let mut arabic = false;
    for c in word.chars() {
        if is_arabic_mark(c) {
            continue;
        }
        let c = match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            c => c,
        };
        arabic |= is_arabic(c);
        out.extend(c.to_lowercase());
    }
    arabic
}

/// Splits text into normalized words, each with the script it is written in.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    tokens: Vec<Token>,
}

/// The words of one text, read out one by one.
pub struct Words<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
    current: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = Words<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Words<'a> {
        self.tokens.clear();
        let mut start = None;
        let mut normalized = String::new();
        let mut position = 0;
        let ends = text.char_indices().map(|(i, c)| (i, Some(c))).chain(std::iter::once((text.len(), None)));
        for (i, c) in ends {
            match (start, c.is_some_and(is_word_char)) {
                (None, true) => start = Some(i),
                (Some(from), false) => {
                    start = None;
                    let word = &text[from..i];
                    normalize_word(word, &mut normalized);
                    if normalized.is_empty() || normalized.len() > MAX_WORD_BYTES {
                        continue;
                    }
                    self.tokens.push(Token {
                        offset_from: from,
                        offset_to: i,
                        position,
                        text: normalized.clone(),
                        position_length: 1,
                    });
                    position += 1;
                }
                _ => {}
            }
        }
        Words { tokens: &mut self.tokens, next: 0, current: Token::default() }
    }
}

impl TokenStream for Words<'_> {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(t) => {
                self.current = std::mem::take(t);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Stems each word with the stemmer of its script.
#[derive(Clone)]
pub struct BilingualStemmer;

impl tantivy::tokenizer::TokenFilter for BilingualStemmer {
    type Tokenizer<T: Tokenizer> = StemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemmerFilter<T> {
        StemmerFilter { inner: tokenizer }
    }
}

/// `BilingualStemmer` around a tokenizer.
#[derive(Clone)]
pub struct StemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StemmerFilter<T> {
    type TokenStream<'a> = Stemmed<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        Stemmed {
            tail: self.inner.token_stream(text),
            english: Stemmer::new(Algorithm::English),
            arabic: Stemmer::new(Algorithm::Arabic),
        }
    }
}

/// The stemmed words of one text.
pub struct Stemmed<T> {
    tail: T,
    english: Stemmer,
    arabic: Stemmer,
}

/// `word` stemmed by the stemmer of its script; a word the stemmer strips to nothing stays
/// as it is (as the analyzer leaves it).
pub fn stem(english: &Stemmer, arabic: &Stemmer, word: &str) -> String {
    let stemmer = if word.chars().any(is_arabic) { arabic } else { english };
    let stemmed = match stemmer.stem(word) {
        Cow::Owned(s) => s,
        Cow::Borrowed(s) => s.to_owned(),
    };
    if stemmed.is_empty() { word.to_owned() } else { stemmed }
}

impl<T: TokenStream> TokenStream for Stemmed<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        token.text = stem(&self.english, &self.arabic, &token.text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The stemmed analyzer.
pub fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default()).filter(AsciiFoldingFilter).filter(BilingualStemmer).build()
}

/// The normalizing analyzer (no stemming).
pub fn exact() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default()).filter(AsciiFoldingFilter).build()
}

/// The filter-value analyzer: the whole value one token, lower-cased.
pub fn keyword() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default()).filter(tantivy::tokenizer::LowerCaser).build()
}

/// The words of `text` as `analyzer` makes them.
pub fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_letter_forms_diacritics_and_digits_normalize_alike() {
        let mut a = exact();
        assert_eq!(words(&mut a, "إدارة الصيانة"), words(&mut a, "ادارة الصيانه"));
        assert_eq!(words(&mut a, "المُضَخَّة"), words(&mut a, "المضخه"));
        assert_eq!(words(&mut a, "أنبوب آلي ٱلصمام"), vec!["انبوب", "الي", "الصمام"]);
        assert_eq!(words(&mut a, "مستشفى"), words(&mut a, "مستشفي"));
        assert_eq!(words(&mut a, "خط ٣٤ و۵"), vec!["خط", "34", "و5"]);
        assert_eq!(words(&mut a, "الـــصيانة"), words(&mut a, "الصيانة"));
    }

    #[test]
    fn english_is_folded_and_stemmed_and_arabic_stemmed_by_its_own_stemmer() {
        let mut s = stemmed();
        assert_eq!(words(&mut s, "Valves"), words(&mut s, "valve"));
        assert_eq!(words(&mut s, "maintained"), words(&mut s, "maintaining"));
        assert_eq!(words(&mut s, "Café"), vec!["cafe"]);
        assert_eq!(words(&mut s, "المضخات"), words(&mut s, "مضخة"), "{:?}", words(&mut s, "المضخات"));
        let mixed = words(&mut s, "Pump المضخة pumps");
        assert_eq!(mixed.len(), 3);
        assert_eq!(mixed[0], mixed[2]);
    }

    #[test]
    fn offsets_point_at_the_original_text() {
        let mut a = exact();
        let text = "Seal «المُضخة» leaks";
        let mut stream = a.token_stream(text);
        let mut spans = Vec::new();
        while stream.advance() {
            let t = stream.token();
            spans.push(text[t.offset_from..t.offset_to].to_owned());
        }
        assert_eq!(spans, vec!["Seal", "المُضخة", "leaks"]);
    }
}
