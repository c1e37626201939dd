//! Django's `loader_tags`: `{% block %}`, `{% extends %}` and `{% include %}`.

use super::*;

impl<'a> Parser<'a> {
    /// `{% block %}`: Django's `loader.do_block`.
    pub(super) fn do_block(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let words: Vec<&str> = self.content(&tok).split_whitespace().collect();
        if words.len() != 2 {
            return Err(err("'block' tag takes only one argument".into()));
        }
        let name = words[1].to_string();
        if !self.blocks.insert(name.clone()) {
            return Err(err(format!(
                "'block' tag with name '{name}' appears more than once"
            )));
        }
        let (body, end) = self.parse_until(&["endblock"])?;
        match end {
            Some(t) => {
                let c = self.content(&t);
                let named = format!("endblock {name}");
                if c != "endblock" && c != named {
                    let line = self.line(&t);
                    return Err(TemplateError::syntax(
                        format!(
                            "Invalid block tag on line {line}: 'endblock', expected {}. Did you forget to register or load this tag?",
                            text_list(&["endblock", &named])
                        ),
                        t.span,
                    ));
                }
            }
            None => return Err(err("unclosed block".into())),
        }
        Ok(Node::Block(Arc::new(BlockNode {
            name: name.into(),
            body,
            span,
        })))
    }

    /// `{% extends %}`: Django's `loader.do_extends`.
    pub(super) fn do_extends(&mut self, tok: Token, until: &[&str], siblings: &[Node]) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() != 2 {
            return Err(err("'extends' takes one argument".into()));
        }
        let parent_text = self.relative(bits[1].0, false)?;
        let parent = self.expr(&parent_text, bits[1].1)?;
        // Django parses the rest of the template inside the first `extends`, so
        // a second one is judged only against what follows the first.
        let first = siblings.iter().position(|n| matches!(n, Node::Extends(..)));
        let before = match first {
            Some(i) => &siblings[i + 1..],
            None => siblings,
        };
        if self.depth > 1 || before.iter().any(|n| !matches!(n, Node::Text(_))) {
            return Err(err(format!(
                "{{% {} %}} must be the first tag in the template.",
                self.content(&tok)
            )));
        }
        if first.is_some() {
            return Err(err(
                "'extends' cannot appear more than once in the same template".into()
            ));
        }
        let _ = until;
        Ok(Node::Extends(parent, span))
    }

    /// `{% include %}`: Django's `loader.do_include`.
    pub(super) fn do_include(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() < 2 {
            return Err(err(
                "'include' tag takes at least one argument: the name of the template to be included.".into(),
            ));
        }
        let mut rest: Vec<(&str, Span)> = bits[2..].to_vec();
        let mut extra = Vec::new();
        let (mut seen_with, mut only) = (false, false);
        while !rest.is_empty() {
            let (option, _) = rest.remove(0);
            if (option == "with" && seen_with) || (option == "only" && only) {
                return Err(err(format!(
                    "The '{option}' option was specified more than once."
                )));
            }
            match option {
                "with" => {
                    seen_with = true;
                    extra = self.token_kwargs(&mut rest, false)?;
                    if extra.is_empty() {
                        return Err(err(
                            "\"with\" in 'include' tag needs at least one keyword argument.".into(),
                        ));
                    }
                }
                "only" => only = true,
                other => return Err(err(format!("Unknown argument for 'include' tag: '{other}'."))),
            }
        }
        let name_text = self.relative(bits[1].0, true)?;
        let template = self.expr(&name_text, bits[1].1)?;
        Ok(Node::Include(Box::new(IncludeNode {
            template,
            extra,
            only,
            span,
        })))
    }
}
