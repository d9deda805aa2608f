//! Range bounds (4.2.5): start, end and step in the range's type, and the check of a value.

use super::datetime::DateTime;
use super::xsd_types::{FormType, parse_double, parse_integer};

/// A value on the range's axis.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum RangeValue {
    Integer(i128),
    Double(f64),
    DateTime(DateTime),
}

impl RangeValue {
    /// Reads `text` as a value of `form_type`; `None` when it is not one, or the type has no order.
    pub fn parse(form_type: FormType, text: &str) -> Option<RangeValue> {
        let text = text.trim();
        match form_type {
            FormType::Int | FormType::Long | FormType::Short if form_type.accepts(text) => {
                parse_integer(text).map(RangeValue::Integer)
            }
            FormType::Double => parse_double(text)
                .filter(|d| !d.is_nan())
                .map(RangeValue::Double),
            FormType::DateTime => DateTime::parse(text).map(RangeValue::DateTime),
            _ => None,
        }
    }
}

/// Why a value is outside its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeViolation {
    BelowStart,
    AboveEnd,
    OffStep,
}

/// The compiled bounds of a range control.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeBounds {
    pub start: Option<RangeValue>,
    pub end: Option<RangeValue>,
    /// The step in the type's unit; seconds for dateTime.
    pub step: Option<RangeValue>,
}

impl RangeBounds {
    /// Checks `value` against start, end and the step counted from start.
    pub fn check(&self, value: RangeValue) -> Result<(), RangeViolation> {
        if self.start.is_some_and(|start| value < start) {
            return Err(RangeViolation::BelowStart);
        }
        if self.end.is_some_and(|end| value > end) {
            return Err(RangeViolation::AboveEnd);
        }
        match (self.start, self.step) {
            (Some(start), Some(step)) if !on_step(start, step, value) => {
                Err(RangeViolation::OffStep)
            }
            _ => Ok(()),
        }
    }
}

fn on_step(start: RangeValue, step: RangeValue, value: RangeValue) -> bool {
    match (start, step, value) {
        (RangeValue::Integer(start), RangeValue::Integer(step), RangeValue::Integer(value)) => {
            step != 0 && (value - start) % step == 0
        }
        (RangeValue::Double(start), RangeValue::Double(step), RangeValue::Double(value)) => {
            let steps = (value - start) / step;
            step > 0.0 && (steps - steps.round()).abs() <= 1e-9 * steps.abs().max(1.0)
        }
        (
            RangeValue::DateTime(start),
            RangeValue::Integer(seconds),
            RangeValue::DateTime(value),
        ) => {
            seconds > 0
                && seconds
                    .checked_mul(1_000_000_000)
                    .is_some_and(|nanos| start.nanos_until(value) % nanos == 0)
        }
        _ => false,
    }
}

/// Reads a step: a positive value of the type, or for dateTime a positive integer of seconds.
pub fn parse_step(form_type: FormType, text: &str) -> Option<RangeValue> {
    let step = match form_type {
        FormType::DateTime => parse_integer(text.trim()).map(RangeValue::Integer),
        _ => RangeValue::parse(form_type, text),
    }?;
    let positive = match step {
        RangeValue::Integer(n) => n > 0,
        RangeValue::Double(d) => d > 0.0 && d.is_finite(),
        RangeValue::DateTime(_) => false,
    };
    positive.then_some(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(form_type: FormType, start: &str, end: &str, step: &str) -> RangeBounds {
        RangeBounds {
            start: RangeValue::parse(form_type, start),
            end: RangeValue::parse(form_type, end),
            step: parse_step(form_type, step),
        }
    }

    fn check(bounds: &RangeBounds, form_type: FormType, value: &str) -> Result<(), RangeViolation> {
        bounds.check(RangeValue::parse(form_type, value).expect("value of the type"))
    }

    #[test]
    fn integer_range_checks_bounds_and_step() {
        let range = bounds(FormType::Int, "0", "1000", "10");
        assert_eq!(check(&range, FormType::Int, "0"), Ok(()));
        assert_eq!(check(&range, FormType::Int, "1000"), Ok(()));
        assert_eq!(
            check(&range, FormType::Int, "-10"),
            Err(RangeViolation::BelowStart)
        );
        assert_eq!(
            check(&range, FormType::Int, "1010"),
            Err(RangeViolation::AboveEnd)
        );
        assert_eq!(
            check(&range, FormType::Int, "15"),
            Err(RangeViolation::OffStep)
        );
    }

    #[test]
    fn double_range_tolerates_binary_rounding_on_steps() {
        let range = bounds(FormType::Double, "1.0", "10.0", "0.1");
        assert_eq!(check(&range, FormType::Double, "5.0"), Ok(()));
        assert_eq!(check(&range, FormType::Double, "9.9"), Ok(()));
        assert_eq!(
            check(&range, FormType::Double, "5.05"),
            Err(RangeViolation::OffStep)
        );
        let odd = bounds(FormType::Double, "42", "110", "2.12344444");
        assert_eq!(check(&odd, FormType::Double, "44.12344444"), Ok(()));
    }

    #[test]
    fn date_time_range_steps_in_seconds() {
        let range = bounds(
            FormType::DateTime,
            "2000-06-15T01:15:23Z",
            "2010-06-15T01:15:23Z",
            "5",
        );
        assert_eq!(
            check(&range, FormType::DateTime, "2000-06-15T01:15:28Z"),
            Ok(())
        );
        assert_eq!(
            check(&range, FormType::DateTime, "2000-06-15T01:15:24Z"),
            Err(RangeViolation::OffStep)
        );
        assert_eq!(
            check(&range, FormType::DateTime, "2000-06-15T01:15:18Z"),
            Err(RangeViolation::BelowStart)
        );
        assert_eq!(
            check(&range, FormType::DateTime, "2010-06-15T01:15:28Z"),
            Err(RangeViolation::AboveEnd)
        );
    }

    #[test]
    fn steps_must_be_positive() {
        assert!(parse_step(FormType::Int, "0").is_none());
        assert!(parse_step(FormType::Double, "-1.5").is_none());
        assert!(parse_step(FormType::DateTime, "1.5").is_none());
        assert!(parse_step(FormType::String, "1").is_none());
    }
}
