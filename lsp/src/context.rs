//! What the cursor is on, in a template or a Python file: the text-level analysis
//! completion, hover and go-to-definition start from. It works on half-typed text
//! (an unclosed `{%`, an attribute without its closing quote), which the parsers
//! would reject; everything it returns is a byte span of the document.

use djust_runtime::Span;

/// A place in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSpot {
    /// The tag name after `{% `.
    TagName(Word),
    /// A filter name after `|`.
    Filter(Word),
    /// A variable in `{{ }}` or in a tag's expression (`{% if %}`, `{% for … in %}`).
    Variable(Word),
    /// A quoted template name in `{% extends %}` / `{% include %}`.
    TemplateName(Word),
    /// The name of the block in `{% block name %}` / `{% endblock name %}`.
    BlockName(Word),
    /// An attribute name in an HTML start tag (`dj-cl`).
    AttributeName(Word),
    /// A directive modifier after the attribute's last `.` (`dj-keydown.en`).
    Modifier {
        /// The attribute up to the last `.` (`dj-keydown`).
        directive: String,
        /// The modifier.
        word: Word,
    },
    /// Inside an attribute's quoted value.
    AttributeValue {
        /// The attribute name, lower-case (`dj-click`, `dj-keydown.enter`).
        attribute: String,
        /// The value's text around the cursor.
        word: Word,
    },
}

/// A piece of text around the cursor: `text[span]`, and the part before the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The whole word.
    pub text: String,
    /// What is before the cursor (what completion filters by).
    pub prefix: String,
    /// Byte span of the whole word.
    pub span: Span,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The word around `offset` made of characters `allowed` accepts.
fn word(text: &str, offset: usize, allowed: impl Fn(char) -> bool) -> Word {
    let offset = floor_char(text, offset);
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| allowed(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .take_while(|(_, c)| allowed(*c))
        .last()
        .map_or(offset, |(i, c)| offset + i + c.len_utf8());
    Word {
        text: text[start..end].to_string(),
        prefix: text[start..offset].to_string(),
        span: Span::new(start, end),
    }
}

fn floor_char(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Tags whose arguments are not variables.
const NO_VARIABLES: &[&str] = &[
    "block",
    "endblock",
    "load",
    "extends",
    "templatetag",
    "comment",
    "verbatim",
    "now",
    "csrf_token",
    "static",
    "lorem",
    "partialdef",
    "partial",
    "autoescape",
    "spaceless",
    "debug",
    "resetcycle",
];

/// What the cursor at byte `offset` of template `text` is on.
pub fn template_spot(text: &str, offset: usize) -> Option<TemplateSpot> {
    let offset = floor_char(text, offset);
    let before = &text[..offset];
    let open = [before.rfind("{%"), before.rfind("{{")]
        .into_iter()
        .flatten()
        .max();
    let close = [before.rfind("%}"), before.rfind("}}")]
        .into_iter()
        .flatten()
        .map(|i| i + 2)
        .max();
    match open {
        Some(o) if close.is_none_or(|c| c <= o) => django_spot(text, o, offset),
        _ => html_spot(text, offset),
    }
}

/// Inside `{% … %}` or `{{ … }}` opened at `open`.
fn django_spot(text: &str, open: usize, offset: usize) -> Option<TemplateSpot> {
    let is_tag = text[open..].starts_with("{%");
    let inner = &text[open + 2..offset];
    let here = word(text, offset, is_ident);
    let before_word = text[..here.span.start].chars().next_back();
    if is_tag {
        let lead = inner.len() - inner.trim_start().len();
        let body = &inner[lead..];
        if !body.contains(char::is_whitespace) {
            return Some(TemplateSpot::TagName(here));
        }
        let tag = body.split_whitespace().next().unwrap_or_default();
        let args = &body[tag.len()..];
        if matches!(tag, "extends" | "include") {
            let quotes = args.matches(['"', '\'']).count();
            if quotes % 2 == 1 {
                let w = word(text, offset, |c| {
                    c != '"' && c != '\'' && c != '\n' && c != '%' && c != '}'
                });
                return Some(TemplateSpot::TemplateName(w));
            }
        }
        if matches!(tag, "block" | "endblock") {
            return Some(TemplateSpot::BlockName(here));
        }
        if before_word == Some('|') {
            return Some(TemplateSpot::Filter(here));
        }
        if before_word == Some('.') || NO_VARIABLES.contains(&tag) {
            return None;
        }
        if tag == "for" && !args.split_whitespace().any(|w| w == "in") {
            return None;
        }
        if args.matches(['"', '\'']).count() % 2 == 1 {
            return None;
        }
        return Some(TemplateSpot::Variable(here));
    }
    match before_word {
        Some('|') => Some(TemplateSpot::Filter(here)),
        Some('.') => None,
        _ if inner.matches(['"', '\'']).count() % 2 == 1 => None,
        _ => Some(TemplateSpot::Variable(here)),
    }
}

/// In HTML: a start tag's attribute name or value.
fn html_spot(text: &str, offset: usize) -> Option<TemplateSpot> {
    let before = &text[..offset];
    let lt = before.rfind('<')?;
    if before[lt..].contains('>') || !text[lt + 1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    // Walk the start tag up to the cursor: tag name, then attributes.
    let bytes = text.as_bytes();
    let mut i = lt + 1;
    while i < offset && !bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    if i >= offset {
        return None; // still in the tag name
    }
    let mut name_start: Option<usize> = None;
    let mut last_name = String::new();
    while i < offset {
        let b = bytes[i];
        // Django constructs inside a start tag are opaque.
        if b == b'{' && (text[i..].starts_with("{%") || text[i..].starts_with("{{")) {
            let closer = if text[i..].starts_with("{%") { "%}" } else { "}}" };
            match text[i..offset].find(closer) {
                Some(end) => {
                    i += end + 2;
                    name_start = None;
                    continue;
                }
                None => return None,
            }
        }
        if b == b'=' {
            if let Some(s) = name_start.take() {
                last_name = text[s..i].trim().to_ascii_lowercase();
            }
            i += 1;
            while i < offset && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= offset {
                return None;
            }
            let quote = bytes[i];
            if quote == b'"' || quote == b'\'' {
                let value_start = i + 1;
                match text[value_start..offset].find(quote as char) {
                    Some(end) => i = value_start + end + 1,
                    None => {
                        let value_end = text[value_start..]
                            .find([quote as char, '>', '\n'])
                            .map_or(text.len(), |e| value_start + e);
                        let w = Word {
                            text: text[value_start..value_end].to_string(),
                            prefix: text[value_start..offset].to_string(),
                            span: Span::new(value_start, value_end),
                        };
                        return Some(TemplateSpot::AttributeValue {
                            attribute: last_name,
                            word: w,
                        });
                    }
                }
            } else {
                while i < offset && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            name_start = None;
        } else if name_start.is_none() {
            name_start = Some(i);
        }
        i += 1;
    }
    let w = word(text, offset, |c| is_ident(c) || c == '-' || c == '.' || c == ':');
    if w.span.start > offset || (w.prefix.is_empty() && name_start.is_some()) {
        return None;
    }
    match w.prefix.rfind('.') {
        Some(dot) => {
            let directive = w.prefix[..dot].to_ascii_lowercase();
            let start = w.span.start + dot + 1;
            let modifier = word(text, offset, |c| is_ident(c) || c == '-');
            Some(TemplateSpot::Modifier {
                directive,
                word: Word {
                    text: text[start..modifier.span.end.max(start)].to_string(),
                    prefix: text[start..offset].to_string(),
                    span: Span::new(start, modifier.span.end.max(start)),
                },
            })
        }
        None => Some(TemplateSpot::AttributeName(w)),
    }
}

/// Names bound by `{% for x, y in … %}` and `{% with a=… %}` blocks that are open at
/// `offset` (a light scan, not a parse: enough for completion).
pub fn loop_variables(text: &str, offset: usize) -> Vec<String> {
    let tokens = djust_runtime::template::tokenize(&text[..floor_char(text, offset)]);
    let mut stack: Vec<Vec<String>> = Vec::new();
    for t in tokens {
        if t.kind != djust_runtime::template::TokenKind::Block {
            continue;
        }
        let content = t.content(text).trim();
        let mut words = content.split_whitespace();
        match words.next() {
            Some("for") => {
                let names: Vec<String> = content[3..]
                    .split(" in ")
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                stack.push(names);
            }
            Some("with") => stack.push(
                words
                    .filter_map(|w| w.split_once('=').map(|(k, _)| k.to_string()))
                    .collect(),
            ),
            Some("endfor" | "endwith") => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.into_iter().flatten().collect()
}

/// Tags opened before `offset` and not closed: their end tags, innermost first.
pub fn open_blocks(text: &str, offset: usize) -> Vec<&'static str> {
    let tokens = djust_runtime::template::tokenize(&text[..floor_char(text, offset)]);
    let mut stack: Vec<&'static str> = Vec::new();
    for t in tokens {
        if t.kind != djust_runtime::template::TokenKind::Block {
            continue;
        }
        let name = t.tag_name(text);
        if let Some(doc) = crate::django::tag(name) {
            if let Some(end) = doc.end {
                stack.push(end);
            }
        } else if let Some(pos) = stack.iter().rposition(|e| *e == name) {
            stack.truncate(pos);
        }
    }
    stack.reverse();
    stack
}

/// A place in a Python file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonSpot {
    /// The string of `template_name = "…"`.
    TemplateName(Word),
    /// A rule code in a `# noqa:` comment.
    NoqaCode(Word),
    /// The name of a `def`.
    FunctionName(Word),
}

/// What the cursor at `offset` of Python `text` is on.
pub fn python_spot(text: &str, offset: usize) -> Option<PythonSpot> {
    let offset = floor_char(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let col = offset - line_start;
    if let Some(hash) = line.find('#') {
        if col > hash && line[hash..].to_ascii_lowercase().contains("noqa") {
            let w = word(text, offset, |c| c.is_ascii_alphanumeric());
            return (!w.text.is_empty()).then_some(PythonSpot::NoqaCode(w));
        }
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with("template_name") {
        let eq = line.find('=')?;
        let after = &line[eq + 1..];
        let q = after.find(['"', '\''])?;
        let value_start = line_start + eq + 1 + q + 1;
        if offset < value_start {
            return None;
        }
        let quote = text.as_bytes()[value_start - 1] as char;
        let value_end = text[value_start..line_end]
            .find(quote)
            .map_or(line_end, |e| value_start + e);
        if offset > value_end {
            return None;
        }
        return Some(PythonSpot::TemplateName(Word {
            text: text[value_start..value_end].to_string(),
            prefix: text[value_start..offset].to_string(),
            span: Span::new(value_start, value_end),
        }));
    }
    let def = trimmed.strip_prefix("async ").unwrap_or(trimmed);
    if def.starts_with("def ") {
        let w = word(text, offset, is_ident);
        let name_at = line.find("def ")? + 4 + line_start;
        let name_at = name_at + text[name_at..].len() - text[name_at..].trim_start().len();
        if w.span.start == name_at && !w.text.is_empty() {
            return Some(PythonSpot::FunctionName(w));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `|` marks the cursor.
    fn spot(src: &str) -> Option<TemplateSpot> {
        let at = src.find('|').unwrap_or(0);
        let text = src.replacen('|', "", 1);
        template_spot(&text, at)
    }

    fn prefix(s: Option<TemplateSpot>) -> (String, String) {
        match s {
            Some(TemplateSpot::TagName(w)) => ("tag".into(), w.prefix),
            Some(TemplateSpot::Filter(w)) => ("filter".into(), w.prefix),
            Some(TemplateSpot::Variable(w)) => ("var".into(), w.prefix),
            Some(TemplateSpot::TemplateName(w)) => ("template".into(), w.prefix),
            Some(TemplateSpot::BlockName(w)) => ("block".into(), w.prefix),
            Some(TemplateSpot::AttributeName(w)) => ("attr".into(), w.prefix),
            Some(TemplateSpot::Modifier { directive, word }) => (format!("mod {directive}"), word.prefix),
            Some(TemplateSpot::AttributeValue { attribute, word }) => {
                (format!("value {attribute}"), word.prefix)
            }
            None => ("none".into(), String::new()),
        }
    }

    #[test]
    fn django_contexts() {
        let cases = [
            ("{% |", ("tag", "")),
            ("{% fo|", ("tag", "fo")),
            ("{% if us|", ("var", "us")),
            ("{% for x in it| %}", ("var", "it")),
            ("{% for x| in items %}", ("none", "")),
            ("{{ name|up|", ("filter", "up")),
            ("{{ na| }}", ("var", "na")),
            ("{{ a.b| }}", ("none", "")),
            ("{% extends \"sho| %}", ("template", "sho")),
            ("{% include 'a/|b.html' %}", ("template", "a/")),
            ("{% block con| %}", ("block", "con")),
            ("{{ x }} {% endif %} text |", ("none", "")),
        ];
        for (src, (kind, pre)) in cases {
            // The cursor is the last '|'.
            let at = src.rfind('|').unwrap_or(0);
            let text = format!("{}{}", &src[..at], &src[at + 1..]);
            assert_eq!(
                prefix(template_spot(&text, at)),
                (kind.to_string(), pre.to_string()),
                "{src}"
            );
        }
    }

    #[test]
    fn html_contexts() {
        assert_eq!(prefix(spot("<button dj-cl|")), ("attr".into(), "dj-cl".into()));
        assert_eq!(prefix(spot("<button class=\"x\" |")), ("attr".into(), "".into()));
        assert_eq!(
            prefix(spot("<input dj-keydown.en|")),
            ("mod dj-keydown".into(), "en".into())
        );
        assert_eq!(
            prefix(spot("<button dj-click=\"sa|\">")),
            ("value dj-click".into(), "sa".into())
        );
        assert_eq!(
            prefix(spot("<a {% if x %}hidden{% endif %} dj-submit='s|")),
            ("value dj-submit".into(), "s".into())
        );
        assert_eq!(prefix(spot("<p>text |</p>")), ("none".into(), "".into()));
        assert_eq!(prefix(spot("<butt|")), ("none".into(), "".into()));
    }

    #[test]
    fn open_blocks_and_loop_variables() {
        let t = "{% block a %}{% for p, q in xs %}{% with n=1 %}{% if x %}{% endif %}";
        assert_eq!(open_blocks(t, t.len()), vec!["endwith", "endfor", "endblock"]);
        assert_eq!(loop_variables(t, t.len()), vec!["p", "q", "n"]);
    }

    #[test]
    fn python_contexts() {
        let src = "class V:\n    template_name = \"shop/li\"  # noqa: V007\n    def save(self): pass\n";
        let at = src.find("li\"").unwrap_or(0) + 2;
        match python_spot(src, at) {
            Some(PythonSpot::TemplateName(w)) => {
                assert_eq!((w.prefix.as_str(), w.text.as_str()), ("shop/li", "shop/li"))
            }
            other => panic!("{other:?}"),
        }
        let at = src.find("V007").unwrap_or(0) + 1;
        assert!(matches!(python_spot(src, at), Some(PythonSpot::NoqaCode(w)) if w.text == "V007"));
        let at = src.find("save").unwrap_or(0) + 2;
        assert!(matches!(python_spot(src, at), Some(PythonSpot::FunctionName(w)) if w.text == "save"));
    }
}
