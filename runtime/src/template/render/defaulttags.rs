//! Rendering of Django's `defaulttags`: `{% for %}`, `{% if %}`, `{% with %}`, `{% cycle %}`, `{% ifchanged %}`, `{% regroup %}`, `{% url %}`, `{% now %}`, … (one method per node, as Django's `Node.render`).

use super::*;

impl<'e> Renderer<'e> {
    pub(super) fn render_for(
        &mut self,
        template: &Arc<Template>,
        f: &nodes::ForNode,
        out: &mut String,
    ) -> Result<()> {
        let parentloop = self
            .get("forloop")
            .unwrap_or_else(|| Value::dict(Vec::<(&str, Value)>::new()));
        let values = self.resolve(template, &f.sequence, true)?;
        let mut items = match values {
            Value::None => Vec::new(),
            v => v.iterate().ok_or_else(|| {
                render_err(
                    format!("'{}' object is not iterable", type_name(&v)),
                    f.sequence.span,
                )
            })?,
        };
        if items.is_empty() {
            return self.render_body(template, &f.empty, out);
        }
        if f.reversed {
            items.reverse();
        }
        // One `forloop` object per loop, updated in place each iteration (Django mutates
        // one dict the same way).
        let forloop = Arc::new(ForLoop {
            parentloop,
            index: AtomicI64::new(0),
            length: items.len() as i64,
        });
        self.frames
            .push(vec![(Arc::from("forloop"), Value::Object(forloop.clone()))]);
        self.loops.push(LoopState {
            ifchanged: HashMap::new(),
        });
        let result = (|| -> Result<()> {
            for (i, item) in items.into_iter().enumerate() {
                self.mark(out);
                forloop.index.store(i as i64, AtomicOrdering::Relaxed);
                if f.loopvars.len() > 1 {
                    let parts = item.iterate().unwrap_or_else(|| vec![item.clone()]);
                    if parts.len() != f.loopvars.len() {
                        return Err(TemplateError::new(
                            ErrorKind::Value,
                            format!(
                                "Need {} values to unpack in for loop; got {}. ",
                                f.loopvars.len(),
                                parts.len()
                            ),
                        )
                        .at(f.span));
                    }
                    self.frames.push(f.loopvars.iter().cloned().zip(parts).collect());
                    let r = self.render_body(template, &f.body, out);
                    self.frames.pop();
                    r?;
                } else {
                    self.set(&f.loopvars[0], item);
                    self.render_body(template, &f.body, out)?;
                }
            }
            self.mark(out);
            Ok(())
        })();
        self.loops.pop();
        self.frames.pop();
        result
    }

    /// Django's `DebugNode`: nothing unless the host says `DEBUG`; then the context
    /// dicts innermost first (each `pformat`-ed and escaped), the built-ins, and
    /// the host's module listing.
    pub(super) fn render_debug(&self, out: &mut String) {
        let Some(host) = self.engine.host.as_ref().filter(|h| h.debug()) else {
            return;
        };
        let pformat = |d: &Value| crate::template::html::escape(&crate::template::pprint::pformat(d));
        for f in self.frames.iter().rev() {
            out.push_str(&pformat(&Value::Dict(Arc::new(
                f.iter()
                    .map(|(k, v)| (Value::str(k.clone()), v.clone()))
                    .collect(),
            ))));
        }
        match self.root.debug_repr() {
            Some(text) => out.push_str(&crate::template::html::escape(&text)),
            None => {
                if let Some(root) = self.root.snapshot() {
                    out.push_str(&pformat(&root));
                }
            }
        }
        out.push_str(&pformat(&Value::dict([
            ("True", Value::Bool(true)),
            ("False", Value::Bool(false)),
            ("None", Value::None),
        ])));
        out.push_str("\n\n");
        out.push_str(&crate::template::html::escape(&host.debug_modules()));
    }

    /// `Node::If`.
    pub(super) fn render_if(
        &mut self,
        template: &Arc<Template>,
        branches: &Vec<(Option<Cond>, Vec<Node>)>,
        out: &mut String,
    ) -> Result<()> {
        for (cond, body) in branches {
            let hit = match cond {
                Some(c) => self.eval_truthy(template, c)?,
                None => true,
            };
            if hit {
                return self.render_body(template, body, out);
            }
        }
        Ok(())
    }

    /// `Node::With`.
    pub(super) fn render_with(
        &mut self,
        template: &Arc<Template>,
        bindings: &Vec<(Arc<str>, FilterExpr)>,
        body: &[Node],
        out: &mut String,
    ) -> Result<()> {
        let mut frame = Vec::with_capacity(bindings.len());
        for (k, e) in bindings {
            frame.push((k.clone(), self.resolve(template, e, false)?));
        }
        self.frames.push(frame);
        let r = self.render_body(template, body, out);
        self.frames.pop();
        r?;
        Ok(())
    }

    /// `Node::Autoescape`.
    pub(super) fn render_autoescape(
        &mut self,
        template: &Arc<Template>,
        on: &bool,
        body: &[Node],
        out: &mut String,
    ) -> Result<()> {
        let old = self.autoescape;
        self.autoescape = *on;
        let r = self.render_body(template, body, out);
        self.autoescape = old;
        r?;
        Ok(())
    }

    /// `Node::Spaceless`.
    pub(super) fn render_spaceless(
        &mut self,
        template: &Arc<Template>,
        body: &[Node],
        out: &mut String,
    ) -> Result<()> {
        let s = self.render_to_string(template, body)?;
        out.push_str(&strip_spaces_between_tags(s.trim()));
        Ok(())
    }

    /// `Node::Cycle`.
    pub(super) fn render_cycle(
        &mut self,
        template: &Arc<Template>,
        c: &CycleNode,
        out: &mut String,
    ) -> Result<()> {
        let pos = {
            let state = self.state();
            let p = state.cycles.entry(c.id).or_insert(0);
            let cur = *p;
            *p += 1;
            cur
        };
        if c.values.is_empty() {
            return Ok(());
        }
        let value = self.resolve(template, &c.values[pos % c.values.len()], false)?;
        if let Some(name) = &c.name {
            self.set_upward(name, value.clone());
        }
        if !c.silent {
            self.render_value(&value, out);
        }
        Ok(())
    }

    /// `Node::ResetCycle`.
    pub(super) fn render_reset_cycle(&mut self, id: &usize) -> Result<()> {
        self.state().cycles.insert(*id, 0);
        Ok(())
    }

    /// `Node::Firstof`.
    pub(super) fn render_firstof(
        &mut self,
        template: &Arc<Template>,
        values: &[FilterExpr],
        asvar: &Option<Arc<str>>,
        out: &mut String,
    ) -> Result<()> {
        let mut first = String::new();
        for v in values {
            let value = self.resolve(template, v, true)?;
            if value.truthy() {
                self.render_value(&value, &mut first);
                break;
            }
        }
        match asvar {
            Some(name) => self.set(name, Value::safe(first)),
            None => out.push_str(&first),
        }
        Ok(())
    }

    /// `Node::WidthRatio`.
    pub(super) fn render_width_ratio(
        &mut self,
        template: &Arc<Template>,
        exprs: &[FilterExpr; 3],
        asvar: &Option<Arc<str>>,
        span: &Span,
        out: &mut String,
    ) -> Result<()> {
        let value = self.resolve_operand(template, &exprs[0].operand)?;
        let max = self.resolve_operand(template, &exprs[1].operand)?;
        let (Some(_), Some(_)) = (value, max) else {
            return Ok(());
        };
        let value = self.resolve(template, &exprs[0], false)?;
        let max = self.resolve(template, &exprs[1], false)?;
        let width = self.resolve(template, &exprs[2], false)?;
        let width = crate::template::filters::py_int_of(&width)
            .ok_or_else(|| TemplateError::syntax("widthratio final argument must be a number", *span))?;
        let as_float = |v: &Value| -> Option<f64> {
            match v {
                Value::Str(s) | Value::Safe(s) => s.trim().parse().ok(),
                other => other.as_f64(),
            }
        };
        let result = match (as_float(&value), as_float(&max)) {
            (Some(_), Some(0.0)) => "0".to_string(),
            (Some(v), Some(m)) => {
                let ratio = v / m * width as f64;
                if ratio.is_finite() {
                    format!("{}", round_half_even(ratio))
                } else {
                    String::new()
                }
            }
            _ => String::new(),
        };
        match asvar {
            Some(name) => self.set(name, Value::str(result)),
            None => out.push_str(&result),
        }
        Ok(())
    }

    /// `Node::Filter`.
    pub(super) fn render_filter(
        &mut self,
        template: &Arc<Template>,
        filters: &[FilterCall],
        body: &[Node],
        out: &mut String,
    ) -> Result<()> {
        let content = self.render_to_string(template, body)?;
        let obj = self.apply_filters(template, Value::safe(content), filters)?;
        out.push_str(&obj.to_py_str());
        Ok(())
    }

    /// `Node::IfChanged`.
    pub(super) fn render_if_changed(
        &mut self,
        template: &Arc<Template>,
        n: &IfChangedNode,
        out: &mut String,
    ) -> Result<()> {
        let mut rendered = None;
        let compare = if n.values.is_empty() {
            let s = self.render_to_string(template, &n.body)?;
            rendered = Some(s.clone());
            Compare::Output(s)
        } else {
            let mut vals = Vec::new();
            for v in &n.values {
                vals.push(self.resolve(template, v, true)?.to_py_repr());
            }
            Compare::Values(vals)
        };
        let changed = {
            let slot = match self.loops.last_mut() {
                Some(l) => &mut l.ifchanged,
                None => &mut self
                    .states
                    .last_mut()
                    .map(|s| &mut s.ifchanged)
                    .ok_or_else(|| render_err("no render state", n.span))?,
            };
            let changed = slot.get(&n.id) != Some(&compare);
            if changed {
                slot.insert(n.id, compare);
            }
            changed
        };
        if changed {
            match rendered {
                Some(s) => out.push_str(&s),
                None => self.render_body(template, &n.body, out)?,
            }
        } else {
            self.render_body(template, &n.otherwise, out)?;
        }
        Ok(())
    }

    /// `Node::Regroup`.
    pub(super) fn render_regroup(
        &mut self,
        template: &Arc<Template>,
        exprs: &(FilterExpr, FilterExpr),
        var: &Arc<str>,
    ) -> Result<()> {
        let (target, expression) = (&exprs.0, &exprs.1);
        let list = self.resolve(template, target, true)?;
        let Some(items) = (match list {
            Value::None => None,
            other => other.iterate(),
        }) else {
            self.set(var, Value::list(Vec::new()));
            return Ok(());
        };
        let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
        for item in items {
            self.set(var, item.clone());
            let key = self.resolve(template, expression, true)?;
            match groups.last_mut() {
                Some((k, members)) if k.py_eq(&key) => members.push(item),
                _ => groups.push((key, vec![item])),
            }
        }
        let value = Value::list(
            groups
                .into_iter()
                .map(|(grouper, list)| {
                    Value::Object(Arc::new(GroupedResult {
                        grouper,
                        list: Value::list(list),
                    }))
                })
                .collect(),
        );
        self.set(var, value);
        Ok(())
    }

    /// `Node::Lorem`.
    pub(super) fn render_lorem(
        &mut self,
        template: &Arc<Template>,
        count: &FilterExpr,
        method: &char,
        common: &bool,
        span: &Span,
        out: &mut String,
    ) -> Result<()> {
        let n = self.resolve(template, count, false)?;
        let n = crate::template::filters::py_int_of(&n)
            .filter(|_| !matches!(n, Value::Float(_)))
            .unwrap_or(1);
        let text =
            crate::template::lorem::render(n, *method, *common, self.engine.options.max_generated_size)
                .map_err(|e| e.at(*span))?;
        out.push_str(&text);
        Ok(())
    }

    /// `Node::Now`.
    pub(super) fn render_now(
        &mut self,
        format: &Arc<str>,
        asvar: &Option<Arc<str>>,
        out: &mut String,
    ) -> Result<()> {
        // Django's `datetime.now(tz=current time zone if USE_TZ else None)`.
        let now = self
            .engine
            .host
            .as_ref()
            .and_then(|h| h.now(true))
            .unwrap_or_else(dates::DateTime::now_utc);
        let fmt = dates::named_format(format);
        let s = dates::format(Temporal::DateTime(now), fmt, false).unwrap_or_default();
        match asvar {
            Some(name) => self.set(name, Value::str(s)),
            None => out.push_str(&s),
        }
        Ok(())
    }

    /// `Node::Url`.
    pub(super) fn render_url(
        &mut self,
        template: &Arc<Template>,
        u: &UrlNode,
        out: &mut String,
    ) -> Result<()> {
        let name = self.resolve(template, &u.name, false)?.to_py_str();
        let (args, kwargs) = self.resolve_call_args(template, &u.args, &u.kwargs)?;
        let host = self.engine.host.clone();
        // Django's `URLNode`: `request.current_app`, else `request.resolver_match.namespace`.
        let current_app = self.root.request().and_then(|request| {
            let attr = |v: &Value, name: &str| match v {
                Value::Object(o) => o.get_attr(name),
                _ => None,
            };
            attr(&request, "current_app")
                .or_else(|| attr(&request, "resolver_match").and_then(|m| attr(&m, "namespace")))
                .filter(|v| !matches!(v, Value::None))
                .map(|v| v.to_py_str())
        });
        let result = match &host {
            Some(h) => h.reverse(&name, &args, &kwargs, current_app.as_deref()),
            None => Err(format!(
                "Reverse for '{name}' not found: no URL resolver is configured."
            )),
        };
        let url = match (result, &u.asvar) {
            (Ok(url), _) => url,
            (Err(_), Some(_)) => String::new(),
            (Err(message), None) => {
                return Err(TemplateError::new(ErrorKind::Render, message).at(u.span));
            }
        };
        self.store_or_write(&u.asvar, url, out);
        Ok(())
    }

    /// `Node::PartialDef`.
    pub(super) fn render_partial_def(
        &mut self,
        template: &Arc<Template>,
        inline: &bool,
        body: &Arc<Vec<Node>>,
        out: &mut String,
    ) -> Result<()> {
        if *inline {
            self.render_body(template, body, out)?;
        }
        Ok(())
    }

    /// `Node::Partial`.
    pub(super) fn render_partial(
        &mut self,
        template: &Arc<Template>,
        name: &Arc<str>,
        span: &Span,
        out: &mut String,
    ) -> Result<()> {
        let body = template
            .partials
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| {
                TemplateError::syntax(
                    format!("Partial '{name}' is not defined in the current template."),
                    *span,
                )
            })?;
        self.render_body(template, &body, out)?;
        Ok(())
    }

    /// `Node::CsrfToken`.
    pub(super) fn render_csrf_token(&mut self, out: &mut String) -> Result<()> {
        if let Some(token) = self.get("csrf_token").filter(Value::truthy) {
            let t = token.to_py_str();
            if t != "NOTPROVIDED" {
                out.push_str("<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"");
                out.push_str(&conditional_escape(&token));
                out.push_str("\">");
            }
        }
        Ok(())
    }
}
