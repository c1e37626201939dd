//! The parts of CPython 3.11's `urllib.parse` that Django's filters use: `quote`,
//! `quote_plus`, `unquote`, `parse_qsl`, `urlencode`, `urlsplit` and `urlunsplit`,
//! with their exact outputs (upper-case hex, UTF-8, U+FFFD for bad sequences).

use std::borrow::Cow;

/// `quote(text, safe)`: percent-encode the UTF-8 bytes of everything except ASCII
/// letters, digits, `_.-~` and the ASCII characters of `safe`.
pub fn quote(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "_.-~".contains(c) || (c.is_ascii() && safe.contains(c)) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
            }
        }
    }
    out
}

/// `quote_plus(text, safe)`: as [`quote`], with spaces as `+`.
pub fn quote_plus(text: &str, safe: &str) -> String {
    if !text.contains(' ') {
        return quote(text, safe);
    }
    quote(text, &format!("{safe} ")).replace(' ', "+")
}

/// `unquote(text)`: `%XX` escapes in runs of ASCII decoded as UTF-8 (invalid
/// sequences become U+FFFD); malformed escapes and non-ASCII text kept as they are.
pub fn unquote(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // CPython splits into ASCII and non-ASCII runs and decodes each ASCII run.
        let ascii_len = rest.bytes().take_while(u8::is_ascii).count();
        let (ascii, tail) = rest.split_at(ascii_len);
        out.push_str(&String::from_utf8_lossy(&unquote_to_bytes(ascii)));
        let other_len = tail.find(|c: char| c.is_ascii()).unwrap_or(tail.len());
        out.push_str(&tail[..other_len]);
        rest = &tail[other_len..];
    }
    Cow::Owned(out)
}

fn unquote_to_bytes(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) << 4 | hex(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// `parse_qsl(query, keep_blank_values=True)`: `&`-separated pairs, `+` as space,
/// each side unquoted; a name without `=` gets an empty value; empty fields skipped.
pub fn parse_qsl(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|field| !field.is_empty())
        .map(|field| {
            let (name, value) = field.split_once('=').unwrap_or((field, ""));
            (
                unquote(&name.replace('+', " ")).into_owned(),
                unquote(&value.replace('+', " ")).into_owned(),
            )
        })
        .collect()
}

/// `urlencode(pairs)`: `name=value` joined by `&`, both sides with [`quote_plus`].
pub fn urlencode(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&quote_plus(k, ""));
        out.push('=');
        out.push_str(&quote_plus(v, ""));
    }
    out
}

/// The five parts `urlsplit` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitUrl {
    /// Lower-cased scheme, or `""`.
    pub scheme: String,
    /// `user:pass@host:port`, or `""`.
    pub netloc: String,
    /// The path.
    pub path: String,
    /// After `?`, without it.
    pub query: String,
    /// After `#`, without it.
    pub fragment: String,
}

/// Why `urlsplit` refused a URL: CPython's `ValueError` message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidUrl(pub &'static str);

/// `urlsplit(url)`. `Err` where CPython raises `ValueError` (unbalanced brackets in
/// the network location, a bracketed host that is not an IPv6 or IPvFuture address,
/// characters that NFKC-normalise to URL delimiters).
pub fn urlsplit(url: &str) -> Result<SplitUrl, InvalidUrl> {
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let url: String = url.chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let mut rest = url.as_str();
    let mut parts = SplitUrl::default();
    if let Some(i) = rest.find(':') {
        let candidate = &rest[..i];
        let first_ok = candidate.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if i > 0
            && first_ok
            && candidate
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            parts.scheme = candidate.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    if let Some(after) = rest.strip_prefix("//") {
        let delim = after.find(['/', '?', '#']).unwrap_or(after.len());
        let netloc = &after[..delim];
        if netloc.contains('[') != netloc.contains(']') {
            return Err(InvalidUrl("Invalid IPv6 URL"));
        }
        if netloc.contains('[') {
            let host = netloc.split_once('[').map(|x| x.1).unwrap_or("");
            let host = host.split_once(']').map(|x| x.0).unwrap_or(host);
            check_bracketed_host(host)?;
        }
        parts.netloc = netloc.to_string();
        rest = &after[delim..];
    }
    if let Some((before, fragment)) = rest.split_once('#') {
        parts.fragment = fragment.to_string();
        rest = before;
    }
    if let Some((before, query)) = rest.split_once('?') {
        parts.query = query.to_string();
        rest = before;
    }
    parts.path = rest.to_string();
    check_netloc(&parts.netloc)?;
    Ok(parts)
}

fn check_bracketed_host(host: &str) -> Result<(), InvalidUrl> {
    if let Some(future) = host.strip_prefix('v') {
        // \Av[a-fA-F0-9]+\..+\Z
        let hex = future.bytes().take_while(u8::is_ascii_hexdigit).count();
        // (Newlines, which `.` would not match, were removed before.)
        let ok = hex > 0 && future[hex..].starts_with('.') && future.len() > hex + 1;
        return if ok {
            Ok(())
        } else {
            Err(InvalidUrl("IPvFuture address is invalid"))
        };
    }
    // ipaddress.ip_address(): IPv4 is refused in brackets, so only IPv6 passes.
    host.parse::<std::net::Ipv6Addr>()
        .map(|_| ())
        .map_err(|_| InvalidUrl("does not appear to be an IPv4 or IPv6 address"))
}

fn check_netloc(netloc: &str) -> Result<(), InvalidUrl> {
    use unicode_normalization::UnicodeNormalization;
    if netloc.is_ascii() {
        return Ok(());
    }
    let n: String = netloc.chars().filter(|c| !"@:#?".contains(*c)).collect();
    let normalized: String = n.nfkc().collect();
    if n == normalized || !normalized.contains(['/', '?', '#', '@', ':']) {
        Ok(())
    } else {
        Err(InvalidUrl(
            "netloc contains invalid characters under NFKC normalization",
        ))
    }
}

/// `urlunsplit(parts)`.
pub fn urlunsplit(parts: &SplitUrl) -> String {
    const USES_NETLOC: &[&str] = &[
        "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
        "snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git",
        "git+ssh", "ws", "wss",
    ];
    let mut url = parts.path.clone();
    let scheme_uses_netloc = !parts.scheme.is_empty() && USES_NETLOC.contains(&parts.scheme.as_str());
    if !parts.netloc.is_empty() || (scheme_uses_netloc && !url.starts_with("//")) {
        if !url.is_empty() && !url.starts_with('/') {
            url.insert(0, '/');
        }
        url = format!("//{}{url}", parts.netloc);
    }
    if !parts.scheme.is_empty() {
        url = format!("{}:{url}", parts.scheme);
    }
    if !parts.query.is_empty() {
        url.push('?');
        url.push_str(&parts.query);
    }
    if !parts.fragment.is_empty() {
        url.push('#');
        url.push_str(&parts.fragment);
    }
    url
}
