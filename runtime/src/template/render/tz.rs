//! Rendering of Django's `tz` library: `{% timezone %}` and `{% get_current_timezone %}`,
//! through the [`Host`]'s time zones (`{% localtime %}` is a switch of the context:
//! `Renderer::render_switched`).

use super::*;

impl<'e> Renderer<'e> {
    /// `Node::TimeZone` (Django's `TimezoneNode`): the body renders inside
    /// `timezone.override(tz)`, left whether it rendered or failed.
    pub(super) fn render_timezone(
        &mut self,
        template: &Arc<Template>,
        tz: &FilterExpr,
        body: &[Node],
        span: Span,
        out: &mut String,
    ) -> Result<()> {
        let tz = self.resolve(template, tz, false)?;
        let host = self.engine.host.clone();
        let entered = match &host {
            Some(h) => h.enter_timezone(&tz).map_err(|m| render_err(m, span))?,
            None => false,
        };
        let r = self.render_body(template, body, out);
        if let (Some(h), true) = (&host, entered) {
            h.leave_timezone();
        }
        r
    }

    /// `Node::CurrentTimeZone` (Django's `GetCurrentTimezoneNode`): the current zone's
    /// name, bound in the current scope.
    pub(super) fn render_current_timezone(&mut self, var: &Arc<str>) {
        let name = match &self.engine.host {
            Some(h) => h.current_timezone(),
            None => "UTC".to_string(),
        };
        self.set(var, Value::str(name));
    }
}
