//! Tags of a project's libraries (`djust::template::library`): Django's `parse_bits` for `simple_tag`, `inclusion_tag` and `simple_block_tag` (`django/template/library.py`), and a host's `@register.tag` compile function run on the token stream.

use super::*;

impl<'a> Parser<'a> {
    /// Django's `parse_bits` for a custom tag, plus `as var` and the block body.
    pub(super) fn compile_custom(&mut self, tag: Arc<CustomTag>, tok: &Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let name = tag.name.clone();
        let mut bits: Vec<(&str, Span)> = self.bits(tok).into_iter().skip(1).collect();
        let mut asvar = None;
        if !matches!(tag.kind, TagKind::Inclusion(_)) && bits.len() >= 2 && bits[bits.len() - 2].0 == "as" {
            asvar = Some(Arc::from(bits[bits.len() - 1].0));
            bits.truncate(bits.len() - 2);
        }
        // Django's `simple_block_tag` parses the body before the arguments.
        let body = match &tag.kind {
            TagKind::Block(end) => {
                let end: &str = end;
                let (body, end_tok) = self.parse_until(&[end])?;
                self.require_end(end_tok)?;
                body
            }
            _ => Vec::new(),
        };
        let sig = &tag.signature;
        let mut unhandled: Vec<&str> = sig.params.iter().map(String::as_str).collect();
        let mut unhandled_kwonly: Vec<&str> = sig.kwonly_required.iter().map(String::as_str).collect();
        let (mut args, mut kwargs): (Vec<FilterExpr>, Vec<(Arc<str>, FilterExpr)>) = (Vec::new(), Vec::new());
        for bit in bits {
            let mut one = vec![bit];
            let kw = self.token_kwargs(&mut one, false)?;
            if let Some((param, value)) = kw.into_iter().next() {
                if !sig.params.iter().chain(&sig.kwonly).any(|p| **p == *param) && !sig.varkw {
                    return Err(err(format!(
                        "'{name}' received unexpected keyword argument '{param}'"
                    )));
                }
                if kwargs.iter().any(|(k, _)| *k == param) {
                    return Err(err(format!(
                        "'{name}' received multiple values for keyword argument '{param}'"
                    )));
                }
                if unhandled.contains(&&*param) {
                    unhandled.retain(|p| **p != *param);
                } else {
                    unhandled_kwonly.retain(|p| **p != *param);
                }
                kwargs.push((param, value));
            } else {
                if !kwargs.is_empty() {
                    return Err(err(format!(
                        "'{name}' received some positional argument(s) after some keyword argument(s)"
                    )));
                }
                args.push(self.expr(bit.0, bit.1)?);
                if unhandled.is_empty() {
                    if !sig.varargs {
                        return Err(err(format!("'{name}' received too many positional arguments")));
                    }
                } else {
                    unhandled.remove(0);
                }
            }
        }
        if sig.defaults > 0 {
            // Django: `unhandled_params = unhandled_params[: -len(defaults)]`.
            let keep = unhandled.len().saturating_sub(sig.defaults);
            unhandled.truncate(keep);
        }
        unhandled.extend(unhandled_kwonly);
        if !unhandled.is_empty() {
            let list: Vec<String> = unhandled.iter().map(|p| format!("'{p}'")).collect();
            return Err(err(format!(
                "'{name}' did not receive value(s) for the argument(s): {}",
                list.join(", ")
            )));
        }

        Ok(Node::Custom(Box::new(CustomNode {
            tag,
            args,
            kwargs,
            asvar,
            body,
            span,
        })))
    }

    /// A host tag: its compile function gets the tokens from this tag on; the parse
    /// resumes after what it consumed.
    pub(super) fn compile_host(
        &mut self,
        host: &dyn crate::template::library::HostTag,
        command: &str,
        tok: &Token,
    ) -> Result<Node> {
        let at = self.pos - 1;
        let lines = &self.lines;
        let line = |offset: usize| lines.line_of(offset) + 1;
        let compiled = host.compile(&HostCompile {
            parse: self.parse_id,
            tag: command,
            source: self.src,
            tokens: &self.tokens,
            at,
            line: &line,
            template_name: self.opts.name.as_deref(),
            loads: &self.loads,
        })?;
        // The tag's own token is already consumed.
        let rest = compiled.consumed.max(1) - 1;
        self.pos = (self.pos + rest).min(self.tokens.len());
        Ok(Node::Host(compiled.node, tok.span))
    }
}
