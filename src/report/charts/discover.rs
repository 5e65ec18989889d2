//! The trade-off of a discovery: each box PRIM met while peeling, as the
//! share of the runs where it happens that the box holds (coverage) against
//! how often it happens inside the box (density), with the box told marked.

use super::{
    CAPTION_SIZE, Draw, FONT, GRID, INK, LABEL_SIZE, SMALL_SIZE, colour, err, frame, legend_strip,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct DiscoverTradeOff {
    pub title: String,
    pub subtitle: String,
    pub stamp: String,
    /// (coverage, density) of each box, the full box first.
    pub trajectory: Vec<(f64, f64)>,
    /// The box the rule chose on the trajectory.
    pub chosen: usize,
    /// The box told (the chosen one, pasted and with needless limits lifted).
    pub told: (f64, f64),
    pub told_label: String,
    /// The share of all runs where it happens.
    pub base: f64,
}

impl Draw for DiscoverTradeOff {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame(root, &self.title, &self.subtitle, &self.stamp)?;
        let items = vec![
            (
                "boxes met while peeling (left: smaller boxes)".to_string(),
                colour(0),
            ),
            (self.told_label.clone(), colour(1)),
            (format!("all runs: {:.0}%", 100.0 * self.base), colour(6)),
        ];
        let area = legend_strip(&area, &items, LABEL_SIZE)?;
        let top = self
            .trajectory
            .iter()
            .map(|p| p.1)
            .chain([self.told.1])
            .fold(0.0f64, f64::max);
        let y_hi = (top + 0.08).min(1.0);
        let mut chart = ChartBuilder::on(&area)
            .margin(20)
            .x_label_area_size(70)
            .y_label_area_size(100)
            .build_cartesian_2d(0.0..1.02, 0.0..y_hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, CAPTION_SIZE).into_font().color(&INK))
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .x_desc("coverage: share of the runs where it happens that the box holds")
            .y_desc("density: how often it happens in the box")
            .draw()
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, self.base), (1.02, self.base)],
                10,
                6,
                colour(6).stroke_width(3),
            ))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                self.trajectory.iter().copied(),
                colour(0).stroke_width(3),
            ))
            .map_err(err)?;
        chart
            .draw_series(
                self.trajectory
                    .iter()
                    .map(|&p| Circle::new(p, 6, colour(0).filled())),
            )
            .map_err(err)?;
        if let Some(&p) = self.trajectory.get(self.chosen) {
            chart
                .draw_series([Circle::new(p, 14, colour(0).stroke_width(3))])
                .map_err(err)?;
            let style = (FONT, SMALL_SIZE)
                .into_font()
                .color(&INK)
                .pos(Pos::new(HPos::Right, VPos::Top));
            chart
                .draw_series([Text::new(
                    format!("chosen: box {} of the peel", self.chosen),
                    (p.0 - 0.012, p.1 - 0.012),
                    style,
                )])
                .map_err(err)?;
        }
        let (x, y) = self.told;
        chart
            .draw_series([Cross::new((x, y), 16, colour(1).stroke_width(5))])
            .map_err(err)?;
        let style = (FONT, LABEL_SIZE)
            .into_font()
            .style(FontStyle::Bold)
            .color(&colour(1));
        let pos = if x > 0.7 {
            (x - 0.3, y + 0.03)
        } else {
            (x + 0.02, y + 0.03)
        };
        chart
            .draw_series([Text::new("told", pos, style)])
            .map_err(err)?;
        Ok(())
    }
}
