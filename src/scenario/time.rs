//! Calendar months as plain integers, so that the time grid is exact.

use std::fmt;

/// A calendar month, counted as `year * 12 + (month - 1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(pub i32);

impl Month {
    /// Parse `"YYYY-MM"`; anything else is an error message for the user.
    pub fn parse(s: &str) -> Result<Month, String> {
        let bad = || format!("`{s}` is not a month: expected \"YYYY-MM\", e.g. \"2025-06\"");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: i32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(format!("`{s}`: month {month} is not between 01 and 12"));
        }
        Ok(Month(year * 12 + month - 1))
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    pub fn month(self) -> i32 {
        self.0.rem_euclid(12) + 1
    }

    pub fn plus(self, months: i32) -> Month {
        Month(self.0 + months)
    }

    /// Decimal year of the first day of the month, for chart axes.
    pub fn as_year_fraction(self) -> f64 {
        self.year() as f64 + (self.month() - 1) as f64 / 12.0
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// The simulation's time grid: K steps of `step_months` from `start`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeGrid {
    pub start: Month,
    pub end: Month,
    pub step_months: i32,
}

impl TimeGrid {
    /// K = ceil(months / Δ); the last step may run past `end`.
    pub fn steps(&self) -> usize {
        let months = self.end.0 - self.start.0 + 1;
        ((months + self.step_months - 1) / self.step_months) as usize
    }

    /// Reported points: the initial state plus the end of every step.
    pub fn points(&self) -> usize {
        self.steps() + 1
    }

    /// Δt in years.
    pub fn dt_years(&self) -> f64 {
        self.step_months as f64 / 12.0
    }

    /// The instant of point j (0..=K) as a month.
    pub fn point_date(&self, j: usize) -> Month {
        self.start.plus(j as i32 * self.step_months)
    }

    /// The step an event in `m` fires in, or None outside [start, end].
    pub fn step_of(&self, m: Month) -> Option<usize> {
        (m >= self.start && m <= self.end)
            .then(|| ((m.0 - self.start.0) / self.step_months) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_months() {
        let m = Month::parse("2025-06").unwrap();
        assert_eq!((m.year(), m.month()), (2025, 6));
        assert_eq!(m.to_string(), "2025-06");
        assert!(Month::parse("2025-13").is_err());
        assert!(Month::parse("2025-6").is_err());
        assert!(Month::parse("June").is_err());
    }

    #[test]
    fn grid_follows_the_design() {
        let g = TimeGrid {
            start: Month::parse("2025-01").unwrap(),
            end: Month::parse("2035-12").unwrap(),
            step_months: 3,
        };
        assert_eq!(g.steps(), 44);
        assert_eq!(g.point_date(44).to_string(), "2036-01");
        assert_eq!(g.step_of(Month::parse("2025-03").unwrap()), Some(0));
        assert_eq!(g.step_of(Month::parse("2025-04").unwrap()), Some(1));
        assert_eq!(g.step_of(Month::parse("2036-01").unwrap()), None);
        // 13 months in steps of 6: the last step runs past the end.
        let g = TimeGrid {
            step_months: 6,
            end: Month::parse("2026-01").unwrap(),
            ..g
        };
        assert_eq!(g.steps(), 3);
    }
}
