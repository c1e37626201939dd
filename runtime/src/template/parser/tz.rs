//! Django's `tz` library (after `{% load tz %}`): `{% localtime %}`, `{% timezone %}`,
//! `{% get_current_timezone %}`.

use super::*;

impl<'a> Parser<'a> {
    /// `{% localtime [on|off] %}…{% endlocaltime %}`: Django's `tz.localtime_tag`.
    pub(super) fn localtime_tag(&mut self, tok: Token) -> Result<Node> {
        let (on, body) = self.on_off_block(tok, "endlocaltime")?;
        Ok(Node::LocalTime(on, body, tok.span))
    }

    /// `{% tag [on|off] %}…{% endtag %}`, as Django's `localtime_tag` and
    /// `localize_tag` read it: the switch (on without an argument; Django's message
    /// for anything else, before the body is parsed) and the body.
    pub(super) fn on_off_block(&mut self, tok: Token, end: &str) -> Result<(bool, Vec<Node>)> {
        let bits = self.bits(&tok);
        let on = match bits.as_slice() {
            [_] => true,
            [_, (arg, _)] if matches!(*arg, "on" | "off") => *arg == "on",
            _ => {
                return Err(TemplateError::syntax(
                    format!("'{}' argument should be 'on' or 'off'", bits[0].0),
                    tok.span,
                ))
            }
        };
        let (body, end) = self.parse_until(&[end])?;
        self.require_end(end)?;
        Ok((on, body))
    }

    /// `{% timezone tz %}…{% endtimezone %}`: Django's `tz.timezone_tag`.
    pub(super) fn timezone_tag(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let bits = self.bits(&tok);
        if bits.len() != 2 {
            return Err(TemplateError::syntax(
                format!("'{}' takes one argument (timezone)", bits[0].0),
                span,
            ));
        }
        let tz = self.expr(bits[1].0, bits[1].1)?;
        let (body, end) = self.parse_until(&["endtimezone"])?;
        self.require_end(end)?;
        Ok(Node::TimeZone(tz, body, span))
    }

    /// `{% get_current_timezone as var %}`: Django's `tz.get_current_timezone_tag`
    /// (the contents split on whitespace, not as a tag's arguments).
    pub(super) fn get_current_timezone_tag(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let args: Vec<&str> = self.content(&tok).split_whitespace().collect();
        match args.as_slice() {
            [_, "as", var] => Ok(Node::CurrentTimeZone(Arc::from(*var), span)),
            _ => {
                let repr = py_list_repr(&args);
                Err(TemplateError::syntax(
                    format!("'get_current_timezone' requires 'as variable' (got {repr})"),
                    span,
                ))
            }
        }
    }
}
