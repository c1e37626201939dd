//! Django's `smartif`: the `{% if %}` condition parser (Pratt parsing by binding power, Django's error messages), with a depth limit.

use super::*;

impl<'a> Parser<'a> {
    /// Django's `TemplateIfParser` over the tag's bits.
    pub(super) fn parse_condition(&self, bits: &[(&str, Span)], span: Span) -> Result<Cond> {
        let mut toks: Vec<IfTok> = Vec::new();
        let mut i = 0;
        while i < bits.len() {
            let (t, s) = bits[i];
            let next = bits.get(i + 1).map(|b| b.0);
            let text = if t == "is" && next == Some("not") {
                i += 1;
                "is not"
            } else if t == "not" && next == Some("in") {
                i += 1;
                "not in"
            } else {
                t
            };
            toks.push(match (text, BinOp::from_token(text)) {
                ("not", _) => IfTok::Not,
                (_, Some(op)) => IfTok::Op(op, text),
                _ => IfTok::Operand(text, s),
            });
            i += 1;
        }
        // Django compiles every operand before parsing the expression, so an invalid
        // operand is reported before any grammar error.
        for t in &toks {
            if let IfTok::Operand(text, s) = t {
                self.expr(text, *s)?;
            }
        }
        let mut p = IfParser {
            parser: self,
            toks,
            pos: 0,
            span,
        };
        let cond = p.expression(0)?;
        if let Some(t) = p.toks.get(p.pos) {
            return Err(TemplateError::syntax(
                format!("Unused '{}' at end of if expression.", t.display()),
                span,
            ));
        }
        Ok(cond)
    }
}

/// The deepest `{% if %}` condition (see `IfParser::expression`).
const MAX_CONDITION_DEPTH: usize = 256;

#[derive(Debug, Clone, Copy)]
enum IfTok<'a> {
    Not,
    Op(BinOp, &'a str),
    Operand(&'a str, Span),
}

impl IfTok<'_> {
    fn display(&self) -> &str {
        match self {
            IfTok::Not => "not",
            IfTok::Op(_, t) => t,
            IfTok::Operand(t, _) => t,
        }
    }
    fn lbp(&self) -> u8 {
        match self {
            IfTok::Not => 8,
            IfTok::Op(op, _) => op.lbp(),
            IfTok::Operand(..) => 0,
        }
    }
}

struct IfParser<'p, 'a> {
    parser: &'p Parser<'a>,
    toks: Vec<IfTok<'a>>,
    pos: usize,
    span: Span,
}

impl IfParser<'_, '_> {
    fn error(&self, m: String) -> TemplateError {
        TemplateError::syntax(m, self.span)
    }

    fn next(&mut self) -> Option<IfTok<'_>> {
        let t = self.toks.get(self.pos).copied();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Django's `IfParser.expression`, returning the condition and its depth. A
    /// condition deeper than [`MAX_CONDITION_DEPTH`] (`not not not …`, a chain of
    /// hundreds of `and`s) is a syntax error: Django itself fails on it with a
    /// `RecursionError`, and a deeper tree could overflow the stack when evaluated.
    fn expression(&mut self, rbp: u8) -> Result<Cond> {
        self.expression_at(rbp, 0).map(|(c, _)| c)
    }

    fn expression_at(&mut self, rbp: u8, depth: usize) -> Result<(Cond, usize)> {
        if depth > MAX_CONDITION_DEPTH {
            return Err(self.error(format!(
                "The condition is nested more than {MAX_CONDITION_DEPTH} levels deep in if tag."
            )));
        }
        let t = self.next();
        let (mut left, mut left_depth) = match t {
            None => return Err(self.error("Unexpected end of expression in if tag.".into())),
            Some(IfTok::Not) => {
                let (inner, d) = self.expression_at(8, depth + 1)?;
                (Cond::Not(Box::new(inner)), d + 1)
            }
            Some(IfTok::Op(_, text)) => {
                let text = text.to_string();
                return Err(self.error(format!("Not expecting '{text}' in this position in if tag.")));
            }
            Some(IfTok::Operand(text, s)) => {
                let (text, s) = (text.to_string(), s);
                (Cond::Operand(self.parser.expr(&text, s)?), 1)
            }
        };
        while let Some(t) = self.toks.get(self.pos).copied() {
            if rbp >= t.lbp() {
                break;
            }
            self.pos += 1;
            match t {
                IfTok::Op(op, _) => {
                    let (right, right_depth) = self.expression_at(op.lbp(), depth + 1)?;
                    left_depth = left_depth.max(right_depth) + 1;
                    if depth + left_depth > MAX_CONDITION_DEPTH {
                        return Err(self.error(format!(
                            "The condition is nested more than {MAX_CONDITION_DEPTH} levels deep in if tag."
                        )));
                    }
                    left = Cond::Binary(op, Box::new(left), Box::new(right));
                }
                IfTok::Not => {
                    return Err(self.error("Not expecting 'not' as infix operator in if tag.".into()));
                }
                IfTok::Operand(text, _) => {
                    return Err(self.error(format!("Not expecting '{text}' as infix operator in if tag.")));
                }
            }
        }
        Ok((left, left_depth))
    }
}
