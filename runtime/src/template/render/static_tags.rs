//! Rendering of Django's `static` library: `{% static %}`, `{% get_static_prefix %}`, `{% get_media_prefix %}`, through the [`Host`].

use super::*;

impl<'e> Renderer<'e> {
    /// `Node::Static`.
    pub(super) fn render_static(
        &mut self,
        template: &Arc<Template>,
        path: &FilterExpr,
        asvar: &Option<Arc<str>>,
        span: &Span,
        out: &mut String,
    ) -> Result<()> {
        let path = self.resolve(template, path, false)?.to_py_str();
        let url = match &self.engine.host {
            Some(h) => h.static_url(&path),
            None => {
                return Err(render_err(
                    "no static files configuration (Engine::set_host)",
                    *span,
                ))
            }
        };
        self.store_or_write(asvar, url, out);
        Ok(())
    }

    /// `Node::Prefix`.
    pub(super) fn render_prefix(
        &mut self,
        is_static: &bool,
        var: &Option<Arc<str>>,
        out: &mut String,
    ) -> Result<()> {
        let prefix = match &self.engine.host {
            Some(h) if *is_static => h.static_prefix(),
            Some(h) => h.media_prefix(),
            None => String::new(),
        };
        // Written as it is (a plain node's output), or stored as a string.
        match var {
            Some(var) => self.set(var, Value::str(prefix)),
            None => out.push_str(&prefix),
        }
        Ok(())
    }
}
