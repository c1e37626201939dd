//! A port of CPython 3.11's `html.parser.HTMLParser`, as Django drives it: `strip_tags`
//! (`convert_charrefs=False`; data, entity references and character references are
//! kept, tags, comments, declarations and processing instructions dropped) and the
//! `Truncator`'s HTML mode (`convert_charrefs=True`, fed once: text the parser holds
//! back waiting for more input is never reported).
//!
//! The regular expressions of `html/parser.py` are reproduced as small matchers, since
//! they use look-around. Offsets are byte offsets into the input; every scan moves by
//! whole characters.

use super::value::is_py_space as is_space;

fn ch(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

fn skip_while(s: &str, mut i: usize, f: impl Fn(char) -> bool) -> usize {
    while let Some(c) = ch(s, i) {
        if !f(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// `(?:\s|/(?!>))*` from `i`.
fn skip_space_or_slash(s: &str, mut i: usize) -> usize {
    loop {
        match ch(s, i) {
            Some(c) if is_space(c) => i += c.len_utf8(),
            Some('/') if ch(s, i + 1) != Some('>') => i += 1,
            _ => return i,
        }
    }
}

/// One attribute of `attrfind_tolerant` / `locatestarttagend_tolerant` at `i` (the
/// look-behind `(?<=['"\s/])` is checked by the caller); returns its end.
fn attribute(s: &str, i: usize, trailing_space_in_value: bool) -> Option<usize> {
    let first = ch(s, i)?;
    if is_space(first) || first == '/' || first == '>' {
        return None;
    }
    let mut j = skip_while(s, i + first.len_utf8(), |c| {
        !(is_space(c) || matches!(c, '/' | '=' | '>'))
    });
    // (\s*=+\s*(value))?
    let k = skip_while(s, j, is_space);
    if ch(s, k) == Some('=') {
        let k = skip_while(s, k, |c| c == '=');
        let k = skip_while(s, k, is_space);
        let value_end = match ch(s, k) {
            Some(q @ ('\'' | '"')) => s[k + 1..].find(q).map(|p| k + 1 + p + 1),
            _ => Some(skip_while(s, k, |c| !(c == '>' || is_space(c)))),
        };
        if let Some(e) = value_end {
            j = if trailing_space_in_value {
                skip_while(s, e, is_space)
            } else {
                e
            };
        }
    }
    Some(skip_space_or_slash(s, j))
}

/// `locatestarttagend_tolerant.match(s, i)` → end of the match.
fn locate_starttag_end(s: &str, i: usize) -> usize {
    // <[a-zA-Z][^\t\n\r\f />\x00]*
    let mut j = skip_while(s, i + 2, |c| {
        !matches!(c, '\t' | '\n' | '\r' | '\u{c}' | ' ' | '/' | '>' | '\0')
    });
    // (?:[\s/]*(?:attr)*)?
    let mut k = skip_while(s, j, |c| is_space(c) || c == '/');
    loop {
        let prev = s[..k].chars().next_back();
        if !prev.is_some_and(|p| matches!(p, '\'' | '"' | '/') || is_space(p)) {
            break;
        }
        match attribute(s, k, true) {
            Some(e) if e > k => k = e,
            _ => break,
        }
    }
    j = k;
    skip_while(s, j, is_space)
}

/// Why parsing stopped early.
pub enum Abort {
    /// The handler asked to stop (the truncator's `TruncationCompleted`).
    Stop,
    /// CPython's `AssertionError` on a malformed `<![` section, with its message.
    Assertion(String),
}

/// The parser's callbacks (the `handle_*` methods CPython's subclasses override).
/// Returning `Err(Abort::Stop)` ends the parse at once.
pub trait Handler {
    /// Text; with `convert_charrefs`, character references already replaced.
    fn data(&mut self, text: &str) -> Result<(), Abort>;
    /// `<tag …>`: the lower-cased name and the tag's raw text.
    fn starttag(&mut self, _tag: &str, _text: &str) -> Result<(), Abort> {
        Ok(())
    }
    /// `<tag …/>`: CPython's `handle_startendtag`.
    fn startendtag(&mut self, _tag: &str, _text: &str) -> Result<(), Abort> {
        Ok(())
    }
    /// `</tag>`: the lower-cased name.
    fn endtag(&mut self, _tag: &str) -> Result<(), Abort> {
        Ok(())
    }
    /// `&name;` (only without `convert_charrefs`).
    fn entityref(&mut self, _name: &str) -> Result<(), Abort> {
        Ok(())
    }
    /// `&#name;` (only without `convert_charrefs`).
    fn charref(&mut self, _name: &str) -> Result<(), Abort> {
        Ok(())
    }
}

/// Collects what `strip_tags` keeps.
struct Stripper(String);

impl Handler for Stripper {
    fn data(&mut self, text: &str) -> Result<(), Abort> {
        self.0.push_str(text);
        Ok(())
    }
    fn entityref(&mut self, name: &str) -> Result<(), Abort> {
        self.0.push('&');
        self.0.push_str(name);
        self.0.push(';');
        Ok(())
    }
    fn charref(&mut self, name: &str) -> Result<(), Abort> {
        self.0.push_str("&#");
        self.0.push_str(name);
        self.0.push(';');
        Ok(())
    }
}

/// Django's `strip_tags` pass: the text CPython's parser reports as data/references.
/// `Err` carries the `AssertionError` CPython raises on malformed `<![` sections.
pub fn strip_once(s: &str) -> Result<String, String> {
    let mut p = Parser::new(Stripper(String::new()), false);
    let run = |p: &mut Parser<Stripper>| -> Result<(), Abort> {
        let rest = p.goahead(s, false)?.to_string();
        p.goahead(&rest, true)?;
        Ok(())
    };
    match run(&mut p) {
        Ok(()) | Err(Abort::Stop) => Ok(p.handler.0),
        Err(Abort::Assertion(m)) => Err(m),
    }
}

/// CPython's `HTMLParser` state around a [`Handler`].
pub struct Parser<H> {
    /// The callbacks.
    pub handler: H,
    cdata: Option<String>,
    convert_charrefs: bool,
}

impl<H: Handler> Parser<H> {
    /// `HTMLParser(convert_charrefs=…)`.
    pub fn new(handler: H, convert_charrefs: bool) -> Self {
        Parser {
            handler,
            cdata: None,
            convert_charrefs,
        }
    }

    /// Text to the handler, unescaped when `convert_charrefs` is on (outside CDATA).
    fn emit(&mut self, text: &str) -> Result<(), Abort> {
        if self.convert_charrefs && self.cdata.is_none() {
            self.handler.data(&super::html::unescape(text))
        } else {
            self.handler.data(text)
        }
    }

    /// `goahead(end)`; returns the unconsumed rest (`self.rawdata`).
    pub fn goahead<'a>(&mut self, raw: &'a str, end: bool) -> Result<&'a str, Abort> {
        let n = raw.len();
        let mut i = 0;
        while i < n {
            // The next interesting position.
            let j = if self.convert_charrefs && self.cdata.is_none() {
                match raw[i..].find('<') {
                    Some(p) => i + p,
                    None => {
                        // A reference may be cut in half at the end of the buffer: wait
                        // for more text unless an `&` in the last 34 characters is
                        // followed by whitespace or `;`.
                        let from = raw[i..]
                            .char_indices()
                            .rev()
                            .nth(33)
                            .map(|(p, _)| i + p)
                            .unwrap_or(i);
                        let held = raw[from..]
                            .rfind('&')
                            .is_some_and(|a| !raw[from + a..].chars().any(|c| is_space(c) || c == ';'));
                        if held {
                            break;
                        }
                        n
                    }
                }
            } else {
                let found = match &self.cdata {
                    None => raw[i..].find(['&', '<']).map(|p| i + p),
                    Some(elem) => find_cdata_end(raw, i, elem),
                };
                match found {
                    Some(j) => j,
                    None if self.cdata.is_some() => break,
                    None => n,
                }
            };
            if i < j {
                self.emit(&raw[i..j])?;
            }
            i = j;
            if i == n {
                break;
            }
            if raw[i..].starts_with('<') {
                let k: isize = if ch(raw, i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.parse_starttag(raw, i)?
                } else if raw[i..].starts_with("</") {
                    self.parse_endtag(raw, i)?
                } else if raw[i..].starts_with("<!--") {
                    parse_comment(raw, i)
                } else if raw[i..].starts_with("<?") {
                    raw[i + 2..]
                        .find('>')
                        .map(|p| (i + 2 + p + 1) as isize)
                        .unwrap_or(-1)
                } else if raw[i..].starts_with("<!") {
                    parse_html_declaration(raw, i).map_err(Abort::Assertion)?
                } else if i + 1 < n {
                    self.handler.data("<")?;
                    (i + 1) as isize
                } else {
                    break;
                };
                let k = if k < 0 {
                    if !end {
                        break;
                    }
                    let k = match raw[i + 1..].find('>') {
                        Some(p) => i + 1 + p + 1,
                        None => raw[i + 1..].find('<').map(|p| i + 1 + p).unwrap_or(i + 1),
                    };
                    self.emit(&raw[i..k])?;
                    k
                } else {
                    k as usize
                };
                i = k;
            } else if raw[i..].starts_with("&#") {
                match charref(raw, i) {
                    Some((name_end, k)) => {
                        self.handler.charref(&raw[i + 2..name_end])?;
                        i = k;
                        continue;
                    }
                    None => {
                        if raw[i..].contains(';') {
                            self.handler.data(&raw[i..i + 2])?;
                            i += 2;
                        }
                        break;
                    }
                }
            } else {
                // '&'
                if let Some((name_end, k)) = entityref(raw, i) {
                    self.handler.entityref(&raw[i + 1..name_end])?;
                    i = k;
                    continue;
                }
                let incomplete = ch(raw, i + 1).is_some_and(|c| c.is_ascii_alphabetic() || c == '#');
                if incomplete {
                    // The match is "&" plus one char; at the very end with `end`, skip
                    // the "&" (Python moves on by one and then stops).
                    if end && i + 2 == n {
                        i += 1;
                    }
                    break;
                } else if i + 1 < n {
                    self.handler.data("&")?;
                    i += 1;
                } else {
                    break;
                }
            }
        }
        if end && i < n && self.cdata.is_none() {
            self.emit(&raw[i..n])?;
            i = n;
        }
        Ok(&raw[i..])
    }

    fn parse_starttag(&mut self, raw: &str, i: usize) -> Result<isize, Abort> {
        let endpos = check_for_whole_start_tag(raw, i);
        if endpos < 0 {
            return Ok(endpos);
        }
        let endpos = endpos as usize;
        // tagfind_tolerant: name, then (?:\s|/(?!>))*
        let name_end = skip_while(raw, i + 2, |c| {
            !matches!(c, '\t' | '\n' | '\r' | '\u{c}' | ' ' | '/' | '>' | '\0')
        });
        let tag = raw[i + 1..name_end].to_lowercase();
        let mut k = skip_space_or_slash(raw, name_end);
        while k < endpos {
            let prev = raw[..k].chars().next_back();
            if !prev.is_some_and(|p| matches!(p, '\'' | '"' | '/') || is_space(p)) {
                break;
            }
            match attribute(raw, k, false) {
                Some(e) if e <= endpos || e > k => k = e,
                _ => break,
            }
        }
        let tail = raw
            .get(k.min(endpos)..endpos)
            .unwrap_or("")
            .trim_matches(is_space);
        let text = &raw[i..endpos];
        if tail != ">" && tail != "/>" {
            self.handler.data(text)?;
        } else if tail.ends_with("/>") {
            self.handler.startendtag(&tag, text)?;
        } else {
            self.handler.starttag(&tag, text)?;
            if tag == "script" || tag == "style" {
                self.cdata = Some(tag);
            }
        }
        Ok(endpos as isize)
    }

    fn parse_endtag(&mut self, raw: &str, i: usize) -> Result<isize, Abort> {
        let Some(gt) = raw[i + 1..].find('>') else {
            return Ok(-1);
        };
        let gtpos = i + 1 + gt + 1;
        // endtagfind: </\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>
        let a = skip_while(raw, i + 2, is_space);
        let found = if ch(raw, a).is_some_and(|c| c.is_ascii_alphabetic()) {
            let b = skip_while(raw, a + 1, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_')
            });
            let c = skip_while(raw, b, is_space);
            (ch(raw, c) == Some('>')).then(|| raw[a..b].to_lowercase())
        } else {
            None
        };
        let Some(elem) = found else {
            if self.cdata.is_some() {
                self.handler.data(&raw[i..gtpos])?;
                return Ok(gtpos as isize);
            }
            if !ch(raw, i + 2).is_some_and(|c| c.is_ascii_alphabetic()) {
                if raw[i..].starts_with("</>") {
                    return Ok((i + 3) as isize);
                }
                // A bogus comment.
                return Ok(raw[i + 2..]
                    .find('>')
                    .map(|p| (i + 2 + p + 1) as isize)
                    .unwrap_or(-1));
            }
            let name_end = skip_while(raw, i + 3, |c| {
                !matches!(c, '\t' | '\n' | '\r' | '\u{c}' | ' ' | '/' | '>' | '\0')
            });
            let tag = raw[i + 2..name_end].to_lowercase();
            let after = skip_space_or_slash(raw, name_end);
            self.handler.endtag(&tag)?;
            return Ok(match raw[after..].find('>') {
                Some(p) => (after + p + 1) as isize,
                None => 0,
            });
        };
        if let Some(c) = &self.cdata {
            if &elem != c {
                self.handler.data(&raw[i..gtpos])?;
                return Ok(gtpos as isize);
            }
        }
        self.handler.endtag(&elem)?;
        self.cdata = None;
        Ok(gtpos as isize)
    }
}

/// `</\s*elem\s*>` (case-insensitive) searched from `i`: its start.
fn find_cdata_end(raw: &str, i: usize, elem: &str) -> Option<usize> {
    let mut from = i;
    while let Some(p) = raw[from..].find("</") {
        let start = from + p;
        let a = skip_while(raw, start + 2, is_space);
        if raw
            .get(a..a + elem.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(elem))
        {
            let b = skip_while(raw, a + elem.len(), is_space);
            if ch(raw, b) == Some('>') {
                return Some(start);
            }
        }
        from = start + 2;
    }
    None
}

fn check_for_whole_start_tag(raw: &str, i: usize) -> isize {
    let j = locate_starttag_end(raw, i);
    match ch(raw, j) {
        Some('>') => (j + 1) as isize,
        Some('/') if raw[j..].starts_with("/>") => (j + 2) as isize,
        Some('/') | None => -1,
        Some(c) if c.is_ascii_alphabetic() || c == '=' || c == '/' => -1,
        Some(_) => {
            if j > i {
                j as isize
            } else {
                (i + 1) as isize
            }
        }
    }
}

/// `<!--` … `--\s*>`: end of the comment, or -1.
fn parse_comment(raw: &str, i: usize) -> isize {
    let mut from = i + 4;
    while let Some(p) = raw[from..].find("--") {
        let a = from + p + 2;
        let b = skip_while(raw, a, is_space);
        if ch(raw, b) == Some('>') {
            return (b + 1) as isize;
        }
        from = from + p + 1;
    }
    -1
}

fn parse_html_declaration(raw: &str, i: usize) -> Result<isize, String> {
    if raw[i..].starts_with("<!--") {
        return Ok(parse_comment(raw, i));
    }
    if raw[i..].starts_with("<![") {
        return parse_marked_section(raw, i);
    }
    if raw
        .get(i..i + 9)
        .is_some_and(|t| t.eq_ignore_ascii_case("<!doctype"))
    {
        return Ok(raw[i + 9..]
            .find('>')
            .map(|p| (i + 9 + p + 1) as isize)
            .unwrap_or(-1));
    }
    Ok(raw[i + 2..]
        .find('>')
        .map(|p| (i + 2 + p + 1) as isize)
        .unwrap_or(-1))
}

/// `_markupbase.ParserBase.parse_marked_section` with `_scan_name`.
fn parse_marked_section(raw: &str, i: usize) -> Result<isize, String> {
    let start = i + 3;
    if start == raw.len() {
        return Ok(-1);
    }
    // _declname_match: [a-zA-Z][-_.a-zA-Z0-9]*\s*
    if !ch(raw, start).is_some_and(|c| c.is_ascii_alphabetic()) {
        let snippet: String = raw[i..].chars().take(20).collect();
        return Err(format!(
            "expected name token at {}",
            super::value::py_str_repr(&snippet)
        ));
    }
    let name_end = skip_while(raw, start + 1, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
    });
    let j = skip_while(raw, name_end, is_space);
    if j == raw.len() {
        return Ok(-1);
    }
    let name = raw[start..name_end].to_lowercase();
    // `]\s*]\s*>` for the standard keywords, `]\s*>` for MS Office ones.
    let close = |double: bool| -> Option<usize> {
        let mut from = start;
        while let Some(p) = raw[from..].find(']') {
            let a = from + p + 1;
            let mut b = skip_while(raw, a, is_space);
            if double {
                if ch(raw, b) != Some(']') {
                    from = a;
                    continue;
                }
                b = skip_while(raw, b + 1, is_space);
            }
            if ch(raw, b) == Some('>') {
                return Some(b + 1);
            }
            from = a;
        }
        None
    };
    let end = match name.as_str() {
        "temp" | "cdata" | "ignore" | "include" | "rcdata" => close(true),
        "if" | "else" | "endif" => close(false),
        _ => {
            return Err(format!(
                "unknown status keyword {} in marked section",
                super::value::py_str_repr(&raw[start..j])
            ))
        }
    };
    Ok(end.map(|e| e as isize).unwrap_or(-1))
}

/// `entityref`: `&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]` → (end of name, next position).
fn entityref(raw: &str, i: usize) -> Option<(usize, usize)> {
    if !ch(raw, i + 1)?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = skip_while(raw, i + 2, |c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let next = ch(raw, name_end)?;
    if next.is_ascii_alphanumeric() {
        return None;
    }
    Some((name_end, if next == ';' { name_end + 1 } else { name_end }))
}

/// `charref`: `&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]` → (end of name, next position).
fn charref(raw: &str, i: usize) -> Option<(usize, usize)> {
    let start = i + 2;
    let name_end = match ch(raw, start)? {
        c if c.is_ascii_digit() => skip_while(raw, start, |c| c.is_ascii_digit()),
        'x' | 'X' => {
            let e = skip_while(raw, start + 1, |c| c.is_ascii_hexdigit());
            if e == start + 1 {
                return None;
            }
            e
        }
        _ => return None,
    };
    let next = ch(raw, name_end)?;
    if next.is_ascii_hexdigit() {
        return None;
    }
    Some((name_end, if next == ';' { name_end + 1 } else { name_end }))
}

/// Django's `strip_tags`: strip until a pass removes no more tags.
pub fn strip_tags(value: &str) -> Result<String, String> {
    let mut value = value.to_string();
    let mut depth = 0;
    while value.contains('<') && value.contains('>') && depth < 50 {
        let new = strip_once(&value)?;
        if value.matches('<').count() == new.matches('<').count() {
            break;
        }
        value = new;
        depth += 1;
    }
    Ok(value)
}
