//! Django 5.2's `Urlizer` (`django.utils.html.urlize`), behind the `urlize` and
//! `urlizetrunc` filters: words that look like URLs (`http://`, `https://`, `www.`,
//! or a name ending in one of the seven original gTLDs) or e-mail addresses become
//! links; wrapping and trailing punctuation stays outside the link; entities in the
//! text are decoded before the URL is re-quoted (`smart_urlquote`).

use super::html::{escape, unescape};
use super::urls::{parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit};
use super::value::is_py_space;

/// Django's `MAX_URL_LENGTH`: longer words are not linked as URLs.
const MAX_URL_LENGTH: usize = 2048;
const TRAILING_PUNCTUATION: &str = ".,:;!";
const WRAPPING: [(char, char); 2] = [('(', ')'), ('[', ']')];

/// Options of one `urlize` call.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `trim_url_limit`: link texts longer than this are cut to `limit - 1`
    /// characters plus `…`.
    pub trim_url_limit: Option<i64>,
    /// Add `rel="nofollow"` to web links (the filters always do).
    pub nofollow: bool,
    /// Escape the text around and inside links (unless the input is safe).
    pub autoescape: bool,
}

/// `urlize(text, …)`; `safe_input` is whether `text` is a SafeString. The result is
/// safe HTML.
pub fn urlize(text: &str, safe_input: bool, opts: Options) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut cache: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for piece in split_words(text) {
        if let Some(done) = cache.get(piece) {
            out.push_str(done);
            continue;
        }
        let done = handle_word(piece, safe_input, opts);
        out.push_str(&done);
        cache.insert(piece, done);
    }
    out
}

fn is_separator(c: char) -> bool {
    is_py_space(c) || matches!(c, '<' | '>' | '"' | '\'')
}

/// `re.split(r"""([\s<>"']+)""", text)`: words and the separator runs between them,
/// alternating, starting (and ending) with a possibly empty word.
fn split_words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_sep = false;
    for (i, c) in text.char_indices() {
        let sep = is_separator(c);
        if sep != in_sep {
            out.push(&text[start..i]);
            start = i;
            in_sep = sep;
        }
    }
    out.push(&text[start..]);
    if in_sep {
        out.push("");
    }
    out
}

fn handle_word(word: &str, safe_input: bool, opts: Options) -> String {
    let plain = |w: &str| {
        if !safe_input && opts.autoescape {
            escape(w)
        } else {
            w.to_string()
        }
    };
    if !word.contains(['.', '@', ':']) {
        return plain(word);
    }
    let (lead, middle, trail) = trim_punctuation(word);
    let mut nofollow = opts.nofollow;
    let short = middle.chars().count() <= MAX_URL_LENGTH;
    let url = if short && is_simple_url(&middle) {
        Some(smart_urlquote(&unescape(&middle)))
    } else if short && is_simple_url_2(&middle) {
        Some(smart_urlquote(&format!("http://{}", unescape(&middle))))
    } else if !middle.contains(':') && is_email_simple(&middle) {
        nofollow = false;
        middle.rsplit_once('@').map(|(local, domain)| {
            // RFC 6068 §2: percent-encode both parts; IDNA is left to the browser.
            format!("mailto:{}@{}", quote(local, ""), quote(domain, ""))
        })
    } else {
        None
    };
    let Some(url) = url else {
        return plain(word);
    };
    let mut trimmed = trim_url(&middle, opts.trim_url_limit);
    let (mut lead, mut trail) = (lead.to_string(), trail);
    if opts.autoescape && !safe_input {
        lead = escape(&lead);
        trail = escape(&trail);
        trimmed = escape(&trimmed);
    }
    let rel = if nofollow { " rel=\"nofollow\"" } else { "" };
    format!("{lead}<a href=\"{}\"{rel}>{trimmed}</a>{trail}", escape(&url))
}

fn trim_url(x: &str, limit: Option<i64>) -> String {
    match limit {
        Some(limit) if x.chars().count() as i64 > limit => {
            let keep = usize::try_from(limit - 1).unwrap_or(0);
            format!("{}…", x.chars().take(keep).collect::<String>())
        }
        _ => x.to_string(),
    }
}

/// `Urlizer.trim_punctuation`: `(lead, middle, trail)` with opening brackets
/// stripped from the front and unbalanced closing brackets, trailing punctuation and
/// stray semicolons (unless they end an entity) moved to the trail.
fn trim_punctuation(word: &str) -> (&str, String, String) {
    let middle_start = word.trim_start_matches(['(', '[']);
    let lead = &word[..word.len() - middle_start.len()];
    let mut middle: Vec<char> = middle_start.chars().collect();
    let mut trail: Vec<char> = Vec::new();
    // Django's CountsDict: counts in the word as it was after the lead was removed,
    // computed once, then decremented as closing brackets are trimmed.
    let count = |c: char| middle_start.matches(c).count() as i64;
    let mut counts = WRAPPING.map(|(open, close)| (count(open), count(close)));
    let rstrip = |s: &[char], set: &str| -> usize {
        s.len() - s.iter().rev().take_while(|c| set.contains(**c)).count()
    };
    let mut trimmed_something = true;
    // Each pass trims at least one character, so this bounds the loop.
    let mut guard = middle.len() + 1;
    while trimmed_something && !middle.is_empty() && guard > 0 {
        guard -= 1;
        trimmed_something = false;
        for (k, (_, close)) in WRAPPING.iter().enumerate() {
            let (opens, closes) = counts[k];
            if opens < closes && middle.last() == Some(close) {
                let strip = closes - opens;
                let cut = usize::try_from(strip).unwrap_or(0).min(middle.len());
                // Django replaces the trail here (it does not prepend).
                trail = middle.split_off(middle.len() - cut);
                trimmed_something = true;
                counts[k].1 -= strip;
            }
        }
        let amp = middle.iter().rposition(|&c| c == '&');
        let set = if amp.is_none() {
            TRAILING_PUNCTUATION
        } else {
            ".,:!"
        };
        let keep = rstrip(&middle, set);
        if keep != middle.len() {
            let mut t = middle.split_off(keep);
            t.extend(trail);
            trail = t;
            trimmed_something = true;
        }
        if middle.last() == Some(&';') {
            // Only strip if not part of an HTML entity.
            let potential: String = middle[amp.unwrap_or(middle.len() - 1)..].iter().collect();
            let unescaped = unescape(&potential);
            if unescaped == potential || unescaped.ends_with(';') {
                let trail_start = rstrip(&middle, TRAILING_PUNCTUATION);
                let semicolons = middle.len() - rstrip(&middle, ";");
                let cut = if amp.is_some() && semicolons > 1 {
                    // Leave up to the most recent semicolon: it may end an entity.
                    let recent = middle[trail_start..].iter().position(|&c| c == ';').unwrap_or(0);
                    trail_start + recent + 1
                } else {
                    trail_start
                };
                let mut t = middle.split_off(cut);
                t.extend(trail);
                trail = t;
                // Django keeps `rstripped + middle[trail_start:cut]`, which is
                // `middle[:cut]` because the stripped run is all punctuation.
                trimmed_something = true;
            }
        }
    }
    (lead, middle.into_iter().collect(), trail.into_iter().collect())
}

/// Python's `\w` for `str` patterns (approximated by Unicode alphanumerics).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `^https?://\[?\w` (case-insensitive).
fn is_simple_url(s: &str) -> bool {
    let lower: String = s.chars().take(8).collect::<String>().to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &s[7..]
    } else if lower.starts_with("https://") {
        &s[8..]
    } else {
        return false;
    };
    let rest = rest.strip_prefix('[').unwrap_or(rest);
    rest.chars().next().is_some_and(is_word_char)
}

/// `^www\.|^(?!http)\w[^@]+\.(com|edu|gov|int|mil|net|org)($|/.*)$` (case-insensitive).
fn is_simple_url_2(s: &str) -> bool {
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) {
        return true;
    }
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("http")) {
        return false;
    }
    let Some(first) = s.chars().next().filter(|&c| is_word_char(c)) else {
        return false;
    };
    let body = &s[first.len_utf8()..];
    // `[^@]+` then `\.tld` then the end or `/…`: try every dot before the first `@`.
    let limit = body.find('@').unwrap_or(body.len());
    body.char_indices()
        .filter(|&(i, c)| c == '.' && i > 0 && i < limit)
        .any(|(i, _)| {
            let after = &body[i + 1..];
            ["com", "edu", "gov", "int", "mil", "net", "org"]
                .iter()
                .any(|tld| {
                    after.get(..3).is_some_and(|t| t.eq_ignore_ascii_case(tld))
                        && (after.len() == 3 || after[3..].starts_with('/'))
                })
        })
}

/// Characters `[A-Z]` matches under Python's `re.IGNORECASE`.
fn is_ci_ascii_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{130}' | '\u{131}' | '\u{17f}' | '\u{212a}')
}

/// `EmailValidator(allowlist=[])(value)` succeeds.
fn is_email_simple(value: &str) -> bool {
    if value.is_empty() || value.chars().count() > 320 {
        return false;
    }
    let Some((user, domain)) = value.rsplit_once('@') else {
        return false;
    };
    is_valid_user(user) && is_valid_domain(domain)
}

fn is_valid_user(user: &str) -> bool {
    let atom_char =
        |c: char| c.is_ascii_digit() || is_ci_ascii_letter(c) || "-!#$%&'*+/=?^_`{}|~".contains(c);
    // Dot-atom.
    if user
        .split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(atom_char))
    {
        return true;
    }
    // Quoted string.
    let Some(inner) = user.strip_prefix('"') else {
        return false;
    };
    let quoted_char = |c: char| {
        let n = c as u32;
        matches!(n, 0x01..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0x21 | 0x23..=0x5b | 0x5d..=0x7f)
            || is_ci_ascii_letter(c)
    };
    let escaped_char = |c: char| {
        let n = c as u32;
        matches!(n, 0x01..=0x09 | 0x0b | 0x0c | 0x0e..=0x7f) || is_ci_ascii_letter(c)
    };
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            return chars.next().is_none();
        }
        if c == '\\' {
            if !chars.next().is_some_and(escaped_char) {
                return false;
            }
        } else if !quoted_char(c) {
            return false;
        }
    }
    false
}

/// `[a-z\u00a1-\uffff]` under `re.IGNORECASE`.
fn is_label_letter(c: char) -> bool {
    is_ci_ascii_letter(c) || ('\u{a1}'..='\u{ffff}').contains(&c)
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &str, max: usize| {
        let n = l.chars().count();
        (1..=max).contains(&n)
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| is_label_letter(c) || c.is_ascii_digit() || c == '-')
    };
    if labels.len() >= 2 {
        let (tld, rest) = labels.split_last().unwrap_or((&"", &[]));
        let tld_ok = !tld.starts_with('-') && !tld.ends_with('-') && {
            let n = tld.chars().count();
            let letters = (2..=63).contains(&n) && tld.chars().all(|c| is_label_letter(c) || c == '-');
            let punycode = tld.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")) && {
                let tail = &tld[4..];
                (1..=59).contains(&tail.chars().count())
                    && tail.chars().all(|c| c.is_ascii_digit() || is_ci_ascii_letter(c))
            };
            letters || punycode
        };
        // The host label is `[…](?:[…-]{0,61}[…])?`: 1–63 characters, no dash at
        // either end; the middle labels have the same rule.
        if tld_ok && rest.iter().all(|l| label_ok(l, 63)) {
            return true;
        }
    }
    // A literal address: `\[([A-F0-9:.]+)\]\Z`, then IPv4 or IPv6.
    let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) else {
        return false;
    };
    if literal.is_empty()
        || !literal
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    {
        return false;
    }
    literal.parse::<std::net::Ipv4Addr>().is_ok()
        || (literal.len() <= 39 && literal.parse::<std::net::Ipv6Addr>().is_ok())
}

/// Django's `smart_urlquote`: re-quote each part of a URL (unquoting first, so an
/// already-quoted URL is unchanged); the query is re-encoded pair by pair.
pub fn smart_urlquote(url: &str) -> String {
    fn unquote_quote(segment: &str) -> String {
        // RFC 3986 sub-delims and gen-delims, plus `~`.
        quote(&unquote(segment), "!$&'()*+,;=:/?#[]@~")
    }
    let Ok(mut parts) = urlsplit(url) else {
        return unquote_quote(url);
    };
    parts.netloc = unquote_quote(&parts.netloc);
    if !parts.query.is_empty() {
        let pairs: Vec<(String, String)> = parse_qsl(&parts.query)
            .into_iter()
            .map(|(k, v)| (unquote(&k).into_owned(), unquote(&v).into_owned()))
            .collect();
        parts.query = urlencode(&pairs);
    }
    parts.path = unquote_quote(&parts.path);
    parts.fragment = unquote_quote(&parts.fragment);
    urlunsplit(&parts)
}
