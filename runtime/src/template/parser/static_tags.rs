//! Django's `static` library (after `{% load static %}`): `{% static %}`, `{% get_static_prefix %}`, `{% get_media_prefix %}`.

use super::*;

impl<'a> Parser<'a> {
    /// `{% get_static_prefix %}`, `{% get_media_prefix %}`: Django's `static.get_static_prefix`.
    pub(super) fn get_static_prefix(&mut self, command: &str, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
        if bits.len() > 1 && bits[1] != "as" {
            return Err(err(format!("First argument in '{command}' must be 'as'")));
        }
        let var = match bits.len() {
            1 => None,
            3 => Some(Arc::from(bits[2])),
            // Django indexes `tokens[2]` without checking.
            _ => return Err(err(format!("'{command}' takes 'as variable' or nothing"))),
        };
        Ok(Node::Prefix(command == "get_static_prefix", var, span))
    }

    /// `{% static %}`: Django's `static.do_static`.
    pub(super) fn do_static(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() < 2 {
            return Err(err("'static' takes at least one argument (path to file)".into()));
        }
        let path = self.expr(bits[1].0, bits[1].1)?;
        let asvar =
            (bits.len() >= 4 && bits[bits.len() - 2].0 == "as").then(|| Arc::from(bits[bits.len() - 1].0));
        Ok(Node::Static(path, asvar, span))
    }
}
