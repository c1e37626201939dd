//! Numbers as Django writes them: Python's `Decimal` arithmetic on digit strings
//! (`Dec`, what `floatformat` rounds with), `numberformat.format` with the locale's
//! separators and grouping ([`group`]), and plain notation for decimals and floats
//! ([`number_plain`], [`decimal_plain`]).

use super::host::NumberFormat;

/// A decimal number as Python's `Decimal.as_tuple()` sees it.
#[derive(Debug, Clone)]
pub(crate) struct Dec {
    pub(crate) negative: bool,
    pub(crate) digits: Vec<u8>,
    pub(crate) exponent: i64,
}

/// Parse `Decimal(text)`'s finite values (`None` for anything else).
pub(crate) fn parse_decimal(text: &str) -> Option<Dec> {
    let t = text.trim();
    let (negative, rest) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mant, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = match mant.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mant, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.chars().all(|c| c.is_ascii_digit()) || !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b - b'0')
        .collect();
    let exponent = exp.checked_sub(i64::try_from(frac_part.len()).ok()?)?;
    // Leading zeros go in one drain (one at a time would be quadratic in their number).
    let zeros = digits
        .iter()
        .take_while(|d| **d == 0)
        .count()
        .min(digits.len().saturating_sub(1));
    digits.drain(..zeros);
    if digits.is_empty() {
        digits.push(0);
    }
    Some(Dec {
        negative,
        digits,
        exponent,
    })
}

impl Dec {
    pub(crate) fn is_integral(&self) -> bool {
        if self.exponent >= 0 {
            return true;
        }
        let frac = (-self.exponent) as usize;
        let n = self.digits.len();
        self.digits[n.saturating_sub(frac)..].iter().all(|d| *d == 0)
    }

    /// Integer part as a decimal digit string (truncated toward zero).
    pub(crate) fn int_string(&self) -> String {
        let mut s: String = if self.exponent >= 0 {
            let mut s: String = self.digits.iter().map(|d| (b'0' + d) as char).collect();
            s.push_str(&"0".repeat(self.exponent as usize));
            s
        } else {
            let frac = (-self.exponent) as usize;
            let n = self.digits.len();
            if frac >= n {
                "0".to_string()
            } else {
                self.digits[..n - frac]
                    .iter()
                    .map(|d| (b'0' + d) as char)
                    .collect()
            }
        };
        let trimmed = s.trim_start_matches('0');
        s = if trimmed.is_empty() {
            "0".to_string()
        } else {
            trimmed.to_string()
        };
        if self.negative && s != "0" {
            format!("-{s}")
        } else {
            s
        }
    }

    /// `quantize(Decimal(10) ** -places, ROUND_HALF_UP)` → (negative, digits, exponent).
    pub(crate) fn quantize(&self, places: i64) -> Dec {
        let target = -places;
        if self.exponent >= target {
            // Pad with zeros.
            let mut digits = self.digits.clone();
            digits.extend(std::iter::repeat_n(0, (self.exponent - target) as usize));
            return Dec {
                negative: self.negative,
                digits,
                exponent: target,
            };
        }
        let drop = (target - self.exponent) as usize;
        let n = self.digits.len();
        let (keep, dropped): (Vec<u8>, Vec<u8>) = if drop >= n {
            (Vec::new(), {
                let mut d = vec![0; drop - n];
                d.extend(&self.digits);
                d
            })
        } else {
            (self.digits[..n - drop].to_vec(), self.digits[n - drop..].to_vec())
        };
        let mut keep = if keep.is_empty() { vec![0] } else { keep };
        if dropped.first().is_some_and(|d| *d >= 5) {
            let mut i = keep.len();
            loop {
                if i == 0 {
                    keep.insert(0, 1);
                    break;
                }
                i -= 1;
                if keep[i] == 9 {
                    keep[i] = 0;
                } else {
                    keep[i] += 1;
                    break;
                }
            }
        }
        Dec {
            negative: self.negative,
            digits: keep,
            exponent: target,
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.digits.iter().all(|d| *d == 0)
    }
}

/// Django's `numberformat.format` of a number already written out (`int_part`, with
/// its sign, and the fractional digits): the locale's decimal separator, and its
/// thousand separator by its grouping when `USE_THOUSAND_SEPARATOR` or
/// `force_grouping` asks for it.
pub fn group(int_part: &str, frac: &str, force_grouping: bool, number: &NumberFormat) -> String {
    let (sign, digits) = match int_part.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int_part),
    };
    let use_grouping = (number.use_thousand_separator || force_grouping) && !number.grouping.is_empty();
    let grouped = if use_grouping {
        // Django walks the digits from the right, switching to the next interval after
        // each separator (a `0` keeps the current one).
        let mut intervals = number.grouping.iter().copied();
        let mut active = intervals.next().unwrap_or(0);
        let mut reversed: Vec<char> = Vec::with_capacity(digits.len() * 2);
        let separator: Vec<char> = number.thousand_separator.chars().rev().collect();
        let mut count = 0i64;
        for c in digits.chars().rev() {
            if count != 0 && count == active {
                if let Some(next) = intervals.next() {
                    if next != 0 {
                        active = next;
                    }
                }
                reversed.extend(separator.iter());
                count = 0;
            }
            reversed.push(c);
            count += 1;
        }
        reversed.into_iter().rev().collect()
    } else {
        digits.to_string()
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{}{frac}", number.decimal_separator)
    }
}

/// Django's `numberformat.format` for a Decimal (or a float whose `repr` has an
/// exponent) without grouping: plain notation ([`decimal_plain`]), except that a number
/// whose exponent and digit count add up to more than 200 is written in scientific
/// notation (`"{:e}".format(Decimal(text))`: `1.989e+244`), Django's guard against huge
/// strings. `None` for text that is not a finite decimal.
pub fn number_plain(text: &str) -> Option<String> {
    let d = parse_decimal(text)?;
    if d.exponent.unsigned_abs() as usize + d.digits.len() <= 200 {
        return decimal_plain(text);
    }
    let digits: String = d.digits.iter().map(|x| (b'0' + x) as char).collect();
    let (first, rest) = digits.split_at(1.min(digits.len()));
    let exponent = d.exponent + d.digits.len() as i64 - 1;
    Some(format!(
        "{}{first}{}{rest}e{}{}",
        if d.negative { "-" } else { "" },
        if rest.is_empty() { "" } else { "." },
        if exponent < 0 { '-' } else { '+' },
        exponent.unsigned_abs()
    ))
}

/// `"{:f}".format(Decimal(text))`: the number in plain notation (`"1E+2"` → `"100"`,
/// `"1.5E-5"` → `"0.000015"`), or `None` for text that is not a finite decimal.
pub fn decimal_plain(text: &str) -> Option<String> {
    let d = parse_decimal(text)?;
    let digits: String = d.digits.iter().map(|x| (b'0' + x) as char).collect();
    let sign = if d.negative { "-" } else { "" };
    Some(if d.exponent >= 0 {
        let body = format!("{digits}{}", "0".repeat(d.exponent as usize));
        format!("{sign}{body}")
    } else {
        let frac = (-d.exponent) as usize;
        let padded = if digits.len() <= frac {
            format!("{}{digits}", "0".repeat(frac + 1 - digits.len()))
        } else {
            digits
        };
        let (a, b) = padded.split_at(padded.len() - frac);
        format!("{sign}{a}.{b}")
    })
}
