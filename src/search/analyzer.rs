//! Text analysis for the search index: how a message becomes the terms tantivy stores, and
//! how a query word becomes the terms looked up. Documents and queries must go through the
//! same analyzer, or they will not meet.
//!
//! The pipeline is one tokenizer and a few filters:
//!
//! 1. [`WordsAndBigrams`] cuts the text into words (runs of letters and digits; punctuation,
//!    `_`, apostrophes, emoji and spaces separate them) and cuts Chinese, Japanese and Korean
//!    text, which has no spaces between words, into overlapping pairs of characters.
//! 2. `RemoveLongFilter` drops tokens longer than [`MAX_TOKEN_BYTES`] (base64, hashes, URLs
//!    glued together: nobody searches for them and they bloat the index).
//! 3. `LowerCaser`, then [`StripMarks`] (combining accents, variation selectors, soft
//!    hyphens), then `AsciiFoldingFilter` (`é` → `e`, `ß` → `ss`, fullwidth `Ａ` → `a`).
//! 4. For [`STEMMED`] only, tantivy's Snowball `Stemmer` (`running` → `run`) for the
//!    configured language.
//!
//! # Chinese, Japanese and Korean
//!
//! A run of CJK characters (Han ideographs, Hiragana, Katakana including halfwidth forms,
//! Hangul syllables and jamo) becomes its overlapping bigrams, each at its own position:
//! `東京タワー` → `東京`, `京タ`, `タワ`, `ワー`. A run of a single character becomes that
//! character. A query word of two or more CJK characters, analysed the same way, becomes
//! the bigrams of that word at consecutive positions, so **a word that analyses to several
//! tokens must be searched as a phrase** of those tokens: then `東京` finds `東京タワー` and
//! `タワー` finds it too, without a dictionary. A single-character query only matches a
//! single-character run exactly; a prefix query on it (`東*`) finds the bigrams it starts.

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Tokenizer names registered on an index.
pub const STEMMED: &str = "hearth_stemmed";
pub const PLAIN: &str = "hearth_plain";

/// Tokens longer than this many bytes (before lower-casing) are not indexed, and so cannot
/// be searched for either.
pub const MAX_TOKEN_BYTES: usize = 40;

/// Language codes and their Snowball stemmers: every language tantivy's `Language` has.
const STEMMERS: [(&str, Language); 18] = [
    ("en", Language::English),
    ("ar", Language::Arabic),
    ("da", Language::Danish),
    ("de", Language::German),
    ("el", Language::Greek),
    ("es", Language::Spanish),
    ("fi", Language::Finnish),
    ("fr", Language::French),
    ("hu", Language::Hungarian),
    ("it", Language::Italian),
    ("nl", Language::Dutch),
    ("no", Language::Norwegian),
    ("pt", Language::Portuguese),
    ("ro", Language::Romanian),
    ("ru", Language::Russian),
    ("sv", Language::Swedish),
    ("ta", Language::Tamil),
    ("tr", Language::Turkish),
];

/// The codes of `STEMMERS` in the same order, then `none`.
const CODES: [&str; 19] = [
    "en", "ar", "da", "de", "el", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv",
    "ta", "tr", "none",
];

/// Languages with a stemmer, by the codes admins write in config, plus "none" for no
/// stemming.
pub fn supported_languages() -> &'static [&'static str] {
    &CODES
}

/// Whether `code` is one of `supported_languages()` (case-insensitive).
pub fn is_supported(code: &str) -> bool {
    CODES.iter().any(|known| known.eq_ignore_ascii_case(code))
}

fn stemmer_for(code: &str) -> Option<Language> {
    STEMMERS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(code))
        .map(|&(_, language)| language)
}

/// The analyzer for the `message` field: words, lower-cased, folded, stemmed for
/// `language` (unknown codes or "none": no stemming). CJK as in the module documentation.
pub fn stemmed(language: &str) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(WordsAndBigrams::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1))
        .filter(LowerCaser)
        .filter(StripMarks)
        .filter(AsciiFoldingFilter);
    match stemmer_for(language) {
        Some(language) => builder.filter(Stemmer::new(language)).build(),
        None => builder.build(),
    }
}

/// Same without stemming (for prefix queries and exact phrases, and names).
pub fn plain() -> TextAnalyzer {
    stemmed("none")
}

/// Registers both under STEMMED and PLAIN on `index`. Registrations live in memory only:
/// call this every time an index is created or opened, before writing or searching.
pub fn register(index: &Index, language: &str) {
    index.tokenizers().register(STEMMED, stemmed(language));
    index.tokenizers().register(PLAIN, plain());
}

/// Runs `text` through `analyzer` and returns the token texts in order (for the executor,
/// which analyses query words the same way as the documents, and for tests). Several
/// tokens from one query word (CJK bigrams, `e-mail` → `e`, `mail`) mean a phrase.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    positioned_tokens(analyzer, text)
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// Like [`tokens`], with each token's position counted from the first token. Positions
/// skip where an over-long token was dropped, so a phrase built with
/// `PhraseQuery::new_with_offset` from these keeps the document's gaps and still matches.
pub fn positioned_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut first = None;
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        let first = *first.get_or_insert(token.position);
        out.push((token.position - first, token.text.clone()));
    }
    out
}

/// Splits text into words, and CJK runs into overlapping bigrams (see the module docs).
///
/// Offsets are byte offsets into the text; the word text is the slice between them, and a
/// bigram's text is its two characters after normalisation: halfwidth katakana become
/// fullwidth, and decomposed kana (`か` + U+3099) and Hangul jamo sequences are composed, so
/// text typed on any keyboard, or a file name from macOS (decomposed), matches.
#[derive(Clone, Default)]
pub struct WordsAndBigrams {
    token: Token,
    run: Vec<Unit>,
}

/// One character of a CJK run, after normalisation, and the bytes it came from.
#[derive(Clone, Copy, Debug)]
struct Unit {
    ch: char,
    from: usize,
    to: usize,
}

/// The token stream of [`WordsAndBigrams`].
pub struct WordsAndBigramsStream<'a> {
    text: &'a str,
    /// Byte offset where scanning resumes.
    cursor: usize,
    token: &'a mut Token,
    /// The CJK run being emitted as bigrams, and the index of the next bigram's first unit.
    run: &'a mut Vec<Unit>,
    next_in_run: usize,
}

impl Tokenizer for WordsAndBigrams {
    type TokenStream<'a> = WordsAndBigramsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordsAndBigramsStream<'a> {
        self.token.reset();
        self.run.clear();
        WordsAndBigramsStream {
            text,
            cursor: 0,
            token: &mut self.token,
            run: &mut self.run,
            next_in_run: 0,
        }
    }
}

impl WordsAndBigramsStream<'_> {
    /// Emits the next bigram (or lone character) of the current run, if any is left.
    fn next_from_run(&mut self) -> bool {
        let i = self.next_in_run;
        let (first, last) = match self.run.len() {
            1 if i == 0 => (self.run[0], self.run[0]),
            len if i + 1 < len => (self.run[i], self.run[i + 1]),
            _ => return false,
        };
        self.next_in_run += 1;
        self.token.text.clear();
        self.token.text.push(first.ch);
        if i + 1 < self.run.len() {
            self.token.text.push(last.ch);
        }
        self.emit(first.from, last.to);
        true
    }

    fn emit(&mut self, from: usize, to: usize) {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
    }

    /// Reads the CJK run starting at `self.cursor` into `self.run`, and moves past it.
    fn read_run(&mut self) {
        self.run.clear();
        self.next_in_run = 0;
        let (text, start) = (self.text, self.cursor);
        for (at, c) in text[start..].char_indices() {
            let from = start + at;
            let to = from + c.len_utf8();
            if let Some(mark) = voicing_mark(c)
                && let Some(last) = self.run.last_mut()
            {
                last.ch = compose_voiced(last.ch, mark).unwrap_or(last.ch);
                last.to = to;
            } else if is_cjk(c) {
                let ch = widen_katakana(c);
                if let Some(last) = self.run.last_mut()
                    && let Some(syllable) = compose_hangul(last.ch, ch)
                {
                    last.ch = syllable;
                    last.to = to;
                } else {
                    self.run.push(Unit { ch, from, to });
                }
            } else if is_mark(c)
                && let Some(last) = self.run.last_mut()
            {
                last.to = to;
            } else {
                self.cursor = from;
                return;
            }
        }
        self.cursor = text.len();
    }

    /// The end of the word starting at `from`: letters and digits that are not CJK, and the
    /// combining marks that follow them.
    fn word_end(&self, from: usize) -> usize {
        self.text[from..]
            .char_indices()
            .find(|&(_, c)| is_cjk(c) || !(c.is_alphanumeric() || is_mark(c)))
            .map_or(self.text.len(), |(at, _)| from + at)
    }
}

impl TokenStream for WordsAndBigramsStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next_from_run() {
            return true;
        }
        while let Some(c) = self.text[self.cursor..].chars().next() {
            let from = self.cursor;
            if is_cjk(c) {
                self.read_run();
                if self.next_from_run() {
                    return true;
                }
            } else if c.is_alphanumeric() && !is_mark(c) {
                let to = self.word_end(from);
                self.cursor = to;
                self.token.text.clear();
                self.token.text.push_str(&self.text[from..to]);
                self.emit(from, to);
                return true;
            } else {
                self.cursor += c.len_utf8();
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Whether `c` is a CJK letter: cut into bigrams rather than read as part of a word.
/// Punctuation and symbols in these blocks (`。`, `「`, `・`) are not letters and separate.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'     // Hangul jamo
        | '\u{3000}'..='\u{303F}'   // CJK symbols: only 々 〆 〇 and kin are letters
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3100}'..='\u{31BF}'   // Bopomofo, Hangul compatibility jamo
        | '\u{31F0}'..='\u{31FF}'   // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'   // Han extension A
        | '\u{4E00}'..='\u{9FFF}'   // Han
        | '\u{A960}'..='\u{A97F}'   // Hangul jamo extended A
        | '\u{AC00}'..='\u{D7FF}'   // Hangul syllables, jamo extended B
        | '\u{F900}'..='\u{FAFF}'   // Han compatibility
        | '\u{FF66}'..='\u{FF9F}'   // halfwidth Katakana
        | '\u{FFA0}'..='\u{FFDC}'   // halfwidth Hangul
        | '\u{1AFF0}'..='\u{1B16F}' // Kana extensions and supplement
        | '\u{20000}'..='\u{3FFFF}' // Han extensions B and later
    ) && c.is_alphanumeric()
}

/// Combining marks that belong to the letter before them and are dropped from the term:
/// accents typed or stored decomposed (`e` + U+0301), Hebrew and Arabic vowel points,
/// tatweel, variation selectors, zero-width (non-)joiners and soft hyphens.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}'
        | '\u{05C1}'..='\u{05C2}'
        | '\u{05C4}'..='\u{05C5}'
        | '\u{05C7}'
        | '\u{0610}'..='\u{061A}'
        | '\u{0640}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Halfwidth katakana U+FF66..=U+FF9D in their fullwidth forms.
const FULLWIDTH_KATAKANA: [char; 56] = [
    'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ', 'エ', 'オ',
    'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ',
    'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ',
    'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

fn widen_katakana(c: char) -> char {
    let index = (c as usize).wrapping_sub(0xFF66);
    FULLWIDTH_KATAKANA.get(index).copied().unwrap_or(c)
}

/// The combining (semi-)voiced sound mark `c` is, halfwidth forms included.
fn voicing_mark(c: char) -> Option<char> {
    match c {
        '\u{3099}' | '\u{FF9E}' => Some('\u{3099}'),
        '\u{309A}' | '\u{FF9F}' => Some('\u{309A}'),
        _ => None,
    }
}

/// `base` with the combining voiced (U+3099) or semi-voiced (U+309A) mark, precomposed:
/// `か` → `が`, `ハ` → `パ`.
fn compose_voiced(base: char, mark: char) -> Option<char> {
    let special = match (base, mark) {
        ('ワ', '\u{3099}') => Some('ヷ'),
        ('ヰ', '\u{3099}') => Some('ヸ'),
        ('ヱ', '\u{3099}') => Some('ヹ'),
        ('ヲ', '\u{3099}') => Some('ヺ'),
        ('ゝ', '\u{3099}') => Some('ゞ'),
        ('ヽ', '\u{3099}') => Some('ヾ'),
        _ => None,
    };
    if special.is_some() {
        return special;
    }
    // Katakana mirrors hiragana 0x60 code points higher.
    let (hiragana, shift) = match base as u32 {
        code @ 0x30A1..=0x30F6 => (code - 0x60, 0x60),
        code => (code, 0),
    };
    let step = match (hiragana, mark) {
        (0x3046, '\u{3099}') => 0x3094 - 0x3046, // う → ゔ
        (0x304B..=0x3062, '\u{3099}') if (hiragana - 0x304B) % 2 == 0 => 1, // か..ち
        (0x3064..=0x3068, '\u{3099}') if (hiragana - 0x3064) % 2 == 0 => 1, // つ て と
        (0x306F..=0x307D, '\u{3099}') if (hiragana - 0x306F) % 3 == 0 => 1, // は..ほ
        (0x306F..=0x307D, '\u{309A}') if (hiragana - 0x306F) % 3 == 0 => 2,
        _ => return None,
    };
    char::from_u32(hiragana + step + shift)
}

/// The Hangul syllable that conjoining jamo `next` makes with `prev`, if any:
/// a leading consonant and a vowel, or such a syllable and a trailing consonant.
fn compose_hangul(prev: char, next: char) -> Option<char> {
    let (prev, next) = (prev as u32, next as u32);
    let syllable = match (prev, next) {
        (0x1100..=0x1112, 0x1161..=0x1175) => 0xAC00 + ((prev - 0x1100) * 21 + next - 0x1161) * 28,
        (0xAC00..=0xD7A3, 0x11A8..=0x11C2) if (prev - 0xAC00) % 28 == 0 => prev + next - 0x11A7,
        _ => return None,
    };
    char::from_u32(syllable)
}

/// Token filter that removes [combining marks](is_mark) from the token text, whether the
/// text came with them (decomposed accents) or lower-casing made them (`İ` → `i̇`).
#[derive(Clone)]
pub struct StripMarks;

impl TokenFilter for StripMarks {
    type Tokenizer<T: Tokenizer> = StripMarksFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StripMarksFilter<T> {
        StripMarksFilter { inner }
    }
}

/// The tokenizer [`StripMarks`] wraps around another.
#[derive(Clone)]
pub struct StripMarksFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StripMarksFilter<T> {
    type TokenStream<'a> = StripMarksStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StripMarksStream {
            inner: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`StripMarksFilter`].
pub struct StripMarksStream<S> {
    inner: S,
}

impl<S: TokenStream> TokenStream for StripMarksStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let text = &mut self.inner.token_mut().text;
        if !text.is_ascii() && text.chars().any(is_mark) {
            text.retain(|c| !is_mark(c));
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{PhraseQuery, Query, TermQuery};
    use tantivy::schema::{
        Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
    };
    use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};

    use super::*;

    fn stem(language: &str, text: &str) -> Vec<String> {
        tokens(&mut stemmed(language), text)
    }

    fn plain_tokens(text: &str) -> Vec<String> {
        tokens(&mut plain(), text)
    }

    fn all_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |token| out.push(token.clone()));
        out
    }

    #[test]
    fn english_words_share_a_stem() {
        assert_eq!(stem("en", "running runs run"), ["run", "run", "run"]);
        assert_eq!(stem("en", "Connection connected"), ["connect", "connect"]);
        assert_eq!(stem("EN", "Dogs"), ["dog"], "codes are case-insensitive");
    }

    #[test]
    fn case_and_accents_fold() {
        assert_eq!(plain_tokens("CAFÉ"), ["cafe"]);
        assert_eq!(plain_tokens("café"), plain_tokens("cafe"));
        assert_eq!(plain_tokens("cafe\u{301}"), ["cafe"], "decomposed accent");
        assert_eq!(plain_tokens("ÜBER Straße"), ["uber", "strasse"]);
        assert_eq!(
            plain_tokens("İstanbul"),
            ["istanbul"],
            "lower-casing adds a mark"
        );
        assert_eq!(plain_tokens("ＨＥＡＲＴＨ"), ["hearth"], "fullwidth");
        assert_eq!(stem("en", "CAFÉS"), stem("en", "cafe"));
    }

    #[test]
    fn german_stems_with_de() {
        assert_eq!(stem("de", "Häuser"), stem("de", "Haus"));
        assert_eq!(stem("de", "Bücher"), stem("de", "Buch"));
        assert_eq!(stem("de", "Straße"), stem("de", "Strasse"));
        assert_eq!(stem("de", "Häuser"), ["haus"]);
    }

    #[test]
    fn none_and_unknown_languages_leave_words_whole() {
        assert_eq!(
            stem("none", "Running connections"),
            ["running", "connections"]
        );
        assert_eq!(
            stem("xx", "Running connections"),
            ["running", "connections"]
        );
        assert_eq!(
            plain_tokens("Running connections"),
            ["running", "connections"]
        );
    }

    #[test]
    fn languages_are_listed_and_checked() {
        assert_eq!(supported_languages().len(), 19);
        for code in supported_languages() {
            assert!(is_supported(code));
            assert!(is_supported(&code.to_uppercase()));
            assert_eq!(stemmer_for(code).is_none(), *code == "none", "{code}");
        }
        for (code, _) in STEMMERS {
            assert!(supported_languages().contains(&code), "{code}");
        }
        assert!(!is_supported("xx"));
        assert!(!is_supported(""));
        assert!(!is_supported("english"));
    }

    #[test]
    fn chinese_becomes_bigrams() {
        assert_eq!(plain_tokens("我爱北京"), ["我爱", "爱北", "北京"]);
        assert_eq!(
            plain_tokens("搜索引擎。很好"),
            ["搜索", "索引", "引擎", "很好"]
        );
    }

    #[test]
    fn japanese_mixed_with_latin() {
        assert_eq!(plain_tokens("東京タワー"), ["東京", "京タ", "タワ", "ワー"]);
        assert_eq!(stem("en", "Rustで東京"), ["rust", "で東", "東京"]);
        assert_eq!(
            stem("en", "Learning Rustを勉強しています"),
            [
                "learn", "rust", "を勉", "勉強", "強し", "して", "てい", "いま", "ます"
            ]
        );
        assert_eq!(
            plain_tokens("人々・時々"),
            ["人々", "時々"],
            "々 is a letter, ・ is not"
        );
    }

    #[test]
    fn kana_is_normalised() {
        assert_eq!(plain_tokens("ﾀﾜｰ"), plain_tokens("タワー"), "halfwidth");
        assert_eq!(
            plain_tokens("ｶﾞｲﾄﾞ"),
            plain_tokens("ガイド"),
            "halfwidth voiced"
        );
        assert_eq!(
            plain_tokens("ﾊﾟﾝ"),
            plain_tokens("パン"),
            "halfwidth semi-voiced"
        );
        assert_eq!(
            plain_tokens("か\u{3099}くせい"),
            plain_tokens("がくせい"),
            "decomposed hiragana"
        );
        assert_eq!(plain_tokens("ウ\u{3099}ァ"), plain_tokens("ヴァ"));
        assert_eq!(
            plain_tokens("葛\u{E0100}飾"),
            ["葛飾"],
            "variation selector"
        );
    }

    #[test]
    fn korean_becomes_bigrams() {
        assert_eq!(plain_tokens("한국어 검색"), ["한국", "국어", "검색"]);
        // 한 decomposed into conjoining jamo, as macOS file names store it.
        assert_eq!(plain_tokens("\u{1112}\u{1161}\u{11AB}국"), ["한국"]);
        assert_eq!(plain_tokens("Hearth는 좋다"), ["hearth", "는", "좋다"]);
    }

    #[test]
    fn a_single_cjk_character_is_a_token() {
        assert_eq!(plain_tokens("猫"), ["猫"]);
        assert_eq!(plain_tokens("a 猫 b"), ["a", "猫", "b"]);
        assert_eq!(plain_tokens("2024年"), ["2024", "年"]);
    }

    #[test]
    fn stemmers_leave_cjk_alone() {
        let cjk = "東京タワー 我爱北京 한국어 猫 で";
        let expected = plain_tokens(cjk);
        for code in supported_languages() {
            assert_eq!(stem(code, cjk), expected, "{code}");
        }
    }

    #[test]
    fn emoji_and_punctuation_separate_words() {
        assert_eq!(
            plain_tokens("Hello, world! 🎉🚀 snake_case don't e-mail #tag @user"),
            [
                "hello", "world", "snake", "case", "don", "t", "e", "mail", "tag", "user"
            ]
        );
        assert_eq!(plain_tokens("👍🏽 ... ❤️ 1️⃣"), ["1"]);
        assert!(plain_tokens("🎉!?…「」。、").is_empty());
        assert_eq!(plain_tokens("v1.2"), ["v1", "2"]);
    }

    #[test]
    fn offsets_point_at_the_source_bytes() {
        let text = "Zürich, 東京タワー! cafe\u{301} 🎉 한국";
        let tokens = all_tokens(&mut plain(), text);
        let sources: Vec<&str> = tokens
            .iter()
            .map(|t| &text[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(
            sources,
            [
                "Zürich",
                "東京",
                "京タ",
                "タワ",
                "ワー",
                "cafe\u{301}",
                "한국"
            ]
        );
        let decomposed = "ｶﾞｲﾄﾞ";
        let tokens = all_tokens(&mut plain(), decomposed);
        let sources: Vec<&str> = tokens
            .iter()
            .map(|t| &decomposed[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(sources, ["ｶﾞｲ", "ｲﾄﾞ"]);
    }

    #[test]
    fn positions_are_consecutive() {
        let tokens = all_tokens(&mut stemmed("en"), "Rust で東京タワー, and more 한국어");
        let positions: Vec<usize> = tokens.iter().map(|t| t.position).collect();
        assert_eq!(positions, (0..tokens.len()).collect::<Vec<_>>());
        assert_eq!(tokens.len(), 10);
    }

    #[test]
    fn very_long_words_are_dropped() {
        let forty = "a".repeat(40);
        let long = "b".repeat(41);
        let text = format!("keep {forty} {long} end");
        assert_eq!(plain_tokens(&text), ["keep", forty.as_str(), "end"]);
        assert_eq!(
            positioned_tokens(&mut plain(), &format!("start {long} end")),
            [(0, "start".to_string()), (2, "end".to_string())],
            "the gap stays"
        );
    }

    #[test]
    fn empty_input_has_no_tokens() {
        assert!(plain_tokens("").is_empty());
        assert!(stem("en", "   \n\t ").is_empty());
        assert!(positioned_tokens(&mut plain(), "").is_empty());
    }

    #[test]
    fn the_analyzer_can_be_reused() {
        let mut analyzer = stemmed("en");
        assert_eq!(
            tokens(&mut analyzer, "東京タワー"),
            ["東京", "京タ", "タワ", "ワー"]
        );
        assert_eq!(tokens(&mut analyzer, "猫 runs"), ["猫", "run"]);
        assert_eq!(tokens(&mut analyzer, "我爱"), ["我爱"]);
    }

    struct TestIndex {
        reader: IndexReader,
        message: Field,
        id: Field,
    }

    impl TestIndex {
        fn new(documents: &[(u64, &str)]) -> TestIndex {
            let mut schema = Schema::builder();
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(STEMMED)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let message = schema.add_text_field(
                "message",
                TextOptions::default().set_indexing_options(indexing),
            );
            let id = schema.add_u64_field("id", STORED);
            let index = Index::create_in_ram(schema.build());
            register(&index, "en");
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for &(number, text) in documents {
                writer
                    .add_document(doc!(id => number, message => text))
                    .unwrap();
            }
            writer.commit().unwrap();
            TestIndex {
                reader: index.reader().unwrap(),
                message,
                id,
            }
        }

        /// Ids of the documents matching `word`, analysed as the executor will.
        fn search(&self, word: &str) -> Vec<u64> {
            let terms: Vec<Term> = tokens(&mut stemmed("en"), word)
                .iter()
                .map(|token| Term::from_field_text(self.message, token))
                .collect();
            let query: Box<dyn Query> = match terms.len() {
                0 => return Vec::new(),
                1 => Box::new(TermQuery::new(
                    terms[0].clone(),
                    IndexRecordOption::WithFreqsAndPositions,
                )),
                _ => Box::new(PhraseQuery::new(terms)),
            };
            let searcher = self.reader.searcher();
            let hits = searcher
                .search(&query, &TopDocs::with_limit(10).order_by_score())
                .unwrap();
            let mut ids: Vec<u64> = hits
                .into_iter()
                .map(|(_, address)| {
                    let doc: TantivyDocument = searcher.doc(address).unwrap();
                    doc.get_first(self.id).and_then(|v| v.as_u64()).unwrap()
                })
                .collect();
            ids.sort_unstable();
            ids
        }
    }

    #[test]
    fn an_index_finds_words_in_every_script() {
        let index = TestIndex::new(&[
            (1, "The deployment is running on the new servers"),
            (2, "Connection refused by the CAFÉ proxy"),
            (3, "Die Häuser in Zürich sind teuer"),
            (4, "我们明天在北京开会"),
            (5, "東京タワーで会いましょう"),
            (6, "京都に行きます"),
            (7, "한국어 검색이 잘 됩니다"),
        ]);
        assert_eq!(index.search("runs"), [1]);
        assert_eq!(index.search("Deployed"), [1]);
        assert_eq!(index.search("connected"), [2]);
        assert_eq!(index.search("cafe"), [2]);
        assert_eq!(index.search("zurich"), [3]);
        assert_eq!(index.search("Häuser"), [3]);
        assert_eq!(index.search("北京"), [4]);
        assert_eq!(index.search("明天"), [4]);
        assert_eq!(index.search("开会"), [4]);
        assert_eq!(index.search("東京"), [5]);
        assert_eq!(index.search("タワー"), [5]);
        assert_eq!(index.search("ﾀﾜｰ"), [5]);
        assert_eq!(index.search("京都"), [6]);
        assert_eq!(index.search("検索"), Vec::<u64>::new());
        assert_eq!(index.search("검색"), [7]);
        assert_eq!(index.search("한국어"), [7]);
        assert_eq!(index.search("the"), [1, 2]);
        assert_eq!(index.search("missing"), Vec::<u64>::new());
        assert_eq!(index.search("!!!"), Vec::<u64>::new());
    }
}
