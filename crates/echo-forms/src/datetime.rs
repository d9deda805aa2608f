//! The lexical form of `xs:dateTime` and its position on the time line.

/// A parsed `xs:dateTime`, normalized to UTC (a value without a time zone is read as UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i128,
    pub nanos: u32,
}

impl DateTime {
    /// Parses `[-]YYYY-MM-DDThh:mm:ss[.s+][Z|(+|-)hh:mm]` with exact field ranges.
    pub fn parse(text: &str) -> Option<DateTime> {
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (date, time) = text.split_once('T')?;
        let days = parse_date(date, negative)?;
        let (clock, offset_minutes) = split_zone(time)?;
        let (seconds_of_day, nanos) = parse_clock(clock)?;
        let seconds = days * 86_400 + seconds_of_day - i128::from(offset_minutes) * 60;
        Some(DateTime { seconds, nanos })
    }

    /// Nanoseconds from `self` to `later` (negative when `later` is earlier).
    pub fn nanos_until(self, later: DateTime) -> i128 {
        (later.seconds - self.seconds) * 1_000_000_000 + i128::from(later.nanos)
            - i128::from(self.nanos)
    }
}

fn parse_date(date: &str, negative: bool) -> Option<i128> {
    let mut parts = date.rsplitn(3, '-');
    let day = parts.next()?;
    let month = parts.next()?;
    let year = parts.next()?;
    let valid_year =
        year.len() >= 4 && year.len() <= 12 && !(year.len() > 4 && year.starts_with('0'));
    let year = if valid_year {
        digits(year)?
    } else {
        return None;
    };
    if year == 0 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let year = if negative { -year } else { year };
    let (month, day) = (digits(month)?, digits(day)?);
    let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    valid.then(|| days_from_civil(year, month, day))
}

fn split_zone(time: &str) -> Option<(&str, i32)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let split = time.len().checked_sub(6)?;
    let (clock, zone) = (time.get(..split)?, time.get(split..)?);
    let sign = match zone.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Some((time, 0)),
    };
    let (hours, minutes) = zone.get(1..)?.split_once(':')?;
    let (hours, minutes) = (two_digits(hours)?, two_digits(minutes)?);
    let valid = minutes <= 59 && (hours < 14 || (hours == 14 && minutes == 0));
    valid.then(|| (clock, sign * (hours * 60 + minutes) as i32))
}

fn parse_clock(clock: &str) -> Option<(i128, u32)> {
    let mut parts = clock.splitn(3, ':');
    let (hours, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    let (whole, fraction) = match seconds.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (seconds, None),
    };
    let (hours, minutes, whole) = (two_digits(hours)?, two_digits(minutes)?, two_digits(whole)?);
    if hours > 23 || minutes > 59 || whole > 59 {
        return None;
    }
    let nanos = match fraction {
        Some(f) => fraction_nanos(f)?,
        None => 0,
    };
    Some((hours * 3600 + minutes * 60 + whole, nanos))
}

fn fraction_nanos(fraction: &str) -> Option<u32> {
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(9)
        .collect();
    padded.parse().ok()
}

fn two_digits(text: &str) -> Option<i128> {
    if text.len() == 2 { digits(text) } else { None }
}

fn digits(text: &str) -> Option<i128> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i128, month: i128) -> i128 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap(year: i128) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_date_times() {
        for text in [
            "2020-01-01T00:00:00",
            "2000-06-15T01:15:23Z",
            "2000-02-29T23:59:59.999+14:00",
            "-0044-03-15T12:00:00-05:30",
            "12020-01-01T00:00:00",
        ] {
            assert!(DateTime::parse(text).is_some(), "{text}");
        }
    }

    #[test]
    fn refuses_out_of_range_fields() {
        for text in [
            "2020-13-01T00:00:00",
            "2020-00-01T00:00:00",
            "2020-01-32T00:00:00",
            "2019-02-29T00:00:00",
            "2020-04-31T00:00:00",
            "2020-01-01T24:00:00",
            "2020-01-01T23:60:00",
            "2020-01-01T23:59:60",
            "2020-01-01T00:00:00+14:01",
            "2020-01-01T00:00:00+15:00",
            "0000-01-01T00:00:00",
            "02020-01-01T00:00:00",
            "20-01-01T00:00:00",
            "2020-1-01T00:00:00",
            "2020-01-01",
            "2020-01-01T00:00:00.",
            "2020-01-01T00:00",
            "123456",
            "",
        ] {
            assert!(DateTime::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn orders_on_the_time_line_across_zones() {
        let utc = DateTime::parse("2000-01-01T12:00:00Z").expect("valid");
        let east = DateTime::parse("2000-01-01T13:00:00+01:00").expect("valid");
        assert_eq!(utc, east);
        let epoch = DateTime::parse("1970-01-01T00:00:00Z").expect("valid");
        assert_eq!(epoch.seconds, 0);
        let later = DateTime::parse("1970-01-01T00:00:01.5Z").expect("valid");
        assert_eq!(epoch.nanos_until(later), 1_500_000_000);
    }
}
