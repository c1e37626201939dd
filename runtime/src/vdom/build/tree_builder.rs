//! The HTML standard's tree construction: the insertion modes the builder models (before html, before head, in head, after head, in body, in table, in table body, in row, in select, foreign content, after body), with the stack of open elements and implied tags.

use super::*;

/// A start tag handed back by an insertion mode to be processed again ("reprocess the
/// token"), or `None` when the mode took it.
type Reprocess = Option<(CompactString, Vec<(CompactString, CompactString)>)>;

impl DocumentBuilder<'_> {
    // ---- tree construction -----------------------------------------------------

    pub(super) fn cur(&self) -> &Open {
        // The stack always holds the document.
        &self.stack[self.stack.len() - 1]
    }

    pub(super) fn cur_is(&self, tag: &str) -> bool {
        let c = &self.cur().el;
        c.ns == Namespace::Html && c.tag == tag
    }

    pub(super) fn flush_text(&mut self) {
        if let Some(r) = self.recording {
            // A fragment's first flush must drop whitespace only: text that could
            // merge with what came before the fragment is not reusable.
            if r.flushes == self.flushes && !self.text.bytes().all(is_space) {
                self.recording = None;
            }
        }
        self.flushes = self.flushes.wrapping_add(1);
        if self.text.is_empty() {
            return;
        }
        let cur = self.stack.len() - 1;
        let open = &mut self.stack[cur];
        if open.keep || !self.text.bytes().all(is_space) {
            let h = self.tree.push_text(false, &self.text);
            open.hash.write_u64(h);
        }
        self.text.clear();
    }

    pub(super) fn insert(
        &mut self,
        name: CompactString,
        ns: Namespace,
        attrs: Vec<(CompactString, CompactString)>,
    ) {
        let html = ns == Namespace::Html;
        let table = (html && name == "table").then(|| self.open_table());
        self.flush_text();
        if html && formatting::sets_marker(&name) {
            self.active.push(Active::Marker);
        }
        let keep =
            self.cur().keep || (ns == Namespace::Html && WHITESPACE_PRESERVING.contains(&name.as_str()));
        if ns == Namespace::Html && name == "select" {
            self.selects += 1;
        }
        let node = self.tree.open_element(&name, ns, &attrs);
        let hash = element_hasher(&name, ns, attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.stack.push(Open {
            el: Head { tag: name, ns },
            node,
            hash,
            keep,
            rehash: false,
        });
        if let Some(before) = table {
            self.tables.push(OpenTable {
                node,
                before,
                fostered: String::new(),
            });
        }
        // Keep the list's allocation for the next tag.
        let mut attrs = attrs;
        attrs.clear();
        self.attr_buf = attrs;
    }

    pub(super) fn pop(&mut self) {
        self.flush_text();
        if self.stack.len() < 2 {
            return;
        }
        if let Some(o) = self.stack.pop() {
            let html = o.el.ns == Namespace::Html;
            if html && o.el.tag == "select" {
                self.selects = self.selects.saturating_sub(1);
            }
            if html && formatting::sets_marker(&o.el.tag) {
                self.clear_to_marker();
            }
            let h = if o.rehash {
                self.tree.open_element_hasher(o.node).finish()
            } else {
                o.hash.finish()
            };
            let mut node = o.node;
            if self.tables.last().is_some_and(|t| t.node == o.node) {
                if let Some(t) = self.tables.pop() {
                    node = self.close_table(t);
                }
            }
            self.tree.close_element(node, h);
            let cur = self.stack.len() - 1;
            self.stack[cur].hash.write_u64(h);
        }
    }

    /// Pop up to and including the HTML element `tag`. A formatting element popped on
    /// the way stays on the list of active formatting elements, to be reopened by the
    /// next text or inline start tag ([`Self::reconstruct`]).
    pub(super) fn pop_until(&mut self, tags: &[&str], at: usize) -> R<()> {
        while self.stack.len() > 1 {
            let (hit, fmt) = {
                let c = &self.cur().el;
                let html = c.ns == Namespace::Html;
                (
                    html && tags.contains(&c.tag.as_str()),
                    html && is_formatting(&c.tag),
                )
            };
            if hit {
                self.pop();
                return Ok(());
            }
            if fmt {
                self.recording = None;
            }
            self.pop();
        }
        Err(unsupported(at, "end tag without its element"))
    }

    pub(super) fn generate_implied(&mut self, except: Option<&str>) {
        loop {
            let c = &self.cur().el;
            if c.ns == Namespace::Html
                && IMPLIED_END.contains(&c.tag.as_str())
                && Some(c.tag.as_str()) != except
            {
                self.pop();
            } else {
                return;
            }
        }
    }

    /// Whether an HTML `tag` is in scope; `extra` are the scope's additional boundaries
    /// (`button` scope, list item scope); `table` selects table scope.
    pub(super) fn in_scope(&self, tags: &[&str], extra: &[&str], table: bool) -> bool {
        for o in self.stack.iter().rev() {
            let e = &o.el;
            if e.ns == Namespace::Html && tags.contains(&e.tag.as_str()) {
                return true;
            }
            let boundary = if table {
                e.ns == Namespace::Html
                    && matches!(e.tag.as_str(), "html" | "table" | "template" | "#document")
            } else {
                is_scope_boundary(e) || (e.ns == Namespace::Html && extra.contains(&e.tag.as_str()))
            };
            if boundary {
                return false;
            }
        }
        false
    }

    pub(super) fn close_p(&mut self, at: usize) -> R<()> {
        if self.in_scope(&["p"], &["button"], false) {
            self.generate_implied(Some("p"));
            self.pop_until(&["p"], at)?;
        }
        Ok(())
    }

    pub(super) fn mode(&self) -> Mode {
        let c = &self.cur().el;
        if c.ns != Namespace::Html {
            return Mode::Foreign;
        }
        match c.tag.as_str() {
            "table" => Mode::Table,
            "tbody" | "thead" | "tfoot" => Mode::TableBody,
            "tr" => Mode::Row,
            "select" | "option" | "optgroup" if self.selects > 0 => Mode::Select,
            _ => Mode::Body,
        }
    }

    /// Character tokens (already decoded).
    pub(super) fn chars(&mut self, mut s: &str, at: usize) -> R<()> {
        if s.is_empty() {
            return Ok(());
        }
        if std::mem::take(&mut self.skip_lf) {
            s = s.strip_prefix('\n').unwrap_or(s);
        }
        if self.text_mode {
            self.text.push_str(s);
            return Ok(());
        }
        loop {
            let ws = s.bytes().take_while(|&c| is_space(c)).count();
            match self.phase {
                Phase::Initial | Phase::BeforeHtml | Phase::BeforeHead => {
                    s = &s[ws..];
                    if s.is_empty() {
                        return Ok(());
                    }
                    self.implied_before_body()?;
                }
                Phase::InHead | Phase::AfterHead => {
                    self.text.push_str(&s[..ws]);
                    s = &s[ws..];
                    if s.is_empty() {
                        return Ok(());
                    }
                    self.implied_body();
                }
                Phase::AfterBody => {
                    if ws < s.len() {
                        return Err(unsupported(at, "text after </body>"));
                    }
                    self.text.push_str(s);
                    return Ok(());
                }
                Phase::InBody => {
                    match self.mode() {
                        Mode::Table | Mode::TableBody | Mode::Row if self.fostering || ws < s.len() => {
                            return self.foster_text(s, at);
                        }
                        Mode::Body => self.reconstruct(),
                        _ => {}
                    }
                    self.text.push_str(s);
                    return Ok(());
                }
            }
        }
    }

    /// Move from before `<html>`/`<head>` to after head with the implied elements.
    pub(super) fn implied_before_body(&mut self) -> R<()> {
        if self.phase <= Phase::BeforeHtml {
            self.insert(CompactString::const_new("html"), Namespace::Html, Vec::new());
            self.phase = Phase::BeforeHead;
        }
        if self.phase == Phase::BeforeHead {
            self.insert(CompactString::const_new("head"), Namespace::Html, Vec::new());
            self.phase = Phase::InHead;
        }
        if self.phase == Phase::InHead {
            self.pop();
            self.phase = Phase::AfterHead;
        }
        self.implied_body();
        Ok(())
    }

    pub(super) fn implied_body(&mut self) {
        if self.phase == Phase::InHead {
            self.pop();
            self.phase = Phase::AfterHead;
        }
        if self.phase == Phase::AfterHead {
            self.insert(CompactString::const_new("body"), Namespace::Html, Vec::new());
            self.phase = Phase::InBody;
        }
    }

    pub(super) fn token(&mut self, t: Token<'_>, at: usize) -> R<()> {
        if !matches!(t, Token::Start { .. } | Token::Lt) {
            self.skip_lf = false;
        }
        if !matches!(t, Token::Lt) {
            // A run of character data in a table ends at any other token.
            self.fostering = false;
        }
        match t {
            Token::Comment(c) => {
                self.flush_text();
                if self.phase == Phase::InBody && is_kept_comment(c) {
                    let h = self.tree.push_text(true, c);
                    let cur = self.stack.len() - 1;
                    self.stack[cur].hash.write_u64(h);
                }
                Ok(())
            }
            Token::Doctype if self.phase == Phase::Initial => {
                self.phase = Phase::BeforeHtml;
                Ok(())
            }
            Token::Doctype => Err(unsupported(at, "doctype after the start")),
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                self.skip_lf = false;
                self.start(name, attrs, self_closing, at)
            }
            Token::End(name) => self.end(&name, at),
            Token::Lt => self.chars("<", at),
        }
    }

    /// A start tag, handled by the insertion mode of the builder's phase (the HTML
    /// standard's dispatcher). A mode before `<body>` that implies an element hands
    /// the token back ("reprocess the token") until a mode takes it.
    pub(super) fn start(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        self_closing: bool,
        at: usize,
    ) -> R<()> {
        let mut token = (name, attrs);
        loop {
            let (name, attrs) = token;
            let again = match self.phase {
                Phase::Initial | Phase::BeforeHtml => self.start_before_html(name, attrs),
                Phase::BeforeHead => self.start_before_head(name, attrs, at)?,
                Phase::InHead => self.start_in_head(name, attrs, at)?,
                Phase::AfterHead => self.start_after_head(name, attrs, at)?,
                Phase::AfterBody => return Err(unsupported(at, "start tag after </body>")),
                Phase::InBody => return self.start_in_mode(name, attrs, self_closing, at),
            };
            match again {
                Some(t) => token = t,
                None => return Ok(()),
            }
        }
    }

    /// A start tag in the "before html" insertion mode: `<html>`, or an implied one
    /// and the token again.
    fn start_before_html(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
    ) -> Reprocess {
        self.phase = Phase::BeforeHead;
        if name == "html" {
            self.insert(name, Namespace::Html, Vec::new());
            return None;
        }
        self.insert(CompactString::const_new("html"), Namespace::Html, Vec::new());
        Some((name, attrs))
    }

    /// A start tag in the "before head" insertion mode: `<head>`, or an implied one and
    /// the token again.
    fn start_before_head(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        at: usize,
    ) -> R<Reprocess> {
        if name == "html" {
            return Err(unsupported(at, "a second <html>"));
        }
        self.phase = Phase::InHead;
        if name == "head" {
            self.insert(name, Namespace::Html, Vec::new());
            return Ok(None);
        }
        self.insert(CompactString::const_new("head"), Namespace::Html, Vec::new());
        Ok(Some((name, attrs)))
    }

    /// A start tag in the "in head" insertion mode: the head's elements, or `</head>`
    /// implied and the token again.
    fn start_in_head(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        at: usize,
    ) -> R<Reprocess> {
        match name.as_str() {
            "meta" | "link" | "base" | "title" | "style" | "script" => {
                self.head_element(name, attrs, at).map(|()| None)
            }
            "head" | "html" | "noscript" | "template" | "noframes" | "basefont" | "bgsound" => {
                Err(unsupported(at, "unusual element in <head>"))
            }
            _ => {
                self.pop();
                self.phase = Phase::AfterHead;
                Ok(Some((name, attrs)))
            }
        }
    }

    /// A start tag in the "after head" insertion mode: `<body>`, or an implied one and
    /// the token again.
    fn start_after_head(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        at: usize,
    ) -> R<Reprocess> {
        match name.as_str() {
            "body" => {
                self.insert(name, Namespace::Html, Vec::new());
                self.phase = Phase::InBody;
                Ok(None)
            }
            "html" | "head" | "frameset" | "base" | "basefont" | "bgsound" | "link" | "meta" | "noframes"
            | "script" | "style" | "template" | "title" => Err(unsupported(at, "head element after </head>")),
            _ => {
                self.implied_body();
                Ok(Some((name, attrs)))
            }
        }
    }

    pub(super) fn head_element(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        at: usize,
    ) -> R<()> {
        match name.as_str() {
            "meta" | "link" | "base" => {
                self.insert(name, Namespace::Html, attrs);
                self.pop();
            }
            "title" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::RcData("title");
                self.text_mode = true;
            }
            "style" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::Raw("style");
                self.text_mode = true;
            }
            "script" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::Raw("script");
                self.text_mode = true;
            }
            _ => return Err(unsupported(at, "unusual head element")),
        }
        Ok(())
    }

    /// A start tag after `<body>`, handled by the insertion mode the current node puts
    /// the builder in (the HTML standard's dispatcher): foreign content, "in select",
    /// "in table", "in table body", "in row" or "in body". A mode that closes or
    /// implies an element hands the token back here ("reprocess the token").
    pub(super) fn start_in_mode(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        match self.mode() {
            Mode::Foreign => self.start_foreign(name, attrs, sc, at),
            Mode::Select => self.start_in_select(name, attrs, at),
            Mode::Table => self.start_in_table(name, attrs, sc, at),
            Mode::TableBody => self.start_in_table_body(name, attrs, sc, at),
            Mode::Row => self.start_in_row(name, attrs, sc, at),
            Mode::Body => self.start_in_body(name, attrs, sc, at),
        }
    }

    /// A start tag in the "in select" insertion mode.
    fn start_in_select(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        at: usize,
    ) -> R<()> {
        match name.as_str() {
            "option" => {
                if self.cur_is("option") {
                    self.pop();
                }
                self.insert(name, Namespace::Html, attrs);
                Ok(())
            }
            "optgroup" => {
                if self.cur_is("option") {
                    self.pop();
                }
                if self.cur_is("optgroup") {
                    self.pop();
                }
                self.insert(name, Namespace::Html, attrs);
                Ok(())
            }
            _ => Err(unsupported(at, "element in <select>")),
        }
    }

    /// A start tag in the "in table" insertion mode.
    fn start_in_table(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        match name.as_str() {
            "tbody" | "thead" | "tfoot" => {
                self.insert(name, Namespace::Html, attrs);
                Ok(())
            }
            "tr" | "td" | "th" => {
                self.insert(CompactString::const_new("tbody"), Namespace::Html, Vec::new());
                self.start_in_mode(name, attrs, sc, at)
            }
            "script" | "style" => self.head_element(name, attrs, at),
            _ => Err(unsupported(at, "element in a table (foster parenting)")),
        }
    }

    /// A start tag in the "in table body" insertion mode.
    fn start_in_table_body(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        match name.as_str() {
            "tr" => {
                self.insert(name, Namespace::Html, attrs);
                Ok(())
            }
            "td" | "th" => {
                self.insert(CompactString::const_new("tr"), Namespace::Html, Vec::new());
                self.start_in_mode(name, attrs, sc, at)
            }
            "tbody" | "thead" | "tfoot" => {
                self.pop();
                self.start_in_mode(name, attrs, sc, at)
            }
            "script" | "style" => self.head_element(name, attrs, at),
            _ => Err(unsupported(at, "element in a table body (foster parenting)")),
        }
    }

    /// A start tag in the "in row" insertion mode.
    fn start_in_row(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        match name.as_str() {
            "td" | "th" => {
                self.insert(name, Namespace::Html, attrs);
                Ok(())
            }
            "tr" => {
                self.pop();
                self.start_in_mode(name, attrs, sc, at)
            }
            "tbody" | "thead" | "tfoot" => {
                self.pop();
                self.pop();
                self.start_in_mode(name, attrs, sc, at)
            }
            "script" | "style" => self.head_element(name, attrs, at),
            _ => Err(unsupported(at, "element in a table row (foster parenting)")),
        }
    }

    /// A start tag in the "in body" insertion mode.
    fn start_in_body(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        match name.as_str() {
            "address" | "article" | "aside" | "blockquote" | "center" | "details" | "dialog" | "dir"
            | "div" | "dl" | "fieldset" | "figcaption" | "figure" | "footer" | "header" | "hgroup"
            | "main" | "menu" | "nav" | "ol" | "p" | "search" | "section" | "summary" | "ul" => {
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.close_p(at)?;
                if HEADINGS.contains(&self.cur().el.tag.as_str()) && self.cur().el.ns == Namespace::Html {
                    return Err(unsupported(at, "heading inside a heading"));
                }
                self.insert(name, Namespace::Html, attrs);
            }
            "pre" | "listing" => {
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
                self.skip_lf = true;
            }
            "form" => {
                if self.form_open {
                    return Err(unsupported(at, "nested <form>"));
                }
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
                self.form_open = true;
            }
            "li" | "dd" | "dt" => {
                let closes: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
                for i in (1..self.stack.len()).rev() {
                    let e = &self.stack[i].el;
                    if e.ns == Namespace::Html && closes.contains(&e.tag.as_str()) {
                        let tag = e.tag.clone();
                        self.generate_implied(Some(&tag));
                        self.pop_until(&[&tag], at)?;
                        break;
                    }
                    if is_special(e) && !matches!(e.tag.as_str(), "address" | "div" | "p") {
                        break;
                    }
                }
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
            }
            "button" => {
                if self.in_scope(&["button"], &[], false) {
                    return Err(unsupported(at, "<button> inside a button"));
                }
                self.reconstruct();
                self.insert(name, Namespace::Html, attrs);
            }
            "a" => {
                self.close_active_link(at)?;
                self.reconstruct();
                self.insert(name, Namespace::Html, attrs);
                self.push_formatting();
            }
            "b" | "big" | "code" | "em" | "font" | "i" | "s" | "small" | "strike" | "strong" | "tt" | "u" => {
                self.reconstruct();
                self.insert(name, Namespace::Html, attrs);
                self.push_formatting();
            }
            "table" => {
                if self.in_scope(&["p"], &["button"], false) {
                    return Err(unsupported(at, "<table> inside <p> (depends on quirks mode)"));
                }
                self.insert(name, Namespace::Html, attrs);
            }
            "area" | "br" | "embed" | "img" | "keygen" | "wbr" | "input" => {
                self.reconstruct();
                self.insert(name, Namespace::Html, attrs);
                self.pop();
            }
            "param" | "source" | "track" => {
                self.insert(name, Namespace::Html, attrs);
                self.pop();
            }
            "hr" => {
                self.close_p(at)?;
                self.insert(name, Namespace::Html, attrs);
                self.pop();
            }
            "textarea" => {
                self.insert(name, Namespace::Html, attrs);
                self.tok = Tok::RcData("textarea");
                self.text_mode = true;
                self.skip_lf = true;
            }
            "select" => {
                self.reconstruct();
                self.insert(name, Namespace::Html, attrs);
            }
            "option" | "optgroup" => {
                if self.cur_is("option") {
                    self.pop();
                }
                self.reconstruct();
                self.insert(name, Namespace::Html, attrs);
            }
            "meta" | "link" | "base" | "title" | "style" | "script" => {
                return self.head_element(name, attrs, at)
            }
            "svg" | "math" => {
                let ns = if name == "svg" {
                    Namespace::Svg
                } else {
                    Namespace::MathMl
                };
                let attrs = adjust_attrs(attrs, ns);
                self.reconstruct();
                self.insert(name, ns, attrs);
                if sc {
                    self.pop();
                }
            }
            "caption" | "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr" => {
                if !self.in_scope(&["td", "th"], &[], true) {
                    return Err(unsupported(at, "table element outside a table"));
                }
                self.close_cell(at)?;
                return self.start_in_mode(name, attrs, sc, at);
            }
            "html" | "body" | "head" | "frameset" | "frame" | "plaintext" | "nobr" | "image" | "xmp"
            | "iframe" | "noembed" | "noframes" | "noscript" | "template" | "rb" | "rp" | "rt" | "rtc"
            | "basefont" | "bgsound" | "isindex" => {
                return Err(unsupported(at, "element with special parsing rules"))
            }
            _ => {
                self.reconstruct();
                self.insert(name, Namespace::Html, attrs);
            }
        }
        Ok(())
    }

    pub(super) fn close_cell(&mut self, at: usize) -> R<()> {
        self.generate_implied(None);
        self.pop_until(&["td", "th"], at)
    }

    pub(super) fn start_foreign(
        &mut self,
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        sc: bool,
        at: usize,
    ) -> R<()> {
        let cur = &self.cur().el;
        let integration = match cur.ns {
            Namespace::Svg => matches!(cur.tag.as_str(), "foreignObject" | "desc" | "title"),
            _ => matches!(
                cur.tag.as_str(),
                "mi" | "mo" | "mn" | "ms" | "mtext" | "annotation-xml"
            ),
        };
        let breakout = matches!(
            name.as_str(),
            "b" | "big"
                | "blockquote"
                | "body"
                | "br"
                | "center"
                | "code"
                | "dd"
                | "div"
                | "dl"
                | "dt"
                | "em"
                | "embed"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "head"
                | "hr"
                | "i"
                | "img"
                | "li"
                | "listing"
                | "menu"
                | "meta"
                | "nobr"
                | "ol"
                | "p"
                | "pre"
                | "ruby"
                | "s"
                | "small"
                | "span"
                | "strong"
                | "strike"
                | "sub"
                | "sup"
                | "table"
                | "tt"
                | "u"
                | "ul"
                | "var"
                | "font"
        );
        if integration || breakout {
            return Err(unsupported(at, "HTML inside SVG or MathML"));
        }
        let ns = cur.ns;
        let name = match ns {
            Namespace::Svg => svg_tag(&name).map_or(name, CompactString::const_new),
            _ => name,
        };
        let attrs = adjust_attrs(attrs, ns);
        self.insert(name, ns, attrs);
        if sc {
            self.pop();
        }
        Ok(())
    }

    /// An end tag, handled by the insertion mode it arrives in (the HTML standard's
    /// tree construction dispatcher); raw text ends in the "text" mode.
    pub(super) fn end(&mut self, name: &str, at: usize) -> R<()> {
        if std::mem::take(&mut self.text_mode) {
            // The end tag that closed raw text ("text" insertion mode): pop that element.
            self.pop();
            return Ok(());
        }
        match self.phase {
            Phase::Initial | Phase::BeforeHtml | Phase::BeforeHead | Phase::AfterHead => {
                Err(unsupported(at, "end tag before <body>"))
            }
            Phase::InHead => self.end_in_head(name, at),
            Phase::AfterBody => match name {
                "html" => Ok(()),
                _ => Err(unsupported(at, "end tag after </body>")),
            },
            Phase::InBody => match self.mode() {
                Mode::Foreign => self.end_in_foreign_content(name, at),
                Mode::Select => self.end_in_select(name, at),
                Mode::Table => self.end_in_table(name, at),
                Mode::TableBody => self.end_in_table_body(name, at),
                Mode::Row => self.end_in_row(name, at),
                Mode::Body => self.end_in_body(name, at),
            },
        }
    }

    /// An end tag in the "in head" insertion mode.
    fn end_in_head(&mut self, name: &str, at: usize) -> R<()> {
        if name == "head" {
            self.pop();
            self.phase = Phase::AfterHead;
            return Ok(());
        }
        Err(unsupported(at, "end tag in <head>"))
    }

    /// An end tag in foreign content (SVG, MathML: the standard's rules for foreign content).
    fn end_in_foreign_content(&mut self, name: &str, at: usize) -> R<()> {
        if self.cur().el.tag.eq_ignore_ascii_case(name) {
            self.pop();
            return Ok(());
        }
        Err(unsupported(at, "misnested end tag in SVG or MathML"))
    }

    /// An end tag in the "in select" insertion mode.
    fn end_in_select(&mut self, name: &str, at: usize) -> R<()> {
        match name {
            "option" if self.cur_is("option") => {
                self.pop();
                Ok(())
            }
            "optgroup" => {
                if self.cur_is("option")
                    && self.stack.len() > 2
                    && self.stack[self.stack.len() - 2].el.tag == "optgroup"
                {
                    self.pop();
                }
                if self.cur_is("optgroup") {
                    self.pop();
                    return Ok(());
                }
                Err(unsupported(at, "stray </optgroup>"))
            }
            "select" => self.pop_until(&["select"], at),
            _ => Err(unsupported(at, "end tag in <select>")),
        }
    }

    /// An end tag in the "in table" insertion mode.
    fn end_in_table(&mut self, name: &str, at: usize) -> R<()> {
        match name {
            "table" => {
                self.pop();
                Ok(())
            }
            _ => Err(unsupported(at, "end tag in a table")),
        }
    }

    /// An end tag in the "in table body" insertion mode.
    fn end_in_table_body(&mut self, name: &str, at: usize) -> R<()> {
        match name {
            "tbody" | "thead" | "tfoot" if self.cur_is(name) => {
                self.pop();
                Ok(())
            }
            "table" => {
                self.pop();
                self.end(name, at)
            }
            _ => Err(unsupported(at, "end tag in a table body")),
        }
    }

    /// An end tag in the "in row" insertion mode.
    fn end_in_row(&mut self, name: &str, at: usize) -> R<()> {
        match name {
            "tr" => {
                self.pop();
                Ok(())
            }
            "table" => {
                self.pop();
                self.end(name, at)
            }
            "tbody" | "thead" | "tfoot" if self.in_scope(&[name], &[], true) => {
                self.pop();
                self.end(name, at)
            }
            _ => Err(unsupported(at, "end tag in a table row")),
        }
    }

    /// An end tag in the "in body" insertion mode.
    fn end_in_body(&mut self, name: &str, at: usize) -> R<()> {
        match name {
            "body" | "html" => {
                if !self.in_scope(&["body"], &[], false) {
                    return Err(unsupported(at, "</body> without a body in scope"));
                }
                self.phase = Phase::AfterBody;
                Ok(())
            }
            "address" | "article" | "aside" | "blockquote" | "button" | "center" | "details" | "dialog"
            | "dir" | "div" | "dl" | "fieldset" | "figcaption" | "figure" | "footer" | "header"
            | "hgroup" | "listing" | "main" | "menu" | "nav" | "ol" | "pre" | "search" | "section"
            | "summary" | "ul" | "applet" | "marquee" | "object" => {
                if !self.in_scope(&[name], &[], false) {
                    return Err(unsupported(at, "end tag without its element in scope"));
                }
                self.generate_implied(None);
                self.pop_until(&[name], at)
            }
            "form" => {
                if !self.form_open || !self.in_scope(&["form"], &[], false) {
                    return Err(unsupported(at, "stray </form>"));
                }
                self.form_open = false;
                self.generate_implied(None);
                if !self.cur_is("form") {
                    return Err(unsupported(at, "misnested </form>"));
                }
                self.pop();
                Ok(())
            }
            "p" => {
                if !self.in_scope(&["p"], &["button"], false) {
                    return Err(unsupported(at, "</p> without <p>"));
                }
                self.generate_implied(Some("p"));
                self.pop_until(&["p"], at)
            }
            "li" | "dd" | "dt" => {
                let extra: &[&str] = if name == "li" { &["ol", "ul"] } else { &[] };
                if !self.in_scope(&[name], extra, false) {
                    return Err(unsupported(at, "end tag without its element in scope"));
                }
                self.generate_implied(Some(name));
                self.pop_until(&[name], at)
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if !self.in_scope(HEADINGS, &[], false) {
                    return Err(unsupported(at, "heading end tag without a heading"));
                }
                self.generate_implied(None);
                self.pop_until(HEADINGS, at)
            }
            "td" | "th" => {
                if !self.in_scope(&[name], &[], true) {
                    return Err(unsupported(at, "cell end tag outside a cell"));
                }
                self.generate_implied(None);
                self.pop_until(&[name], at)
            }
            "tr" | "tbody" | "thead" | "tfoot" | "table" => {
                if !self.in_scope(&["td", "th"], &[], true) || !self.in_scope(&[name], &[], true) {
                    return Err(unsupported(at, "table end tag outside a table"));
                }
                self.close_cell(at)?;
                self.end(name, at)
            }
            _ if is_formatting(name) && self.adoption_agency(name, at)? => Ok(()),
            "br" | "sarcasm" | "caption" | "col" | "colgroup" | "template" => {
                Err(unsupported(at, "end tag with special parsing rules"))
            }
            _ => {
                // "Any other end tag": the nearest element of that name, unless a
                // special element comes first.
                for i in (1..self.stack.len()).rev() {
                    let e = &self.stack[i].el;
                    if e.ns == Namespace::Html && e.tag == name {
                        self.generate_implied(Some(name));
                        return self.pop_until(&[name], at);
                    }
                    if is_special(e) {
                        break;
                    }
                }
                // A special element first (at worst `<html>`): the tag is ignored.
                Ok(())
            }
        }
    }
}

/// `html > body` of the document (node 0): the only place the builder puts a body.
pub(super) fn find_body(t: &Tree) -> Option<usize> {
    let html = t
        .children(0)
        .find(|&c| t.kind(c) == Kind::Element(Namespace::Html) && t.name(c) == "html")?;
    t.children(html)
        .find(|&c| t.kind(c) == Kind::Element(Namespace::Html) && t.name(c) == "body")
}

/// The first element with `dj-root` or `dj-view` under `body` (document order), else
/// the body's first element child.
pub(super) fn find_root(t: &Tree, body: usize) -> Option<usize> {
    let is_element = |i: usize| matches!(t.kind(i), Kind::Element(_));
    t.range(body)
        .skip(1)
        .find(|&i| is_element(i) && t.attrs(i).any(|(k, _)| k == "dj-root" || k == "dj-view"))
        .or_else(|| t.children(body).find(|&c| is_element(c)))
}
