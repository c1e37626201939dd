//! Django's `i18n` library (after `{% load i18n %}`): `{% translate %}`, `{% blocktranslate %}`, `{% language %}` and the language variables.

use super::*;

impl<'a> Parser<'a> {
    /// `{% translate %}`, `{% trans %}`: Django's `i18n.do_translate`.
    pub(super) fn do_translate(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        let tag = bits[0].0;
        if bits.len() < 2 {
            return Err(err(format!("'{tag}' takes at least one argument")));
        }
        let message = self.expr(bits[1].0, bits[1].1)?;
        let mut rest: Vec<(&str, Span)> = bits[2..].to_vec();
        let (mut noop, mut asvar, mut context) = (false, None, None);
        let mut seen: HashSet<&str> = HashSet::new();
        while !rest.is_empty() {
            let (option, _) = rest.remove(0);
            if !seen.insert(option) {
                return Err(err(format!(
                    "The '{option}' option was specified more than once."
                )));
            }
            match option {
                "noop" => noop = true,
                "context" => {
                    if rest.is_empty() {
                        return Err(err(format!(
                            "No argument provided to the '{tag}' tag for the context option."
                        )));
                    }
                    let (value, s) = rest.remove(0);
                    if value == "as" || value == "noop" {
                        return Err(err(format!(
                            "Invalid argument '{value}' provided to the '{tag}' tag for the context option"
                        )));
                    }
                    context = Some(self.expr(value, s)?);
                }
                "as" => {
                    if rest.is_empty() {
                        return Err(err(format!("No argument provided to the '{tag}' tag for the as option.")));
                    }
                    asvar = Some(Arc::from(rest.remove(0).0));
                }
                other => {
                    return Err(err(format!(
                        "Unknown argument for '{tag}' tag: '{other}'. The only options available are 'noop', 'context' \"xxx\", and 'as VAR'."
                    )))
                }
            }
        }
        Ok(Node::Translate(Box::new(TranslateNode {
            message,
            noop,
            context,
            asvar,
            span,
        })))
    }

    /// `{% blocktranslate %}`, `{% blocktrans %}`: Django's `i18n.do_block_translate`.
    pub(super) fn do_block_translate(&mut self, tok: Token) -> Result<Node> {
        self.compile_blocktranslate(&tok)
    }

    /// `{% get_current_language %}`, `{% get_current_language_bidi %}`, `{% get_available_languages %}`: Django's `i18n.do_get_current_language`.
    pub(super) fn do_get_current_language(&mut self, command: &str, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        // Django splits these on whitespace, not with `split_contents`.
        let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
        if bits.len() != 3 || bits[1] != "as" {
            return Err(err(format!(
                "'{command}' requires 'as variable' (got {})",
                py_list_repr(&bits)
            )));
        }
        let var = Arc::from(bits[2]);
        Ok(match command {
            "get_current_language" => Node::CurrentLanguage(var, span),
            "get_current_language_bidi" => Node::CurrentLanguageBidi(var, span),
            _ => Node::AvailableLanguages(var, span),
        })
    }

    /// `{% get_language_info %}`, `{% get_language_info_list %}`: Django's `i18n.do_get_language_info`.
    pub(super) fn do_get_language_info(&mut self, command: &str, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() != 5 || bits[1].0 != "for" || bits[3].0 != "as" {
            let what = if command == "get_language_info" {
                "string"
            } else {
                "sequence"
            };
            let rest: Vec<&str> = bits.iter().skip(1).map(|b| b.0).collect();
            return Err(err(format!(
                "'{}' requires 'for {what} as variable' (got {})",
                bits[0].0,
                py_list_repr(&rest)
            )));
        }
        let code = self.expr(bits[2].0, bits[2].1)?;
        Ok(Node::LanguageInfo(
            code,
            Arc::from(bits[4].0),
            command.ends_with("_list"),
            span,
        ))
    }

    /// `{% language %}`: Django's `i18n.language`.
    pub(super) fn language(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() != 2 {
            return Err(err("'language' takes one argument (language)".into()));
        }
        let language = self.expr(bits[1].0, bits[1].1)?;
        let (body, end) = self.parse_until(&["endlanguage"])?;
        self.require_end(end)?;
        Ok(Node::Language(language, body, span))
    }

    pub(super) fn compile_blocktranslate(&mut self, tok: &Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(tok);
        let tag = bits[0].0;
        let mut rest: Vec<(&str, Span)> = bits[1..].to_vec();
        let mut seen: HashSet<&str> = HashSet::new();
        let (mut extra, mut count, mut context, mut trimmed, mut asvar) =
            (Vec::new(), None, None, false, None);
        while !rest.is_empty() {
            let (option, _) = rest.remove(0);
            if !seen.insert(option) {
                return Err(err(format!(
                    "The '{option}' option was specified more than once."
                )));
            }
            match option {
                "with" => {
                    extra = self.token_kwargs(&mut rest, true)?;
                    if extra.is_empty() {
                        return Err(err(format!(
                            "\"with\" in '{tag}' tag needs at least one keyword argument."
                        )));
                    }
                }
                "count" => {
                    let mut kw = self.token_kwargs(&mut rest, true)?;
                    if kw.len() != 1 {
                        return Err(err(format!(
                            "\"count\" in '{tag}' tag expected exactly one keyword argument."
                        )));
                    }
                    count = kw.pop();
                }
                "context" => {
                    if rest.is_empty() {
                        return Err(err(format!(
                            "\"context\" in '{tag}' tag expected exactly one argument."
                        )));
                    }
                    let (value, s) = rest.remove(0);
                    context = Some(self.expr(value, s).map_err(|_| {
                        err(format!(
                            "\"context\" in '{tag}' tag expected exactly one argument."
                        ))
                    })?);
                }
                "trimmed" => trimmed = true,
                "asvar" => {
                    if rest.is_empty() {
                        return Err(err(format!(
                            "No argument provided to the '{tag}' tag for the asvar option."
                        )));
                    }
                    asvar = Some(Arc::from(rest.remove(0).0));
                }
                other => return Err(err(format!("Unknown argument for '{tag}' tag: '{other}'."))),
            }
        }
        // The message: only text and `{{ name }}` tokens until the next other token.
        let take_parts = |p: &mut Self| -> (Vec<TransPart>, Option<Token>) {
            let mut parts = Vec::new();
            while p.pos < p.tokens.len() {
                let t = p.tokens[p.pos];
                p.pos += 1;
                match t.kind {
                    TokenKind::Text => parts.push(TransPart::Text(t.span)),
                    TokenKind::Variable => parts.push(TransPart::Var(Arc::from(p.content(&t)))),
                    _ => return (parts, Some(t)),
                }
            }
            (parts, None)
        };
        let (singular, mut end) = take_parts(self);
        let mut plural = Vec::new();
        if count.is_some() {
            let c = end.map(|t| self.content(&t).trim()).unwrap_or("");
            if c != "plural" {
                return Err(err(format!("'{tag}' doesn't allow other block tags inside it")));
            }
            let (p, e) = take_parts(self);
            plural = p;
            end = e;
        }
        let c = end.map(|t| self.content(&t).trim()).unwrap_or("");
        if c != format!("end{tag}") {
            return Err(err(format!(
                "'{tag}' doesn't allow other block tags (seen {}) inside it",
                crate::template::value::py_str_repr(c)
            )));
        }
        Ok(Node::BlockTranslate(Box::new(BlockTranslateNode {
            extra,
            singular,
            plural,
            count,
            context,
            trimmed,
            asvar,
            tag: tag.into(),
            span,
        })))
    }
}
