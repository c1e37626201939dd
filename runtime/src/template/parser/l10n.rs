//! Django's `l10n` library (after `{% load l10n %}`): `{% localize %}`.

use super::*;

impl<'a> Parser<'a> {
    /// `{% localize [on|off] %}…{% endlocalize %}`: Django's `l10n.localize_tag`.
    pub(super) fn localize_tag(&mut self, tok: Token) -> Result<Node> {
        let (on, body) = self.on_off_block(tok, "endlocalize")?;
        Ok(Node::Localize(on, body, tok.span))
    }
}
