//! Dates and times: Python's `date`, `datetime` and `time` as template values, and
//! Django's `DateFormat` / `TimeFormat` (`django/utils/dateformat.py`) with the `en`
//! locale's names and formats.
//!
//! Naive datetimes are in the default time zone, which is UTC in this engine (the
//! Python binding will supply Django's `TIME_ZONE` through a host hook); aware values
//! carry a fixed UTC offset.

use std::fmt::Write as _;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (1..=9999).
    pub year: i32,
    /// Month (1..=12).
    pub month: u32,
    /// Day of the month (1..=31).
    pub day: u32,
}

/// A time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// Hour (0..=23).
    pub hour: u32,
    /// Minute (0..=59).
    pub minute: u32,
    /// Second (0..=59).
    pub second: u32,
    /// Microsecond (0..=999_999).
    pub microsecond: u32,
}

/// A date and time, naive (`offset: None`) or aware: its UTC offset in seconds, and,
/// when the host knows it, its time zone's name and whether daylight saving time is in
/// effect (Python's `tzinfo.tzname()` and `dst()`, for the `e`, `T` and `I` formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// The time.
    pub time: Time,
    /// UTC offset in seconds for aware values.
    pub offset: Option<i32>,
    /// The time zone's name for this moment (`"CET"`, `"EST"`), when known.
    pub zone: Option<TzName>,
    /// Whether daylight saving time is in effect, when known (`tzinfo.dst()`).
    pub dst: Option<bool>,
    /// Shown in its own zone, never converted to the current one (Django's
    /// `convert_to_local_time = False`, set by the `tz` library's filters).
    pub keep_zone: bool,
    /// The wall-clock time is ambiguous or imaginary in its zone (a DST change):
    /// Django's `DateFormat` then has no time zone, and `e`, `O`, `T`, `I`, `Z` are
    /// empty.
    pub ambiguous: bool,
}

/// A time zone name as `tzinfo.tzname()` gives it (`"CET"`, `"EST"`, `"UTC+03:15"`),
/// interned: two bytes, so that a [`DateTime`] (and every [`Value`](super::Value))
/// stays small and `Copy`. At most 4,096 distinct names of at most 64 bytes are kept
/// per process; past that a name is not recorded (`new` gives `None`) and the value
/// is formatted from its offset, as a zone without a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TzName(std::num::NonZeroU16);

/// The interned names, in order of first use (index + 1 is the id).
static TZ_NAMES: std::sync::RwLock<Vec<&'static str>> = std::sync::RwLock::new(Vec::new());

/// The most distinct names [`TzName::new`] keeps.
const MAX_TZ_NAMES: usize = 4096;

impl TzName {
    /// The interned name, or `None` when it is longer than 64 bytes or the table is
    /// full.
    pub fn new(name: &str) -> Option<TzName> {
        if name.len() > 64 {
            return None;
        }
        let id = |i: usize| {
            u16::try_from(i + 1)
                .ok()
                .and_then(std::num::NonZeroU16::new)
                .map(TzName)
        };
        if let Ok(names) = TZ_NAMES.read() {
            if let Some(i) = names.iter().position(|n| *n == name) {
                return id(i);
            }
        }
        let mut names = TZ_NAMES.write().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = names.iter().position(|n| *n == name) {
            return id(i);
        }
        if names.len() >= MAX_TZ_NAMES {
            return None;
        }
        // Bounded above: at most 4,096 names of 64 bytes live for the process.
        names.push(Box::leak(name.to_string().into_boxed_str()));
        id(names.len() - 1)
    }

    /// The name.
    pub fn as_str(&self) -> &'static str {
        TZ_NAMES
            .read()
            .ok()
            .and_then(|names| names.get(usize::from(self.0.get()) - 1).copied())
            .unwrap_or("")
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_AP: [&str; 12] = [
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

impl Date {
    /// A valid date, or `None`.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// Parse `YYYY-MM-DD` (Python's `date.fromisoformat`).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::new(
            s[0..4].parse().ok()?,
            s[5..7].parse().ok()?,
            s[8..10].parse().ok()?,
        )
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(&self) -> i64 {
        let (y, m, d) = (i64::from(self.year), i64::from(self.month), i64::from(self.day));
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Monday = 0 … Sunday = 6 (Python's `weekday()`).
    pub fn weekday(&self) -> u32 {
        (self.days_since_epoch() + 3).rem_euclid(7) as u32
    }

    /// Day of the year, 1-based.
    pub fn ordinal(&self) -> u32 {
        (self.days_since_epoch()
            - Date {
                year: self.year,
                month: 1,
                day: 1,
            }
            .days_since_epoch()
            + 1) as u32
    }

    /// ISO 8601 (year, week).
    pub fn iso_week(&self) -> (i32, u32) {
        let weeks_in = |y: i32| {
            let jan1 = Date {
                year: y,
                month: 1,
                day: 1,
            }
            .weekday();
            if jan1 == 3 || (is_leap(y) && jan1 == 2) {
                53
            } else {
                52
            }
        };
        let wd = self.weekday() as i64 + 1;
        let week = (i64::from(self.ordinal()) - wd + 10) / 7;
        if week < 1 {
            (self.year - 1, weeks_in(self.year - 1))
        } else if week > i64::from(weeks_in(self.year)) {
            (self.year + 1, 1)
        } else {
            (self.year, week as u32)
        }
    }

    /// `str(date)`: `2024-03-05`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Time {
    /// Parse `HH:MM[:SS[.ffffff]]` (Python's `time.fromisoformat`).
    pub fn parse(s: &str) -> Option<Time> {
        let (hms, frac) = match s.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let parts: Vec<&str> = hms.split(':').collect();
        if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
            return None;
        }
        let hour: u32 = parts[0].parse().ok()?;
        let minute: u32 = parts[1].parse().ok()?;
        let second: u32 = parts.get(2).map(|p| p.parse()).transpose().ok()?.unwrap_or(0);
        let microsecond = match frac {
            Some(f) if !f.is_empty() && f.len() <= 6 && f.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{f:0<6}").parse().ok()?
            }
            Some(_) => return None,
            None => 0,
        };
        (hour < 24 && minute < 60 && second < 60).then_some(Time {
            hour,
            minute,
            second,
            microsecond,
        })
    }

    /// `str(time)`: `14:07:09[.123456]`.
    pub fn iso(&self) -> String {
        let mut s = format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second);
        // (str() and isoformat() agree for time.)
        if self.microsecond != 0 {
            let _ = write!(s, ".{:06}", self.microsecond);
        }
        s
    }
}

impl DateTime {
    /// Parse `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][+HH:MM|Z]`.
    pub fn parse(s: &str) -> Option<DateTime> {
        if s.len() < 16 {
            return None;
        }
        let date = Date::parse(&s[..10])?;
        let sep = s.as_bytes()[10];
        if sep != b'T' && sep != b' ' {
            return None;
        }
        let rest = &s[11..];
        let (time_part, offset) = if let Some(t) = rest.strip_suffix('Z') {
            (t, Some(0))
        } else if let Some(i) = rest.rfind(['+', '-']) {
            let (t, o) = rest.split_at(i);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (h, m) = o[1..].split_once(':')?;
            (
                t,
                Some(sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60)),
            )
        } else {
            (rest, None)
        };
        Some(DateTime {
            date,
            time: Time::parse(time_part)?,
            offset,
            zone: None,
            dst: None,
            keep_zone: false,
            ambiguous: false,
        })
    }

    /// The current time in UTC, as a naive datetime (the default time zone is UTC).
    pub fn now_utc() -> DateTime {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        DateTime::from_timestamp(since.as_secs() as i64, since.subsec_micros(), None)
    }

    /// The datetime `secs` seconds after the epoch, shown at UTC offset `offset`
    /// (naive when `None`): the wall-clock fields are those of UTC plus the offset.
    pub fn from_timestamp(secs: i64, microsecond: u32, offset: Option<i32>) -> DateTime {
        let local = secs + i64::from(offset.unwrap_or(0));
        let rem = local.rem_euclid(86_400) as u32;
        DateTime {
            date: Date::from_days_since_epoch(local.div_euclid(86_400)),
            time: Time {
                hour: rem / 3600,
                minute: (rem / 60) % 60,
                second: rem % 60,
                microsecond,
            },
            offset,
            zone: None,
            dst: None,
            keep_zone: false,
            ambiguous: false,
        }
    }

    /// Seconds since the Unix epoch (naive values in the default time zone, UTC).
    pub fn timestamp(&self) -> i64 {
        self.date.days_since_epoch() * 86_400
            + i64::from(self.time.hour * 3600 + self.time.minute * 60 + self.time.second)
            - i64::from(self.offset.unwrap_or(0))
    }

    /// `str(datetime)`: `2024-03-05 14:07:09[.123456][+00:00]`.
    pub fn py_str(&self, sep: char) -> String {
        let mut s = format!("{}{sep}{}", self.date.iso(), self.time.iso());
        if let Some(o) = self.offset {
            s.push_str(&offset_colon(o));
        }
        s
    }
}

fn offset_colon(o: i32) -> String {
    let sign = if o < 0 { '-' } else { '+' };
    let a = o.abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a / 60) % 60)
}

/// What is being formatted.
#[derive(Debug, Clone, Copy)]
pub enum Temporal {
    /// A `date`.
    Date(Date),
    /// A `datetime`.
    DateTime(DateTime),
    /// A `time`.
    Time(Time),
}

/// Why formatting failed, as Python would fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The value lacks a field the format needs (Python `AttributeError`).
    Attribute,
    /// A time-related specifier used with a date (Python `TypeError`).
    DateWithTime(char),
    /// Any other Python `TypeError` (e.g. `r` or `U` on a `time`).
    Type(&'static str),
}

/// `TimeFormat`'s specifiers.
fn is_time_char(c: char) -> bool {
    matches!(
        c,
        'a' | 'A' | 'e' | 'f' | 'g' | 'G' | 'h' | 'H' | 'i' | 'O' | 'P' | 's' | 'T' | 'u' | 'Z'
    )
}

/// `DateFormat`'s own specifiers.
fn is_date_char(c: char) -> bool {
    matches!(
        c,
        'b' | 'c'
            | 'd'
            | 'D'
            | 'E'
            | 'F'
            | 'I'
            | 'j'
            | 'l'
            | 'L'
            | 'm'
            | 'M'
            | 'n'
            | 'N'
            | 'o'
            | 'r'
            | 'S'
            | 't'
            | 'U'
            | 'w'
            | 'W'
            | 'y'
            | 'Y'
            | 'z'
    )
}

/// Django's named formats for the `en` locale, or the format itself.
pub fn named_format(name: &str) -> &str {
    match name {
        "DATE_FORMAT" => "N j, Y",
        "DATETIME_FORMAT" => "N j, Y, P",
        "TIME_FORMAT" => "P",
        "YEAR_MONTH_FORMAT" => "F Y",
        "MONTH_DAY_FORMAT" => "F j",
        "SHORT_DATE_FORMAT" => "m/d/Y",
        "SHORT_DATETIME_FORMAT" => "m/d/Y P",
        other => other,
    }
}

/// Django's `DateFormat(value).format(fmt)` (`time_only`: `TimeFormat` instead).
pub fn format(value: Temporal, fmt: &str, time_only: bool) -> Result<String, FormatError> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) => out.push(n),
                None => out.push('\\'),
            }
            continue;
        }
        let is_time = is_time_char(c);
        let is_date = is_date_char(c);
        if !is_time && !is_date {
            out.push(c);
            continue;
        }
        if time_only && is_date {
            return Err(FormatError::Attribute);
        }
        if let Temporal::Date(_) = value {
            if is_time {
                return Err(FormatError::DateWithTime(c));
            }
        }
        out.push_str(&spec(value, c)?);
    }
    Ok(out)
}

fn spec(value: Temporal, c: char) -> Result<String, FormatError> {
    let date = match value {
        Temporal::Date(d) => Some(d),
        Temporal::DateTime(dt) => Some(dt.date),
        Temporal::Time(_) => None,
    };
    let time = match value {
        Temporal::Date(_) => None,
        Temporal::DateTime(dt) => Some(dt.time),
        Temporal::Time(t) => Some(t),
    };
    let need_date = || date.ok_or(FormatError::Attribute);
    let need_time = || time.ok_or(FormatError::Attribute);
    // Time zone: naive datetimes use the default zone (UTC); dates and times have none.
    let offset = match value {
        Temporal::DateTime(dt) if !dt.ambiguous => Some(dt.offset.unwrap_or(0)),
        _ => None,
    };
    let h12 = |t: Time| if t.hour % 12 == 0 { 12 } else { t.hour % 12 };
    let f = |t: Time| {
        if t.minute == 0 {
            h12(t).to_string()
        } else {
            format!("{}:{:02}", h12(t), t.minute)
        }
    };
    let ampm = |t: Time| if t.hour > 11 { "p.m." } else { "a.m." };
    Ok(match c {
        'a' => ampm(need_time()?).into(),
        'A' => (if need_time()?.hour > 11 { "PM" } else { "AM" }).into(),
        'e' => match value {
            Temporal::DateTime(DateTime { ambiguous: true, .. }) => String::new(),
            Temporal::DateTime(DateTime {
                offset: Some(_),
                zone: Some(name),
                ..
            }) => name.as_str().to_string(),
            Temporal::DateTime(DateTime { offset: Some(o), .. }) => {
                if o == 0 {
                    "UTC".into()
                } else {
                    format!("UTC{}", offset_colon(o))
                }
            }
            _ => String::new(),
        },
        'f' => f(need_time()?),
        'g' => h12(need_time()?).to_string(),
        'G' => need_time()?.hour.to_string(),
        'h' => format!("{:02}", h12(need_time()?)),
        'H' => format!("{:02}", need_time()?.hour),
        'i' => format!("{:02}", need_time()?.minute),
        'O' => match offset {
            Some(o) => {
                let sign = if o < 0 { '-' } else { '+' };
                format!("{sign}{:02}{:02}", o.abs() / 3600, (o.abs() / 60) % 60)
            }
            None => {
                need_time()?;
                String::new()
            }
        },
        'P' => {
            let t = need_time()?;
            if t.minute == 0 && t.hour == 0 {
                "midnight".into()
            } else if t.minute == 0 && t.hour == 12 {
                "noon".into()
            } else {
                format!("{} {}", f(t), ampm(t))
            }
        }
        's' => format!("{:02}", need_time()?.second),
        'T' => match (offset, value) {
            (Some(_), Temporal::DateTime(DateTime { zone: Some(name), .. })) => name.as_str().to_string(),
            (Some(0), _) => "UTC".into(),
            (Some(o), _) => format!("UTC{}", offset_colon(o)),
            (None, _) => {
                need_time()?;
                String::new()
            }
        },
        'u' => format!("{:06}", need_time()?.microsecond),
        'Z' => match offset {
            Some(o) => o.to_string(),
            None => {
                need_time()?;
                String::new()
            }
        },
        'b' => MONTHS[need_date()?.month as usize - 1][..3].to_lowercase(),
        'c' => match value {
            Temporal::DateTime(dt) => dt.py_str('T'),
            Temporal::Date(d) => d.iso(),
            Temporal::Time(t) => t.iso(),
        },
        'd' => format!("{:02}", need_date()?.day),
        'D' => WEEKDAYS[need_date()?.weekday() as usize][..3].into(),
        'E' => MONTHS[need_date()?.month as usize - 1].into(),
        'F' => MONTHS[need_date()?.month as usize - 1].into(),
        'I' => match value {
            Temporal::DateTime(DateTime { ambiguous: true, .. }) => String::new(),
            Temporal::DateTime(DateTime { dst: Some(true), .. }) => "1".into(),
            Temporal::DateTime(_) => "0".into(),
            _ => String::new(),
        },
        'j' => need_date()?.day.to_string(),
        'l' => WEEKDAYS[need_date()?.weekday() as usize].into(),
        'L' => (if is_leap(need_date()?.year) {
            "True"
        } else {
            "False"
        })
        .into(),
        'm' => format!("{:02}", need_date()?.month),
        'M' => MONTHS[need_date()?.month as usize - 1][..3].into(),
        'n' => need_date()?.month.to_string(),
        'N' => MONTHS_AP[need_date()?.month as usize - 1].into(),
        'o' => need_date()?.iso_week().0.to_string(),
        'r' => {
            let (d, t, o) = match value {
                Temporal::DateTime(dt) => (dt.date, dt.time, dt.offset.unwrap_or(0)),
                Temporal::Date(d) => (
                    d,
                    Time {
                        hour: 0,
                        minute: 0,
                        second: 0,
                        microsecond: 0,
                    },
                    0,
                ),
                Temporal::Time(_) => {
                    return Err(FormatError::Type(
                        "combine() argument 1 must be datetime.date, not datetime.time",
                    ))
                }
            };
            let sign = if o < 0 { '-' } else { '+' };
            format!(
                "{}, {:02} {} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
                &WEEKDAYS[d.weekday() as usize][..3],
                d.day,
                &MONTHS[d.month as usize - 1][..3],
                d.year,
                t.hour,
                t.minute,
                t.second,
                o.abs() / 3600,
                (o.abs() / 60) % 60
            )
        }
        'S' => {
            let day = need_date()?.day;
            match (day, day % 10) {
                (11..=13, _) => "th",
                (_, 1) => "st",
                (_, 2) => "nd",
                (_, 3) => "rd",
                _ => "th",
            }
            .into()
        }
        't' => {
            let d = need_date()?;
            days_in_month(d.year, d.month).to_string()
        }
        'U' => match value {
            Temporal::DateTime(dt) => dt.timestamp().to_string(),
            Temporal::Date(d) => (d.days_since_epoch() * 86_400).to_string(),
            Temporal::Time(_) => {
                return Err(FormatError::Type(
                    "combine() argument 1 must be datetime.date, not datetime.time",
                ))
            }
        },
        'w' => ((need_date()?.weekday() + 1) % 7).to_string(),
        'W' => need_date()?.iso_week().1.to_string(),
        'y' => format!("{:02}", need_date()?.year % 100),
        'Y' => format!("{:04}", need_date()?.year),
        'z' => need_date()?.ordinal().to_string(),
        _ => c.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_arithmetic() {
        let d = Date::new(2024, 3, 5).unwrap_or_else(|| panic!("date"));
        assert_eq!(d.weekday(), 1); // Tuesday
        assert_eq!(d.ordinal(), 65);
        assert_eq!(d.iso_week(), (2024, 10));
        assert_eq!(Date::new(2021, 1, 1).map(|d| d.iso_week()), Some((2020, 53)));
        assert_eq!(Date::new(2024, 12, 30).map(|d| d.iso_week()), Some((2025, 1)));
        assert_eq!(Date::new(1970, 1, 1).map(|d| d.days_since_epoch()), Some(0));
        for days in [-719_162, -1, 0, 59, 19_787, 2_932_896] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert!(Date::new(2023, 2, 29).is_none());
    }

    #[test]
    fn django_formats() {
        let dt = DateTime::parse("2024-03-05T14:07:09.000123").unwrap_or_else(|| panic!("dt"));
        let v = Temporal::DateTime(dt);
        assert_eq!(
            format(v, named_format("DATETIME_FORMAT"), false).ok().as_deref(),
            Some("March 5, 2024, 2:07 p.m.")
        );
        assert_eq!(
            format(v, "D, d M Y H:i:s u \\Y\\e\\s", false).ok().as_deref(),
            Some("Tue, 05 Mar 2024 14:07:09 000123 Yes")
        );
        assert_eq!(
            format(v, "c", false).ok().as_deref(),
            Some("2024-03-05T14:07:09.000123")
        );
        let date = Temporal::Date(Date {
            year: 2024,
            month: 3,
            day: 5,
        });
        assert_eq!(format(date, "H", false), Err(FormatError::DateWithTime('H')));
        let noon = Temporal::Time(Time {
            hour: 12,
            minute: 0,
            second: 0,
            microsecond: 0,
        });
        assert_eq!(format(noon, "P", true).ok().as_deref(), Some("noon"));
        assert_eq!(format(noon, "Y", true), Err(FormatError::Attribute));
    }
}
