//! Rendering of Django's `i18n` tags: `{% translate %}`, `{% blocktranslate %}` (plural forms, `trimmed`, `asvar`), `{% language %}` and the language variables, through the [`Host`]'s translations.

use super::*;

impl<'e> Renderer<'e> {
    pub(super) fn render_blocktranslate(
        &mut self,
        template: &Arc<Template>,
        b: &nodes::BlockTranslateNode,
        out: &mut String,
    ) -> Result<()> {
        let context = self.resolve_optional_str(template, &b.context)?;
        let mut frame = Vec::with_capacity(b.extra.len() + 1);
        for (k, e) in &b.extra {
            frame.push((k.clone(), self.resolve(template, e, false)?));
        }
        self.frames.push(frame);
        let result = (|| -> Result<()> {
            let message = |parts: &[nodes::TransPart], vars: &mut Vec<Arc<str>>| -> String {
                let mut msg = String::new();
                for p in parts {
                    match p {
                        nodes::TransPart::Text(s) => {
                            msg.push_str(&s.slice(&template.source).replace('%', "%%"))
                        }
                        nodes::TransPart::Var(name) => {
                            msg.push_str(&format!("%({name})s"));
                            vars.push(name.clone());
                        }
                    }
                }
                if b.trimmed {
                    msg = trim_whitespace(&msg);
                }
                msg
            };
            let mut vars = Vec::new();
            let singular = message(&b.singular, &mut vars);
            let language = self.languages.last().cloned();
            let host = self.engine.host.clone();
            let result = match &b.count {
                Some((name, expr)) => {
                    let count = self.resolve(template, expr, false)?;
                    if !matches!(
                        count,
                        Value::Int(_) | Value::Float(_) | Value::Decimal(_) | Value::Bool(_)
                    ) {
                        return Err(TemplateError::syntax(
                            format!("'{name}' argument to '{}' tag must be a number.", b.tag),
                            b.span,
                        ));
                    }
                    self.set(name, count.clone());
                    let plural = message(&b.plural, &mut vars);
                    host.as_ref()
                        .and_then(|h| {
                            h.translate_plural(
                                &singular,
                                &plural,
                                &count,
                                context.as_deref(),
                                language.as_deref(),
                            )
                        })
                        .unwrap_or_else(|| {
                            if count.py_eq(&Value::Int(1)) {
                                singular.clone()
                            } else {
                                plural
                            }
                        })
                }
                None => host
                    .as_ref()
                    .and_then(|h| h.translate(&singular, context.as_deref(), language.as_deref()))
                    .unwrap_or_else(|| singular.clone()),
            };
            // `result % data`: each placeholder is the plain name's rendered value.
            let mut text = String::with_capacity(result.len());
            let bytes = result.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    if bytes.get(i + 1) == Some(&b'%') {
                        text.push('%');
                        i += 2;
                        continue;
                    }
                    if bytes.get(i + 1) == Some(&b'(') {
                        if let Some(close) = result[i + 2..].find(")s") {
                            let key = &result[i + 2..i + 2 + close];
                            let value = match self.get(key) {
                                Some(v) => v,
                                None => Value::str(self.invalid_value(key)),
                            };
                            self.render_value(&value, &mut text);
                            i += 2 + close + 2;
                            continue;
                        }
                    }
                }
                let c = result[i..].chars().next().unwrap_or(' ');
                text.push(c);
                i += c.len_utf8();
            }
            match &b.asvar {
                Some(var) => {
                    // Set in the frame below the `with` frame, as Django's context.pop()
                    // happens before the assignment.
                    let v = Value::safe(text);
                    let n = self.frames.len();
                    if n >= 2 {
                        let frame = &mut self.frames[n - 2];
                        match frame.iter_mut().find(|(k, _)| k == var) {
                            Some(slot) => slot.1 = v,
                            None => frame.push((var.clone(), v)),
                        }
                    } else {
                        self.frames.insert(0, vec![(var.clone(), v)]);
                    }
                }
                None => out.push_str(&text),
            }
            Ok(())
        })();
        self.frames.pop();
        result
    }

    /// Django's `get_language()`: the innermost `{% language %}`, else the host's.
    pub(super) fn current_language(&self) -> String {
        match self.languages.last() {
            Some(l) => l.clone(),
            None => self
                .engine
                .host
                .as_ref()
                .map(|h| h.language())
                .unwrap_or_else(|| "en-us".into()),
        }
    }

    /// `Node::Translate`.
    pub(super) fn render_translate(
        &mut self,
        template: &Arc<Template>,
        t: &TranslateNode,
        out: &mut String,
    ) -> Result<()> {
        let value = match self.resolve_operand(template, &t.message.operand)? {
            Some(v) => v,
            None => Value::str(self.invalid_value(&t.message.operand.display())),
        };
        let mut obj = if t.noop {
            value
        } else {
            // Django doubles `%` in the msgid before looking it up.
            let msgid = value.to_py_str().replace('%', "%%");
            let context = self.resolve_optional_str(template, &t.context)?;
            let translated = self
                .engine
                .host
                .as_ref()
                .and_then(|h| {
                    h.translate(
                        &msgid,
                        context.as_deref(),
                        self.languages.last().map(String::as_str),
                    )
                })
                .unwrap_or(msgid);
            if value.is_safe() {
                Value::safe(translated)
            } else {
                Value::str(translated)
            }
        };
        obj = self.apply_filters(template, obj, &t.message.filters)?;
        let mut rendered = String::new();
        self.render_value(&obj, &mut rendered);
        let rendered = rendered.replace("%%", "%");
        match &t.asvar {
            Some(var) => self.set(var, Value::safe(rendered)),
            None => out.push_str(&rendered),
        }
        Ok(())
    }

    /// `Node::CurrentLanguageBidi`.
    pub(super) fn render_current_language_bidi(&mut self, var: &Arc<str>) -> Result<()> {
        let bidi = match &self.engine.host {
            Some(h) => h.language_bidi(&self.current_language()),
            None => false,
        };
        self.set(var, Value::Bool(bidi));
        Ok(())
    }

    /// `Node::AvailableLanguages`.
    pub(super) fn render_available_languages(&mut self, var: &Arc<str>) -> Result<()> {
        let languages = self
            .engine
            .host
            .as_ref()
            .map(|h| h.available_languages())
            .unwrap_or_default();
        let items = languages
            .into_iter()
            .map(|(code, name)| Value::Tuple(Arc::new(vec![Value::str(code), Value::str(name)])))
            .collect();
        self.set(var, Value::list(items));
        Ok(())
    }

    /// `Node::LanguageInfo`.
    pub(super) fn render_language_info(
        &mut self,
        template: &Arc<Template>,
        code: &FilterExpr,
        var: &Arc<str>,
        list: &bool,
        span: &Span,
    ) -> Result<()> {
        let value = self.resolve(template, code, false)?;
        let host = self.engine.host.as_ref();
        let info = |code: &str| language_info(host, code).map_err(|e| e.at(*span));
        let result = if *list {
            // Each item is a code, or a sequence whose first item is the code.
            let items = value.iterate().unwrap_or_default();
            let mut infos = Vec::with_capacity(items.len());
            for item in items {
                let first = lookup_item(&item, "0").unwrap_or(Value::None);
                let code = if first.length().is_some_and(|n| n > 1) {
                    first.to_py_str()
                } else {
                    item.to_py_str()
                };
                infos.push(info(&code)?);
            }
            Value::list(infos)
        } else {
            info(&value.to_py_str())?
        };
        self.set(var, result);
        Ok(())
    }

    /// `Node::CurrentLanguage`.
    pub(super) fn render_current_language(&mut self, var: &Arc<str>) -> Result<()> {
        let language = self.current_language();
        self.set(var, Value::str(language));
        Ok(())
    }

    /// `Node::Language`.
    pub(super) fn render_language(
        &mut self,
        template: &Arc<Template>,
        code: &FilterExpr,
        body: &[Node],
        out: &mut String,
    ) -> Result<()> {
        let code = self.resolve(template, code, false)?.to_py_str();
        // Django's `translation.override`: the host renders everything inside in the
        // language, and the locale is asked again there (its numbers and dates).
        let host = self.engine.host.clone();
        let previous = host.as_ref().and_then(|h| h.enter_language(&code));
        let outer_locale = std::mem::take(&mut self.locale);
        self.languages.push(code);
        let r = self.render_body(template, body, out);
        self.languages.pop();
        self.locale = outer_locale;
        if let (Some(h), Some(previous)) = (&host, previous) {
            h.leave_language(&previous);
        }
        r?;
        Ok(())
    }
}
