//! Built-in filters, with Django 5.2's output, safety and autoescape semantics
//! (`django/template/defaultfilters.py`).
//!
//! Each filter is a [`FilterDef`]: its argument arity (checked at parse time with
//! Django's message), `is_safe` (a safe input gives a safe output) and
//! `needs_autoescape` (the filter escapes its own output). String filters
//! (`@stringfilter` in Django) convert their input with `str()` first.

use super::error::{ErrorKind, Result, TemplateError};
use super::host::NumberFormat;
use super::html::{conditional_escape, escape, normalize_newlines};
use super::library::{Arg, FilterDef, FilterEnv, FilterFlags, Registry};
use super::numbers::{group, parse_decimal};
use super::urls::quote;
use super::value::{float_repr, Value};
use std::sync::{Arc, OnceLock};

/// The registry every engine starts from: Django's built-in filters
/// (`defaultfilters`) plus the built-in [`CustomTag`](super::library::CustomTag)s
/// (`querystring`, djust's component tags). Built once per process, cloned per call.
pub fn builtins() -> Registry {
    static BUILTINS: OnceLock<Registry> = OnceLock::new();
    BUILTINS.get_or_init(build).clone()
}

type Simple = fn(&Value, Option<&Value>, &FilterEnv) -> Result<Value>;

/// No flags.
const PLAIN: FilterFlags = FilterFlags {
    is_safe: false,
    needs_autoescape: false,
    expects_localtime: false,
};
/// `is_safe=True`.
const SAFE: FilterFlags = FilterFlags {
    is_safe: true,
    ..PLAIN
};
/// `is_safe=True, needs_autoescape=True`.
const SAFE_AUTOESCAPE: FilterFlags = FilterFlags {
    is_safe: true,
    needs_autoescape: true,
    ..PLAIN
};
/// `expects_localtime=True` (`date`, `time`).
const LOCALTIME: FilterFlags = FilterFlags {
    expects_localtime: true,
    ..PLAIN
};

fn build() -> Registry {
    let mut r = Registry::default();
    let mut add = |name: &str, arg: Arg, flags: FilterFlags, f: Simple| {
        r.register(FilterDef::new(name, arg, flags, Arc::new(f)));
    };
    use Arg::*;
    add("add", Required, PLAIN, add_filter);
    add("addslashes", None, SAFE, addslashes);
    add("capfirst", None, SAFE, capfirst);
    add("center", Required, SAFE, center);
    add("ljust", Required, SAFE, ljust);
    add("rjust", Required, SAFE, rjust);
    add("cut", Required, PLAIN, cut);
    add("default", Required, PLAIN, default);
    add("default_if_none", Required, PLAIN, default_if_none);
    add("divisibleby", Required, PLAIN, divisibleby);
    add("escape", None, SAFE, escape_filter);
    add("force_escape", None, SAFE, force_escape);
    add("escapejs", None, PLAIN, escapejs_filter);
    add("escapeseq", None, SAFE, escapeseq);
    add("safe", None, SAFE, safe);
    add("safeseq", None, SAFE, safeseq);
    add("first", None, PLAIN, first);
    add("last", None, SAFE, last);
    add("floatformat", Optional, SAFE, floatformat_filter);
    add("get_digit", Required, PLAIN, get_digit);
    add("join", Required, SAFE_AUTOESCAPE, join);
    add("length", None, PLAIN, length);
    add("linebreaks", None, SAFE_AUTOESCAPE, linebreaks);
    add("linebreaksbr", None, SAFE_AUTOESCAPE, linebreaksbr);
    add("linenumbers", None, SAFE_AUTOESCAPE, linenumbers);
    add("lower", None, SAFE, lower);
    add("upper", None, PLAIN, upper);
    add("title", None, SAFE, title_filter);
    add("make_list", None, PLAIN, make_list);
    add("phone2numeric", None, SAFE, phone2numeric_filter);
    add("pluralize", Optional, PLAIN, pluralize);
    add("slice", Required, SAFE, slice);
    add("slugify", None, SAFE, slugify_filter);
    add("stringformat", Required, SAFE, stringformat);
    add("truncatechars", Required, SAFE, truncatechars);
    add("truncatewords", Required, SAFE, truncatewords);
    add("truncatechars_html", Required, SAFE, truncatechars_html);
    add("truncatewords_html", Required, SAFE, truncatewords_html);
    add("wordcount", None, PLAIN, wordcount);
    add("yesno", Optional, PLAIN, yesno);
    add("filesizeformat", None, SAFE, filesizeformat_filter);
    add("urlencode", Optional, PLAIN, urlencode);
    add("iriencode", None, SAFE, iriencode);
    add("unordered_list", None, SAFE_AUTOESCAPE, unordered_list);
    add("json_script", Optional, SAFE, json_script);
    add("timesince", Optional, PLAIN, timesince);
    add("timeuntil", Optional, PLAIN, timeuntil);
    add("wordwrap", Required, SAFE, wordwrap);
    add("random", None, SAFE, random);
    add("striptags", None, SAFE, striptags);
    add("urlize", None, SAFE_AUTOESCAPE, urlize);
    add("urlizetrunc", Required, SAFE_AUTOESCAPE, urlizetrunc);
    add("pprint", None, SAFE, pprint);
    add("date", Optional, LOCALTIME, date);
    add("time", Optional, LOCALTIME, time);
    add("dictsort", Required, PLAIN, dictsort_filter);
    add("dictsortreversed", Required, PLAIN, dictsortreversed);
    r.register_tag(super::querydict::querystring_tag());
    r.register_tag(super::components::live_component_tag());
    r.register_tag(super::components::component_tag());
    r
}

/// `|addslashes` (Django's `defaultfilters`).
fn addslashes(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(keep_safety(
        v,
        s(v).replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\'', "\\'"),
    ))
}

/// `|capfirst` (Django's `defaultfilters`).
fn capfirst(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let t = s(v);
    let mut c = t.chars();
    Ok(keep_safety(
        v,
        match c.next() {
            Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
            Option::None => String::new(),
        },
    ))
}

/// `|center` (Django's `defaultfilters`).
fn center(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    pad(v, a, Align::Center, env.max_size)
}

/// `|ljust` (Django's `defaultfilters`).
fn ljust(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    pad(v, a, Align::Left, env.max_size)
}

/// `|rjust` (Django's `defaultfilters`).
fn rjust(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    pad(v, a, Align::Right, env.max_size)
}

/// `|cut` (Django's `defaultfilters`).
fn cut(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let arg = a.map(|x| x.to_py_str()).unwrap_or_default();
    let out = s(v).replace(&arg, "");
    Ok(if v.is_safe() && arg != ";" {
        Value::safe(out)
    } else {
        Value::str(out)
    })
}

/// `|default` (Django's `defaultfilters`).
fn default(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(if v.truthy() {
        v.clone()
    } else {
        a.cloned().unwrap_or_default()
    })
}

/// `|default_if_none` (Django's `defaultfilters`).
fn default_if_none(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(if matches!(v, Value::None) {
        a.cloned().unwrap_or_default()
    } else {
        v.clone()
    })
}

/// `|divisibleby` (Django's `defaultfilters`).
fn divisibleby(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let x = py_int_of(v).ok_or_else(|| render_err("invalid literal for int()"))?;
    let y = a
        .and_then(py_int_of)
        .ok_or_else(|| render_err("invalid literal for int()"))?;
    if y == 0 {
        return Err(render_err("integer modulo by zero"));
    }
    Ok(Value::Bool(x.rem_euclid(y) == 0))
}

/// `|escape` (Django's `defaultfilters`).
fn escape_filter(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::safe(conditional_escape(v)))
}

/// `|force_escape` (Django's `defaultfilters`).
fn force_escape(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::safe(escape(&v.to_py_str())))
}

/// `|escapejs` (Django's `defaultfilters`).
fn escapejs_filter(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::safe(escapejs(&s(v))))
}

/// `|escapeseq` (Django's `defaultfilters`).
fn escapeseq(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::list(
        seq(v)?
            .iter()
            .map(|x| Value::safe(conditional_escape(x)))
            .collect(),
    ))
}

/// `|safe` (Django's `defaultfilters`).
fn safe(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::safe(s(v)))
}

/// `|safeseq` (Django's `defaultfilters`).
fn safeseq(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::list(
        seq(v)?
            .iter()
            .map(|x| {
                if x.is_safe() {
                    x.clone()
                } else {
                    Value::safe(x.to_py_str())
                }
            })
            .collect(),
    ))
}

/// `|first` (Django's `defaultfilters`).
fn first(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    index(v, 0)
}

/// `|last` (Django's `defaultfilters`).
fn last(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    index(v, -1)
}

/// `|floatformat` (Django's `defaultfilters`).
fn floatformat_filter(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    floatformat(v, a, env.max_size, &env.locale().number)
}

/// `|length` (Django's `defaultfilters`).
fn length(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::Int(v.length().map(|n| n as i64).unwrap_or(0)))
}

/// `|linebreaks` (Django's `defaultfilters`).
fn linebreaks(v: &Value, _: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    let autoescape = env.autoescape && !v.is_safe();
    let text = normalize_newlines(&s(v));
    let paras: Vec<String> = split_paragraphs(&text)
        .into_iter()
        .map(|p| {
            let p = if autoescape { escape(p) } else { p.to_string() };
            format!("<p>{}</p>", p.replace('\n', "<br>"))
        })
        .collect();
    Ok(Value::safe(paras.join("\n\n")))
}

/// `|linebreaksbr` (Django's `defaultfilters`).
fn linebreaksbr(v: &Value, _: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    let autoescape = env.autoescape && !v.is_safe();
    let text = normalize_newlines(&s(v));
    let text = if autoescape { escape(&text) } else { text };
    Ok(Value::safe(text.replace('\n', "<br>")))
}

/// `|linenumbers` (Django's `defaultfilters`).
fn linenumbers(v: &Value, _: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    let text = s(v);
    let lines: Vec<&str> = text.split('\n').collect();
    let width = lines.len().to_string().len();
    let plain = !env.autoescape || v.is_safe();
    let out: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let l = if plain { l.to_string() } else { escape(l) };
            format!("{:0width$}. {l}", i + 1)
        })
        .collect();
    Ok(Value::safe(out.join("\n")))
}

/// `|lower` (Django's `defaultfilters`).
fn lower(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(keep_safety(v, s(v).to_lowercase()))
}

/// `|upper` (Django's `defaultfilters`).
fn upper(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::str(s(v).to_uppercase()))
}

/// `|title` (Django's `defaultfilters`).
fn title_filter(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(keep_safety(v, title(&s(v))))
}

/// `|make_list` (Django's `defaultfilters`).
fn make_list(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::list(
        s(v).chars().map(|c| Value::str(c.to_string())).collect(),
    ))
}

/// `|phone2numeric` (Django's `defaultfilters`).
fn phone2numeric_filter(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    match v.as_str() {
        Some(text) => Ok(Value::str(phone2numeric(text))),
        Option::None => Err(render_err("object has no attribute 'lower'")),
    }
}

/// `|slugify` (Django's `defaultfilters`).
fn slugify_filter(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::safe(slugify(&s(v))))
}

/// `|stringformat` (Django's `defaultfilters`).
fn stringformat(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    let spec = a.map(|x| x.to_py_str()).unwrap_or_default();
    // `stringformat` turns a tuple into its str() first.
    let v = match v {
        Value::Tuple(_) => Value::str(v.to_py_str()),
        other => other.clone(),
    };
    let size = super::printf::requested_size(&spec);
    if size > env.max_size as u128 {
        return Err(TemplateError::too_large("stringformat", size, env.max_size));
    }
    Ok(Value::str(super::printf::format(&spec, &v).unwrap_or_default()))
}

/// `|truncatechars` (Django's `defaultfilters`).
fn truncatechars(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let Some(n) = a.and_then(py_int_of) else {
        return Ok(Value::str(s(v)));
    };
    Ok(keep_safety(v, super::truncate::chars(&s(v), n)))
}

/// `|truncatewords` (Django's `defaultfilters`).
fn truncatewords(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let Some(n) = a.and_then(py_int_of) else {
        return Ok(Value::str(s(v)));
    };
    Ok(keep_safety(v, super::truncate::words(&s(v), n)))
}

/// `|truncatechars_html` (Django's `defaultfilters`).
fn truncatechars_html(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let Some(n) = a.and_then(py_int_of) else {
        return Ok(keep_safety(v, s(v)));
    };
    let out = super::truncate::chars_html(&s(v), n).map_err(|m| render_err(&m))?;
    Ok(keep_safety(v, out))
}

/// `|truncatewords_html` (Django's `defaultfilters`).
fn truncatewords_html(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let Some(n) = a.and_then(py_int_of) else {
        return Ok(keep_safety(v, s(v)));
    };
    let out = super::truncate::words_html(&s(v), n).map_err(|m| render_err(&m))?;
    Ok(keep_safety(v, out))
}

/// `|wordcount` (Django's `defaultfilters`).
fn wordcount(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let text = s(v);
    let words = text.split(super::value::is_py_space).filter(|w| !w.is_empty());
    Ok(Value::Int(words.count() as i64))
}

/// `|filesizeformat` (Django's `defaultfilters`).
fn filesizeformat_filter(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::str(filesizeformat(v)))
}

/// `|urlencode` (Django's `defaultfilters`).
fn urlencode(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let safe = a.map(|x| x.to_py_str()).unwrap_or_else(|| "/".to_string());
    Ok(Value::str(quote(&s(v), &safe)))
}

/// `|iriencode` (Django's `defaultfilters`).
fn iriencode(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(keep_safety(v, quote(&s(v), "/#%[]=:;$&()+,!?*@'~")))
}

/// `|json_script` (Django's `defaultfilters`).
fn json_script(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let json = crate::json::dumps(v).map_err(|e| render_err(&e.to_string()))?;
    let json = json
        .replace('>', "\\u003E")
        .replace('<', "\\u003C")
        .replace('&', "\\u0026");
    Ok(Value::safe(match a.filter(|x| x.truthy()) {
        Some(id) => format!(
            "<script id=\"{}\" type=\"application/json\">{json}</script>",
            conditional_escape(id)
        ),
        Option::None => format!("<script type=\"application/json\">{json}</script>"),
    }))
}

/// `|timesince` (Django's `defaultfilters`).
fn timesince(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    timesince_filter(v, a, false, env).map(Value::str)
}

/// `|timeuntil` (Django's `defaultfilters`).
fn timeuntil(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    timesince_filter(v, a, true, env).map(Value::str)
}

/// `|wordwrap` (Django's `defaultfilters`).
fn wordwrap(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let width = a
        .and_then(py_int_of)
        .ok_or_else(|| render_err("invalid literal for int()"))?;
    if width <= 0 {
        return Err(render_err(&format!("invalid width {width} (must be > 0)")));
    }
    Ok(keep_safety(v, wrap(&s(v), width as usize)))
}

/// `|random` (Django's `defaultfilters`).
fn random(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let items = seq(v)?;
    if items.is_empty() {
        return Ok(Value::str(""));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as usize)
        .unwrap_or(0);
    Ok(items[nanos % items.len()].clone())
}

/// `|striptags` (Django's `defaultfilters`).
fn striptags(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let out = super::htmlparser::strip_tags(&s(v)).map_err(|m| render_err(&m))?;
    Ok(keep_safety(v, out))
}

/// `|urlize` (Django's `defaultfilters`).
fn urlize(v: &Value, _: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    let opts = super::urlize::Options {
        trim_url_limit: Option::None,
        nofollow: true,
        autoescape: env.autoescape,
    };
    Ok(Value::safe(super::urlize::urlize(&s(v), v.is_safe(), opts)))
}

/// `|urlizetrunc` (Django's `defaultfilters`).
fn urlizetrunc(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    let limit = a.map(int_arg).transpose()?;
    let opts = super::urlize::Options {
        trim_url_limit: limit,
        nofollow: true,
        autoescape: env.autoescape,
    };
    Ok(Value::safe(super::urlize::urlize(&s(v), v.is_safe(), opts)))
}

/// `|pprint` (Django's `defaultfilters`).
fn pprint(v: &Value, _: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    Ok(Value::str(super::pprint::pformat(v)))
}

/// `|date` (Django's `defaultfilters`).
fn date(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    in_locale(v, a, env, false).unwrap_or_else(|| date_filter(v, a, false))
}

/// `|time` (Django's `defaultfilters`).
fn time(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    in_locale(v, a, env, true).unwrap_or_else(|| date_filter(v, a, true))
}

/// `date` / `time` in the active locale, when the host formats dates for it (month
/// and day names, the locale's `DATE_FORMAT`, …): Django's `formats.date_format` /
/// `time_format`. `None` leaves it to the engine's own (English) formatting, which
/// also gives Django's errors for a format that does not fit the value.
fn in_locale(v: &Value, a: Option<&Value>, env: &FilterEnv, time_only: bool) -> Option<Result<Value>> {
    if !matches!(v, Value::Date(_) | Value::DateTime(_) | Value::Time(_)) {
        return None;
    }
    let default = if time_only { "TIME_FORMAT" } else { "DATE_FORMAT" };
    // A naive datetime's zone is Django's default time zone (`TIME_ZONE`), which only
    // the host knows: its `e`/`O`/`T`/`Z`/`I`/`r`/`U` go through Django too.
    let by_host = env.locale().dates_by_host
        || (matches!(v, Value::DateTime(d) if d.offset.is_none()) && {
            let written = a.map(|x| {
                x.as_str()
                    .map_or_else(|| x.to_py_str().into(), std::borrow::Cow::Borrowed)
            });
            let format = written.as_deref().filter(|f| !f.is_empty()).unwrap_or(default);
            names_the_zone(super::dates::named_format(format))
        });
    if !by_host {
        return None;
    }
    let arg = a.map(|x| x.to_py_str()).filter(|s| !s.is_empty());
    match env
        .host?
        .format_date(v, arg.as_deref().unwrap_or(default), time_only)?
    {
        Ok(text) => Some(Ok(Value::str(text))),
        Err(_) => None,
    }
}

/// Whether a `date` format uses the time zone (`e`, `I`, `O`, `r`, `T`, `U`, `Z`),
/// outside backslash escapes.
fn names_the_zone(format: &str) -> bool {
    let mut escaped = false;
    for c in format.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if matches!(c, 'e' | 'I' | 'O' | 'r' | 'T' | 'U' | 'Z') {
            return true;
        }
    }
    false
}

/// `|dictsort` (Django's `defaultfilters`).
fn dictsort_filter(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    dictsort(v, a, false)
}

/// `|dictsortreversed` (Django's `defaultfilters`).
fn dictsortreversed(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    dictsort(v, a, true)
}

/// Django's `date` and `time` filters: the named or literal format applied with
/// `DateFormat` / `TimeFormat`; values that are not dates (or lack the fields the
/// format needs) give `""`; time specifiers applied to a `date` raise `TypeError`.
fn date_filter(v: &Value, a: Option<&Value>, time_only: bool) -> Result<Value> {
    use super::dates::{format, named_format, FormatError, Temporal};
    if matches!(v, Value::None) || v.as_str() == Some("") {
        return Ok(Value::str(""));
    }
    let default = if time_only { "TIME_FORMAT" } else { "DATE_FORMAT" };
    let arg = a.map(|x| x.to_py_str()).filter(|s| !s.is_empty());
    let fmt = named_format(arg.as_deref().unwrap_or(default)).to_string();
    let t = match v {
        Value::Date(d) => Temporal::Date(*d),
        Value::DateTime(d) => Temporal::DateTime(*d),
        Value::Time(t) => Temporal::Time(*t),
        _ => return Ok(Value::str("")),
    };
    if time_only && matches!(t, Temporal::Date(_)) {
        return Ok(Value::str(""));
    }
    match format(t, &fmt, time_only) {
        Ok(s) => Ok(Value::str(s)),
        Err(FormatError::DateWithTime(c)) if !time_only => Err(render_err(&format!(
            "The format for date objects may not contain time-related format specifiers (found '{c}')."
        ))),
        Err(FormatError::Type(m)) if !time_only => Err(render_err(m)),
        Err(_) => Ok(Value::str("")),
    }
}

fn as_datetime(v: &Value) -> Option<super::dates::DateTime> {
    use super::dates::{DateTime, Time};
    match v {
        Value::DateTime(dt) => Some(*dt),
        Value::Date(d) => Some(DateTime {
            date: *d,
            time: Time {
                hour: 0,
                minute: 0,
                second: 0,
                microsecond: 0,
            },
            offset: None,
            zone: None,
            dst: None,
            keep_zone: false,
            ambiguous: false,
        }),
        _ => None,
    }
}

/// Django 5.2's `timesince` / `timeuntil` filters (`django.utils.timesince`, depth 2):
/// `""` for a falsy value or where Python raises `TypeError` (naive against aware);
/// a value or argument that is not a date raises (`AttributeError` in Django).
fn timesince_filter(v: &Value, a: Option<&Value>, until: bool, env: &FilterEnv) -> Result<String> {
    use super::dates::{DateTime, Time};
    if !v.truthy() {
        return Ok(String::new());
    }
    let not_a_date = || render_err("object has no attribute 'year'");
    let d = as_datetime(v).ok_or_else(not_a_date)?;
    let mut now = match a.filter(|x| x.truthy()) {
        Some(x) => as_datetime(x).ok_or_else(not_a_date)?,
        Option::None => match d.offset {
            // datetime.now(d.tzinfo): the current time in d's zone.
            Some(o) => shift(DateTime::now_utc(), 0, o),
            // datetime.now(): the process's local time (Django's TIME_ZONE).
            Option::None => env
                .host
                .and_then(|h| h.now(false))
                .filter(|n| n.offset.is_none())
                .unwrap_or_else(DateTime::now_utc),
        },
    };
    match (d.offset, now.offset) {
        (Some(_), Option::None) | (Option::None, Some(_)) => return Ok(String::new()),
        // now.astimezone(d.tzinfo)
        (Some(od), Some(on)) if od != on => now = shift(now, on, od),
        _ => {}
    }
    let mut d = d;
    if until {
        std::mem::swap(&mut d, &mut now);
    }
    let since = now.timestamp() - d.timestamp();
    let zero = "0\u{a0}minutes".to_string();
    if since <= 0 {
        return Ok(zero);
    }
    let local = |x: &DateTime| (x.date, x.time);
    let ((dd, dt), (nd, nt)) = (local(&d), local(&now));
    let mut total_months = (nd.year - dd.year) * 12 + (nd.month as i32 - dd.month as i32);
    let dtime = (dt.hour, dt.minute, dt.second, dt.microsecond);
    let ntime = (nt.hour, nt.minute, nt.second, nt.microsecond);
    if dd.day > nd.day || (dd.day == nd.day && dtime > ntime) {
        total_months -= 1;
    }
    let (years, months) = (total_months.div_euclid(12), total_months.rem_euclid(12));
    let pivot = if years != 0 || months != 0 {
        let mut py = dd.year + years;
        let mut pm = dd.month as i32 + months;
        if pm > 12 {
            pm -= 12;
            py += 1;
        }
        const MONTHS_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let day = dd.day.min(MONTHS_DAYS[pm as usize - 1]);
        DateTime {
            date: super::dates::Date {
                year: py,
                month: pm as u32,
                day,
            },
            time: Time { microsecond: 0, ..dt },
            offset: d.offset,
            zone: None,
            dst: None,
            keep_zone: false,
            ambiguous: false,
        }
    } else {
        d
    };
    let mut remaining = (now.timestamp() - pivot.timestamp()) as f64
        + (f64::from(now.time.microsecond) - f64::from(pivot.time.microsecond)) / 1e6;
    let mut partials: Vec<i64> = vec![i64::from(years), i64::from(months)];
    for chunk in [604_800.0, 86_400.0, 3_600.0, 60.0] {
        let count = (remaining / chunk).floor();
        partials.push(count as i64);
        remaining -= chunk * count;
    }
    let names = [
        ("year", "years"),
        ("month", "months"),
        ("week", "weeks"),
        ("day", "days"),
        ("hour", "hours"),
        ("minute", "minutes"),
    ];
    let Some(first) = partials.iter().position(|p| *p != 0) else {
        return Ok(zero);
    };
    let mut out = Vec::new();
    for i in first..partials.len().min(first + 2) {
        let n = partials[i];
        if n == 0 {
            break;
        }
        let (one, many) = names[i];
        out.push(format!("{n}\u{a0}{}", if n == 1 { one } else { many }));
    }
    Ok(out.join(", "))
}

/// The same instant seen at UTC offset `to` instead of `from` (seconds).
fn shift(dt: super::dates::DateTime, from: i32, to: i32) -> super::dates::DateTime {
    let utc = dt.date.days_since_epoch() * 86_400
        + i64::from(dt.time.hour * 3600 + dt.time.minute * 60 + dt.time.second)
        - i64::from(from);
    super::dates::DateTime::from_timestamp(utc, dt.time.microsecond, Some(to))
}

/// Python's `str.expandtabs(8)`.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut col = 0;
    for c in line.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// `textwrap.TextWrapper(width, break_long_words=False, break_on_hyphens=False,
/// replace_whitespace=False).wrap(line)`.
fn wrap_line(line: &str, width: usize) -> Vec<String> {
    let text = expand_tabs(line);
    let is_ws = |c: char| matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ');
    // Split into runs of whitespace and runs of everything else.
    let mut chunks: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut prev: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let w = is_ws(c);
        if prev.is_some_and(|p| p != w) {
            chunks.push(&text[start..i]);
            start = i;
        }
        prev = Some(w);
    }
    if start < text.len() {
        chunks.push(&text[start..]);
    }
    let blank = |s: &str| s.trim().is_empty();
    let len = |s: &str| s.chars().count();
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut cur: Vec<&str> = Vec::new();
        let mut cur_len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(c) = chunks.last() {
            if cur_len + len(c) <= width {
                cur_len += len(c);
                cur.push(c);
                chunks.pop();
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| len(c) > width) && cur.is_empty() {
            if let Some(c) = chunks.pop() {
                cur.push(c);
            }
        }
        if cur.last().is_some_and(|c| blank(c)) {
            cur.pop();
        }
        if !cur.is_empty() {
            lines.push(cur.concat());
        }
    }
    lines
}

/// Django's `wrap(text, width)`: wrap each line, keep existing line breaks.
fn wrap(text: &str, width: usize) -> String {
    let mut result: Vec<String> = Vec::new();
    for line in super::value::splitlines(text, false) {
        let wrapped = wrap_line(line, width);
        if wrapped.is_empty() {
            result.push(line.to_string());
        } else {
            result.extend(wrapped);
        }
    }
    if text.ends_with('\n') {
        result.push(String::new());
    }
    result.join("\n")
}

fn render_err(msg: &str) -> TemplateError {
    TemplateError::new(ErrorKind::Render, msg)
}

/// `str(value)` (what `@stringfilter` does).
fn s(v: &Value) -> String {
    v.to_py_str()
}

/// A string result that stays safe when the input was safe (`@stringfilter` + `is_safe`).
fn keep_safety(input: &Value, out: String) -> Value {
    if input.is_safe() {
        Value::safe(out)
    } else {
        Value::str(out)
    }
}

fn seq(v: &Value) -> Result<Vec<Value>> {
    v.iterate().ok_or_else(|| render_err("object is not iterable"))
}

/// Python `int(value)` for filter arguments and inputs.
pub fn py_int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Value::Decimal(d) => d
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f.trunc() as i64),
        Value::Str(t) | Value::Safe(t) => {
            let t = t.trim();
            let (sign, digits) = match t.strip_prefix('-') {
                Some(r) => (-1, r),
                None => (1, t.strip_prefix('+').unwrap_or(t)),
            };
            if digits.is_empty()
                || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
                || digits.starts_with('_')
            {
                return None;
            }
            digits.replace('_', "").parse::<i64>().ok().map(|x| x * sign)
        }
        _ => None,
    }
}

fn add_filter(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let a = a.cloned().unwrap_or_default();
    if let (Some(x), Some(y)) = (py_int_of(v), py_int_of(&a)) {
        return Ok(Value::Int(x.wrapping_add(y)));
    }
    Ok(match (v, &a) {
        // SafeString + SafeString stays safe.
        (Value::Safe(x), Value::Safe(y)) => Value::safe(format!("{x}{y}")),
        (Value::Str(x) | Value::Safe(x), Value::Str(y) | Value::Safe(y)) => Value::str(format!("{x}{y}")),
        (Value::List(x), Value::List(y)) => Value::list(x.iter().chain(y.iter()).cloned().collect()),
        (Value::Tuple(x), Value::Tuple(y)) => {
            Value::Tuple(Arc::new(x.iter().chain(y.iter()).cloned().collect()))
        }
        (x, y) if x.as_f64().is_some() && y.as_f64().is_some() => match (x, y) {
            (Value::Decimal(_), _) | (_, Value::Decimal(_)) => Value::str(""),
            _ => Value::Float(x.as_f64().unwrap_or(0.0) + y.as_f64().unwrap_or(0.0)),
        },
        // Python's `+` on a host object (`date + timedelta`), as Django's filter does.
        (Value::Object(o), y) => o.add(y, true).unwrap_or_else(|| Value::str("")),
        (x, Value::Object(o)) => o.add(x, false).unwrap_or_else(|| Value::str("")),
        _ => Value::str(""),
    })
}

fn index(v: &Value, i: i64) -> Result<Value> {
    let items: Vec<Value> = match v {
        Value::Str(t) => t.chars().map(|c| Value::str(c.to_string())).collect(),
        Value::Safe(t) => t.chars().map(|c| Value::str(c.to_string())).collect(),
        Value::List(l) | Value::Tuple(l) => l.to_vec(),
        Value::Object(o) => o.iterate().unwrap_or_default(),
        Value::Dict(_) => return Err(render_err("KeyError")),
        _ => return Err(render_err("object is not subscriptable")),
    };
    let idx = if i < 0 { items.len() as i64 + i } else { i };
    Ok(usize::try_from(idx)
        .ok()
        .and_then(|k| items.get(k).cloned())
        .unwrap_or_else(|| Value::str("")))
}

enum Align {
    Left,
    Right,
    Center,
}

fn pad(v: &Value, a: Option<&Value>, align: Align, limit: usize) -> Result<Value> {
    let width = a
        .and_then(py_int_of)
        .ok_or_else(|| render_err("invalid literal for int()"))?;
    let text = s(v);
    let len = text.chars().count() as i64;
    if width <= len {
        return Ok(keep_safety(v, text));
    }
    if width as u128 > limit as u128 {
        let name = match align {
            Align::Left => "ljust",
            Align::Right => "rjust",
            Align::Center => "center",
        };
        return Err(TemplateError::too_large(name, width as u128, limit));
    }
    let marg = (width - len) as usize;
    let (left, right) = match align {
        Align::Left => (0, marg),
        Align::Right => (marg, 0),
        // CPython's str.center: left = marg // 2 + (marg & width & 1).
        Align::Center => {
            let left = marg / 2 + (marg & (width as usize) & 1);
            (left, marg - left)
        }
    };
    Ok(keep_safety(
        v,
        format!("{}{text}{}", " ".repeat(left), " ".repeat(right)),
    ))
}

/// Python's `int(x)`: `Ok(None)` for a `ValueError` (a string that is not a number),
/// `Err` for a `TypeError` (no conversion at all).
/// Python's `int(arg)` for a filter argument; a failure is Python's `ValueError` /
/// `TypeError`, raised as a render error.
fn int_arg(v: &Value) -> Result<i64> {
    match v {
        Value::Str(_) | Value::Safe(_) => py_int_of(v).ok_or_else(|| {
            render_err(&format!(
                "invalid literal for int() with base 10: {}",
                super::value::py_str_repr(&v.to_py_str())
            ))
        }),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Decimal(_) => {
            py_int_of(v).ok_or_else(|| render_err("cannot convert float to integer"))
        }
        _ => Err(render_err(
            "int() argument must be a string, a bytes-like object or a real number",
        )),
    }
}

fn py_int_strict(v: &Value) -> Result<Option<i64>> {
    match v {
        Value::Str(_) | Value::Safe(_) => Ok(py_int_of(v)),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Decimal(_) => Ok(py_int_of(v)),
        _ => Err(render_err("int() argument must be a string or a real number")),
    }
}

fn get_digit(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let arg = match py_int_strict(a.unwrap_or(&Value::None))? {
        Some(x) => x,
        Option::None => return Ok(v.clone()),
    };
    let value = match py_int_strict(v)? {
        Some(x) => x,
        Option::None => return Ok(v.clone()),
    };
    if arg < 1 {
        return Ok(Value::Int(value));
    }
    let digits: Vec<char> = value.to_string().chars().collect();
    match digits.len().checked_sub(arg as usize) {
        Some(i) => digits[i]
            .to_digit(10)
            .map(|d| Value::Int(i64::from(d)))
            .ok_or_else(|| render_err("invalid literal for int() with base 10: '-'")),
        Option::None => Ok(Value::Int(0)),
    }
}

fn join(v: &Value, a: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    let sep = a.cloned().unwrap_or_default();
    let Some(items) = v.iterate() else {
        return Ok(v.clone());
    };
    if env.autoescape {
        let parts: Vec<String> = items.iter().map(conditional_escape).collect();
        Ok(Value::safe(parts.join(&conditional_escape(&sep))))
    } else {
        if !items.iter().all(Value::is_string) {
            return Ok(v.clone());
        }
        let parts: Vec<String> = items.iter().map(Value::to_py_str).collect();
        Ok(Value::safe(parts.join(&sep.to_py_str())))
    }
}

/// Split on two or more newlines (`re.split("\n{2,}", …)`).
fn split_paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' && bytes.get(i + 1) == Some(&b'\n') {
            out.push(&text[start..i]);
            let mut j = i;
            while bytes.get(j) == Some(&b'\n') {
                j += 1;
            }
            start = j;
            i = j;
        } else {
            i += 1;
        }
    }
    out.push(&text[start..]);
    out
}

/// Django's `title`: Python's `str.title()`, then `'S` and digit-letter fixes.
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_cased = false;
    for c in text.chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = c.is_lowercase() || c.is_uppercase();
    }
    // re.sub("([a-z])'([A-Z])", lower) and re.sub(r"\d([A-Z])", lower)
    let chars: Vec<char> = out.chars().collect();
    let mut fixed: Vec<char> = chars.clone();
    for i in 0..chars.len() {
        if i >= 2
            && chars[i - 1] == '\''
            && chars[i - 2].is_ascii_lowercase()
            && chars[i].is_ascii_uppercase()
        {
            fixed[i] = chars[i].to_ascii_lowercase();
        }
        if i >= 1 && chars[i - 1].is_ascii_digit() && chars[i].is_ascii_uppercase() {
            fixed[i] = chars[i].to_ascii_lowercase();
        }
    }
    fixed.into_iter().collect()
}

fn escapejs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\u005C"),
            '\'' => out.push_str("\\u0027"),
            '"' => out.push_str("\\u0022"),
            '>' => out.push_str("\\u003E"),
            '<' => out.push_str("\\u003C"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            '-' => out.push_str("\\u002D"),
            ';' => out.push_str("\\u003B"),
            '`' => out.push_str("\\u0060"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 32 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn phone2numeric(phone: &str) -> String {
    phone
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'a' | 'b' | 'c' => '2',
            'd' | 'e' | 'f' => '3',
            'g' | 'h' | 'i' => '4',
            'j' | 'k' | 'l' => '5',
            'm' | 'n' | 'o' => '6',
            'p' | 'q' | 'r' | 's' => '7',
            't' | 'u' | 'v' => '8',
            'w' | 'x' | 'y' | 'z' => '9',
            c => c,
        })
        .collect()
}

fn pluralize(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let arg = a.map(|x| x.to_py_str()).unwrap_or_else(|| "s".into());
    let arg = if arg.contains(',') { arg } else { format!(",{arg}") };
    let bits: Vec<&str> = arg.split(',').collect();
    if bits.len() > 2 {
        return Ok(Value::str(""));
    }
    let (singular, plural) = (bits[0], bits[1]);
    let pick = |one: bool| Value::str(if one { singular } else { plural });
    // float(value) == 1, else len(value) == 1.
    match v {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Decimal(_) => {
            Ok(pick(v.as_f64() == Some(1.0)))
        }
        Value::Str(t) | Value::Safe(t) => match t.trim().parse::<f64>() {
            Ok(f) => Ok(pick(f == 1.0)),
            Err(_) => Ok(Value::str("")),
        },
        other => match other.length() {
            Some(n) => Ok(pick(n == 1)),
            None => Ok(Value::str("")),
        },
    }
}

fn slice(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let spec = a.map(|x| x.to_py_str()).unwrap_or_default();
    let mut bits: Vec<Option<i64>> = Vec::new();
    for x in spec.split(':') {
        if x.is_empty() {
            bits.push(None);
        } else {
            match py_int_of(&Value::str(x)) {
                Some(i) => bits.push(Some(i)),
                None => return Ok(v.clone()),
            }
        }
    }
    let (start, stop, step) = match bits.as_slice() {
        [stop] => (None, *stop, None),
        [a, b] => (*a, *b, None),
        [a, b, c] => (*a, *b, *c),
        _ => return Ok(v.clone()),
    };
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(render_err("slice step cannot be zero"));
    }
    let pick = |len: usize| -> Vec<usize> { py_slice_indices(len, start, stop, step) };
    Ok(match v {
        Value::Str(t) | Value::Safe(t) => {
            let chars: Vec<char> = t.chars().collect();
            let out: String = pick(chars.len()).into_iter().map(|i| chars[i]).collect();
            keep_safety(v, out)
        }
        Value::List(l) => Value::list(pick(l.len()).into_iter().map(|i| l[i].clone()).collect()),
        Value::Tuple(l) => Value::Tuple(Arc::new(
            pick(l.len()).into_iter().map(|i| l[i].clone()).collect(),
        )),
        _ => v.clone(),
    })
}

/// Python's `slice(start, stop, step).indices(len)` expanded.
fn py_slice_indices(len: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<usize> {
    let len = len as i64;
    let clamp = |x: i64, lo: i64, hi: i64| x.max(lo).min(hi);
    let norm = |x: Option<i64>, default: i64, lo: i64, hi: i64| match x {
        None => default,
        Some(i) if i < 0 => clamp(i + len, lo, hi),
        Some(i) => clamp(i, lo, hi),
    };
    let mut out = Vec::new();
    if step > 0 {
        let (a, b) = (norm(start, 0, 0, len), norm(stop, len, 0, len));
        let mut i = a;
        while i < b {
            out.push(i as usize);
            i += step;
        }
    } else {
        let (a, b) = (norm(start, len - 1, -1, len - 1), norm(stop, -1, -1, len - 1));
        let mut i = a;
        while i > b {
            out.push(i as usize);
            i += step;
        }
    }
    out
}

/// Django's `slugify` (ASCII mode): NFKD, drop non-ASCII, keep `\w`, spaces and hyphens,
/// lower-case, collapse runs of spaces and hyphens into one hyphen, strip `-_`.
fn slugify(value: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let ascii: String = value.nfkd().filter(char::is_ascii).collect();
    let lowered = ascii.to_lowercase();
    let kept: String = lowered
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || c.is_whitespace() || *c == '-')
        .collect();
    let mut out = String::with_capacity(kept.len());
    let mut in_run = false;
    for c in kept.chars() {
        if c == '-' || c.is_whitespace() {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out.trim_matches(|c| c == '-' || c == '_').to_string()
}

fn yesno(v: &Value, a: Option<&Value>, _: &FilterEnv) -> Result<Value> {
    let arg = a.map(|x| x.to_py_str()).unwrap_or_else(|| "yes,no,maybe".into());
    let bits: Vec<&str> = arg.split(',').collect();
    if bits.len() < 2 {
        return Ok(v.clone());
    }
    let (yes, no, maybe) = if bits.len() == 3 {
        (bits[0], bits[1], bits[2])
    } else {
        (bits[0], bits[1], bits[1])
    };
    Ok(Value::str(if matches!(v, Value::None) {
        maybe
    } else if v.truthy() {
        yes
    } else {
        no
    }))
}

fn filesizeformat(v: &Value) -> String {
    let bytes = match py_int_of(v) {
        Some(b) => b,
        None => return "0\u{a0}bytes".to_string(),
    };
    let negative = bytes < 0;
    let b = bytes.unsigned_abs() as f64;
    let units = [
        (1u64 << 10, "KB"),
        (1 << 20, "MB"),
        (1 << 30, "GB"),
        (1 << 40, "TB"),
        (1 << 50, "PB"),
    ];
    let text = if b < 1024.0 {
        let n = bytes.unsigned_abs();
        format!("{n} {}", if n == 1 { "byte" } else { "bytes" })
    } else {
        let mut chosen = units[4];
        for w in units.windows(2) {
            if b < w[1].0 as f64 {
                chosen = w[0];
                break;
            }
        }
        format!("{:.1} {}", b / chosen.0 as f64, chosen.1)
    };
    let text = if negative { format!("-{text}") } else { text };
    text.replace(' ', "\u{a0}")
}

fn unordered_list(v: &Value, _: Option<&Value>, env: &FilterEnv) -> Result<Value> {
    fn is_seq(v: &Value) -> bool {
        matches!(v, Value::List(_) | Value::Tuple(_))
    }
    fn format(items: &[Value], tabs: usize, autoescape: bool) -> String {
        let indent = "\t".repeat(tabs);
        let mut out = Vec::new();
        let mut i = 0;
        while i < items.len() {
            let item = &items[i];
            let mut sublist = String::new();
            if let Some(next) = items.get(i + 1).filter(|n| is_seq(n)) {
                let children = next.iterate().unwrap_or_default();
                if !children.is_empty() {
                    let inner = super::stack::deep(|| format(&children, tabs + 1, autoescape));
                    sublist = format!("\n{indent}<ul>\n{inner}\n{indent}</ul>\n{indent}");
                }
                i += 1;
            }
            let text = if autoescape {
                conditional_escape(item)
            } else {
                item.to_py_str()
            };
            out.push(format!("{indent}<li>{text}{sublist}</li>"));
            i += 1;
        }
        out.join("\n")
    }
    let items = seq(v)?;
    Ok(Value::safe(format(&items, 1, env.autoescape)))
}

fn dictsort(v: &Value, a: Option<&Value>, reverse: bool) -> Result<Value> {
    let key = a.map(|x| x.to_py_str()).unwrap_or_default();
    let Some(items) = v.iterate() else {
        return Ok(Value::str(""));
    };
    if key.starts_with('_') || key.contains("._") {
        // Django raises AttributeError here, which dictsort turns into "".
        return Ok(Value::str(""));
    }
    let parts: Vec<&str> = key.split('.').collect();
    let resolve = |item: &Value| -> Option<Value> {
        let mut cur = item.clone();
        for p in &parts {
            cur = super::context::lookup_item(&cur, p)?;
        }
        Some(cur)
    };
    let mut keyed: Vec<(Value, Value)> = Vec::with_capacity(items.len());
    for item in items {
        match resolve(&item) {
            Some(k) => keyed.push((k, item)),
            None => return Ok(Value::str("")),
        }
    }
    // Python's sort raises TypeError on incomparable keys: dictsort returns "".
    for w in keyed.windows(2) {
        if w[0].0.py_cmp(&w[1].0).is_none() {
            return Ok(Value::str(""));
        }
    }
    keyed.sort_by(|x, y| x.0.py_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
    if reverse {
        // sorted(..., reverse=True) is stable: equal keys keep their order.
        keyed.reverse();
        let mut out: Vec<(Value, Value)> = Vec::with_capacity(keyed.len());
        let mut i = 0;
        while i < keyed.len() {
            let mut j = i + 1;
            while j < keyed.len() && keyed[j].0.py_eq(&keyed[i].0) {
                j += 1;
            }
            out.extend(keyed[i..j].iter().rev().cloned());
            i = j;
        }
        keyed = out;
    }
    Ok(Value::list(keyed.into_iter().map(|(_, v)| v).collect()))
}

/// Django's `floatformat(value, arg)`: `arg` decimal places (negative: only when
/// needed; a `g` suffix groups, `u` unlocalizes), written with `number`, the locale's
/// format. Errors when the result would pass `limit` bytes.
pub(super) fn floatformat(
    v: &Value,
    arg: Option<&Value>,
    limit: usize,
    number: &NumberFormat,
) -> Result<Value> {
    let mut force_grouping = false;
    let mut arg_text: Option<String> = None;
    let mut arg_int: Option<i64> = match arg {
        None => Some(-1),
        Some(Value::Int(i)) => Some(*i),
        Some(Value::Bool(b)) => Some(i64::from(*b)),
        Some(other) => {
            let mut t = other.to_py_str();
            if t.ends_with("gu") || t.ends_with("ug") {
                force_grouping = true;
                t.truncate(t.len() - 2);
            } else if t.ends_with('g') {
                force_grouping = true;
                t.pop();
            } else if t.ends_with('u') {
                t.pop();
            }
            if t.is_empty() {
                Some(-1)
            } else {
                arg_text = Some(t.clone());
                py_int_of(&Value::str(t))
            }
        }
    };
    let input = v.to_py_str();
    let dec = match parse_decimal(&input) {
        Some(d) => d,
        None => {
            let as_float = match v {
                Value::Bool(b) => Some(f64::from(u8::from(*b))),
                Value::Str(t) | Value::Safe(t) => t.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
                _ => None,
            };
            match as_float.and_then(|f| parse_decimal(&float_repr(f))) {
                Some(d) => d,
                None => {
                    if matches!(v, Value::Float(f) if !f.is_finite()) {
                        return Ok(Value::str(input));
                    }
                    return Ok(Value::str(""));
                }
            }
        }
    };
    let Some(p) = arg_int.take() else {
        let _ = arg_text;
        return Ok(Value::str(input));
    };
    if dec.digits.len() as u64 + dec.exponent.unsigned_abs() > 200 {
        return Ok(Value::str(input));
    }
    let integral = dec.is_integral();
    if integral && p <= 0 {
        return Ok(Value::safe(group(&dec.int_string(), "", force_grouping, number)));
    }
    if u128::from(p.unsigned_abs()) > limit as u128 {
        return Err(TemplateError::too_large(
            "floatformat",
            u128::from(p.unsigned_abs()),
            limit,
        ));
    }
    let places = p.abs();
    let rounded = dec.quantize(places);
    let mut digits: Vec<char> = rounded.digits.iter().map(|d| (b'0' + d) as char).collect();
    while digits.len() as i64 <= places {
        digits.insert(0, '0');
    }
    let split = digits.len() - places as usize;
    let int_part: String = digits[..split].iter().collect();
    let frac: String = digits[split..].iter().collect();
    let sign = if rounded.negative && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    let int_part = int_part.trim_start_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    Ok(Value::safe(format!(
        "{sign}{}",
        group(int_part, &frac, force_grouping, number)
    )))
}
