//! Rendering of Django's `cache` library: `{% cache %}`, through the [`Host`]'s cache.

use super::*;
use crate::template::host::Fragment;
use crate::template::nodes::CacheNode;

impl<'e> Renderer<'e> {
    /// `Node::Cache` (Django's `CacheNode.render`): the timeout, the alias and the
    /// vary-on values are resolved in Django's order, the host looks the fragment up,
    /// and only a miss renders the body, whose output the host then stores. The output
    /// is written as it is (a node's output: the body escaped what it had to).
    pub(super) fn render_cache(
        &mut self,
        template: &Arc<Template>,
        node: &CacheNode,
        out: &mut String,
    ) -> Result<()> {
        let timeout = self.resolve(template, &node.timeout, false)?;
        let using = match &node.using {
            Some(e) => Some(self.resolve(template, e, false)?),
            None => None,
        };
        let vary_on = node
            .vary_on
            .iter()
            .map(|e| self.resolve(template, e, false))
            .collect::<Result<Vec<_>>>()?;
        let fragment = Fragment {
            timeout: &timeout,
            using: using.as_ref(),
            name: &node.fragment,
            vary_on: &vary_on,
        };
        let host = self.engine.host.clone();
        let cached = match &host {
            Some(h) => h.cache_get(&fragment).map_err(|m| render_err(m, node.span))?,
            None => None,
        };
        if let Some(cached) = cached {
            out.push_str(&cached);
            return Ok(());
        }
        let rendered = self.render_to_string(template, &node.body)?;
        if let Some(h) = &host {
            h.cache_set(&fragment, &rendered)
                .map_err(|m| render_err(m, node.span))?;
        }
        out.push_str(&rendered);
        Ok(())
    }
}
