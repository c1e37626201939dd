//! Django's `defaulttags`: the compile function of each built-in tag (`{% if %}`, `{% for %}`, `{% with %}`, …), one method per tag, named as Django names it.

use super::*;

impl<'a> Parser<'a> {
    /// `{% if %}`: Django's `defaulttags.do_if`.
    pub(super) fn do_if(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let mut branches = Vec::new();
        let mut bits: Vec<(&str, Span)> = self.bits(&tok).into_iter().skip(1).collect();
        loop {
            let cond = self.parse_condition(&bits, span)?;
            let (body, end) = self.parse_until(&["elif", "else", "endif"])?;
            branches.push((Some(cond), body));
            match self.end_token(end) {
                Some(c) if c.split_whitespace().next() == Some("elif") => {
                    let t = end.unwrap_or(tok);
                    bits = self.bits(&t).into_iter().skip(1).collect();
                }
                Some("else") => {
                    let (body, end) = self.parse_until(&["endif"])?;
                    branches.push((None, body));
                    return self.expect_end(end, "endif", Node::If(branches, span));
                }
                other => return self.expect_end_content(other, end, "endif", Node::If(branches, span)),
            }
        }
    }

    /// `{% for %}`: Django's `defaulttags.do_for`.
    pub(super) fn do_for(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() < 4 {
            return Err(err(format!(
                "'for' statements should have at least four words: {}",
                self.content(&tok)
            )));
        }
        let reversed = bits[bits.len() - 1].0 == "reversed";
        let in_index = bits.len() - if reversed { 3 } else { 2 };
        if bits[in_index].0 != "in" {
            return Err(err(format!(
                "'for' statements should use the format 'for x in y': {}",
                self.content(&tok)
            )));
        }
        let joined: Vec<&str> = bits[1..in_index].iter().map(|b| b.0).collect();
        let joined = joined.join(" ");
        let mut loopvars: Vec<Arc<str>> = Vec::new();
        for var in split_loopvars(&joined) {
            if var.is_empty() || var.contains([' ', '"', '\'', '|']) {
                return Err(err(format!(
                    "'for' tag received an invalid argument: {}",
                    self.content(&tok)
                )));
            }
            loopvars.push(var.into());
        }
        let (seq_text, seq_span) = bits[in_index + 1];
        let sequence = self.expr(seq_text, seq_span)?;
        let (body, end) = self.parse_until(&["empty", "endfor"])?;
        let empty = if self.end_token(end) == Some("empty") {
            let (empty, end2) = self.parse_until(&["endfor"])?;
            self.require_end(end2)?;
            empty
        } else {
            self.require_end(end)?;
            Vec::new()
        };
        Ok(Node::For(Box::new(ForNode {
            loopvars,
            sequence,
            reversed,
            body,
            empty,
            span,
        })))
    }

    /// `{% with %}`: Django's `defaulttags.do_with`.
    pub(super) fn do_with(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        let mut rest: Vec<(&str, Span)> = bits[1..].to_vec();
        let kwargs = self.token_kwargs(&mut rest, true)?;
        if kwargs.is_empty() {
            return Err(err("'with' expected at least one variable assignment".into()));
        }
        if let Some((t, _)) = rest.first() {
            return Err(err(format!("'with' received an invalid token: '{t}'")));
        }
        let (body, end) = self.parse_until(&["endwith"])?;
        self.require_end(end)?;
        Ok(Node::With(kwargs, body, span))
    }

    /// `{% autoescape %}`: Django's `defaulttags.autoescape`.
    pub(super) fn autoescape(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let args: Vec<&str> = self.content(&tok).split_whitespace().collect();
        if args.len() != 2 {
            return Err(err("'autoescape' tag requires exactly one argument.".into()));
        }
        let on = match args[1] {
            "on" => true,
            "off" => false,
            _ => return Err(err("'autoescape' argument should be 'on' or 'off'".into())),
        };
        let (body, end) = self.parse_until(&["endautoescape"])?;
        self.require_end(end)?;
        Ok(Node::Autoescape(on, body, span))
    }

    /// `{% spaceless %}`: Django's `defaulttags.spaceless`.
    pub(super) fn spaceless(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let (body, end) = self.parse_until(&["endspaceless"])?;
        self.require_end(end)?;
        Ok(Node::Spaceless(body, span))
    }

    /// `{% verbatim %}`: Django's `defaulttags.verbatim`.
    pub(super) fn verbatim(&mut self, tok: Token) -> Result<Node> {
        let start = tok.span.end;
        let (_, end) = self.parse_until(&["endverbatim"])?;
        let stop = end.map(|t| t.span.start).unwrap_or(self.src.len());
        self.require_end(end)?;
        Ok(Node::Verbatim(Span::new(start, stop)))
    }

    /// `{% comment %}`: Django's `defaulttags.comment`.
    pub(super) fn comment(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        while self.pos < self.tokens.len() {
            let t = self.tokens[self.pos];
            self.pos += 1;
            if t.kind == TokenKind::Block && self.content(&t) == "endcomment" {
                return Ok(Node::CommentBlock(Span::new(span.start, t.span.end)));
            }
        }
        let line = self.line(&tok);
        Err(err(format!(
            "Unclosed tag on line {line}: 'comment'. Looking for one of: endcomment."
        )))
    }

    /// `{% cycle %}`: Django's `defaulttags.cycle`.
    pub(super) fn cycle(&mut self, tok: Token) -> Result<Node> {
        self.compile_cycle(&tok)
    }

    /// `{% resetcycle %}`: Django's `defaulttags.resetcycle`.
    pub(super) fn resetcycle(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() > 2 {
            return Err(err("'resetcycle' tag accepts at most one argument.".into()));
        }
        if let Some((name, _)) = bits.get(1) {
            return match self.named_cycles.iter().find(|(n, _)| n == name) {
                Some((_, c)) => Ok(Node::ResetCycle(c.id, span)),
                None => Err(err(format!("Named cycle '{name}' does not exist."))),
            };
        }
        match self.last_cycle {
            Some(id) => Ok(Node::ResetCycle(id, span)),
            None => Err(err("No cycles in template.".into())),
        }
    }

    /// `{% firstof %}`: Django's `defaulttags.firstof`.
    pub(super) fn firstof(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let mut bits: Vec<(&str, Span)> = self.bits(&tok).into_iter().skip(1).collect();
        if bits.is_empty() {
            return Err(err("'firstof' statement requires at least one argument".into()));
        }
        let mut asvar = None;
        if bits.len() >= 2 && bits[bits.len() - 2].0 == "as" {
            asvar = Some(Arc::from(bits[bits.len() - 1].0));
            bits.truncate(bits.len() - 2);
        }
        let exprs = bits
            .iter()
            .map(|(t, s)| self.expr(t, *s))
            .collect::<Result<Vec<_>>>()?;
        Ok(Node::Firstof(exprs, asvar, span))
    }

    /// `{% templatetag %}`: Django's `defaulttags.templatetag`.
    pub(super) fn templatetag(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
        if bits.len() != 2 {
            return Err(err("'templatetag' statement takes one argument".into()));
        }
        let out = match bits[1] {
            "openblock" => "{%",
            "closeblock" => "%}",
            "openvariable" => "{{",
            "closevariable" => "}}",
            "openbrace" => "{",
            "closebrace" => "}",
            "opencomment" => "{#",
            "closecomment" => "#}",
            other => {
                return Err(err(format!(
                    "Invalid templatetag argument: '{other}'. Must be one of: ['openblock', 'closeblock', 'openvariable', 'closevariable', 'openbrace', 'closebrace', 'opencomment', 'closecomment']"
                )))
            }
        };
        Ok(Node::TemplateTag(out, span))
    }

    /// `{% widthratio %}`: Django's `defaulttags.widthratio`.
    pub(super) fn widthratio(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        let asvar = match bits.len() {
            4 => None,
            6 => {
                if bits[4].0 != "as" {
                    return Err(err(
                        "Invalid syntax in widthratio tag. Expecting 'as' keyword".into()
                    ));
                }
                Some(Arc::from(bits[5].0))
            }
            _ => return Err(err("widthratio takes at least three arguments".into())),
        };
        let e = |i: usize| self.expr(bits[i].0, bits[i].1);
        Ok(Node::WidthRatio(Box::new([e(1)?, e(2)?, e(3)?]), asvar, span))
    }

    /// `{% filter %}`: Django's `defaulttags.do_filter`.
    pub(super) fn do_filter(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let content = self.content(&tok);
        let rest = content
            .split_once(char::is_whitespace)
            .map(|x| x.1.trim_start())
            .unwrap_or("");
        let rest_start = tok.content.end - rest.len();
        let text = format!("var|{rest}");
        let parsed = parse_filter_expr(&text, rest_start.saturating_sub(4), self.reg())?;
        for f in &parsed.filters {
            if f.def.name == "escape" || f.def.name == "safe" {
                return Err(err(format!(
                    "\"filter {}\" is not permitted.  Use the \"autoescape\" tag instead.",
                    f.def.name
                )));
            }
        }
        let (body, end) = self.parse_until(&["endfilter"])?;
        self.require_end(end)?;
        Ok(Node::Filter(parsed.filters, body, span))
    }

    /// `{% ifchanged %}`: Django's `defaulttags.ifchanged`.
    pub(super) fn ifchanged(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let bits = self.bits(&tok);
        let (body, end) = self.parse_until(&["else", "endifchanged"])?;
        let otherwise = if self.end_token(end) == Some("else") {
            let (o, end2) = self.parse_until(&["endifchanged"])?;
            self.require_end(end2)?;
            o
        } else {
            self.require_end(end)?;
            Vec::new()
        };
        let values = bits[1..]
            .iter()
            .map(|(t, s)| self.expr(t, *s))
            .collect::<Result<Vec<_>>>()?;
        let id = self.new_id();
        Ok(Node::IfChanged(Box::new(IfChangedNode {
            id,
            values,
            body,
            otherwise,
            span,
        })))
    }

    /// `{% partialdef %}`: Django's `defaulttags.partialdef_func`.
    pub(super) fn partialdef_func(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        let (name, inline) = match bits.as_slice() {
            [_, (name, _), ("inline", _)] => (*name, true),
            [_, _, _] => {
                return Err(err(
                    "The 'inline' argument does not have any parameters; either use 'inline' or remove it completely."
                        .into(),
                ))
            }
            [_, (name, _)] => (*name, false),
            [_] => return Err(err("'partialdef' tag requires a single argument".into())),
            _ => return Err(err("'partialdef' tag takes at most 2 arguments".into())),
        };
        let named_end = format!("endpartialdef {name}");
        let (body, end) = self.parse_until(&["endpartialdef"])?;
        if let Some(t) = end {
            let c = self.content(&t);
            if c != "endpartialdef" && c != named_end {
                let line = self.line(&t);
                return Err(TemplateError::syntax(
                    format!(
                        "Invalid block tag on line {line}: 'endpartialdef', expected {}. Did you forget to register or load this tag?",
                        text_list(&["endpartialdef", &named_end])
                    ),
                    t.span,
                ));
            }
        }
        if self.partials.iter().any(|(n, _)| &**n == name) {
            let origin = self.opts.name.as_deref().unwrap_or("<unknown source>");
            return Err(err(format!(
                "Partial '{name}' is already defined in the '{origin}' template."
            )));
        }
        let body = Arc::new(body);
        self.partials.push((Arc::from(name), body.clone()));
        Ok(Node::PartialDef(Arc::from(name), inline, body, span))
    }

    /// `{% partial %}`: Django's `defaulttags.partial_func`.
    pub(super) fn partial_func(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        match bits.as_slice() {
            [_, (name, _)] => Ok(Node::Partial(Arc::from(*name), span)),
            _ => Err(err("'partial' tag requires a single argument".into())),
        }
    }

    /// `{% csrf_token %}`: Django's `defaulttags.csrf_token`.
    pub(super) fn csrf_token(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        Ok(Node::CsrfToken(span))
    }

    /// `{% debug %}`: Django's `defaulttags.debug`.
    pub(super) fn debug(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        Ok(Node::Debug(span))
    }

    /// `{% load %}`: Django's `defaulttags.load`.
    pub(super) fn load(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits: Vec<&str> = self.content(&tok).split_whitespace().collect();
        let loads: Vec<Load> = if bits.len() >= 4 && bits[bits.len() - 2] == "from" {
            vec![Load {
                library: Arc::from(bits[bits.len() - 1]),
                names: Some(bits[1..bits.len() - 2].iter().map(|n| Arc::from(*n)).collect()),
            }]
        } else {
            bits[1..]
                .iter()
                .map(|n| Load {
                    library: Arc::from(*n),
                    names: None,
                })
                .collect()
        };
        for load in loads {
            self.load_library(load).map_err(err)?;
        }
        Ok(Node::Load(span))
    }

    /// `{% url %}`: Django's `defaulttags.url`.
    pub(super) fn url(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() < 2 {
            return Err(err(
                "'url' takes at least one argument, a URL pattern name.".into()
            ));
        }
        let name = self.expr(bits[1].0, bits[1].1)?;
        let mut rest: Vec<(&str, Span)> = bits[2..].to_vec();
        let mut asvar = None;
        if rest.len() >= 2 && rest[rest.len() - 2].0 == "as" {
            asvar = Some(Arc::from(rest[rest.len() - 1].0));
            rest.truncate(rest.len() - 2);
        }
        let (mut args, mut kwargs) = (Vec::new(), Vec::new());
        for (bit, s) in rest {
            let key_len: usize = bit
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .map(char::len_utf8)
                .sum();
            if key_len > 0 && bit[key_len..].starts_with('=') && bit.len() > key_len + 1 {
                let value = self.expr(&bit[key_len + 1..], Span::new(s.start + key_len + 1, s.end))?;
                kwargs.push((Arc::from(&bit[..key_len]), value));
            } else {
                args.push(self.expr(bit, s)?);
            }
        }
        Ok(Node::Url(Box::new(UrlNode {
            name,
            args,
            kwargs,
            asvar,
            span,
        })))
    }

    /// `{% regroup %}`: Django's `defaulttags.regroup`.
    pub(super) fn regroup(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let bits = self.bits(&tok);
        if bits.len() != 6 {
            return Err(err("'regroup' tag takes five arguments".into()));
        }
        let target = self.expr(bits[1].0, bits[1].1)?;
        if bits[2].0 != "by" {
            return Err(err("second argument to 'regroup' tag must be 'by'".into()));
        }
        if bits[4].0 != "as" {
            return Err(err("next-to-last argument to 'regroup' tag must be 'as'".into()));
        }
        let var = bits[5].0;
        let expression = self.expr(&format!("{var}.{}", bits[3].0), bits[3].1)?;
        Ok(Node::Regroup(Box::new((target, expression)), var.into(), span))
    }

    /// `{% lorem %}`: Django's `defaulttags.lorem`.
    pub(super) fn lorem(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let mut bits = self.bits(&tok);
        let common = bits.last().map(|b| b.0) != Some("random");
        if !common {
            bits.pop();
        }
        let method = match bits.last().map(|b| b.0) {
            Some(m @ ("w" | "p" | "b")) if bits.len() > 1 => {
                let c = m.chars().next().unwrap_or('b');
                bits.pop();
                c
            }
            _ => 'b',
        };
        let count = if bits.len() > 1 {
            bits.pop().map(|(t, s)| self.expr(t, s)).transpose()?
        } else {
            None
        };
        if bits.len() != 1 {
            return Err(err("Incorrect format for 'lorem' tag".into()));
        }
        let count = match count {
            Some(c) => c,
            None => self.expr("1", span)?,
        };
        Ok(Node::Lorem(count, method, common, span))
    }

    /// `{% now %}`: Django's `defaulttags.now`.
    pub(super) fn now(&mut self, tok: Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let mut bits = self.bits(&tok);
        let mut asvar = None;
        if bits.len() == 4 && bits[2].0 == "as" {
            asvar = Some(Arc::from(bits[3].0));
            bits.truncate(2);
        }
        if bits.len() != 2 {
            return Err(err("'now' statement takes one argument".into()));
        }
        let f = bits[1].0;
        let inner = if f.len() >= 2 { &f[1..f.len() - 1] } else { "" };
        Ok(Node::Now(inner.into(), asvar, span))
    }

    pub(super) fn compile_cycle(&mut self, tok: &Token) -> Result<Node> {
        let span = tok.span;
        let err = |m: String| TemplateError::syntax(m, span);
        let mut args = self.bits(tok);
        if args.len() < 2 {
            return Err(err("'cycle' tag requires at least two arguments".into()));
        }
        if args.len() == 2 {
            let name = args[1].0;
            if self.named_cycles.is_empty() {
                return Err(err(format!(
                    "No named cycles in template. '{name}' is not defined"
                )));
            }
            return match self.named_cycles.iter().find(|(n, _)| n == name) {
                Some((_, node)) => Ok(Node::Cycle(Box::new(CycleNode { span, ..node.clone() }))),
                None => Err(err(format!("Named cycle '{name}' does not exist"))),
            };
        }
        let mut as_form = false;
        let mut silent = false;
        if args.len() > 4 {
            let n = args.len();
            if args[n - 3].0 == "as" {
                if args[n - 1].0 != "silent" {
                    return Err(err(format!(
                        "Only 'silent' flag is allowed after cycle's name, not '{}'.",
                        args[n - 1].0
                    )));
                }
                as_form = true;
                silent = true;
                args.pop();
            } else if args[n - 2].0 == "as" {
                as_form = true;
            }
        }
        let id = self.new_id();
        let node = if as_form {
            let n = args.len();
            let name = args[n - 1].0;
            let values = args[1..n - 2]
                .iter()
                .map(|(t, s)| self.expr(t, *s))
                .collect::<Result<Vec<_>>>()?;
            let node = CycleNode {
                id,
                values,
                name: Some(name.into()),
                silent,
                span,
            };
            self.named_cycles.retain(|(n, _)| n != name);
            self.named_cycles.push((name.to_string(), node.clone()));
            node
        } else {
            let values = args[1..]
                .iter()
                .map(|(t, s)| self.expr(t, *s))
                .collect::<Result<Vec<_>>>()?;
            CycleNode {
                id,
                values,
                name: None,
                silent: false,
                span,
            }
        };
        self.last_cycle = Some(id);
        Ok(Node::Cycle(Box::new(node)))
    }

    /// Django's `load` for one library (`find_library`, then `load_from_library` for
    /// `{% load x from lib %}`): its tags and filters become available. `Err` is the
    /// syntax error's message.
    pub(super) fn load_library(&mut self, load: Load) -> std::result::Result<(), String> {
        let registry = self.registry;
        let Some(library) = registry.library(&load.library) else {
            return Err(format!(
                "'{}' is not a registered tag library. Must be one of:\n{}",
                load.library,
                registry.libraries().join("\n")
            ));
        };
        let mut filters: Vec<Arc<FilterDef>> = Vec::new();
        let take_tag = |p: &mut Self, name: &str, def: &TagDef| match def {
            TagDef::Native => {
                p.loaded.insert(name.to_string());
                p.loaded_tags.remove(name);
            }
            other => {
                p.loaded.remove(name);
                p.loaded_tags.insert(name.to_string(), other.clone());
            }
        };
        match &load.names {
            None => {
                for (name, def) in &library.tags {
                    take_tag(self, name, def);
                }
                filters.extend(library.filters.values().cloned());
            }
            Some(names) => {
                for name in names {
                    let tag = library.tags.get(&**name);
                    let filter = library.filters.get(&**name);
                    if tag.is_none() && filter.is_none() {
                        return Err(format!(
                            "'{name}' is not a valid tag or filter in tag library '{}'",
                            load.library
                        ));
                    }
                    if let Some(def) = tag {
                        take_tag(self, name, def);
                    }
                    filters.extend(filter.cloned());
                }
            }
        }
        if !filters.is_empty() {
            let extended = self.reg().with_filters(filters);
            self.extended = Some(Box::new(extended));
        }
        self.loads.push(load);
        Ok(())
    }
}
