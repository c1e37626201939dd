//! Django's `cache` library (after `{% load cache %}`): `{% cache %}`.

use super::*;

impl<'a> Parser<'a> {
    /// `{% cache timeout name [vary_on …] [using="alias"] %}…{% endcache %}`: Django's
    /// `cache.do_cache`. The body is parsed first, as Django does, so an error inside it
    /// is reported before the tag's own.
    pub(super) fn do_cache(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let (body, end) = self.parse_until(&["endcache"])?;
        self.require_end(end)?;
        let mut bits = self.bits(&tok);
        if bits.len() < 3 {
            return Err(TemplateError::syntax(
                // Django formats the tag's name with `%r` inside quotes.
                "''cache'' tag requires at least 2 arguments.",
                span,
            ));
        }
        let mut using = None;
        if bits.len() > 3 {
            if let Some((last, s)) = bits.last().copied() {
                if let Some(alias) = last.strip_prefix("using=") {
                    let at = Span::new(s.start + "using=".len(), s.end);
                    using = Some(self.expr(alias, at)?);
                    bits.pop();
                }
            }
        }
        let timeout = self.expr(bits[1].0, bits[1].1)?;
        let vary_on = bits[3..]
            .iter()
            .map(|(text, s)| self.expr(text, *s))
            .collect::<Result<Vec<_>>>()?;
        Ok(Node::Cache(Box::new(CacheNode {
            timeout,
            fragment: Arc::from(bits[2].0),
            vary_on,
            using,
            body,
            span,
        })))
    }
}
