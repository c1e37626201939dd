//! Suppression comments.
//!
//! * Python: `# noqa` (every code) or `# noqa: V006, V007` in a comment on the line a
//!   finding is reported on; `# djust: noqa` / `# djust: noqa: V006` anywhere in a
//!   comment of its own suppresses for the whole file (ruff's `# ruff: noqa`).
//! * Templates: `{# noqa #}` or `{# noqa: T002 #}` — a Django comment anywhere in the
//!   template suppresses those codes for the whole file. Comments inside
//!   `{% comment %}` blocks and HTML comments do not count (see `template.rs`).
//!
//! Codes are matched exactly (`V006`), case-insensitively; anything after `noqa`
//! that is not a `:` code list makes the directive blanket, as flake8 and upstream
//! djust treat it.

use crate::rule::Rule;

/// A parsed suppression directive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Noqa {
    /// Suppresses every code.
    All,
    /// Suppresses only these codes (upper-case).
    Codes(Vec<String>),
}

impl Noqa {
    /// True when this directive suppresses `rule`.
    pub fn suppresses(&self, rule: Rule) -> bool {
        match self {
            Noqa::All => true,
            Noqa::Codes(codes) => codes.iter().any(|c| c.eq_ignore_ascii_case(rule.code())),
        }
    }

    /// Merge two directives on the same scope.
    pub fn merge(self, other: Noqa) -> Noqa {
        match (self, other) {
            (Noqa::Codes(mut a), Noqa::Codes(b)) => {
                a.extend(b);
                Noqa::Codes(a)
            }
            _ => Noqa::All,
        }
    }
}

/// Parse the text after the word `noqa` (e.g. `": V006, V007"`, `""`).
fn parse_after_noqa(rest: &str) -> Noqa {
    let Some(list) = rest.trim_start().strip_prefix(':') else {
        return Noqa::All;
    };
    let mut codes = Vec::new();
    for token in list.split(|c: char| c == ',' || c.is_whitespace()) {
        if token.is_empty() {
            continue;
        }
        if is_code(token) {
            codes.push(token.to_ascii_uppercase());
        } else {
            break;
        }
    }
    if codes.is_empty() {
        Noqa::All
    } else {
        Noqa::Codes(codes)
    }
}

/// `s` without a leading `prefix` matched ASCII-case-insensitively; never splits a
/// multi-byte character.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn is_code(token: &str) -> bool {
    let letters = token.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    letters > 0 && token.len() > letters && token[letters..].chars().all(|c| c.is_ascii_digit())
}

/// Find a line-level `# noqa` in a Python comment (`comment` starts with `#`).
pub fn python_line_noqa(comment: &str) -> Option<Noqa> {
    // A comment may hold several `#` sections: `# type: ignore  # noqa: V006`.
    for (i, _) in comment.match_indices('#') {
        let section = comment[i + 1..].trim_start();
        if let Some(rest) = strip_prefix_ignore_case(section, "noqa") {
            // `# noqa-foo` or `# noqa V006` is blanket; `# noqaX` is not a directive.
            if rest
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
            {
                return Some(parse_after_noqa(rest));
            }
        }
    }
    None
}

/// Find a file-level `# djust: noqa[: codes]` in a Python comment.
pub fn python_file_noqa(comment: &str) -> Option<Noqa> {
    let body = comment.strip_prefix('#')?.trim_start();
    let rest = body.strip_prefix("djust:")?.trim_start();
    strip_prefix_ignore_case(rest, "noqa").map(parse_after_noqa)
}

/// Parse a template `{# … #}` comment's stripped content as a noqa directive.
pub fn template_noqa(content: &str) -> Option<Noqa> {
    if let Some(rest) = strip_prefix_ignore_case(content.trim(), "noqa") {
        if rest
            .chars()
            .next()
            .is_none_or(|ch| ch == ':' || ch.is_whitespace())
        {
            return Some(parse_after_noqa(rest));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_noqa_forms() {
        assert_eq!(python_line_noqa("# noqa"), Some(Noqa::All));
        assert_eq!(python_line_noqa("#noqa"), Some(Noqa::All));
        assert_eq!(
            python_line_noqa("# noqa: V006, v007"),
            Some(Noqa::Codes(vec!["V006".into(), "V007".into()]))
        );
        assert_eq!(
            python_line_noqa("# noqa:V006 because reasons"),
            Some(Noqa::Codes(vec!["V006".into()]))
        );
        assert_eq!(
            python_line_noqa("# type: ignore  # NOQA: T002"),
            Some(Noqa::Codes(vec!["T002".into()]))
        );
        assert_eq!(python_line_noqa("# noqa V006"), Some(Noqa::All));
        assert_eq!(python_line_noqa("# noqab"), None);
        assert_eq!(python_line_noqa("# see noqa docs"), None);
        assert!(!Noqa::Codes(vec!["V007".into()]).suppresses(Rule::V006));
    }

    #[test]
    fn file_level_and_template_forms() {
        assert_eq!(python_file_noqa("# djust: noqa"), Some(Noqa::All));
        assert_eq!(
            python_file_noqa("# djust: noqa: V006"),
            Some(Noqa::Codes(vec!["V006".into()]))
        );
        assert_eq!(python_file_noqa("# noqa"), None);
        assert_eq!(template_noqa("noqa"), Some(Noqa::All));
        assert_eq!(
            template_noqa("noqa: T002"),
            Some(Noqa::Codes(vec!["T002".into()]))
        );
        assert_eq!(
            template_noqa("noqa:T005,T002").map(|n| n.suppresses(Rule::T005)),
            Some(true)
        );
        assert_eq!(template_noqa("noqalike"), None);
        assert_eq!(template_noqa("a noqa"), None);
    }
}
