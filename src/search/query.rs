//! The Mattermost search syntax: turns what a user typed in the search box into a
//! [`SearchQuery`].
//!
//! Pure logic: no index, no store, no analyzer. Words, prefixes and phrases are kept as typed
//! (case, accents, CJK, punctuation inside them); the executor runs them through the index's
//! analyzer. Only hashtags and filter values (usernames, channel names) are lower-cased here.
//!
//! The syntax, element by element (elements are separated by white space; a `"` also ends a
//! word and starts a phrase):
//!
//! | typed                       | becomes                                              |
//! |-----------------------------|------------------------------------------------------|
//! | `word`                      | [`Term::Word`]                                       |
//! | `wor*`                      | [`Term::Prefix`] (`*` elsewhere is dropped)          |
//! | `"two words"`               | [`Term::Phrase`] (an unbalanced `"` runs to the end) |
//! | `-word`, `-wor*`, `-"a b"`  | the same in [`SearchQuery::excluded`]                |
//! | `#tag`, `-#tag`             | a hashtag, lower-cased, without `#`                  |
//! | `from:alice`, `-from:@bob`  | a username, lower-cased, without `@`                 |
//! | `in:town-square`, `in:~x`   | a channel name, lower-cased, without `~`             |
//! | `in:@alice`                 | the direct channel with alice, kept as `@alice`      |
//! | `on:`/`before:`/`after:`    | a [`Day`] (`YYYY-MM-DD`)                             |
//!
//! Parsing never fails on odd input (lone `-`, `*`, `#`, `""`, `from:` without a value are
//! ignored); it fails only on a bad date or a query too long or with too many elements.

use std::fmt;

/// One searchable element of the message text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    /// A word as typed (not yet analysed: the executor runs it through the index's analyzer).
    Word(String),
    /// `term*`: words starting with this (the text before `*`, non-empty).
    Prefix(String),
    /// `"several words"` as typed, without the quotes (and without white space at either end).
    Phrase(String),
}

impl Term {
    /// The text of the term, whatever its kind.
    pub fn text(&self) -> &str {
        match self {
            Term::Word(text) | Term::Prefix(text) | Term::Phrase(text) => text,
        }
    }
}

/// A calendar day (no time zone: the executor applies the user's offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// What the user searched for.
///
/// Several `from:` are ORed among themselves, and so are several `in:` (Mattermost
/// semantics); everything else is combined by the executor (AND, or OR for `is_or_search`).
/// The lists of hashtags, users and channels hold each value once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words, prefixes and phrases the text must contain.
    pub terms: Vec<Term>,
    /// Words, prefixes and phrases the text must not contain (`-word`).
    pub excluded: Vec<Term>,
    /// Without the `#`, lower-cased.
    pub hashtags: Vec<String>,
    /// `-#tag`: without the `#`, lower-cased.
    pub excluded_hashtags: Vec<String>,
    /// `from:` usernames, without `@`, lower-cased.
    pub from_users: Vec<String>,
    /// `-from:` usernames, without `@`, lower-cased.
    pub excluded_from_users: Vec<String>,
    /// `in:` channel names, without `~`, lower-cased. A value starting with `@` (`in:@alice`)
    /// names the direct-message channel with that user (channel names never contain `@`).
    pub in_channels: Vec<String>,
    /// `-in:` channel names, same form as [`SearchQuery::in_channels`].
    pub excluded_in_channels: Vec<String>,
    /// `on:`: posts of that day. The last `on:` typed wins.
    pub on: Option<Day>,
    /// `before:`: posts strictly before that day. The last one typed wins.
    pub before: Option<Day>,
    /// `after:`: posts strictly after that day. The last one typed wins.
    pub after: Option<Day>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the search is too long: at most {max} characters")]
    TooLong { max: usize },
    #[error("the search has too many terms: at most {max}")]
    TooManyTerms { max: usize },
    #[error("{0:?} is not a date; use YYYY-MM-DD")]
    BadDate(String),
}

/// The longest search accepted, in characters (not bytes).
pub const MAX_QUERY_CHARS: usize = 1024;
/// The most elements (terms, exclusions, hashtags and filters together) a search may have.
pub const MAX_TERMS: usize = 32;

/// Hashtags are `#` + a letter + letters, digits, `_`, `-`, `.`: 3 to 50 characters with `#`.
const HASHTAG_MIN_CHARS: usize = 2;
const HASHTAG_MAX_CHARS: usize = 49;

impl SearchQuery {
    /// Parses what the user typed. Never panics, whatever the input.
    pub fn parse(input: &str) -> Result<SearchQuery, QueryError> {
        if input.chars().nth(MAX_QUERY_CHARS).is_some() {
            return Err(QueryError::TooLong {
                max: MAX_QUERY_CHARS,
            });
        }
        let mut query = SearchQuery::default();
        for raw in (RawElements { rest: input }) {
            if let Some(element) = classify(raw)? {
                query.add(element);
                // Checked as we go, so a query of thousands of elements stops early.
                if query.element_count() > MAX_TERMS {
                    return Err(QueryError::TooManyTerms { max: MAX_TERMS });
                }
            }
        }
        Ok(query)
    }

    /// Whether nothing at all would be searched for (no terms, hashtags, or filters).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.excluded.is_empty()
            && self.hashtags.is_empty()
            && self.excluded_hashtags.is_empty()
            && self.from_users.is_empty()
            && self.excluded_from_users.is_empty()
            && self.in_channels.is_empty()
            && self.excluded_in_channels.is_empty()
            && self.on.is_none()
            && self.before.is_none()
            && self.after.is_none()
    }

    /// Whether there is something to match in the text (terms or hashtags), as opposed to
    /// only filters (`from:alice` alone lists alice's posts, which Mattermost allows).
    ///
    /// Excluded terms and hashtags do not count: they only remove posts, so `-foo` alone is
    /// a filter over everything else.
    pub fn has_text(&self) -> bool {
        !self.terms.is_empty() || !self.hashtags.is_empty()
    }

    /// How many distinct elements the query holds (a repeated word or a replaced date
    /// counts once), the number [`MAX_TERMS`] limits.
    fn element_count(&self) -> usize {
        self.terms.len()
            + self.excluded.len()
            + self.hashtags.len()
            + self.excluded_hashtags.len()
            + self.from_users.len()
            + self.excluded_from_users.len()
            + self.in_channels.len()
            + self.excluded_in_channels.len()
            + usize::from(self.on.is_some())
            + usize::from(self.before.is_some())
            + usize::from(self.after.is_some())
    }

    fn add(&mut self, element: Element) {
        match element {
            Element::Term { term, excluded } => push_unique(
                if excluded {
                    &mut self.excluded
                } else {
                    &mut self.terms
                },
                term,
            ),
            Element::Hashtag { tag, excluded } => push_unique(
                if excluded {
                    &mut self.excluded_hashtags
                } else {
                    &mut self.hashtags
                },
                tag,
            ),
            Element::From { user, excluded } => push_unique(
                if excluded {
                    &mut self.excluded_from_users
                } else {
                    &mut self.from_users
                },
                user,
            ),
            Element::In { channel, excluded } => push_unique(
                if excluded {
                    &mut self.excluded_in_channels
                } else {
                    &mut self.in_channels
                },
                channel,
            ),
            Element::On(day) => self.on = Some(day),
            Element::Before(day) => self.before = Some(day),
            Element::After(day) => self.after = Some(day),
        }
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

impl Day {
    /// Parses `YYYY-MM-DD` (a real calendar date: month 1–12, day valid for the month,
    /// leap years); anything else is `None`.
    pub fn parse(s: &str) -> Option<Day> {
        let bytes = s.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            bytes[range].iter().try_fold(0u32, |acc, &b| {
                b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
            })
        };
        let year = i32::try_from(number(0..4)?).ok()?;
        let month = number(5..7)?;
        let day = number(8..10)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(Day { year, month, day })
    }

    /// Days since 1970-01-01 (can be negative), for the executor's time arithmetic.
    ///
    /// Proleptic Gregorian calendar. A `Day` built by hand with an impossible month or day
    /// gives a meaningless number, never a panic.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's `days_from_civil`: years start in March so that the leap day is
        // the last day of the year, and eras are 400-year cycles of 146,097 days.
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month_from_march = (month + 9).rem_euclid(12);
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day `days` days after 1970-01-01 (the inverse of [`Day::days_since_epoch`]);
    /// `None` if its year does not fit in an `i32`.
    pub fn from_days_since_epoch(days: i64) -> Option<Day> {
        // Hinnant's `civil_from_days`.
        let shifted = days.checked_add(719_468)?;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = era
            .checked_mul(400)?
            .checked_add(year_of_era)?
            .checked_add(i64::from(month <= 2))?;
        Some(Day {
            year: i32::try_from(year).ok()?,
            month: u32::try_from(month).ok()?,
            day: u32::try_from(day).ok()?,
        })
    }

    /// The day `days` days after this one (negative: before).
    fn plus_days(self, days: i64) -> Option<Day> {
        Day::from_days_since_epoch(self.days_since_epoch().checked_add(days)?)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// An element as cut out of the input, before it is understood.
#[derive(Debug, PartialEq, Eq)]
enum Raw<'a> {
    /// The text between quotes (or from an unbalanced quote to the end).
    Phrase { text: &'a str, excluded: bool },
    /// A run of characters without white space or quotes, dashes included.
    Token(&'a str),
}

/// Cuts the input into [`Raw`] elements. Slices only at the positions of ASCII characters
/// or of matches found by `find`, so always on character boundaries.
struct RawElements<'a> {
    rest: &'a str,
}

/// White space separates elements; control characters too, so none reaches a term.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

impl<'a> Iterator for RawElements<'a> {
    type Item = Raw<'a>;

    fn next(&mut self) -> Option<Raw<'a>> {
        let rest = self.rest.trim_start_matches(is_separator);
        if rest.is_empty() {
            self.rest = rest;
            return None;
        }
        let undashed = rest.trim_start_matches('-');
        if let Some(inside) = undashed.strip_prefix('"') {
            let (text, after) = match inside.find('"') {
                Some(end) => (&inside[..end], &inside[end + 1..]),
                None => (inside, ""),
            };
            self.rest = after;
            return Some(Raw::Phrase {
                text,
                excluded: undashed.len() < rest.len(),
            });
        }
        let end = rest
            .find(|c| is_separator(c) || c == '"')
            .unwrap_or(rest.len());
        self.rest = &rest[end..];
        Some(Raw::Token(&rest[..end]))
    }
}

/// An element understood, ready to be added to the query.
#[derive(Debug, PartialEq, Eq)]
enum Element {
    Term { term: Term, excluded: bool },
    Hashtag { tag: String, excluded: bool },
    From { user: String, excluded: bool },
    In { channel: String, excluded: bool },
    On(Day),
    Before(Day),
    After(Day),
}

/// Understands one raw element; `None` for one that searches for nothing (`-`, `*`, `""`,
/// `from:`…).
fn classify(raw: Raw<'_>) -> Result<Option<Element>, QueryError> {
    let token = match raw {
        Raw::Phrase { text, excluded } => {
            let text = text.trim_matches(is_separator);
            return Ok(has_content(text).then(|| Element::Term {
                term: Term::Phrase(text.to_owned()),
                excluded,
            }));
        }
        Raw::Token(token) => token,
    };
    let body = token.trim_start_matches('-');
    let excluded = body.len() < token.len();
    if !has_content(body) {
        return Ok(None);
    }
    if let Some((key, value)) = body.split_once(':')
        && let Some(filter) = Filter::from_key(key)
    {
        return filter.element(value, excluded);
    }
    // `#1`, `#a` are not hashtags: they fall through and are searched for as words.
    if body.starts_with('#')
        && let Some(tag) = hashtag(body)
    {
        return Ok(Some(Element::Hashtag { tag, excluded }));
    }
    let term = if body.ends_with('*') {
        let stem: String = body.chars().filter(|&c| c != '*').collect();
        Term::Prefix(stem)
    } else if body.contains('*') {
        Term::Word(body.chars().filter(|&c| c != '*').collect())
    } else {
        Term::Word(body.to_owned())
    };
    Ok(has_content(term.text()).then_some(Element::Term { term, excluded }))
}

/// Whether the text holds anything but ASCII punctuation (so a lone `-`, `*`, `#`, `...` is
/// ignored, while letters, digits, CJK and emoji are kept).
fn has_content(text: &str) -> bool {
    text.chars()
        .any(|c| !c.is_ascii_punctuation() && !is_separator(c))
}

/// Mattermost's hashtag rule: extra leading `#`s and trailing punctuation are dropped, then
/// `#` + a letter + letters, digits, `_`, `-`, `.`, 3–50 characters with the `#`.
/// Returns the tag lower-cased without `#`, or `None` if `text` is not a hashtag.
fn hashtag(text: &str) -> Option<String> {
    let tag = text
        .trim_start_matches('#')
        .trim_end_matches(|c: char| !is_hashtag_alphanumeric(c));
    let mut chars = tag.chars();
    let first_is_letter = chars.next().is_some_and(char::is_alphabetic);
    let rest_allowed = chars.all(|c| is_hashtag_alphanumeric(c) || matches!(c, '_' | '-' | '.'));
    let length = tag.chars().count();
    (first_is_letter && rest_allowed && (HASHTAG_MIN_CHARS..=HASHTAG_MAX_CHARS).contains(&length))
        .then(|| tag.to_lowercase())
}

/// Letters of any script, and ASCII digits (Go's `\pL` and `\d`, as Mattermost uses).
fn is_hashtag_alphanumeric(c: char) -> bool {
    c.is_alphabetic() || c.is_ascii_digit()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    From,
    In,
    On,
    Before,
    After,
}

impl Filter {
    /// The filter a keyword names, case-insensitively (`channel:` is Mattermost's other
    /// name for `in:`).
    fn from_key(key: &str) -> Option<Filter> {
        [
            ("from", Filter::From),
            ("in", Filter::In),
            ("channel", Filter::In),
            ("on", Filter::On),
            ("before", Filter::Before),
            ("after", Filter::After),
        ]
        .into_iter()
        .find(|(name, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, filter)| filter)
    }

    fn element(self, value: &str, excluded: bool) -> Result<Option<Element>, QueryError> {
        if value.is_empty() {
            return Ok(None);
        }
        let element = match self {
            Filter::From => {
                let user = value.trim_start_matches('@').to_lowercase();
                (!user.is_empty()).then_some(Element::From { user, excluded })
            }
            Filter::In => {
                let name = value.trim_start_matches('~');
                // `in:@alice` keeps its `@`, which says "the direct channel with alice".
                let channel = match name.strip_prefix('@') {
                    Some(user) => {
                        let user = user.trim_start_matches('@');
                        if user.is_empty() {
                            String::new()
                        } else {
                            format!("@{}", user.to_lowercase())
                        }
                    }
                    None => name.to_lowercase(),
                };
                (!channel.is_empty()).then_some(Element::In { channel, excluded })
            }
            Filter::On | Filter::Before | Filter::After => {
                let day = Day::parse(value).ok_or_else(|| QueryError::BadDate(value.to_owned()))?;
                match (self, excluded) {
                    (Filter::On, false) => Some(Element::On(day)),
                    (Filter::Before, false) => Some(Element::Before(day)),
                    (Filter::After, false) => Some(Element::After(day)),
                    // Not before D = on or after D = after the day before D.
                    (Filter::Before, true) => day.plus_days(-1).map(Element::After),
                    // Not after D = on or before D = before the day after D.
                    (Filter::After, true) => day.plus_days(1).map(Element::Before),
                    // `-on:` (every day but one) has no field; searching wider hides nothing.
                    _ => None,
                }
            }
        };
        Ok(element)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> SearchQuery {
        match SearchQuery::parse(input) {
            Ok(query) => query,
            Err(error) => panic!("{input:?} did not parse: {error}"),
        }
    }

    fn word(text: &str) -> Term {
        Term::Word(text.to_owned())
    }

    fn prefix(text: &str) -> Term {
        Term::Prefix(text.to_owned())
    }

    fn phrase(text: &str) -> Term {
        Term::Phrase(text.to_owned())
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    fn day(year: i32, month: u32, day: u32) -> Day {
        Day { year, month, day }
    }

    // ---- words, phrases, prefixes ----

    #[test]
    fn empty_input_is_an_empty_query() {
        assert_eq!(parse(""), SearchQuery::default());
        assert!(parse("").is_empty());
        assert!(parse(" \t\n  ").is_empty());
    }

    #[test]
    fn words_are_separated_by_white_space() {
        assert_eq!(
            parse("  hello   world\tagain\n").terms,
            vec![word("hello"), word("world"), word("again")]
        );
    }

    #[test]
    fn words_keep_their_case_and_punctuation() {
        assert_eq!(
            parse("Hello, World! e-mail O'Brien").terms,
            vec![
                word("Hello,"),
                word("World!"),
                word("e-mail"),
                word("O'Brien")
            ]
        );
    }

    #[test]
    fn repeated_words_are_kept_once() {
        assert_eq!(
            parse("foo foo bar foo").terms,
            vec![word("foo"), word("bar")]
        );
    }

    #[test]
    fn quotes_group_a_phrase_across_spaces() {
        let query = parse(r#"before "hello big world" after"#);
        assert_eq!(
            query.terms,
            vec![word("before"), phrase("hello big world"), word("after")]
        );
    }

    #[test]
    fn a_phrase_is_trimmed_but_otherwise_as_typed() {
        assert_eq!(
            parse(r#""  Big   World  ""#).terms,
            vec![phrase("Big   World")]
        );
    }

    #[test]
    fn a_quote_ends_a_word_and_a_closing_quote_ends_a_phrase() {
        assert_eq!(
            parse(r#"foo"bar baz"qux"#).terms,
            vec![word("foo"), phrase("bar baz"), word("qux")]
        );
    }

    #[test]
    fn an_unbalanced_quote_takes_the_rest_as_a_phrase() {
        assert_eq!(
            parse(r#"foo "bar baz -qux"#).terms,
            vec![word("foo"), phrase("bar baz -qux")]
        );
        assert_eq!(parse(r#"""#), SearchQuery::default());
        assert_eq!(parse(r#"foo ""#).terms, vec![word("foo")]);
    }

    #[test]
    fn empty_phrases_are_ignored() {
        assert!(parse(r#""" "   " -"" "-""#).is_empty());
    }

    #[test]
    fn a_quoted_filter_is_a_phrase() {
        let query = parse(r#""from:alice""#);
        assert_eq!(query.terms, vec![phrase("from:alice")]);
        assert!(query.from_users.is_empty());
    }

    #[test]
    fn a_trailing_star_makes_a_prefix() {
        assert_eq!(parse("fo* Caf*").terms, vec![prefix("fo"), prefix("Caf")]);
    }

    #[test]
    fn several_trailing_stars_make_one_prefix() {
        assert_eq!(parse("fo***").terms, vec![prefix("fo")]);
    }

    #[test]
    fn stars_inside_or_before_a_word_are_dropped() {
        assert_eq!(
            parse("*foo f*o *b*ar*").terms,
            vec![word("foo"), word("fo"), prefix("bar")]
        );
    }

    #[test]
    fn a_word_of_only_stars_is_ignored() {
        assert!(parse("* *** -* -**").is_empty());
    }

    #[test]
    fn lone_punctuation_is_ignored() {
        assert!(parse("- -- # ## : ... , -#").is_empty());
    }

    // ---- exclusions ----

    #[test]
    fn a_dash_excludes_a_word() {
        let query = parse("foo -bar");
        assert_eq!(query.terms, vec![word("foo")]);
        assert_eq!(query.excluded, vec![word("bar")]);
    }

    #[test]
    fn a_dash_excludes_a_phrase() {
        let query = parse(r#"foo -"bar baz""#);
        assert_eq!(query.terms, vec![word("foo")]);
        assert_eq!(query.excluded, vec![phrase("bar baz")]);
    }

    #[test]
    fn a_dash_excludes_an_unbalanced_phrase() {
        assert_eq!(parse(r#"-"bar baz"#).excluded, vec![phrase("bar baz")]);
    }

    #[test]
    fn a_dash_excludes_a_prefix() {
        assert_eq!(parse("-pre*").excluded, vec![prefix("pre")]);
    }

    #[test]
    fn several_dashes_count_as_one() {
        let query = parse(r#"--foo ---"a b""#);
        assert_eq!(query.excluded, vec![word("foo"), phrase("a b")]);
    }

    #[test]
    fn a_dash_inside_a_word_is_part_of_it() {
        assert_eq!(parse("foo-bar").terms, vec![word("foo-bar")]);
        assert_eq!(parse("-foo-bar").excluded, vec![word("foo-bar")]);
    }

    #[test]
    fn a_lone_dash_before_a_phrase_does_not_exclude_it() {
        let query = parse(r#"- "a b""#);
        assert_eq!(query.terms, vec![phrase("a b")]);
        assert!(query.excluded.is_empty());
    }

    #[test]
    fn a_dash_at_the_end_of_a_word_before_a_quote_stays_in_the_word() {
        let query = parse(r#"foo-"bar""#);
        assert_eq!(query.terms, vec![word("foo-"), phrase("bar")]);
        assert!(query.excluded.is_empty());
    }

    // ---- hashtags ----

    #[test]
    fn hashtags_are_lower_cased_without_the_hash() {
        let query = parse("#Release #v1.2 #snake_case #kebab-case");
        assert_eq!(
            query.hashtags,
            strings(&["release", "v1.2", "snake_case", "kebab-case"])
        );
        assert!(query.terms.is_empty());
    }

    #[test]
    fn a_dash_excludes_a_hashtag() {
        let query = parse("#keep -#Drop");
        assert_eq!(query.hashtags, strings(&["keep"]));
        assert_eq!(query.excluded_hashtags, strings(&["drop"]));
    }

    #[test]
    fn hashtags_drop_trailing_punctuation_and_extra_hashes() {
        assert_eq!(
            parse("#one, ##two. #three!) #four*").hashtags,
            strings(&["one", "two", "three", "four"])
        );
    }

    #[test]
    fn a_hash_with_only_punctuation_is_ignored() {
        assert!(parse("# #! #-- -#.. ###").is_empty());
    }

    #[test]
    fn a_hash_before_a_digit_or_too_short_is_a_word() {
        let query = parse("#1 #a #1abc -#2");
        assert!(query.hashtags.is_empty());
        assert_eq!(query.terms, vec![word("#1"), word("#a"), word("#1abc")]);
        assert_eq!(query.excluded, vec![word("#2")]);
    }

    #[test]
    fn hashtags_are_limited_to_fifty_characters() {
        let longest = format!("#a{}", "b".repeat(48));
        assert_eq!(longest.chars().count(), 50);
        assert_eq!(
            parse(&longest).hashtags,
            vec![format!("a{}", "b".repeat(48))]
        );
        let too_long = format!("#a{}", "b".repeat(49));
        assert_eq!(parse(&too_long).terms, vec![word(&too_long)]);
    }

    #[test]
    fn hashtags_may_be_in_any_script() {
        assert_eq!(parse("#Café #東京").hashtags, strings(&["café", "東京"]));
    }

    #[test]
    fn a_hash_with_other_symbols_is_a_word() {
        assert_eq!(parse("#👍 #a!b").terms, vec![word("#👍"), word("#a!b")]);
    }

    #[test]
    fn repeated_hashtags_are_kept_once() {
        assert_eq!(parse("#tag #TAG #tag,").hashtags, strings(&["tag"]));
    }

    // ---- from: and in: ----

    #[test]
    fn from_names_a_user_lower_cased() {
        assert_eq!(parse("from:Alice").from_users, strings(&["alice"]));
    }

    #[test]
    fn from_accepts_an_at_sign() {
        assert_eq!(parse("from:@alice").from_users, strings(&["alice"]));
    }

    #[test]
    fn filter_keywords_are_case_insensitive() {
        let query = parse("FROM:alice In:town-square ON:2024-01-02 BeFoRe:2024-02-03");
        assert_eq!(query.from_users, strings(&["alice"]));
        assert_eq!(query.in_channels, strings(&["town-square"]));
        assert_eq!(query.on, Some(day(2024, 1, 2)));
        assert_eq!(query.before, Some(day(2024, 2, 3)));
    }

    #[test]
    fn several_from_and_in_are_collected() {
        let query = parse("from:alice from:bob in:a in:b from:ALICE");
        assert_eq!(query.from_users, strings(&["alice", "bob"]));
        assert_eq!(query.in_channels, strings(&["a", "b"]));
    }

    #[test]
    fn a_dash_excludes_a_user_or_a_channel() {
        let query = parse("-from:Bob -in:Town-Square -FROM:@carol");
        assert_eq!(query.excluded_from_users, strings(&["bob", "carol"]));
        assert_eq!(query.excluded_in_channels, strings(&["town-square"]));
        assert!(query.from_users.is_empty() && query.in_channels.is_empty());
    }

    #[test]
    fn in_strips_a_tilde() {
        assert_eq!(parse("in:~Off-Topic").in_channels, strings(&["off-topic"]));
    }

    #[test]
    fn in_keeps_the_at_sign_of_a_direct_channel() {
        assert_eq!(
            parse("in:@Alice -in:@@bob").in_channels,
            strings(&["@alice"])
        );
        assert_eq!(parse("-in:@bob").excluded_in_channels, strings(&["@bob"]));
    }

    #[test]
    fn channel_is_another_name_for_in() {
        assert_eq!(
            parse("channel:town-square").in_channels,
            strings(&["town-square"])
        );
    }

    #[test]
    fn filters_without_a_value_are_ignored() {
        assert!(parse("from: in: on: before: after: -from: from:@ in:~ in:@ channel:").is_empty());
    }

    #[test]
    fn a_filter_followed_by_a_space_does_not_take_the_next_word() {
        let query = parse("from: alice");
        assert!(query.from_users.is_empty());
        assert_eq!(query.terms, vec![word("alice")]);
    }

    #[test]
    fn filter_keywords_count_only_at_the_start_of_an_element() {
        let query = parse("foo:bar xfrom:alice http://example.com/a:b :from:x");
        assert_eq!(
            query.terms,
            vec![
                word("foo:bar"),
                word("xfrom:alice"),
                word("http://example.com/a:b"),
                word(":from:x")
            ]
        );
        assert!(query.from_users.is_empty());
    }

    #[test]
    fn only_the_first_colon_splits_a_filter() {
        assert_eq!(parse("from:a:b").from_users, strings(&["a:b"]));
    }

    #[test]
    fn filters_alone_have_no_text() {
        let query = parse("from:alice in:town-square");
        assert!(!query.is_empty());
        assert!(!query.has_text());
    }

    // ---- dates ----

    #[test]
    fn on_before_and_after_take_a_day() {
        let query = parse("on:2024-02-29 before:2024-03-01 after:2023-12-31");
        assert_eq!(query.on, Some(day(2024, 2, 29)));
        assert_eq!(query.before, Some(day(2024, 3, 1)));
        assert_eq!(query.after, Some(day(2023, 12, 31)));
        assert!(!query.has_text());
    }

    #[test]
    fn a_second_date_replaces_the_first() {
        let query = parse("on:2024-01-01 on:2024-01-02 after:2020-01-01 after:2021-01-01");
        assert_eq!(query.on, Some(day(2024, 1, 2)));
        assert_eq!(query.after, Some(day(2021, 1, 1)));
    }

    #[test]
    fn a_bad_date_is_an_error() {
        for input in [
            "on:2024-13-01",
            "on:2023-02-29",
            "before:yesterday",
            "after:2024-1-1",
            "ON:24-01-01",
            "on:2024-01-01,",
        ] {
            let value = input.split_once(':').map(|(_, v)| v).unwrap_or_default();
            assert_eq!(
                SearchQuery::parse(input),
                Err(QueryError::BadDate(value.to_owned())),
                "{input}"
            );
        }
    }

    #[test]
    fn a_bad_date_error_names_the_value() {
        let message = SearchQuery::parse("foo on:tomorrow").map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err(r#""tomorrow" is not a date; use YYYY-MM-DD"#.to_owned())
        );
    }

    #[test]
    fn excluding_before_means_on_or_after() {
        let query = parse("-before:2024-03-01");
        assert_eq!(query.after, Some(day(2024, 2, 29)));
        assert_eq!(query.before, None);
    }

    #[test]
    fn excluding_after_means_on_or_before() {
        let query = parse("-after:2023-12-31");
        assert_eq!(query.before, Some(day(2024, 1, 1)));
        assert_eq!(query.after, None);
    }

    #[test]
    fn excluding_on_is_ignored_but_checked() {
        assert!(parse("-on:2024-01-01").is_empty());
        assert_eq!(
            SearchQuery::parse("-on:nope"),
            Err(QueryError::BadDate("nope".to_owned()))
        );
    }

    // ---- Day ----

    #[test]
    fn day_parses_real_dates() {
        assert_eq!(Day::parse("2024-01-31"), Some(day(2024, 1, 31)));
        assert_eq!(Day::parse("2024-02-29"), Some(day(2024, 2, 29)));
        assert_eq!(Day::parse("2000-02-29"), Some(day(2000, 2, 29)));
        assert_eq!(Day::parse("0001-01-01"), Some(day(1, 1, 1)));
        assert_eq!(Day::parse("9999-12-31"), Some(day(9999, 12, 31)));
    }

    #[test]
    fn day_rejects_impossible_dates() {
        for text in [
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-00-10",
            "2024-13-10",
            "2024-01-00",
            "2024-01-32",
        ] {
            assert_eq!(Day::parse(text), None, "{text}");
        }
    }

    #[test]
    fn day_rejects_other_shapes() {
        for text in [
            "",
            "2024-1-01",
            "2024-01-1",
            "24-01-01",
            "2024/01/01",
            "2024-01-01 ",
            " 2024-01-01",
            "+024-01-01",
            "-024-01-01",
            "2024-01-0١",
            "２０２４-01-01",
            "2024-01-01T00:00",
            "20240101",
            "2024-é1-01",
        ] {
            assert_eq!(Day::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn days_since_epoch_counts_from_1970() {
        assert_eq!(day(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(day(1970, 1, 2).days_since_epoch(), 1);
        assert_eq!(day(1969, 12, 31).days_since_epoch(), -1);
        assert_eq!(day(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(day(2024, 2, 29).days_since_epoch(), 19_782);
        assert_eq!(day(1, 1, 1).days_since_epoch(), -719_162);
    }

    #[test]
    fn days_since_epoch_round_trips_and_follows_day_order() {
        let mut previous: Option<Day> = None;
        for days in -800_000..=800_000i64 {
            if days % 97 != 0 && days.abs() > 1_000 {
                continue;
            }
            let Some(d) = Day::from_days_since_epoch(days) else {
                panic!("{days} has no day");
            };
            assert_eq!(d.days_since_epoch(), days, "{d}");
            assert!(d.day >= 1 && d.day <= days_in_month(d.year, d.month), "{d}");
            if let Some(p) = previous {
                assert!(p < d);
            }
            previous = Some(d);
        }
    }

    #[test]
    fn from_days_since_epoch_never_panics_at_the_extremes() {
        assert_eq!(Day::from_days_since_epoch(i64::MAX), None);
        assert_eq!(Day::from_days_since_epoch(i64::MIN), None);
        let odd = Day {
            year: i32::MIN,
            month: u32::MAX,
            day: u32::MAX,
        };
        let _ = odd.days_since_epoch();
    }

    #[test]
    fn day_displays_as_it_parses() {
        assert_eq!(day(2024, 3, 9).to_string(), "2024-03-09");
        assert_eq!(
            Day::parse(&day(987, 12, 1).to_string()),
            Some(day(987, 12, 1))
        );
    }

    // ---- limits ----

    #[test]
    fn the_longest_query_is_accepted() {
        let input = "a".repeat(MAX_QUERY_CHARS);
        assert_eq!(parse(&input).terms, vec![word(&input)]);
    }

    #[test]
    fn a_longer_query_is_too_long() {
        let input = "a".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            SearchQuery::parse(&input),
            Err(QueryError::TooLong {
                max: MAX_QUERY_CHARS
            })
        );
    }

    #[test]
    fn the_length_limit_counts_characters_not_bytes() {
        let input = "東".repeat(MAX_QUERY_CHARS);
        assert!(input.len() > MAX_QUERY_CHARS);
        assert!(SearchQuery::parse(&input).is_ok());
        assert!(SearchQuery::parse(&format!("{input}京")).is_err());
    }

    #[test]
    fn at_most_max_terms_elements() {
        let words: Vec<String> = (0..MAX_TERMS).map(|i| format!("w{i}")).collect();
        assert_eq!(parse(&words.join(" ")).terms.len(), MAX_TERMS);
        let more = format!("{} one-more", words.join(" "));
        assert_eq!(
            SearchQuery::parse(&more),
            Err(QueryError::TooManyTerms { max: MAX_TERMS })
        );
    }

    #[test]
    fn every_kind_of_element_counts_toward_the_limit() {
        let mut parts: Vec<String> = (0..MAX_TERMS - 6).map(|i| format!("w{i}")).collect();
        parts.extend(
            ["-x", "#tag", "-#other", "from:a", "in:b", "on:2024-01-01"].map(str::to_owned),
        );
        assert!(SearchQuery::parse(&parts.join(" ")).is_ok());
        parts.push(r#""a phrase""#.to_owned());
        assert_eq!(
            SearchQuery::parse(&parts.join(" ")),
            Err(QueryError::TooManyTerms { max: MAX_TERMS })
        );
    }

    #[test]
    fn repeated_elements_count_once_toward_the_limit() {
        let input = "a from:b #cd on:2024-01-01 ".repeat(20);
        let query = parse(&input);
        assert_eq!(query.terms, vec![word("a")]);
        assert_eq!(query.from_users, strings(&["b"]));
        assert_eq!(query.hashtags, strings(&["cd"]));
    }

    #[test]
    fn ignored_elements_do_not_count_toward_the_limit() {
        let input = format!("{} word", "- * # \"\" from: ".repeat(20));
        assert_eq!(parse(&input).terms, vec![word("word")]);
    }

    // ---- unicode ----

    #[test]
    fn cjk_phrases_and_words_pass_through() {
        let query = parse(r#""東京 タワー" 日本語 -中文"#);
        assert_eq!(query.terms, vec![phrase("東京 タワー"), word("日本語")]);
        assert_eq!(query.excluded, vec![word("中文")]);
    }

    #[test]
    fn accents_and_case_are_untouched() {
        assert_eq!(
            parse("Café ÉCOLE naïve*").terms,
            vec![word("Café"), word("ÉCOLE"), prefix("naïve")]
        );
    }

    #[test]
    fn emoji_are_words() {
        assert_eq!(
            parse("🎉 -👍 party🎉*").terms,
            vec![word("🎉"), prefix("party🎉")]
        );
        assert_eq!(parse("-👍").excluded, vec![word("👍")]);
    }

    #[test]
    fn multi_byte_characters_next_to_syntax_do_not_panic() {
        let query = parse(r#"é"é"é -"ü" 東* *東 -東* #東京, from:東 in:~東 é:é "東"#);
        assert_eq!(
            query.terms,
            vec![
                word("é"),
                phrase("é"),
                prefix("東"),
                word("東"),
                word("é:é"),
                phrase("東"),
            ]
        );
        assert_eq!(query.excluded, vec![phrase("ü"), prefix("東")]);
        assert_eq!(query.hashtags, strings(&["東京"]));
        assert_eq!(query.from_users, strings(&["東"]));
        assert_eq!(query.in_channels, strings(&["東"]));
    }

    #[test]
    fn ideographic_space_separates_words() {
        assert_eq!(
            parse("東京\u{3000}タワー").terms,
            vec![word("東京"), word("タワー")]
        );
    }

    #[test]
    fn control_characters_separate_words() {
        assert_eq!(
            parse("a\u{0}b\u{7f}c").terms,
            vec![word("a"), word("b"), word("c")]
        );
    }

    #[test]
    fn dates_with_multi_byte_characters_are_bad_dates_not_panics() {
        assert_eq!(
            SearchQuery::parse("on:2024-0é-01"),
            Err(QueryError::BadDate("2024-0é-01".to_owned()))
        );
        assert_eq!(
            SearchQuery::parse("on:東京東京東"),
            Err(QueryError::BadDate("東京東京東".to_owned()))
        );
    }

    // ---- the whole query ----

    #[test]
    fn a_query_with_everything() {
        let query = parse(
            r#"deploy "release notes" rollback* -staging -"dry run" #Ops -#test from:@Alice -from:bot in:~devops -in:town-square after:2024-01-01 before:2024-02-01 on:2024-01-15"#,
        );
        assert_eq!(
            query,
            SearchQuery {
                terms: vec![word("deploy"), phrase("release notes"), prefix("rollback")],
                excluded: vec![word("staging"), phrase("dry run")],
                hashtags: strings(&["ops"]),
                excluded_hashtags: strings(&["test"]),
                from_users: strings(&["alice"]),
                excluded_from_users: strings(&["bot"]),
                in_channels: strings(&["devops"]),
                excluded_in_channels: strings(&["town-square"]),
                on: Some(day(2024, 1, 15)),
                before: Some(day(2024, 2, 1)),
                after: Some(day(2024, 1, 1)),
            }
        );
        assert!(query.has_text());
        assert!(!query.is_empty());
    }

    #[test]
    fn has_text_counts_terms_and_hashtags_only() {
        assert!(parse("foo").has_text());
        assert!(parse("#tag").has_text());
        assert!(parse(r#""a b""#).has_text());
        assert!(!parse("-foo -#tag").has_text());
        assert!(!parse("-foo").is_empty());
        assert!(!parse("on:2024-01-01").has_text());
    }

    #[test]
    fn is_empty_sees_every_field() {
        for input in [
            "a",
            "-a",
            "#ab",
            "-#ab",
            "from:a",
            "-from:a",
            "in:a",
            "-in:a",
            "on:2024-01-01",
            "before:2024-01-01",
            "after:2024-01-01",
        ] {
            assert!(!parse(input).is_empty(), "{input}");
        }
    }

    #[test]
    fn term_text_gives_the_text_of_any_kind() {
        assert_eq!(word("a").text(), "a");
        assert_eq!(prefix("b").text(), "b");
        assert_eq!(phrase("c d").text(), "c d");
    }

    #[test]
    fn raw_elements_cut_tokens_and_phrases() {
        let raws: Vec<Raw<'_>> = RawElements {
            rest: r#" -a "b c"d -"e"#,
        }
        .collect();
        assert_eq!(
            raws,
            vec![
                Raw::Token("-a"),
                Raw::Phrase {
                    text: "b c",
                    excluded: false
                },
                Raw::Token("d"),
                Raw::Phrase {
                    text: "e",
                    excluded: true
                },
            ]
        );
    }

    // ---- robustness ----

    /// A tiny linear congruential generator, so the test needs no new dependency and
    /// every run sees the same inputs.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn pseudo_random_input_never_panics() {
        const ALPHABET: &[&str] = &[
            "\"",
            "-",
            "*",
            ":",
            "#",
            "@",
            "~",
            " ",
            " ",
            "\t",
            "\u{3000}",
            "a",
            "B",
            "é",
            "東",
            "京",
            "🎉",
            "from",
            "FROM:",
            "in:",
            "on:",
            "before:",
            "after:",
            "2024-02-29",
            "0",
            "9",
            "-",
            ".",
            ",",
            "_",
            "\u{0}",
            "ü",
        ];
        let mut rng = Lcg(0x5eed);
        for _ in 0..5_000 {
            let length = rng.next() % 40;
            let input: String = (0..length)
                .map(|_| {
                    let index = usize::try_from(rng.next()).unwrap_or_default() % ALPHABET.len();
                    ALPHABET[index]
                })
                .collect();
            match SearchQuery::parse(&input) {
                Ok(query) => {
                    for term in query.terms.iter().chain(&query.excluded) {
                        assert!(!term.text().is_empty(), "{input:?} gave an empty term");
                        if let Term::Prefix(stem) = term {
                            assert!(!stem.contains('*'), "{input:?}");
                        }
                    }
                    for value in query
                        .hashtags
                        .iter()
                        .chain(&query.from_users)
                        .chain(&query.in_channels)
                    {
                        assert!(!value.is_empty(), "{input:?} gave an empty value");
                    }
                }
                Err(QueryError::BadDate(_)) | Err(QueryError::TooManyTerms { .. }) => {}
                Err(error) => panic!("{input:?}: unexpected {error}"),
            }
        }
    }

    #[test]
    fn huge_and_odd_inputs_answer_cleanly() {
        assert!(SearchQuery::parse(&"\"".repeat(100_000)).is_err());
        assert!(SearchQuery::parse(&"-".repeat(MAX_QUERY_CHARS)).is_ok());
        assert!(SearchQuery::parse(&"\"".repeat(MAX_QUERY_CHARS)).is_ok());
        assert!(SearchQuery::parse(&"*".repeat(MAX_QUERY_CHARS)).is_ok());
        assert_eq!(
            SearchQuery::parse(&"a ".repeat(MAX_QUERY_CHARS / 2)).map(|q| q.terms.len()),
            Ok(1)
        );
    }
}
