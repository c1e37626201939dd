//! A port of CPython 3.11's `html.parser.HTMLParser` as Django's `strip_tags` drives it
//! (`convert_charrefs=False`; data, entity references and character references are
//! kept, tags, comments, declarations and processing instructions dropped).
//!
//! The regular expressions of `html/parser.py` are reproduced as small matchers, since
//! they use look-around. Offsets are byte offsets into the input; every scan moves by
//! whole characters.

/// Python's `str.isspace()` / `\s` for `str` patterns.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

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

/// Django's `strip_tags` pass: the text CPython's parser reports as data/references.
/// `Err` carries the `AssertionError` CPython raises on malformed `<![` sections.
pub fn strip_once(s: &str) -> Result<String, String> {
    let mut p = Parser {
        out: String::new(),
        cdata: None,
    };
    let rest = p.goahead(s, false)?.to_string();
    p.goahead(&rest, true)?;
    Ok(p.out)
}

struct Parser {
    out: String,
    cdata: Option<String>,
}

impl Parser {
    /// `goahead(end)`; returns the unconsumed rest (`self.rawdata`).
    fn goahead<'a>(&mut self, raw: &'a str, end: bool) -> Result<&'a str, String> {
        let n = raw.len();
        let mut i = 0;
        while i < n {
            // The next interesting position.
            let j = match &self.cdata {
                None => raw[i..].find(['&', '<']).map(|p| i + p),
                Some(elem) => find_cdata_end(raw, i, elem),
            };
            let j = match j {
                Some(j) => j,
                None if self.cdata.is_some() => break,
                None => n,
            };
            if i < j {
                self.out.push_str(&raw[i..j]);
            }
            i = j;
            if i == n {
                break;
            }
            if raw[i..].starts_with('<') {
                let k: isize = if ch(raw, i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.parse_starttag(raw, i)
                } else if raw[i..].starts_with("</") {
                    self.parse_endtag(raw, i)
                } else if raw[i..].starts_with("<!--") {
                    parse_comment(raw, i)
                } else if raw[i..].starts_with("<?") {
                    raw[i + 2..]
                        .find('>')
                        .map(|p| (i + 2 + p + 1) as isize)
                        .unwrap_or(-1)
                } else if raw[i..].starts_with("<!") {
                    parse_html_declaration(raw, i)?
                } else if i + 1 < n {
                    self.out.push('<');
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
                    self.out.push_str(&raw[i..k]);
                    k
                } else {
                    k as usize
                };
                i = k;
            } else if raw[i..].starts_with("&#") {
                match charref(raw, i) {
                    Some((name_end, k)) => {
                        self.out.push_str("&#");
                        self.out.push_str(&raw[i + 2..name_end]);
                        self.out.push(';');
                        i = k;
                        continue;
                    }
                    None => {
                        if raw[i..].contains(';') {
                            self.out.push_str(&raw[i..i + 2]);
                            i += 2;
                        }
                        break;
                    }
                }
            } else {
                // '&'
                if let Some((name_end, k)) = entityref(raw, i) {
                    self.out.push('&');
                    self.out.push_str(&raw[i + 1..name_end]);
                    self.out.push(';');
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
                    self.out.push('&');
                    i += 1;
                } else {
                    break;
                }
            }
        }
        if end && i < n && self.cdata.is_none() {
            self.out.push_str(&raw[i..n]);
            i = n;
        }
        Ok(&raw[i..])
    }

    fn parse_starttag(&mut self, raw: &str, i: usize) -> isize {
        let endpos = check_for_whole_start_tag(raw, i);
        if endpos < 0 {
            return endpos;
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
        if tail != ">" && tail != "/>" {
            self.out.push_str(&raw[i..endpos]);
            return endpos as isize;
        }
        if !tail.ends_with("/>") && (tag == "script" || tag == "style") {
            self.cdata = Some(tag);
        }
        endpos as isize
    }

    fn parse_endtag(&mut self, raw: &str, i: usize) -> isize {
        let Some(gt) = raw[i + 1..].find('>') else {
            return -1;
        };
        let gtpos = i + 1 + gt + 1;
        // endtagfind: </\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>
        let a = skip_while(raw, i + 2, is_space);
        let found = if ch(raw, a).is_some_and(|c| c.is_ascii_alphabetic()) {
            let b = skip_while(raw, a + 1, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_')
            });
            let c = skip_while(raw, b, is_space);
            (ch(raw, c) == Some('>')).then(|| (raw[a..b].to_lowercase(), c + 1))
        } else {
            None
        };
        let Some((elem, end)) = found else {
            if self.cdata.is_some() {
                self.out.push_str(&raw[i..gtpos]);
                return gtpos as isize;
            }
            if !ch(raw, i + 2).is_some_and(|c| c.is_ascii_alphabetic()) {
                if raw[i..].starts_with("</>") {
                    return (i + 3) as isize;
                }
                return raw[i + 2..]
                    .find('>')
                    .map(|p| (i + 2 + p + 1) as isize)
                    .unwrap_or(-1);
            }
            let name_end = skip_while(raw, i + 3, |c| {
                !matches!(c, '\t' | '\n' | '\r' | '\u{c}' | ' ' | '/' | '>' | '\0')
            });
            let after = skip_space_or_slash(raw, name_end);
            return match raw[after..].find('>') {
                Some(p) => (after + p + 1) as isize,
                None => 0,
            };
        };
        if let Some(c) = &self.cdata {
            if &elem != c {
                self.out.push_str(&raw[i..gtpos]);
                return gtpos as isize;
            }
        }
        self.cdata = None;
        let _ = end;
        gtpos as isize
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
