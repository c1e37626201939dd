//! Rendering of Django's `loader_tags`: `{% block %}` with `{{ block.super }}`, `{% extends %}` (the block context of the whole chain) and `{% include %}`.

use super::*;

impl<'e> Renderer<'e> {
    pub(super) fn render_block(
        &mut self,
        template: &Arc<Template>,
        b: &Arc<BlockNode>,
        out: &mut String,
    ) -> Result<()> {
        let has_context = self.state().blocks.is_some();
        self.frames.push(vec![(
            Arc::from("block"),
            Value::Object(Arc::new(BlockRef { name: b.name.clone() })),
        )]);
        let result = if !has_context {
            self.render_body(template, &b.body, out)
        } else {
            let popped = self
                .state()
                .blocks
                .as_mut()
                .and_then(|m| m.get_mut(&b.name))
                .and_then(Vec::pop);
            let entry = popped.clone().unwrap_or(BlockEntry {
                template: template.clone(),
                node: b.clone(),
            });
            let r = self.render_body(&entry.template, &entry.node.body, out);
            if let Some(p) = popped {
                if let Some(list) = self
                    .state()
                    .blocks
                    .as_mut()
                    .map(|m| m.entry(b.name.clone()).or_default())
                {
                    list.push(p);
                }
            }
            r
        };
        self.frames.pop();
        result
    }

    /// `{{ block.super }}`: render the next block of that name up the chain.
    pub(super) fn block_super(&mut self, template: &Arc<Template>, name: &Arc<str>) -> Result<String> {
        if self.state().blocks.is_none() {
            return Err(TemplateError::new(
                ErrorKind::Syntax,
                "'BlockNode' object has no attribute 'context'. Did you use {{ block.super }} in a base template?",
            ));
        }
        let available = self
            .state()
            .blocks
            .as_ref()
            .and_then(|m| m.get(name))
            .is_some_and(|l| !l.is_empty());
        if !available {
            return Ok(String::new());
        }
        let node = Arc::new(BlockNode {
            name: name.clone(),
            body: Vec::new(),
            span: Span::default(),
        });
        let mut s = String::new();
        self.render_block(template, &node, &mut s)?;
        Ok(s)
    }

    pub(super) fn render_extends(
        &mut self,
        template: &Arc<Template>,
        nodes: &[Node],
        parent_expr: &FilterExpr,
        span: Span,
        out: &mut String,
    ) -> Result<()> {
        let parent_name = self.resolve(template, parent_expr, false)?;
        if !parent_name.truthy() {
            let mut msg = format!(
                "Invalid template name in 'extends' tag: {}.",
                parent_name.to_py_repr()
            );
            if !parent_expr.filters.is_empty() || matches!(parent_expr.operand, Operand::Lookup(_)) {
                msg.push_str(&format!(
                    " Got this from the '{}' variable.",
                    parent_expr.span.slice(&template.source)
                ));
            }
            return Err(TemplateError::syntax(msg, span));
        }
        let name = parent_name.to_py_str();
        if self.depth >= self.engine.options.max_depth {
            return Err(TemplateError::new(
                ErrorKind::Recursion,
                format!(
                    "Maximum depth of {} extends/include levels exceeded while loading '{name}' (a template probably extends or includes itself).",
                    self.engine.options.max_depth
                ),
            )
            .at(span));
        }
        // A template object (Django's `Template`, or the backend's, whose `template` is
        // one) is the parent itself.
        let parent = match self.object_template(&parent_name) {
            Some(compiled) => compiled,
            None => self.engine.get_template(&name),
        }
        .map_err(|e| e.at(span))?;
        // Add this template's blocks (and, for the root, the parent's) to the block context.
        let mut mine = Vec::new();
        collect_blocks(nodes, &mut mine);
        let state = self.state();
        let blocks = state.blocks.get_or_insert_with(HashMap::new);
        for b in mine {
            blocks.entry(b.name.clone()).or_default().insert(
                0,
                BlockEntry {
                    template: template.clone(),
                    node: b,
                },
            );
        }
        let parent_is_root = !matches!(
            parent.nodes.iter().find(|n| !matches!(n, Node::Text(_))),
            Some(Node::Extends(..))
        );
        if parent_is_root {
            let mut theirs = Vec::new();
            collect_blocks(&parent.nodes, &mut theirs);
            if let Some(blocks) = self.state().blocks.as_mut() {
                for b in theirs {
                    blocks.entry(b.name.clone()).or_default().insert(
                        0,
                        BlockEntry {
                            template: parent.clone(),
                            node: b,
                        },
                    );
                }
            }
        }
        self.depth += 1;
        let r = self
            .render_nodes(&parent, &parent.nodes, out)
            .map_err(|e| e.located(parent.name.as_deref(), &parent.source));
        self.depth -= 1;
        r
    }

    pub(super) fn render_include(
        &mut self,
        template: &Arc<Template>,
        inc: &nodes::IncludeNode,
        out: &mut String,
    ) -> Result<()> {
        let name_value = self.resolve(template, &inc.template, false)?;
        if self.depth >= self.engine.options.max_depth {
            return Err(TemplateError::new(
                ErrorKind::Recursion,
                format!(
                    "Maximum depth of {} extends/include levels exceeded while including '{}' (a template probably includes itself).",
                    self.engine.options.max_depth,
                    name_value.to_py_str()
                ),
            )
            .at(inc.span));
        }
        let included = self
            .template_of(&name_value, template.name.as_deref())
            .map_err(|e| e.at(inc.span))?;
        let mut values = Vec::with_capacity(inc.extra.len());
        for (k, e) in &inc.extra {
            values.push((k.clone(), self.resolve(template, e, false)?));
        }
        self.render_other(&included, values, inc.only, out)
    }
}

impl Renderer<'_> {
    /// The template a value names, as Django's `IncludeNode` and `InclusionNode` take
    /// one: a template object (compiled from its source), a list or tuple of names
    /// (the first that exists: `select_template`), else a name, relative to
    /// `current` (the including template's name) when it starts with `./` or `../`.
    pub(super) fn template_of(&mut self, value: &Value, current: Option<&str>) -> Result<Arc<Template>> {
        if let Some(compiled) = self.object_template(value) {
            return compiled;
        }
        let relative = |name: String| match current {
            Some(current) => parser::construct_relative_path(current, &name, true)
                .map_err(|m| TemplateError::new(ErrorKind::Syntax, m)),
            None => Ok(name),
        };
        let names: Option<Vec<Value>> = match value {
            Value::Object(o) => o.iterate(),
            Value::List(names) | Value::Tuple(names) => Some(names.to_vec()),
            _ => None,
        };
        let Some(names) = names else {
            return self.engine.get_template(&relative(value.to_py_str())?);
        };
        let mut tried = Vec::with_capacity(names.len());
        for n in &names {
            let name = relative(n.to_py_str())?;
            match self.engine.get_template(&name) {
                Err(e) if e.kind == ErrorKind::NotFound => tried.push(name),
                other => return other,
            }
        }
        Err(TemplateError::new(ErrorKind::NotFound, tried.join(", ")))
    }

    /// A template object's template ([`template_source`](crate::template::value::Object::template_source)), compiled once per
    /// render; `None` for any other value.
    fn object_template(&mut self, value: &Value) -> Option<Result<Arc<Template>>> {
        let Value::Object(o) = value else {
            return None;
        };
        let key = o.template_source()?;
        if let Some(compiled) = self.objects.get(&key) {
            return Some(Ok(compiled.clone()));
        }
        let compiled = self.engine.compile(&key.1, key.0.as_deref());
        if let Ok(t) = &compiled {
            self.objects.insert(key, t.clone());
        }
        Some(compiled)
    }
}

/// Every `{% block %}` of a template, outer before inner, wherever it is nested: Django's
/// `nodelist.get_nodes_by_type(BlockNode)` (so a block inside `{% language %}` or a
/// registered block tag counts too).
fn collect_blocks(nodes: &[Node], out: &mut Vec<Arc<BlockNode>>) {
    nodes::walk(nodes, &mut |n| {
        if let Node::Block(b) = n {
            out.push(b.clone());
        }
    });
}
