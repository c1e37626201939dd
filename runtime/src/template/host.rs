//! What the engine asks of the host application ([`Host`]): URL reversing, static
//! files, translations, components, `settings.DEBUG`. The Python binding answers with
//! Django's own APIs.

use super::dates::DateTime;
use super::value::Value;

/// Which component tag: stateful (`live_component`) or stateless (`component`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    /// `{% live_component %}`: a `LiveComponent` with an `id`, handlers and state.
    Live,
    /// `{% component %}`: a `Component`, rendered from its props each time.
    Stateless,
}

impl ComponentKind {
    /// The tag's name.
    pub fn tag(self) -> &'static str {
        match self {
            ComponentKind::Live => "live_component",
            ComponentKind::Stateless => "component",
        }
    }
}

/// A `{% cache %}` fragment as the host's cache sees it (Django's `CacheNode.render`):
/// the timeout as resolved (the host makes it an `int`, or keeps `None`), the cache's
/// alias as resolved, and the fragment's name and vary-on values, from which the host
/// makes the key (`make_template_fragment_key`).
#[derive(Debug, Clone, Copy)]
pub struct Fragment<'a> {
    /// The timeout, before `int()`.
    pub timeout: &'a Value,
    /// `using="…"`, resolved.
    pub using: Option<&'a Value>,
    /// The fragment's name.
    pub name: &'a str,
    /// The values the key varies on.
    pub vary_on: &'a [Value],
}

/// What the renderer asks of the host application (Django, through the Python
/// binding) for tags that need the project: URL reversing, static file URLs.
pub trait Host: Send + Sync {
    /// Django's `reverse(name, args=args, kwargs=kwargs, current_app=current_app)`;
    /// `Err(message)` is `NoReverseMatch`. `{% url %}` passes the request's
    /// `current_app`, else its `resolver_match.namespace` (Django's `URLNode`), so an
    /// application namespace resolves to the instance the page was served from.
    fn reverse(
        &self,
        name: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
        current_app: Option<&str>,
    ) -> std::result::Result<String, String>;
    /// `static(path)`: the URL of a static file.
    fn static_url(&self, path: &str) -> String;
    /// `settings.STATIC_URL` (IRI-quoted), for `{% get_static_prefix %}`; by default
    /// `static_url("")`.
    fn static_prefix(&self) -> String {
        self.static_url("")
    }
    /// `settings.MEDIA_URL` (IRI-quoted), for `{% get_media_prefix %}`; by default `""`.
    fn media_prefix(&self) -> String {
        String::new()
    }
    /// `{% cache %}`'s lookup: the fragment's cached output, `Ok(None)` when it is not
    /// cached. `Err(message)` is the tag's error (a timeout `int()` refuses, an unknown
    /// cache). By default nothing is cached: the fragment renders every time.
    fn cache_get(&self, fragment: &Fragment<'_>) -> std::result::Result<Option<String>, String> {
        let _ = fragment;
        Ok(None)
    }
    /// `{% cache %}`'s store of a fragment's output after it rendered; by default
    /// nothing.
    fn cache_set(&self, fragment: &Fragment<'_>, output: &str) -> std::result::Result<(), String> {
        let _ = (fragment, output);
        Ok(())
    }
    /// `gettext` / `pgettext` in `language` (`None`: the active language); `None` when
    /// there is no translation (the message is used as it is).
    fn translate(&self, message: &str, context: Option<&str>, language: Option<&str>) -> Option<String> {
        let _ = (message, context, language);
        None
    }
    /// `ngettext` / `npgettext`; `None` when there is no translation (English plural
    /// rule: singular for 1).
    fn translate_plural(
        &self,
        singular: &str,
        plural: &str,
        count: &Value,
        context: Option<&str>,
        language: Option<&str>,
    ) -> Option<String> {
        let _ = (singular, plural, count, context, language);
        None
    }
    /// Render a component tag (`{% live_component %}`, `{% component %}`, see
    /// [`super::components`]): `component` is the tag's first argument (a dotted path),
    /// `props` its keyword arguments in template order. `Ok` is HTML, inserted as it is;
    /// `Err(message)` fails the render. By default there are no components.
    fn component(
        &self,
        kind: ComponentKind,
        component: &Value,
        props: &[(String, Value)],
    ) -> std::result::Result<String, String> {
        let _ = (component, props);
        Err(format!("'{}' needs djust's Django template backend", kind.tag()))
    }
    /// The active language code (Django's `get_language()`).
    fn language(&self) -> String {
        "en-us".into()
    }
    /// `settings.LANGUAGES` with the names translated (`gettext`), for
    /// `{% get_available_languages %}`. The default is an empty list.
    fn available_languages(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    /// Django's `translation.get_language_info(code)`: a dict with `bidi`, `code`,
    /// `name`, `name_local` and `name_translated`; `Err` is the `KeyError` message
    /// for an unknown code.
    fn language_info(&self, code: &str) -> std::result::Result<Value, String> {
        Err(format!("Unknown language code {code}."))
    }
    /// Django's `translation.get_language_bidi()` for `language` (the active one):
    /// whether its base language is in `settings.LANGUAGES_BIDI` (by default
    /// Hebrew, Arabic, Central Kurdish, Persian, Uyghur and Urdu).
    fn language_bidi(&self, language: &str) -> bool {
        let base = language.split('-').next().unwrap_or("");
        matches!(base, "he" | "ar" | "ckb" | "fa" | "ug" | "ur")
    }
    /// Django's `template_localtime(value, use_tz)`: `value` (an aware datetime) in the
    /// current time zone, with its zone's name, when `use_tz` (`None`:
    /// `settings.USE_TZ`) is on; `None` leaves it as it is (the default: no time zone
    /// support).
    fn localtime(&self, value: &DateTime, use_tz: Option<bool>) -> Option<DateTime> {
        let _ = (value, use_tz);
        None
    }
    /// Entering `{% timezone tz %}`: Django's `timezone.override(tz)` (a zone name, a
    /// `tzinfo`, or `None` for the default zone) until [`Host::leave_timezone`].
    /// `Ok(true)` when a zone was entered; `Err(message)` when `tz` is not one (the
    /// host's exception is what the render raises). By default there is no current
    /// zone to change: `Ok(false)`.
    fn enter_timezone(&self, tz: &Value) -> std::result::Result<bool, String> {
        let _ = tz;
        Ok(false)
    }
    /// Leaving the `{% timezone %}` [`Host::enter_timezone`] entered.
    fn leave_timezone(&self) {}
    /// `timezone.get_current_timezone_name()`, for `{% get_current_timezone %}`; by
    /// default `UTC`.
    fn current_timezone(&self) -> String {
        "UTC".to_string()
    }
    /// Entering `{% language code %}`: Django's `translation.override(code)`, so that
    /// everything rendered inside (a project's filters and tags, the locale's numbers
    /// and dates) is in that language. Returns the language to restore when the block
    /// ends ([`Host::leave_language`]; `""` for none active), or `None` when nothing
    /// was changed (the default: the engine passes the language to
    /// [`Host::translate`] itself).
    fn enter_language(&self, code: &str) -> Option<String> {
        let _ = code;
        None
    }
    /// Leaving `{% language %}`: `previous` is what [`Host::enter_language`] returned.
    fn leave_language(&self, previous: &str) {
        let _ = previous;
    }
    /// Python's `datetime.now(tz)`: with `current_zone`, `tz` is Django's current time
    /// zone when `settings.USE_TZ` is on (`{% now %}`), else `None`, the process's
    /// local time (`TIME_ZONE` through the `TZ` variable Django sets; `timesince` of a
    /// naive value). `None` leaves the engine's clock, UTC.
    fn now(&self, current_zone: bool) -> Option<DateTime> {
        let _ = current_zone;
        None
    }
    /// The active locale, as far as the engine formats values itself (asked once per
    /// render, when a number or a date is first formatted); `None` is Django's
    /// defaults (English, no thousand separators).
    fn locale(&self) -> Option<Locale> {
        None
    }
    /// `settings.USE_THOUSAND_SEPARATOR` alone: all an integer's rendering needs, so a
    /// host can answer it more cheaply than the whole [`Host::locale`].
    fn use_thousand_separator(&self) -> bool {
        self.locale().is_some_and(|l| l.number.use_thousand_separator)
    }
    /// Django's `formats.date_format` (or `time_format` when `time_only`) of `value` in
    /// the active locale, asked only when [`Locale::dates_by_host`]: `format` is a
    /// format string or a setting's name (`"DATE_FORMAT"`). `None` (or `Err`, the
    /// host's message) leaves it to the engine's own, English, formatting.
    fn format_date(&self, value: &Value, format: &str, time_only: bool) -> Option<Result<String, String>> {
        let _ = (value, format, time_only);
        None
    }
    /// Django's `formats.localize(value, use_l10n=False)` of a number or a date, for
    /// `{% localize off %}`: written with the settings' separators and formats instead
    /// of the active locale's. `None` (the default) leaves the engine's own writing,
    /// which is Django's defaults.
    fn unlocalized(&self, value: &Value) -> Option<String> {
        let _ = value;
        None
    }
    /// `settings.DEBUG`: whether `{% debug %}` prints anything.
    fn debug(&self) -> bool {
        false
    }
    /// What `{% debug %}` prints after the context: `pformat(sys.modules)` in Django.
    fn debug_modules(&self) -> String {
        String::new()
    }
}

/// The active locale of `host` (Django's defaults without a host or an answer).
pub fn locale_of(host: Option<&dyn Host>) -> Locale {
    host.and_then(|h| h.locale()).unwrap_or_default()
}

/// The active locale as the engine needs it ([`Host::locale`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locale {
    /// How numbers are written.
    pub number: NumberFormat,
    /// Dates are formatted by the host ([`Host::format_date`]): the locale's month and
    /// day names and formats are not the English ones the engine has.
    pub dates_by_host: bool,
}

/// The active locale's number format, as Django's `formats.number_format` reads it:
/// `DECIMAL_SEPARATOR`, `THOUSAND_SEPARATOR`, `NUMBER_GROUPING` and
/// `settings.USE_THOUSAND_SEPARATOR`. The default is the `en` locale's, without
/// thousand separators (Django's defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    /// Between the integer and the fractional part.
    pub decimal_separator: String,
    /// Between groups of digits.
    pub thousand_separator: String,
    /// Django's grouping intervals, from the right: `NUMBER_GROUPING = 3` is `[3, 0]`
    /// (threes throughout), a sequence is itself (a `0` repeats the previous size);
    /// empty when `NUMBER_GROUPING` is `0` (never grouped).
    pub grouping: Vec<i64>,
    /// `settings.USE_THOUSAND_SEPARATOR`.
    pub use_thousand_separator: bool,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            decimal_separator: ".".into(),
            thousand_separator: ",".into(),
            grouping: vec![3, 0],
            use_thousand_separator: false,
        }
    }
}
