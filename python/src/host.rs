//! The Django host: the engine's project hooks (`djust_runtime::template::Host`)
//! answered by Django's own APIs — `reverse` for `{% url %}`, `static` and the
//! `STATIC_URL`/`MEDIA_URL` prefixes for `{% static %}`, Django's translation
//! functions for `{% translate %}`, `{% blocktranslate %}` and the i18n tags, and
//! `settings.DEBUG` for `{% debug %}`, and `djust.components` for `{% live_component %}`
//! and `{% component %}`. Installed by `Engine(..., django=True)` (the
//! template backend does so); Django must be configured.

use crate::convert::{to_py, to_value};
use djust_runtime::template::dates::DateTime;
use djust_runtime::template::host::{ComponentKind, Fragment};
use djust_runtime::template::host::{Locale, NumberFormat};
use djust_runtime::template::{Host, Value};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};

/// Calls into Django (see the module documentation).
#[derive(Default)]
pub(crate) struct DjangoHost {
    /// The last locale asked for, by what decides it: the active language, the
    /// identity of Django's format cache (replaced when a format setting changes) and
    /// `USE_THOUSAND_SEPARATOR`. Asking Django's `get_format` again costs a render
    /// tens of microseconds.
    locale: std::sync::Mutex<Option<(LocaleKey, Locale)>>,
}

/// See [`DjangoHost::locale`]'s field.
type LocaleKey = (String, usize, bool);

/// Run `f` with the GIL; a Python exception becomes its message.
fn with_py<T>(f: impl FnOnce(Python<'_>) -> PyResult<T>) -> Result<T, String> {
    Python::attach(|py| f(py).map_err(|e| e.value(py).to_string()))
}

/// `f` with `language` activated (`translation.override`), or as is.
fn in_language<'py, T>(
    py: Python<'py>,
    language: Option<&str>,
    f: impl FnOnce(&Bound<'py, PyModule>) -> PyResult<T>,
) -> PyResult<T> {
    let translation = py.import("django.utils.translation")?;
    let Some(lang) = language else {
        return f(&translation);
    };
    let guard = translation.getattr("override")?.call1((lang,))?;
    guard.call_method0("__enter__")?;
    let result = f(&translation);
    let none = py.None();
    guard.call_method1("__exit__", (none.clone_ref(py), none.clone_ref(py), none))?;
    result
}

/// `djust.template.cache.lookup(timeout, using, name, vary_on)` (the cached output or
/// `None`), or for `"store"` the function that stores an output.
fn fragment_call<'py>(py: Python<'py>, what: &str, fragment: &Fragment<'_>) -> PyResult<Bound<'py, PyAny>> {
    let vary_on = PyList::new(py, fragment.vary_on.iter().map(|v| to_py(py, v)))?;
    let using = fragment.using.map(|u| to_py(py, u));
    py.import("djust.template.cache")?.getattr(what)?.call1((
        to_py(py, fragment.timeout),
        using,
        fragment.name,
        vary_on,
    ))
}

/// `with_py`, keeping the exception for the binding to raise if the error ends the
/// render (Django's `{% url %}` raises `NoReverseMatch` itself; `as var` swallows it).
fn with_py_kept<T>(f: impl FnOnce(Python<'_>) -> PyResult<T>) -> Result<T, String> {
    Python::attach(|py| {
        f(py).map_err(|e| {
            let message = e.value(py).to_string();
            crate::convert::keep_host_error(e);
            message
        })
    })
}

impl Host for DjangoHost {
    /// `djust.components.render_tag(live, component, props)`: the component's HTML. An
    /// exception (the component's own, or a bad path) is kept and raised as it is.
    fn component(
        &self,
        kind: ComponentKind,
        component: &Value,
        props: &[(String, Value)],
    ) -> Result<String, String> {
        with_py_kept(|py| {
            let kw = PyDict::new(py);
            for (k, v) in props {
                kw.set_item(k, to_py(py, v))?;
            }
            py.import("djust.components")?
                .getattr("render_tag")?
                .call1((kind == ComponentKind::Live, to_py(py, component), kw))?
                .extract::<String>()
        })
    }

    fn reverse(
        &self,
        name: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
        current_app: Option<&str>,
    ) -> Result<String, String> {
        with_py_kept(|py| {
            let args = PyList::new(py, args.iter().map(|v| to_py(py, v)))?;
            let kw = PyDict::new(py);
            for (k, v) in kwargs {
                kw.set_item(k, to_py(py, v))?;
            }
            let call_kw = PyDict::new(py);
            call_kw.set_item("args", args)?;
            call_kw.set_item("kwargs", kw)?;
            call_kw.set_item("current_app", current_app)?;
            py.import("django.urls")?
                .getattr("reverse")?
                .call((name,), Some(&call_kw))?
                .extract::<String>()
        })
    }

    fn static_url(&self, path: &str) -> String {
        with_py(|py| {
            py.import("django.templatetags.static")?
                .getattr("static")?
                .call1((path,))?
                .extract::<String>()
        })
        .unwrap_or_default()
    }

    fn static_prefix(&self) -> String {
        prefix("STATIC_URL")
    }

    fn media_prefix(&self) -> String {
        prefix("MEDIA_URL")
    }

    fn enter_timezone(&self, tz: &Value) -> Result<bool, String> {
        with_py_kept(|py| {
            py.import("djust.template.timezones")?
                .getattr("enter")?
                .call1((to_py(py, tz),))?;
            Ok(true)
        })
    }

    fn leave_timezone(&self) {
        let _ = with_py(|py| {
            py.import("djust.template.timezones")?
                .getattr("leave")?
                .call0()
                .map(drop)
        });
    }

    fn current_timezone(&self) -> String {
        with_py(|py| {
            py.import("django.utils.timezone")?
                .getattr("get_current_timezone_name")?
                .call0()?
                .extract::<String>()
        })
        .unwrap_or_else(|_| "UTC".to_string())
    }

    fn cache_get(&self, fragment: &Fragment<'_>) -> Result<Option<String>, String> {
        with_py_kept(|py| {
            let value = fragment_call(py, "lookup", fragment)?;
            if value.is_none() {
                return Ok(None);
            }
            value.extract::<String>().map(Some)
        })
    }

    fn cache_set(&self, fragment: &Fragment<'_>, output: &str) -> Result<(), String> {
        with_py_kept(|py| fragment_call(py, "store", fragment)?.call1((output,)).map(drop))
    }

    fn translate(&self, message: &str, context: Option<&str>, language: Option<&str>) -> Option<String> {
        with_py(|py| {
            in_language(py, language, |t| match context {
                Some(c) => t.getattr("pgettext")?.call1((c, message))?.extract::<String>(),
                None => t.getattr("gettext")?.call1((message,))?.extract::<String>(),
            })
        })
        .ok()
    }

    fn translate_plural(
        &self,
        singular: &str,
        plural: &str,
        count: &Value,
        context: Option<&str>,
        language: Option<&str>,
    ) -> Option<String> {
        with_py(|py| {
            let n = to_py(py, count);
            in_language(py, language, |t| match context {
                Some(c) => t
                    .getattr("npgettext")?
                    .call1((c, singular, plural, n))?
                    .extract::<String>(),
                None => t
                    .getattr("ngettext")?
                    .call1((singular, plural, n))?
                    .extract::<String>(),
            })
        })
        .ok()
    }

    fn language(&self) -> String {
        with_py(|py| {
            let lang = module(py, &TRANSLATION, "django.utils.translation")?
                .getattr("get_language")?
                .call0()?;
            if lang.is_none() {
                return settings(py, "LANGUAGE_CODE")?.extract::<String>();
            }
            lang.extract::<String>()
        })
        .unwrap_or_else(|_| "en-us".into())
    }

    fn available_languages(&self) -> Vec<(String, String)> {
        with_py(|py| {
            let gettext = py.import("django.utils.translation")?.getattr("gettext")?;
            let mut out = Vec::new();
            for item in settings(py, "LANGUAGES")?.try_iter()? {
                let pair = item?.cast_into::<PyTuple>()?;
                let code: String = pair.get_item(0)?.extract()?;
                let name: String = gettext.call1((pair.get_item(1)?,))?.extract()?;
                out.push((code, name));
            }
            Ok(out)
        })
        .unwrap_or_default()
    }

    fn language_info(&self, code: &str) -> Result<Value, String> {
        with_py(|py| {
            let info = py
                .import("django.utils.translation")?
                .getattr("get_language_info")?
                .call1((code,))?;
            Ok(to_value(&info))
        })
    }

    fn language_bidi(&self, language: &str) -> bool {
        with_py(|py| {
            in_language(py, Some(language), |t| {
                t.getattr("get_language_bidi")?.call0()?.extract::<bool>()
            })
        })
        .unwrap_or(false)
    }

    /// `django.utils.timezone.template_localtime(value)`: the current time zone when
    /// `USE_TZ` is on (the zone's name comes back with it).
    fn localtime(&self, value: &DateTime, use_tz: Option<bool>) -> Option<DateTime> {
        with_py(|py| {
            let local = py
                .import("django.utils.timezone")?
                .getattr("template_localtime")?
                .call1((to_py(py, &Value::DateTime(*value)), use_tz))?;
            Ok(match crate::convert::temporal_value(&local) {
                Some(Value::DateTime(dt)) => Some(dt),
                _ => None,
            })
        })
        .ok()
        .flatten()
    }

    /// `formats.get_format` of `DECIMAL_SEPARATOR`, `THOUSAND_SEPARATOR` and
    /// `NUMBER_GROUPING` in the active language, and `settings.USE_THOUSAND_SEPARATOR`;
    /// dates go through Django's `formats` unless the language is English (`en`,
    /// `en-us`: the engine's own formatting is Django's defaults).
    fn locale(&self) -> Option<Locale> {
        with_py(|py| {
            let formats = module(py, &FORMATS, "django.utils.formats")?;
            let language = self.language();
            let english = matches!(language.to_ascii_lowercase().as_str(), "en" | "en-us");
            let thousand = settings(py, "USE_THOUSAND_SEPARATOR")?.is_truthy()?;
            // Without Django's format cache to watch, nothing is cached.
            let cache_id = formats.getattr("_format_cache").ok().map(|c| c.as_ptr() as usize);
            let key = cache_id.map(|id| (language, id, thousand));
            let mut slot = self.locale.lock().unwrap_or_else(|p| p.into_inner());
            if let (Some(key), Some((cached_key, cached))) = (&key, slot.as_ref()) {
                if key == cached_key {
                    return Ok(cached.clone());
                }
            }
            let get = formats.getattr("get_format")?;
            let grouping = get.call1(("NUMBER_GROUPING",))?;
            let grouping: Vec<i64> = match grouping.extract::<i64>() {
                Ok(0) => Vec::new(),
                Ok(n) => vec![n, 0],
                Err(_) => grouping.extract()?,
            };
            let locale = Locale {
                number: NumberFormat {
                    decimal_separator: get.call1(("DECIMAL_SEPARATOR",))?.str()?.to_string(),
                    thousand_separator: get.call1(("THOUSAND_SEPARATOR",))?.str()?.to_string(),
                    grouping,
                    use_thousand_separator: thousand,
                },
                dates_by_host: !english,
            };
            *slot = key.map(|k| (k, locale.clone()));
            Ok(locale)
        })
        .ok()
    }

    fn use_thousand_separator(&self) -> bool {
        with_py(|py| settings(py, "USE_THOUSAND_SEPARATOR")?.is_truthy()).unwrap_or(false)
    }

    /// `formats.date_format` / `time_format` in the active language.
    fn format_date(&self, value: &Value, format: &str, time_only: bool) -> Option<Result<String, String>> {
        Some(with_py(|py| {
            let formats = py.import("django.utils.formats")?;
            let function = if time_only { "time_format" } else { "date_format" };
            formats
                .getattr(function)?
                .call1((to_py(py, value), format))?
                .extract::<String>()
        }))
    }

    fn unlocalized(&self, value: &Value) -> Option<String> {
        with_py(|py| {
            let kw = PyDict::new(py);
            kw.set_item("use_l10n", false)?;
            py.import("django.utils.formats")?
                .getattr("localize")?
                .call((to_py(py, value),), Some(&kw))?
                .str()?
                .extract::<String>()
        })
        .ok()
    }

    fn enter_language(&self, code: &str) -> Option<String> {
        with_py(|py| {
            let translation = module(py, &TRANSLATION, "django.utils.translation")?;
            let previous: Option<String> = translation.getattr("get_language")?.call0()?.extract()?;
            translation.getattr("activate")?.call1((code,))?;
            Ok(previous.unwrap_or_default())
        })
        .ok()
    }

    /// Django's `override.__exit__`: the previous language again, or none.
    fn leave_language(&self, previous: &str) {
        let _ = with_py(|py| {
            let translation = module(py, &TRANSLATION, "django.utils.translation")?;
            if previous.is_empty() {
                translation.getattr("deactivate_all")?.call0()?;
            } else {
                translation.getattr("activate")?.call1((previous,))?;
            }
            Ok(())
        });
    }

    fn now(&self, current_zone: bool) -> Option<DateTime> {
        with_py(|py| {
            let tz = if current_zone && settings(py, "USE_TZ")?.is_truthy()? {
                py.import("django.utils.timezone")?
                    .getattr("get_current_timezone")?
                    .call0()?
            } else {
                py.None().into_bound(py)
            };
            let now = py
                .import("datetime")?
                .getattr("datetime")?
                .getattr("now")?
                .call1((tz,))?;
            Ok(match crate::convert::temporal_value(&now) {
                Some(Value::DateTime(dt)) => Some(dt),
                _ => None,
            })
        })
        .ok()
        .flatten()
    }

    fn debug(&self) -> bool {
        with_py(|py| settings(py, "DEBUG")?.is_truthy()).unwrap_or(false)
    }

    fn debug_modules(&self) -> String {
        with_py(|py| {
            let modules = py.import("sys")?.getattr("modules")?;
            py.import("pprint")?
                .getattr("pformat")?
                .call1((modules,))?
                .extract::<String>()
        })
        .unwrap_or_default()
    }
}

/// A module imported once per process (`py.import` goes through `__import__` each
/// time, microseconds a render pays for every call).
fn module<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyModule>>,
    name: &str,
) -> PyResult<Bound<'py, PyModule>> {
    cell.get_or_try_init(py, || py.import(name).map(Bound::unbind))
        .map(|m| m.bind(py).clone())
}

static CONF: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
static FORMATS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
static TRANSLATION: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn settings<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    module(py, &CONF, "django.conf")?
        .getattr("settings")?
        .getattr(name)
}

/// `PrefixNode.handle_simple(name)`: the setting, IRI-quoted ("" when unset).
fn prefix(name: &str) -> String {
    with_py(|py| {
        py.import("django.templatetags.static")?
            .getattr("PrefixNode")?
            .getattr("handle_simple")?
            .call1((name,))?
            .extract::<String>()
    })
    .unwrap_or_default()
}
