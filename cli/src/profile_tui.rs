//! The live view of `djust profile URL` on a terminal: a `top`-like table (ratatui) of
//! the spans recorded since it started, one row per LiveView and message, refreshed
//! every `--interval`. Keys: `q`/Esc quit, ←/→ (or `s`) change the sort column, ↑/↓
//! select a row, Enter (or `d`) shows the last spans of the selected row with their
//! split. When the server goes away the header says "disconnected" and it keeps
//! polling; a restarted server (another `pid`) is followed from its first span.

use crate::profile::{cells, label, report, Client, COLUMNS};
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
    since: u64,
    pid: Option<u64>,
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
    match client.get_at("", &[("since", &state.since.to_string())]) {
        Ok(page) => {
            let pid = page["process"]["pid"].as_u64();
            if state.pid.is_some() && pid != state.pid {
                // A restarted server numbers its spans from 1 again.
                state.since = 0;
                state.status = format!("reconnected (pid {})", pid.unwrap_or(0));
                state.pid = pid;
                return;
            }
            state.pid = pid;
            for s in page["spans"].as_array().into_iter().flatten() {
                if state.spans.len() == MAX_SPANS {
                    state.spans.pop_front();
                }
                state.spans.push_back(s.clone());
            }
            state.since = page["last_seq"].as_u64().unwrap_or(state.since).max(state.since);
            state.status = format!("connected (pid {})", pid.unwrap_or(0));
        }
        Err(e) => state.status = format!("disconnected: {e} (retrying)"),
    }
}

/// Run the live view until `q`. `Err` only when the terminal cannot be used.
pub(crate) fn live(client: Client, interval: Duration) -> Result<(), String> {
    let mut state = State {
        spans: VecDeque::new(),
        since: 0,
        pid: None,
        status: "connecting".into(),
        sort: 3,
        table: TableState::default(),
        detail: false,
        started: Instant::now(),
        rows: Vec::new(),
    };
    // Start after what the server already has.
    if let Ok(first) = client.get_at("", &[("since", &u64::MAX.to_string())]) {
        state.since = first["newest_seq"].as_u64().unwrap_or(0);
        state.pid = first["process"]["pid"].as_u64();
    }
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
    let mut widths = vec![Constraint::Min(24)];
    widths.extend(std::iter::repeat_n(Constraint::Length(9), COLUMNS.len() - 1));
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
                    "#{} total {} ms = handler {} + sql {} + render {} + diff {} + encode {} + send {}  q {}  {} B {}",
                    s["seq"],
                    ms(s, "/total_us"),
                    p("handler"),
                    p("sql"),
                    p("render"),
                    p("diff"),
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
