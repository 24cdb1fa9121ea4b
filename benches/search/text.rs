//! The search bench's queries, drawn from the words of the data set's text
//! (`service::bench_data::text`): two-word English and Arabic queries, the same with a typo or
//! with diacritics, search-as-you-type prefixes, and a marker word no text has.

pub use p2p_sandbox::service::bench_data::text::reply_body;
use p2p_sandbox::service::bench_data::text::{ARABIC, ENGLISH, FIRST_AR, FIRST_EN, Lang, casual};
use rand::{Rng, SeedableRng, rngs::StdRng};

/// Queries take their words from the first this many of a list.
pub const QUERY_RANKS: usize = 100;

/// Two different words from the first `QUERY_RANKS` of `lang`.
fn pair(rng: &mut StdRng, lang: &Lang) -> (&'static str, &'static str) {
    let ranks = QUERY_RANKS.min(lang.words.len());
    let a = rng.gen_range(0..ranks);
    let b = (a + rng.gen_range(1..ranks)) % ranks;
    (lang.words[a], lang.words[b])
}

/// `word` with one letter (not the first) changed so that it is no word of the list.
fn typo(rng: &mut StdRng, word: &str) -> String {
    loop {
        let mut chars: Vec<char> = word.chars().collect();
        let at = rng.gen_range(1..chars.len());
        let c = char::from(b'a' + rng.gen_range(0..26u8));
        if c == chars[at] {
            continue;
        }
        chars[at] = c;
        let t: String = chars.into_iter().collect();
        if !ENGLISH.words.contains(&t.as_str()) {
            return t;
        }
    }
}

/// `word` the casual way with diacritics on about half of its letters (at least one).
fn vocalized(rng: &mut StdRng, word: &str) -> String {
    const MARKS: [char; 5] = ['\u{064E}', '\u{064F}', '\u{0650}', '\u{0652}', '\u{0651}'];
    let mut out = String::new();
    let (casual, mut marked) = (casual(word), false);
    let n = casual.chars().count();
    for (j, c) in casual.chars().enumerate() {
        out.push(c);
        if rng.gen_bool(0.5) || (j + 1 == n && !marked) {
            out.push(MARKS[rng.gen_range(0..MARKS.len())]);
            marked = true;
        }
    }
    out
}

/// The queries of each phase; `english[i]`, `typo[i]` share their words but one, and
/// `arabic[i]` and `arabic_marked[i]` are the same words written two ways.
pub struct Queries {
    pub english: Vec<String>,
    pub typo: Vec<String>,
    pub arabic: Vec<String>,
    pub arabic_marked: Vec<String>,
    pub suggest: Vec<String>,
}

/// The first `n` characters of `word`.
fn prefix(word: &str, n: usize) -> String {
    word.chars().take(n).collect()
}

/// `n` queries of each kind.
pub fn queries(n: usize) -> Queries {
    let mut rng = StdRng::seed_from_u64(14);
    let mut q = Queries { english: vec![], typo: vec![], arabic: vec![], arabic_marked: vec![], suggest: vec![] };
    while q.english.len() < n {
        let (a, b) = pair(&mut rng, &ENGLISH);
        // The typo goes into a word of five letters or more (shorter ones get no tolerance).
        let typed = match (a.len() >= 5, b.len() >= 5) {
            (_, true) => format!("{a} {}", typo(&mut rng, b)),
            (true, false) => format!("{} {b}", typo(&mut rng, a)),
            (false, false) => continue,
        };
        q.english.push(format!("{a} {b}"));
        q.typo.push(typed);
    }
    for _ in 0..n {
        let (a, b) = pair(&mut rng, &ARABIC);
        q.arabic.push(format!("{a} {b}"));
        q.arabic_marked.push(format!("{} {}", vocalized(&mut rng, a), vocalized(&mut rng, b)));
    }
    fn ranked(lang: &Lang, rng: &mut StdRng) -> &'static str {
        lang.words[rng.gen_range(0..QUERY_RANKS.min(lang.words.len()))]
    }
    for i in 0..n {
        // Search-as-you-type: a word being typed, a word and the start of the next, a name.
        let s = match i % 5 {
            0 => prefix(ranked(&ENGLISH, &mut rng), rng.gen_range(3..=5)),
            1 => prefix(ranked(&ARABIC, &mut rng), rng.gen_range(2..=4)),
            2 => format!("{} {}", ranked(&ENGLISH, &mut rng), prefix(ranked(&ENGLISH, &mut rng), 3)),
            3 => format!("{} {}", ranked(&ARABIC, &mut rng), prefix(ranked(&ARABIC, &mut rng), 3)),
            _ if i % 2 == 0 => prefix(FIRST_EN[rng.gen_range(0..FIRST_EN.len())], 3),
            _ => prefix(FIRST_AR[rng.gen_range(0..FIRST_AR.len())], 2),
        };
        q.suggest.push(s);
    }
    q
}

/// A word no text has: letters no English or Arabic word is made of in that order, so the
/// freshness probe finds exactly the one reply that carries it.
pub fn marker(rng: &mut StdRng) -> String {
    const LETTERS: &[u8] = b"bcdfghjklmnpqrstvwxz";
    let tail: String = (0..10).map(|_| char::from(LETTERS[rng.gen_range(0..LETTERS.len())])).collect();
    format!("zq{tail}")
}
