//! Rendering of a project's library tags: `simple_tag`, `inclusion_tag` and `simple_block_tag` functions called with resolved values, and host nodes rendered against a view of the context.

use super::*;

impl<'e> Renderer<'e> {
    pub(super) fn render_custom(
        &mut self,
        template: &Arc<Template>,
        c: &nodes::CustomNode,
        out: &mut String,
    ) -> Result<()> {
        let (args, kwargs) = self.resolve_call_args(template, &c.args, &c.kwargs)?;
        let content = match &c.tag.kind {
            TagKind::Block(_) => Some(Value::safe(self.render_to_string(template, &c.body)?)),
            _ => None,
        };
        let result = {
            let lookup = |name: &str| self.get(name);
            let call = TagCall {
                args,
                kwargs,
                content,
                context: if c.tag.takes_context { Some(&lookup) } else { None },
                scope: c.tag.takes_context.then(|| HostContext {
                    root: self.root,
                    bound: self.frames.iter().flatten().cloned().collect(),
                    autoescape: self.autoescape,
                    template_name: template.name.as_deref(),
                }),
                request: if c.tag.takes_context {
                    self.root.request()
                } else {
                    None
                },
                host: self.engine.host.as_deref(),
                autoescape: self.autoescape,
                writes: std::cell::RefCell::new(Vec::new()),
            };
            let value = (c.tag.func)(&call).map_err(|e| e.at(c.span))?;
            (value, call.writes.take())
        };
        let (result, writes) = result;
        for (name, value) in writes {
            self.set(&name, value);
        }
        match &c.tag.kind {
            TagKind::Inclusion(filename) => {
                // Django: the template is rendered with the returned dict as a new
                // context (csrf_token carried over).
                let included = self.template_of(filename, None).map_err(|e| e.at(c.span))?;
                let mut frame: Vec<(Arc<str>, Value)> = match &result {
                    Value::Dict(items) => items
                        .iter()
                        .map(|(k, v)| (Arc::from(k.to_py_str().as_str()), v.clone()))
                        .collect(),
                    _ => Vec::new(),
                };
                if let Some(token) = self.get("csrf_token") {
                    frame.push((Arc::from("csrf_token"), token));
                }
                self.render_other(&included, frame, true, out)?;
            }
            TagKind::Simple | TagKind::Block(_) => match &c.asvar {
                Some(var) => self.set(var, result),
                None => {
                    if self.autoescape {
                        out.push_str(&conditional_escape(&result));
                    } else {
                        out.push_str(&result.to_py_str());
                    }
                }
            },
        }
        Ok(())
    }

    /// A host tag's node, rendered against the context as Django's `Context` would
    /// hold it: the root, then the names the template bound, outermost first. Names
    /// the node sets are bound in the current scope.
    pub(super) fn render_host(
        &mut self,
        template: &Arc<Template>,
        node: &dyn crate::template::library::HostNode,
        span: Span,
        out: &mut String,
    ) -> Result<()> {
        let bound: Vec<(Arc<str>, Value)> = self.frames.iter().flatten().cloned().collect();
        let rendered = node
            .render(&HostContext {
                root: self.root,
                bound,
                autoescape: self.autoescape,
                template_name: template.name.as_deref(),
            })
            .map_err(|e| e.at(span))?;
        out.push_str(&rendered.output);
        for (name, value) in rendered.writes {
            self.set(&name, value);
        }
        Ok(())
    }
}
