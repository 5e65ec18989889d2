//! The charts of a sweep: an outcome against one varied value (a line with
//! bands), or against two (a heat map with the value written in each cell).

use super::{Draw, FONT, GRID, INK, LABEL_SIZE, SMALL_SIZE, colour, err, frame};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One point of a line: x, the mean and the bands around it.
#[derive(Debug, Clone, Copy)]
pub struct SweepPoint {
    pub x: f64,
    pub mean: f64,
    /// The wide band (p05–p95 of runs; for a chance, the 95% interval of the estimate).
    pub wide: (f64, f64),
    /// The narrow band (p25–p75), if the outcome has one.
    pub narrow: Option<(f64, f64)>,
}

pub struct SweepLine {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub x_desc: String,
    pub y_desc: String,
    pub percent: bool,
    /// Write x ticks as months (x is months since year 0) instead of numbers.
    pub x_months: bool,
    pub points: Vec<SweepPoint>,
    /// Legend words for the mean and the bands.
    pub legend: [String; 3],
}

fn x_text(x: f64, months: bool) -> String {
    if months {
        let m = x.round() as i64;
        format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
    } else if x == 0.0 {
        "0".into()
    } else if x.abs() >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn y_text(v: f64, percent: bool) -> String {
    if percent {
        format!("{:.0}%", v * 100.0)
    } else {
        let s = format!("{v:.2}");
        if s == "-0.00" { "0.00".into() } else { s }
    }
}

impl Draw for SweepLine {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let xs: Vec<f64> = self.points.iter().map(|p| p.x).collect();
        let (x0, x1) = (
            xs.iter().copied().fold(f64::INFINITY, f64::min),
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        let pad = if x1 > x0 { (x1 - x0) * 0.03 } else { 1.0 };
        let (y0, y1) = if self.percent {
            (0.0, 1.0)
        } else {
            let lo = self
                .points
                .iter()
                .map(|p| p.wide.0.min(p.mean))
                .fold(f64::INFINITY, f64::min);
            let hi = self
                .points
                .iter()
                .map(|p| p.wide.1.max(p.mean))
                .fold(f64::NEG_INFINITY, f64::max);
            let span = (hi - lo).max(1e-9);
            (lo - span * 0.08, hi + span * 0.08)
        };
        let items: Vec<(String, RGBColor)> = vec![
            (self.legend[0].clone(), colour(0)),
            // Darker than the bands' fills, so that the words stay readable.
            (self.legend[1].clone(), RGBColor(95, 150, 200)),
            (self.legend[2].clone(), RGBColor(45, 100, 160)),
        ]
        .into_iter()
        .filter(|(l, _)| !l.is_empty())
        .collect();
        let area = super::legend_strip(&area, &items, LABEL_SIZE)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(70)
            .y_label_area_size(100)
            .build_cartesian_2d(x0 - pad..x1 + pad, y0..y1)
            .map_err(err)?;
        let months = self.x_months;
        let percent = self.percent;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(8)
            .y_labels(6)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .x_label_formatter(&|x| x_text(*x, months))
            .y_label_formatter(&|v| y_text(*v, percent))
            .draw()
            .map_err(err)?;
        let band = |lo_hi: &dyn Fn(&SweepPoint) -> Option<(f64, f64)>| -> Vec<(f64, f64)> {
            let mut upper: Vec<(f64, f64)> = Vec::new();
            let mut lower: Vec<(f64, f64)> = Vec::new();
            for p in &self.points {
                if let Some((lo, hi)) = lo_hi(p) {
                    upper.push((p.x, hi));
                    lower.push((p.x, lo));
                }
            }
            lower.reverse();
            upper.extend(lower);
            upper
        };
        let wide = band(&|p| Some(p.wide));
        chart
            .draw_series(std::iter::once(Polygon::new(
                wide,
                RGBColor(170, 205, 230).mix(0.6).filled(),
            )))
            .map_err(err)?;
        if self.points.iter().any(|p| p.narrow.is_some()) {
            let narrow = band(&|p| p.narrow);
            chart
                .draw_series(std::iter::once(Polygon::new(
                    narrow,
                    RGBColor(110, 165, 210).mix(0.6).filled(),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                self.points.iter().map(|p| (p.x, p.mean)),
                colour(0).stroke_width(5),
            ))
            .map_err(err)?;
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|p| Circle::new((p.x, p.mean), 8, colour(0).filled())),
            )
            .map_err(err)?;
        Ok(())
    }
}

/// A heat map of an outcome's mean over two varied values.
pub struct SweepHeat {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub x_desc: String,
    pub y_desc: String,
    pub x_months: bool,
    pub y_months: bool,
    pub percent: bool,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// Means, row-major by y then x: `values[iy * xs.len() + ix]`.
    pub values: Vec<f64>,
}

/// White to deep blue, for a share between `lo` and `hi`.
fn shade(v: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(247, 8), mix(251, 69), mix(255, 148))
}

impl Draw for SweepHeat {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let (nx, ny) = (self.xs.len(), self.ys.len());
        let finite = self.values.iter().copied().filter(|v| v.is_finite());
        // The shades span the values seen, so that a 21%-37% map shows its
        // gradient; every cell's value is written on it.
        let (lo, hi) = (
            finite.clone().fold(f64::INFINITY, f64::min),
            finite.fold(f64::NEG_INFINITY, f64::max),
        );
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(70)
            .y_label_area_size(120)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
            .map_err(err)?;
        let (xs, ys, xm, ym) = (&self.xs, &self.ys, self.x_months, self.y_months);
        let tick = |v: &f64, values: &Vec<f64>, months: bool| -> String {
            let i = (v - 0.5).round();
            if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < values.len() {
                x_text(values[i as usize], months)
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx.min(10) * 2 + 1)
            .y_labels(ny.min(10) * 2 + 1)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .x_label_formatter(&|v| tick(v, xs, xm))
            .y_label_formatter(&|v| tick(v, ys, ym))
            .draw()
            .map_err(err)?;
        let text_size = if nx <= 8 && ny <= 8 {
            LABEL_SIZE
        } else {
            SMALL_SIZE
        };
        let write_values = nx <= 15 && ny <= 15;
        for iy in 0..ny {
            for ix in 0..nx {
                let v = self.values[iy * nx + ix];
                let fill = if v.is_finite() {
                    shade(v, lo, hi)
                } else {
                    WHITE
                };
                let (x, y) = (ix as f64, iy as f64);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x, y), (x + 1.0, y + 1.0)],
                        fill.filled(),
                    )))
                    .map_err(err)?;
                if write_values && v.is_finite() {
                    let t = if v.is_finite() && hi > lo {
                        (v - lo) / (hi - lo)
                    } else {
                        0.0
                    };
                    let ink = if t > 0.55 { WHITE } else { INK };
                    let style = (FONT, text_size).into_font().color(&ink).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Center,
                        ),
                    );
                    chart
                        .draw_series(std::iter::once(Text::new(
                            y_text(v, self.percent),
                            (x + 0.5, y + 0.5),
                            style,
                        )))
                        .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}
