//! Rendering of Django's `tz` library: `{% localtime %}`, `{% timezone %}`,
//! `{% get_current_timezone %}`, through the [`Host`]'s time zones.

use super::*;

impl<'e> Renderer<'e> {
    /// `Node::LocalTime` (Django's `LocalTimeNode`): `context.use_tz` is `on` while the
    /// body renders, and what it was after.
    pub(super) fn render_localtime(
        &mut self,
        template: &Arc<Template>,
        on: bool,
        body: &[Node],
        out: &mut String,
    ) -> Result<()> {
        let outer = self.use_tz.replace(on);
        let r = self.render_body(template, body, out);
        self.use_tz = outer;
        r
    }

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
