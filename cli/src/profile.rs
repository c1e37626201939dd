//! `djust profile URL`: reads the profile endpoint of a running server
//! (`djust.profile_views`), collects the spans recorded during `--duration` and prints,
//! per LiveView and event, the count, the rate, the percentiles of the total and of
//! each part (handler, SQL, render, diff, serialize, encode, send), the queries (and
//! repeated query shapes: an N+1), the bytes sent and the errors; as a table, or as
//! JSON (`--json`, `-o report.json`) for CI.
//!
//! On a terminal without `--duration` it is a live, `top`-like view instead
//! ([`crate::profile_tui`]).
//!
//! Without a token, only a loopback URL is accepted, decided on the URL alone before
//! any connection or name lookup ([`loopback_only_check`]).

use clap::Args;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args)]
pub(crate) struct ProfileArgs {
    /// The server (`http://127.0.0.1:8000`) or its profile endpoint
    /// (`http://127.0.0.1:8000/_djust/profile/`).
    url: String,
    /// The server's DJUST_PROFILE_TOKEN (also read from that environment variable).
    #[arg(long, env = "DJUST_PROFILE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// How long to collect, e.g. `10s`, `2m`, `500ms`, then print the report. Without it,
    /// on a terminal: the live view (until `q`); otherwise 10 s.
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// How often to poll the endpoint.
    #[arg(long, default_value = "500ms", value_parser = parse_duration)]
    interval: Duration,
    /// Print the report as JSON (the same as `--format json`).
    #[arg(long)]
    json: bool,
    /// `table` (default), `json`, or `speedscope`: a file https://www.speedscope.app
    /// opens, one timeline per WebSocket, each message a frame split into its parts.
    #[arg(long, value_parser = ["table", "json", "speedscope"], default_value = "table")]
    format: String,
    /// Write the report (JSON, or the speedscope file) to this file; a table still goes
    /// to stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The most spans one run keeps (the oldest are dropped, and counted).
const MAX_SPANS: usize = 200_000;

/// `10s`, `2m`, `500ms`, `1.5s`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 10s, 2m or 500ms"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("`{unit}` is not a unit: use ms, s, m or h")),
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!("`{text}` must be more than 0 and at most 24h"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The endpoint URL for `url`: a bare origin gets `/_djust/profile/`.
pub fn endpoint(url: &str) -> Result<url::Url, String> {
    let mut parsed = url::Url::parse(url)
        .map_err(|e| format!("`{url}` is not a URL ({e}); give one like http://127.0.0.1:8000"))?;
    if parsed.scheme() != "http" {
        return Err(format!(
            "`{url}`: only http:// is supported; reach an https server through a tunnel to a loopback port"
        ));
    }
    if parsed.path() == "/" || parsed.path().is_empty() {
        parsed.set_path("/_djust/profile/");
    }
    Ok(parsed)
}

/// `Err` when `url` is not a loopback address and there is no token: decided on the URL
/// alone (`localhost`, `127.0.0.0/8`, `::1`), with no connection and no name lookup.
pub fn loopback_only_check(url: &url::Url, token: Option<&str>) -> Result<(), String> {
    if token.is_some_and(|t| !t.is_empty()) {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "{url} is not a loopback address: profiling another host needs its token (--token or \
             DJUST_PROFILE_TOKEN, the value of the server's DJUST_PROFILE_TOKEN)"
        ))
    }
}

/// A client of one server's profile endpoint.
pub(crate) struct Client {
    agent: ureq::Agent,
    url: url::Url,
    token: Option<String>,
}

impl Client {
    /// A client for `url` (a server or its endpoint) with `token`: `Err` for a bad URL,
    /// or a non-loopback one without a token (before any connection).
    pub(crate) fn new(url: &str, token: Option<String>) -> Result<Client, String> {
        let url = endpoint(url)?;
        let token = token.filter(|t| !t.is_empty());
        loopback_only_check(&url, token.as_deref())?;
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build();
        Ok(Client {
            agent: config.into(),
            url,
            token,
        })
    }

    /// The endpoint's URL.
    pub(crate) fn url(&self) -> &url::Url {
        &self.url
    }

    /// `GET` the endpoint's sub-path `sub` (`""`, `"traceback/"`, `"state/"`) with `query`.
    pub(crate) fn get_at(&self, sub: &str, query: &[(&str, &str)]) -> Result<Value, String> {
        let mut url = self
            .url
            .join(sub)
            .map_err(|e| format!("{}{sub}: {e}", self.url))?;
        {
            let mut pairs = url.query_pairs_mut();
            pairs.clear();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let mut request = self.agent.get(url.as_str());
        if let Some(t) = &self.token {
            request = request.header("Authorization", &format!("Bearer {t}"));
        }
        let mut response = request
            .call()
            .map_err(|e| format!("cannot reach {}: {e}. Is the server running?", self.url))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("{}: could not read the answer: {e}", self.url))?;
        let message = || {
            serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(|| body.chars().take(200).collect())
        };
        match status {
            200 => serde_json::from_str(&body).map_err(|e| format!("{}: the answer is not the profile JSON ({e})", self.url)),
            404 => Err(format!(
                "{} answered 404: the profile endpoint is off or not routed. Add path(\"_djust/\", include(\"djust.urls\")) \
                 to the URLconf and set DJUST_PROFILE_TOKEN (or DEBUG) on the server ({})",
                self.url,
                message()
            )),
            401 | 403 => Err(format!(
                "{} answered {status}: {}. Pass the server's DJUST_PROFILE_TOKEN with --token (or the DJUST_PROFILE_TOKEN environment variable)",
                self.url,
                message()
            )),
            other => Err(format!("{} answered {other}: {}", self.url, message())),
        }
    }
}

pub(crate) fn run(args: ProfileArgs) -> u8 {
    let format = if args.json { "json" } else { args.format.as_str() };
    let interactive = args.duration.is_none()
        && format == "table"
        && args.output.is_none()
        && std::io::stdout().is_terminal();
    if interactive {
        let outcome = Client::new(&args.url, args.token.clone())
            .and_then(|c| crate::profile_tui::live(c, args.interval));
        return match outcome {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("djust profile: {message}");
                2
            }
        };
    }
    match collect(&args) {
        Ok((report, spans)) => {
            let document = if format == "speedscope" {
                speedscope(&spans)
            } else {
                report.clone()
            };
            let text = serde_json::to_string_pretty(&document).unwrap_or_default();
            if let Some(path) = &args.output {
                if let Err(e) = std::fs::write(path, &text) {
                    eprintln!("djust profile: cannot write {}: {e}", path.display());
                    return 2;
                }
            }
            match format {
                "table" => print!("{}", table(&report, std::io::stdout().is_terminal())),
                _ if args.output.is_none() => println!("{text}"),
                _ => {}
            }
            0
        }
        Err(message) => {
            eprintln!("djust profile: {message}");
            2
        }
    }
}

/// The spans of every worker the endpoint reaches, page by page: the endpoint's
/// `cursor` (opaque; `newest` at first) says where each worker's last page ended, so
/// a worker that starts later (or a restarted server) is read from the feed's start.
pub(crate) struct Feed {
    cursor: String,
    /// Every worker seen, by id: its `pid` and `host`.
    pub(crate) workers: BTreeMap<String, Value>,
    /// Why the last page could not cover every worker (the server's `workers_error`).
    pub(crate) workers_error: Option<String>,
    /// The pids of the workers the last page covered.
    current: Vec<String>,
}

impl Feed {
    /// A feed starting after what the server keeps now, and the server's answer.
    pub(crate) fn start(client: &Client) -> Result<(Feed, Value), String> {
        let mut feed = Feed {
            cursor: "newest".into(),
            workers: BTreeMap::new(),
            workers_error: None,
            current: Vec::new(),
        };
        let first = feed.next(client)?;
        Ok((feed, first))
    }

    /// The next page: the spans recorded since the last one, from every worker.
    pub(crate) fn next(&mut self, client: &Client) -> Result<Value, String> {
        let page = client.get_at("", &[("cursor", &self.cursor)])?;
        let cursor = page["cursor"].as_str().ok_or_else(|| {
            format!(
                "{} answered without a cursor: is the server's djust older than this djust profile?",
                client.url()
            )
        })?;
        self.cursor = cursor.to_string();
        self.current.clear();
        for w in page["workers"].as_array().into_iter().flatten() {
            self.current.push(w["pid"].to_string());
            if let Some(id) = w["worker"].as_str() {
                self.workers.insert(
                    id.to_string(),
                    json!({"worker": id, "pid": w["pid"], "host": w["host"]}),
                );
            }
        }
        self.workers_error = page["workers_error"].as_str().map(str::to_string);
        Ok(page)
    }

    /// The pids of the workers the last page covered: `pid 12` or `pids 12, 13`.
    pub(crate) fn pids(&self) -> String {
        match self.current.len() {
            1 => format!("pid {}", self.current[0]),
            _ => format!("pids {}", self.current.join(", ")),
        }
    }
}

fn collect(args: &ProfileArgs) -> Result<(Value, Vec<Value>), String> {
    let client = Client::new(&args.url, args.token.clone())?;
    let (mut feed, first) = Feed::start(&client)?;
    let process = first["process"].clone();
    let started = Instant::now();
    let duration = args.duration.unwrap_or(Duration::from_secs(10));
    let mut spans: std::collections::VecDeque<Value> = std::collections::VecDeque::new();
    let mut dropped = 0usize;
    loop {
        let left = duration.saturating_sub(started.elapsed());
        std::thread::sleep(args.interval.min(left));
        let page = feed.next(&client)?;
        for item in page["spans"].as_array().into_iter().flatten() {
            if spans.len() == MAX_SPANS {
                spans.pop_front();
                dropped += 1;
            }
            spans.push_back(item.clone());
        }
        if left.is_zero() || started.elapsed() >= duration {
            break;
        }
    }
    let spans: Vec<Value> = spans.into();
    let mut out = report(&client.url, process, started.elapsed(), &spans);
    out["dropped_spans"] = json!(dropped);
    out["workers"] = json!(feed.workers.values().collect::<Vec<_>>());
    out["workers_error"] = json!(feed.workers_error);
    Ok((out, spans))
}

/// The spans as a speedscope file (`https://www.speedscope.app/file-format-schema.json`):
/// an evented profile per WebSocket (`session`; page loads share one), in microseconds
/// from the first span; each message opens a frame `View kind name` and, inside it, one
/// frame per part in the order they run (handler, render, diff, serialize, encode,
/// send; SQL runs inside the handler and the render, so it is not a separate frame).
pub fn speedscope(spans: &[Value]) -> Value {
    let mut frames: Vec<String> = Vec::new();
    let mut frame_of = |name: String| -> usize {
        match frames.iter().position(|f| *f == name) {
            Some(i) => i,
            None => {
                frames.push(name);
                frames.len() - 1
            }
        }
    };
    let t0 = spans
        .iter()
        .filter_map(|s| s["at"].as_f64())
        .fold(f64::INFINITY, f64::min);
    let mut by_session: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for s in spans {
        let key = s["session"]
            .as_str()
            .filter(|k| !k.is_empty())
            .unwrap_or("pages")
            .to_string();
        by_session.entry(key).or_default().push(s);
    }
    let mut profiles = Vec::new();
    for (session, mut items) in by_session {
        items.sort_by(|a, b| {
            a["at"]
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b["at"].as_f64().unwrap_or(0.0))
        });
        let mut events = Vec::new();
        let mut clock = 0u64;
        for s in items {
            let view = s["view"].as_str().unwrap_or("");
            let short = view.rsplit('.').next().unwrap_or(view);
            let name = format!(
                "{short} {} {}",
                s["kind"].as_str().unwrap_or(""),
                s["name"].as_str().unwrap_or("")
            );
            let start = (((s["at"].as_f64().unwrap_or(t0) - t0) * 1e6).max(0.0) as u64).max(clock);
            let total = s["total_us"].as_u64().unwrap_or(0);
            let outer = frame_of(name.trim_end().to_string());
            events.push(json!({"type": "O", "frame": outer, "at": start}));
            let mut at = start;
            for part in ["handler", "render", "diff", "serialize", "encode", "send"] {
                let d = s["parts_us"][part].as_u64().unwrap_or(0).min(start + total - at);
                if d == 0 {
                    continue;
                }
                let f = frame_of(part.to_string());
                events.push(json!({"type": "O", "frame": f, "at": at}));
                at += d;
                events.push(json!({"type": "C", "frame": f, "at": at}));
            }
            clock = start + total;
            events.push(json!({"type": "C", "frame": outer, "at": clock}));
        }
        profiles.push(json!({
            "type": "evented",
            "name": format!("djust {session}"),
            "unit": "microseconds",
            "startValue": 0,
            "endValue": clock,
            "events": events,
        }));
    }
    json!({
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "exporter": format!("djust profile {}", env!("CARGO_PKG_VERSION")),
        "name": "djust profile",
        "shared": {"frames": frames.iter().map(|f| json!({"name": f})).collect::<Vec<_>>()},
        "profiles": profiles,
    })
}

const PARTS: [&str; 7] = ["handler", "sql", "render", "diff", "serialize", "encode", "send"];

fn percentiles(mut values: Vec<u64>) -> Value {
    values.sort_unstable();
    let at = |q: f64| {
        if values.is_empty() {
            0
        } else {
            values[((q * values.len() as f64) as usize).min(values.len() - 1)]
        }
    };
    json!({"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": values.last().copied().unwrap_or(0)})
}

/// The report of `spans`: one row per (view, kind, name), sorted by total time spent.
pub fn report(url: &url::Url, process: Value, elapsed: Duration, spans: &[Value]) -> Value {
    let mut groups: BTreeMap<(String, String, String), Vec<&Value>> = BTreeMap::new();
    for s in spans {
        let key = (
            s["view"].as_str().unwrap_or("").to_string(),
            s["kind"].as_str().unwrap_or("").to_string(),
            s["name"].as_str().unwrap_or("").to_string(),
        );
        groups.entry(key).or_default().push(s);
    }
    let seconds = elapsed.as_secs_f64().max(1e-3);
    let sum =
        |items: &[&Value], field: &str| items.iter().map(|s| s[field].as_u64().unwrap_or(0)).sum::<u64>();
    let mut rows: Vec<Value> = groups
        .into_iter()
        .map(|((view, kind, name), items)| {
            let totals: Vec<u64> = items
                .iter()
                .map(|s| s["total_us"].as_u64().unwrap_or(0))
                .collect();
            let spent: u64 = totals.iter().sum();
            let parts: serde_json::Map<String, Value> = PARTS
                .iter()
                .map(|p| {
                    let values = items
                        .iter()
                        .map(|s| s["parts_us"][*p].as_u64().unwrap_or(0))
                        .collect();
                    (p.to_string(), percentiles(values))
                })
                .collect();
            let count = items.len() as u64;
            let queries = sum(&items, "queries");
            let similar = sum(&items, "similar_queries");
            json!({
                "view": view,
                "kind": kind,
                "name": name,
                "count": count,
                "rate_per_s": (count as f64 / seconds * 1000.0).round() / 1000.0,
                "errors": items.iter().filter(|s| !s["error"].as_str().unwrap_or("").is_empty()).count(),
                "total_us": percentiles(totals),
                "spent_us": spent,
                "parts_us": parts,
                "queries": queries,
                "queries_per_event": if count > 0 { queries as f64 / count as f64 } else { 0.0 },
                "similar_queries": similar,
                "n_plus_one": similar > 0,
                "bytes": sum(&items, "bytes"),
                "patches": sum(&items, "patches"),
            })
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r["spent_us"].as_u64().unwrap_or(0)));
    json!({
        "url": url.as_str(),
        "process": process,
        "duration_s": (seconds * 1000.0).round() / 1000.0,
        "spans": spans.len(),
        "rows": rows,
    })
}

fn ms(us: u64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}

/// The report's columns, shared by the table and the live view: the title, and the
/// row field (a JSON pointer) the live view sorts by (`""`: by the label).
pub(crate) const COLUMNS: [(&str, &str); 14] = [
    ("view / event", ""),
    ("n", "/count"),
    ("/s", "/rate_per_s"),
    ("p50 ms", "/total_us/p50"),
    ("p95 ms", "/total_us/p95"),
    ("p99 ms", "/total_us/p99"),
    ("handler", "/parts_us/handler/p50"),
    ("sql", "/parts_us/sql/p50"),
    ("render", "/parts_us/render/p50"),
    ("diff", "/parts_us/diff/p50"),
    ("send", "/parts_us/send/p50"),
    ("q/ev", "/queries_per_event"),
    ("bytes", "/bytes"),
    ("err", "/errors"),
];

/// A row's name: `CartView event add` (the view's class, the kind, the event).
pub(crate) fn label(r: &Value) -> String {
    let view = r["view"].as_str().unwrap_or("");
    let short = view.rsplit('.').next().unwrap_or(view);
    match (r["kind"].as_str().unwrap_or(""), r["name"].as_str().unwrap_or("")) {
        (kind, "") => format!("{short} {kind}"),
        (kind, name) => format!("{short} {kind} {name}"),
    }
}

/// A row's cells, one per [`COLUMNS`] entry; times in ms (the parts' medians).
pub(crate) fn cells(r: &Value) -> Vec<String> {
    let at = |pointer: &str| ms(r.pointer(pointer).and_then(Value::as_u64).unwrap_or(0));
    let q = r["queries_per_event"].as_f64().unwrap_or(0.0);
    let n_plus_one = if r["n_plus_one"].as_bool() == Some(true) {
        " N+1"
    } else {
        ""
    };
    vec![
        label(r),
        r["count"].to_string(),
        format!("{:.1}", r["rate_per_s"].as_f64().unwrap_or(0.0)),
        at("/total_us/p50"),
        at("/total_us/p95"),
        at("/total_us/p99"),
        at("/parts_us/handler/p50"),
        at("/parts_us/sql/p50"),
        at("/parts_us/render/p50"),
        at("/parts_us/diff/p50"),
        at("/parts_us/send/p50"),
        format!("{q:.1}{n_plus_one}"),
        r["bytes"].to_string(),
        r["errors"].to_string(),
    ]
}

/// The report as a table, widest first; `color` bolds the header.
pub fn table(report: &Value, color: bool) -> String {
    let mut lines: Vec<Vec<String>> = vec![COLUMNS.iter().map(|(t, _)| t.to_string()).collect()];
    lines.extend(report["rows"].as_array().into_iter().flatten().map(cells));
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|i| lines.iter().map(|l| l[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (n, line) in lines.iter().enumerate() {
        let padded: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect();
        let text = padded.join("  ");
        if n == 0 && color {
            out.push_str(&format!("\x1b[1m{}\x1b[0m\n", text.trim_end()));
        } else {
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    let workers: Vec<String> = report["workers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| w["pid"].to_string())
        .collect();
    let processes = match workers.len() {
        0 | 1 => format!("pid {}", report["process"]["pid"]),
        n => format!("{n} workers: pids {}", workers.join(", ")),
    };
    out.push_str(&format!(
        "{} spans in {} s from {} ({processes}); times are p50 unless named; q/ev: queries per event, N+1: one query shape repeated\n",
        report["spans"],
        report["duration_s"],
        report["url"].as_str().unwrap_or(""),
    ));
    if let Some(e) = report["workers_error"].as_str() {
        out.push_str(&format!("warning: {e}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loopback_rule_is_decided_on_the_url() {
        let ok = |u: &str, t: Option<&str>| endpoint(u).and_then(|e| loopback_only_check(&e, t)).is_ok();
        assert!(ok("http://127.0.0.1:8000", None));
        assert!(ok("http://127.8.9.10:8000/_djust/profile/", None));
        assert!(ok("http://localhost:8000", None));
        assert!(ok("http://LOCALHOST", None));
        assert!(ok("http://[::1]:8000", None));
        assert!(!ok("http://10.0.0.5:8000", None));
        assert!(!ok("http://example.com", None));
        assert!(!ok("http://localhost.example.com", None));
        assert!(!ok("http://[2001:db8::1]:8000", None));
        assert!(!ok("http://0.0.0.0:8000", None));
        assert!(ok("http://example.com", Some("a-token-of-sixteen+")));
        assert!(!ok("http://example.com", Some("")));
        assert!(endpoint("https://example.com").is_err());
        assert!(endpoint("not a url").is_err());
        assert_eq!(
            endpoint("http://127.0.0.1:8000")
                .map(|u| u.to_string())
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:8000/_djust/profile/")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(
            parse_duration("0s").is_err() && parse_duration("-1s").is_err() && parse_duration("5y").is_err()
        );
        assert!(parse_duration("1e9s").is_err());
    }
}
