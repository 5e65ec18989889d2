//! The two horizon charts: class probabilities per country as stacked bars,
//! and the trade-off between trusted share and cost premium.

use super::{
    CAPTION_SIZE, Draw, FONT, GRID, INK, LABEL_SIZE, PALETTE, colour, err, frame, legend_strip,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Per country: P(keen), P(between), P(cautious) at the horizon.
pub struct ClassBars {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub rows: Vec<(String, [f64; 3])>,
}

const CLASS_NAMES: [&str; 3] = ["keen", "between", "cautious"];
/// The report's own words for its groups, whatever metric sorts them.
const CLASS_MEANING: [&str; 3] = [
    "{}: strategic cooperation with China",
    "{}",
    "{}: limited engagement",
];
/// keen = vermillion (towards Beijing), between = grey, cautious = blue.
/// The grey is dark enough (5.7:1 on white) to read as legend text.
fn class_colour(k: usize) -> RGBColor {
    [PALETTE[1], RGBColor(110, 110, 110), PALETTE[0]][k]
}

impl Draw for ClassBars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let items: Vec<(String, RGBColor)> = CLASS_NAMES
            .iter()
            .enumerate()
            .map(|(k, name)| (CLASS_MEANING[k].replace("{}", name), class_colour(k)))
            .collect();
        let area = legend_strip(&area, &items, LABEL_SIZE)?;
        let n = self.rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(300)
            .build_cartesian_2d(0.0..1.0, 0.0..n)
            .map_err(err)?;
        let names: Vec<String> = self.rows.iter().map(|(c, _)| c.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .x_labels(11)
            .y_labels(self.rows.len().max(1) * 2 + 1)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .y_label_formatter(&|y| {
                // Name each bar at its centre (k + 0.5), counted from the top.
                let k = y - y.floor();
                if (k - 0.5).abs() < 1e-6 {
                    let idx = names.len() as i64 - 1 - y.floor() as i64;
                    usize::try_from(idx)
                        .ok()
                        .and_then(|i| names.get(i))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("probability at the horizon")
            .draw()
            .map_err(err)?;
        for (row, (_, p)) in self.rows.iter().enumerate() {
            let y_top = n - row as f64 - 0.15;
            let y_bottom = n - row as f64 - 0.85;
            let mut start = 0.0;
            for (k, &share) in p.iter().enumerate() {
                let end = (start + share).min(1.0);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(start, y_bottom), (end, y_top)],
                        class_colour(k).filled(),
                    )))
                    .map_err(err)?;
                if share >= 0.06 {
                    let text_colour = if k == 1 { INK } else { WHITE };
                    let style = (FONT, LABEL_SIZE)
                        .into_font()
                        .style(FontStyle::Bold)
                        .color(&text_colour)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{:.0}%", share * 100.0),
                            ((start + end) / 2.0, (y_top + y_bottom) / 2.0),
                            style,
                        )))
                        .map_err(err)?;
                }
                start = end;
            }
        }
        Ok(())
    }
}

/// One country's horizon: trusted share and cost premium, median and 50% range.
pub struct TradeOffPoint {
    pub label: String,
    pub x: (f64, f64, f64),
    pub y: (f64, f64, f64),
}

pub struct TradeOff {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    pub x_desc: String,
    pub y_desc: String,
    pub points: Vec<TradeOffPoint>,
}

impl Draw for TradeOff {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let finite = |v: f64| v.is_finite();
        let ys: Vec<f64> = self
            .points
            .iter()
            .flat_map(|p| [p.y.0, p.y.2])
            .filter(|v| finite(*v))
            .collect();
        let y_lo = ys.iter().copied().fold(0.0f64, f64::min);
        let y_hi = ys.iter().copied().fold(0.0f64, f64::max);
        let pad = ((y_hi - y_lo) * 0.12).max(0.02);
        let y_lo = if y_lo < 0.0 { y_lo - pad } else { 0.0 };
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..1.0, y_lo..(y_hi + pad))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .y_label_formatter(&|y| format!("{y:.2}"))
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .draw()
            .map_err(err)?;
        for (i, p) in self.points.iter().enumerate() {
            if !(finite(p.x.1) && finite(p.y.1)) {
                continue;
            }
            let c = colour(i);
            chart
                .draw_series([
                    PathElement::new(vec![(p.x.0, p.y.1), (p.x.2, p.y.1)], c.stroke_width(4)),
                    PathElement::new(vec![(p.x.1, p.y.0), (p.x.1, p.y.2)], c.stroke_width(4)),
                ])
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Circle::new((p.x.1, p.y.1), 12, c.filled())))
                .map_err(err)?;
            // Labels go left of dots on the right half, so they stay on the page.
            let right_half = p.x.1 > 0.6;
            let style = (FONT, CAPTION_SIZE)
                .into_font()
                .style(FontStyle::Bold)
                .color(&c)
                .pos(Pos::new(
                    if right_half { HPos::Right } else { HPos::Left },
                    VPos::Bottom,
                ));
            let text = if right_half {
                format!("{}   ", p.label)
            } else {
                format!("   {}", p.label)
            };
            chart
                .draw_series(std::iter::once(Text::new(text, (p.x.1, p.y.1), style)))
                .map_err(err)?;
        }
        Ok(())
    }
}
