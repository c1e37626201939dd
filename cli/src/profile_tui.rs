//! The live view of `djust profile URL` on a terminal: a `top`-like table (ratatui) of
//! the spans recorded since it started, one row per LiveView and message, refreshed
//! every `--interval`. Keys: `q`/Esc quit, ←/→ (or `s`) change the sort column, ↑/↓
//! select a row, Enter (or `d`) shows the last spans of the selected row with their
//! split. When the server goes away the header says "disconnected" and it keeps
//! polling; a restarted server (another worker) is followed from its first span, and
//! with several workers sharing a channel layer every worker's spans are shown.

use crate::profile::{cells, label, report, Client, Feed, COLUMNS};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};
use serde_json::Value;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The most spans the live view keeps (the oldest go first).
const MAX_SPANS: usize = 100_000;

struct State {
    spans: VecDeque<Value>,
    feed: Option<Feed>,
    connected: bool,
    status: String,
    sort: usize,
    table: TableState,
    detail: bool,
    started: Instant,
    /// The rows, sorted: computed again only after a poll or a new sort column.
    rows: Vec<Value>,
}

fn ms(v: &Value, pointer: &str) -> String {
    format!(
        "{:.1}",
        v.pointer(pointer).and_then(Value::as_u64).unwrap_or(0) as f64 / 1000.0
    )
}

fn sorted_rows(state: &State, client: &Client) -> Vec<Value> {
    let spans: Vec<Value> = state.spans.iter().cloned().collect();
    let report = report(client.url(), Value::Null, state.started.elapsed(), &spans);
    let mut rows: Vec<Value> = report["rows"].as_array().cloned().unwrap_or_default();
    let key = COLUMNS[state.sort].1;
    if key.is_empty() {
        rows.sort_by_key(label);
    } else {
        rows.sort_by(|a, b| {
            let f = |v: &Value| v.pointer(key).and_then(Value::as_f64).unwrap_or(0.0);
            f(b).total_cmp(&f(a))
        });
    }
    rows
}

fn poll(state: &mut State, client: &Client) {
    let page = match state.feed.as_mut() {
        Some(feed) => feed.next(client),
        None => Feed::start(client).map(|(feed, first)| {
            state.feed = Some(feed);
            first
        }),
    };
    let Some(feed) = state.feed.as_ref() else {
        state.status = match page {
            Err(e) => format!("disconnected: {e} (retrying)"),
            Ok(_) => "connecting".into(),
        };
        return;
    };
    match page {
        Ok(page) => {
            for s in page["spans"].as_array().into_iter().flatten() {
                if state.spans.len() == MAX_SPANS {
                    state.spans.pop_front();
                }
                state.spans.push_back(s.clone());
            }
            let word = if state.connected || state.status == "connecting" {
                "connected"
            } else {
                "reconnected"
            };
            state.status = format!("{word} ({})", feed.pids());
            if let Some(e) = &feed.workers_error {
                state.status.push_str(&format!("; {e}"));
            }
            state.connected = true;
        }
        Err(e) => {
            state.connected = false;
            state.status = format!("disconnected: {e} (retrying)");
        }
    }
}

/// Run the live view until `q`. `Err` only when the terminal cannot be used.
pub(crate) fn live(client: Client, interval: Duration) -> Result<(), String> {
    let mut state = State {
        spans: VecDeque::new(),
        feed: None,
        connected: false,
        status: "connecting".into(),
        sort: 3,
        table: TableState::default(),
        detail: false,
        started: Instant::now(),
        rows: Vec::new(),
    };
    // Start after what the server already has.
    poll(&mut state, &client);
    let mut terminal = ratatui::try_init().map_err(|e| format!("cannot use the terminal: {e}"))?;
    let mut next_poll = Instant::now();
    let result = loop {
        if Instant::now() >= next_poll {
            poll(&mut state, &client);
            state.rows = sorted_rows(&state, &client);
            next_poll = Instant::now() + interval;
        }
        if state.table.selected().is_none() && !state.rows.is_empty() {
            state.table.select(Some(0));
        }
        let drawn = terminal.draw(|frame| draw(frame, &mut state, &client));
        if let Err(e) = drawn {
            break Err(format!("cannot draw: {e}"));
        }
        let wait = next_poll
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(200));
        match event::poll(wait) {
            Ok(true) => {
                if let Ok(Event::Key(key)) = event::read() {
                    if key.kind != KeyEventKind::Press {
                        continue;
                    }
                    match key.code {
                        KeyCode::Char('q') | KeyCode::Esc => break Ok(()),
                        KeyCode::Right | KeyCode::Char('s') => {
                            state.sort = (state.sort + 1) % COLUMNS.len();
                            state.rows = sorted_rows(&state, &client);
                        }
                        KeyCode::Left => {
                            state.sort = (state.sort + COLUMNS.len() - 1) % COLUMNS.len();
                            state.rows = sorted_rows(&state, &client);
                        }
                        KeyCode::Down => state.table.select_next(),
                        KeyCode::Up => state.table.select_previous(),
                        KeyCode::Enter | KeyCode::Char('d') => state.detail = !state.detail,
                        _ => {}
                    }
                }
            }
            Ok(false) => {}
            Err(e) => break Err(format!("cannot read the keyboard: {e}")),
        }
    };
    ratatui::restore();
    result
}

fn draw(frame: &mut ratatui::Frame<'_>, state: &mut State, client: &Client) {
    let rows = &state.rows;
    let areas = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(5),
        Constraint::Length(if state.detail { 12 } else { 0 }),
    ])
    .split(frame.area());
    let header = format!(
        "djust profile {}  {}  {} spans in {:.0} s\nsorted by {}  keys: q quit  ←/→ sort  ↑/↓ select  enter details",
        client.url(),
        state.status,
        state.spans.len(),
        state.started.elapsed().as_secs_f64(),
        COLUMNS[state.sort].0,
    );
    frame.render_widget(Paragraph::new(header), areas[0]);
    let titles = Row::new(COLUMNS.iter().enumerate().map(|(i, (t, _))| {
        if i == state.sort {
            format!("{t}▼")
        } else {
            t.to_string()
        }
    }))
    .style(Style::default().add_modifier(Modifier::BOLD));
    let body = rows.iter().map(|r| Row::new(cells(r)));
    // The label column takes what the numbers leave (at least 24); numbers are at most
    // 7 wide (`1.0 N+1`, `p50 ms▼`).
    let mut widths = vec![Constraint::Min(24)];
    widths.extend(std::iter::repeat_n(Constraint::Length(7), COLUMNS.len() - 1));
    let table = Table::new(body, widths)
        .header(titles)
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .block(Block::default().borders(Borders::TOP));
    frame.render_stateful_widget(table, areas[1], &mut state.table);
    if state.detail {
        let selected = state.table.selected().and_then(|i| rows.get(i));
        let mut lines: Vec<Line<'_>> = Vec::new();
        if let Some(row) = selected {
            lines.push(Line::from(format!("last spans of {}", label(row))));
            let same =
                |s: &&Value| s["view"] == row["view"] && s["kind"] == row["kind"] && s["name"] == row["name"];
            for s in state.spans.iter().rev().filter(same).take(10) {
                let p = |part: &str| ms(s, &format!("/parts_us/{part}"));
                lines.push(Line::from(format!(
                    "#{} total {} ms: handler {} (sql {}), render {}, diff {}, serialize {}, encode {}, send {}  q {}  {} B {}",
                    s["seq"],
                    ms(s, "/total_us"),
                    p("handler"),
                    p("sql"),
                    p("render"),
                    p("diff"),
                    p("serialize"),
                    p("encode"),
                    p("send"),
                    s["queries"],
                    s["bytes"],
                    s["error"].as_str().unwrap_or(""),
                )));
            }
        }
        frame.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::TOP)),
            areas[2],
        );
    }
}
