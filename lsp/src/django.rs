//! What the language server says about Django's built-in tags and filters: one line
//! each, in our words, for completion details and hover. The lists of names come
//! from the runtime (the filters its registry has, the tags its parser compiles), so
//! completion offers exactly what the djust renderer accepts.

/// A built-in tag: name, its end tag (for block tags), a one-line description and
/// the syntax.
pub struct TagDoc {
    /// `for`.
    pub name: &'static str,
    /// `Some("endfor")` for a block tag.
    pub end: Option<&'static str>,
    /// What it does.
    pub summary: &'static str,
    /// How it is written.
    pub syntax: &'static str,
}

macro_rules! tags {
    ($( $name:literal, $end:expr, $syntax:literal, $summary:literal; )*) => {
        /// The documentation of every tag the djust parser compiles and of djust's
        /// component tags ([`offered_tags`] lists them in the parser's order).
        pub static TAGS: &[TagDoc] = &[$(TagDoc { name: $name, end: $end, syntax: $syntax, summary: $summary }),*];
    };
}

tags! {
    "autoescape", Some("endautoescape"), "{% autoescape on|off %}…{% endautoescape %}", "Turns HTML auto-escaping on or off for the enclosed block.";
    "block", Some("endblock"), "{% block name %}…{% endblock %}", "Defines a block that child templates can override with {% extends %}.";
    "component", None, "{% component \"app.components.Badge\" label=label %}", "Renders a stateless djust Component (class and template) from its props.";
    "comment", Some("endcomment"), "{% comment \"note\" %}…{% endcomment %}", "Ignores everything up to {% endcomment %}.";
    "csrf_token", None, "{% csrf_token %}", "Outputs the hidden CSRF input a POST form needs.";
    "cycle", None, "{% cycle 'odd' 'even' [as name] %}", "Outputs the next of its arguments each time it is reached, e.g. in a loop.";
    "debug", None, "{% debug %}", "Outputs debugging information about the current context.";
    "extends", None, "{% extends \"base.html\" %}", "Makes this template a child of another; must be the first tag.";
    "filter", Some("endfilter"), "{% filter upper|escape %}…{% endfilter %}", "Applies filters to the rendered contents of the block.";
    "firstof", None, "{% firstof a b \"fallback\" [as var] %}", "Outputs the first argument that is true.";
    "for", Some("endfor"), "{% for item in items [reversed] %}…{% empty %}…{% endfor %}", "Loops over a sequence; forloop.counter, forloop.first and friends are available inside.";
    "if", Some("endif"), "{% if cond %}…{% elif other %}…{% else %}…{% endif %}", "Renders a block when a condition is true (and, or, not, ==, !=, <, >, <=, >=, in, not in, is, is not).";
    "ifchanged", Some("endifchanged"), "{% ifchanged [values] %}…{% endifchanged %}", "Renders its block only when the value (or the block's output) changed since the last loop iteration.";
    "include", None, "{% include \"name.html\" [with a=b] [only] %}", "Renders another template with the current context.";
    "load", None, "{% load library %}", "Loads a tag library (static, i18n, or the project's templatetags).";
    "live_component", None, "{% live_component \"app.components.Cart\" id=\"cart\" items=items %}", "Renders a djust LiveComponent kept under id between renders; events inside it reach its handlers.";
    "lorem", None, "{% lorem [count] [w|p|b] [random] %}", "Outputs placeholder Latin text.";
    "now", None, "{% now \"Y-m-d\" [as var] %}", "Outputs the current date or time in a date format.";
    "partialdef", Some("endpartialdef"), "{% partialdef name [inline] %}…{% endpartialdef %}", "Defines a named fragment that {% partial %} (or template.html#name) renders.";
    "partial", None, "{% partial name %}", "Renders a fragment defined with {% partialdef %}.";
    "querystring", None, "{% querystring page=2 %}", "Outputs the current query string with parameters added, changed or removed.";
    "regroup", None, "{% regroup people by city as groups %}", "Groups a list of objects by a common attribute.";
    "resetcycle", None, "{% resetcycle [name] %}", "Restarts a {% cycle %} from its first value.";
    "spaceless", Some("endspaceless"), "{% spaceless %}…{% endspaceless %}", "Removes whitespace between HTML tags.";
    "static", None, "{% static \"path\" [as var] %}", "Outputs the URL of a static file ({% load static %} first).";
    "templatetag", None, "{% templatetag openblock %}", "Outputs one of the characters that make up template syntax.";
    "url", None, "{% url \"app:name\" arg [as var] %}", "Outputs the path of a named URL pattern, like reverse().";
    "verbatim", Some("endverbatim"), "{% verbatim %}…{% endverbatim %}", "Outputs its contents without rendering them.";
    "widthratio", None, "{% widthratio value max_value max_width %}", "Scales a value to a width, e.g. for bar charts.";
    "with", Some("endwith"), "{% with total=business.employees.count %}…{% endwith %}", "Caches a value under a simpler name for the enclosed block.";
    "translate", None, "{% translate \"Hello\" [context \"…\"] [noop] [as var] %}", "Translates a string into the active language ({% load i18n %} first).";
    "trans", None, "{% trans \"Hello\" %}", "The older name of {% translate %} ({% load i18n %} first).";
    "blocktranslate", Some("endblocktranslate"), "{% blocktranslate [count n=x] [with a=b] [trimmed] %}…{% endblocktranslate %}", "Translates a block that contains variables, with plural forms ({% load i18n %} first).";
    "blocktrans", Some("endblocktrans"), "{% blocktrans %}…{% endblocktrans %}", "The older name of {% blocktranslate %} ({% load i18n %} first).";
    "language", Some("endlanguage"), "{% language \"fr\" %}…{% endlanguage %}", "Renders the enclosed block in another language ({% load i18n %} first).";
    "get_current_language", None, "{% get_current_language as LANGUAGE_CODE %}", "Stores the active language's code in a variable ({% load i18n %} first).";
    "get_current_language_bidi", None, "{% get_current_language_bidi as LANGUAGE_BIDI %}", "Stores whether the active language is right-to-left ({% load i18n %} first).";
    "get_available_languages", None, "{% get_available_languages as LANGUAGES %}", "Stores settings.LANGUAGES as (code, name) pairs ({% load i18n %} first).";
    "get_language_info", None, "{% get_language_info for \"de\" as lang %}", "Stores one language's code, names and direction ({% load i18n %} first).";
    "get_language_info_list", None, "{% get_language_info_list for LANGUAGES as langs %}", "Stores the information of several languages ({% load i18n %} first).";
    "get_static_prefix", None, "{% get_static_prefix [as var] %}", "Outputs settings.STATIC_URL ({% load static %} first).";
    "get_media_prefix", None, "{% get_media_prefix [as var] %}", "Outputs settings.MEDIA_URL ({% load static %} first).";
    "localtime", Some("endlocaltime"), "{% localtime on|off %}…{% endlocaltime %}", "Shows aware datetimes in the enclosed block in the current time zone (on) or as they are (off) ({% load tz %} first).";
    "timezone", Some("endtimezone"), "{% timezone \"Europe/Paris\" %}…{% endtimezone %}", "Makes a time zone (a name, a tzinfo, or None for the default) the current one for the enclosed block ({% load tz %} first).";
    "get_current_timezone", None, "{% get_current_timezone as TIME_ZONE %}", "Stores the current time zone's name in a variable ({% load tz %} first).";
    "localize", Some("endlocalize"), "{% localize on|off %}…{% endlocalize %}", "Turns localization of numbers and dates on or off for the enclosed block ({% load l10n %} first).";
    "cache", Some("endcache"), "{% cache 500 sidebar [var …] [using=\"alias\"] %}…{% endcache %}", "Caches the enclosed fragment for a number of seconds (None: forever), one entry per value of the vary-on variables, in Django's cache framework ({% load cache %} first).";
}

/// The tag names completion offers: every tag the djust parser compiles
/// (`djust_runtime::template::library::TAGS`, i18n and static included) and djust's
/// component tags, each with its documentation.
pub fn offered_tags() -> impl Iterator<Item = &'static TagDoc> {
    djust_runtime::template::library::TAGS
        .iter()
        .map(|(name, _)| *name)
        .chain(["component", "live_component"])
        .filter_map(tag)
}

/// The documentation of tag `name`, if it is a built-in.
pub fn tag(name: &str) -> Option<&'static TagDoc> {
    TAGS.iter().find(|t| t.name == name)
}

/// One-line description of built-in filter `name`.
pub fn filter_summary(name: &str) -> Option<&'static str> {
    Some(match name {
        "add" => "Adds the argument to the value (numbers, or concatenates lists and strings).",
        "addslashes" => "Puts a backslash before quotes.",
        "capfirst" => "Capitalises the first character.",
        "center" => "Centres the value in a field of the given width.",
        "cut" => "Removes every occurrence of the argument.",
        "date" => "Formats a date with a format string (\"Y-m-d\") or a named format.",
        "default" => "Uses the argument when the value is false.",
        "default_if_none" => "Uses the argument only when the value is None.",
        "dictsort" => "Sorts a list of dicts or objects by the given key.",
        "dictsortreversed" => "Sorts a list of dicts or objects by the given key, in reverse.",
        "divisibleby" => "True when the value is divisible by the argument.",
        "escape" => "Escapes HTML (applied once, at output).",
        "escapejs" => "Escapes characters for use in JavaScript strings.",
        "escapeseq" => "Escapes each item of a sequence.",
        "filesizeformat" => "Formats a byte count as a human-readable size (13 KB, 4.1 MB).",
        "first" => "The first item of a list.",
        "floatformat" => "Rounds a number to the given decimal places.",
        "force_escape" => "Escapes HTML immediately.",
        "get_digit" => "The digit at the given position from the right.",
        "iriencode" => "Converts an IRI to a URL-safe string.",
        "join" => "Joins a list with the argument as separator.",
        "json_script" => "Outputs the value as JSON in a <script> tag with the given id.",
        "last" => "The last item of a list.",
        "length" => "The length of the value.",
        "linebreaks" => "Turns line breaks into <p> and <br> tags.",
        "linebreaksbr" => "Turns line breaks into <br> tags.",
        "linenumbers" => "Numbers each line of text.",
        "ljust" => "Left-aligns the value in a field of the given width.",
        "lower" => "Converts to lower case.",
        "make_list" => "Turns the value into a list of characters or digits.",
        "phone2numeric" => "Converts a phone number with letters to digits.",
        "pluralize" => "Outputs a plural suffix (\"s\", or the argument) unless the value is 1.",
        "pprint" => "Pretty-prints the value (for debugging).",
        "random" => "A random item of the list.",
        "rjust" => "Right-aligns the value in a field of the given width.",
        "safe" => "Marks the value as safe HTML: it is not escaped.",
        "safeseq" => "Marks each item of a sequence as safe.",
        "slice" => "A slice of the list, with Python's syntax (\":2\").",
        "slugify" => "Converts to a URL slug.",
        "stringformat" => "Formats with a printf-style specifier (\"05d\").",
        "striptags" => "Removes HTML tags.",
        "time" => "Formats a time with a format string.",
        "timesince" => "The time since the date (\"4 days, 6 hours\").",
        "timeuntil" => "The time until the date.",
        "title" => "Converts to title case.",
        "truncatechars" => "Truncates to the given number of characters, with an ellipsis.",
        "truncatechars_html" => "Truncates to a number of characters, keeping HTML tags closed.",
        "truncatewords" => "Truncates to the given number of words.",
        "truncatewords_html" => "Truncates to a number of words, keeping HTML tags closed.",
        "unordered_list" => "Renders a nested list as <li> items.",
        "upper" => "Converts to upper case.",
        "urlencode" => "Escapes the value for use in a URL.",
        "urlize" => "Turns URLs and email addresses into links.",
        "urlizetrunc" => "Turns URLs into links, truncating their text.",
        "wordcount" => "The number of words.",
        "wordwrap" => "Wraps words at the given line length.",
        "yesno" => "Maps true, false and None to the given strings (\"yes,no,maybe\").",
        _ => return None,
    })
}

/// Names every template context has from Django's default context processors.
pub static CONTEXT_GLOBALS: &[(&str, &str)] = &[
    (
        "request",
        "The current HttpRequest (context processor `request`).",
    ),
    (
        "user",
        "The signed-in user or AnonymousUser (context processor `auth`).",
    ),
    (
        "perms",
        "The user's permissions: perms.app.codename (context processor `auth`).",
    ),
    (
        "messages",
        "Messages from django.contrib.messages (context processor `messages`).",
    ),
    ("csrf_token", "The CSRF token value."),
    (
        "forloop",
        "Inside {% for %}: counter, counter0, revcounter, first, last, parentloop.",
    ),
];

#[cfg(test)]
mod offered {
    use super::*;

    /// Completion offers exactly the parser's tags (and the component tags), each
    /// documented: a tag the parser learns is a failing test until it has a doc here.
    #[test]
    fn every_parser_tag_is_offered_with_its_documentation() {
        let offered: Vec<&str> = offered_tags().map(|t| t.name).collect();
        for (name, _) in djust_runtime::template::library::TAGS {
            assert!(offered.contains(name), "{name} has no TagDoc");
        }
        assert!(offered.contains(&"translate") && offered.contains(&"blocktranslate"));
        assert_eq!(offered.len(), djust_runtime::template::library::TAGS.len() + 2);
        assert_eq!(
            TAGS.len(),
            offered.len(),
            "a TagDoc for a tag the parser does not compile"
        );
    }
}
