//! What the model can report: one catalogue of metrics (name, wording, unit,
//! histogram range, chart rules, stock or flow, level), read by the series
//! layout, the recording loop, the engine's bins, the charts, the tables and
//! compare. Adding a metric is one entry here plus the model code that
//! computes it (`World::record`).

use crate::scenario::ClassMetric;

macro_rules! metrics {
    ($( $variant:ident = $name:literal {
        title: $title:literal,
        chart_title: $chart_title:literal,
        short: $short:literal,
        y_desc: $y_desc:literal,
        unit: $unit:literal,
        amount: $amount:literal,
        binary: $binary:expr,
        range: $range:expr,
        percent: $percent:literal,
        y_range: $y_range:expr,
        kind: $kind:ident,
        level: $level:ident,
        fan: $fan:expr,
    } )*) => {
        /// A reported metric, in catalogue order (the order of the series).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric { $( $variant ),* }

        pub const METRICS: &[MetricSpec] = &[
            $( MetricSpec {
                metric: Metric::$variant,
                name: $name,
                title: $title,
                chart_title: $chart_title,
                short: $short,
                y_desc: $y_desc,
                unit: $unit,
                amount: $amount,
                binary: $binary,
                range: $range,
                percent: $percent,
                y_range: $y_range,
                kind: Kind::$kind,
                level: Level::$level,
                fan: $fan,
            } ),*
        ];
    };
}

pub struct MetricSpec {
    pub metric: Metric,
    /// The name in every output file (`summary.csv`, `differences.csv`, chart stems).
    pub name: &'static str,
    /// Human title with unit, for pages.
    pub title: &'static str,
    /// Title for a chart whose axis carries the unit.
    pub chart_title: &'static str,
    /// Two or three words, for a contents bar.
    pub short: &'static str,
    /// The y-axis wording of its charts.
    pub y_desc: &'static str,
    pub unit: &'static str,
    /// The word after a difference in tables ("+0.3 stages"); percent
    /// metrics say "pts" whatever this is.
    pub amount: &'static str,
    /// Some(wording of its chance) for a metric that is 0 or 1 in each
    /// polity (a law in force or not): its median and bands say nothing a
    /// reader can use, so charts draw its mean over runs, the chance, instead.
    pub binary: Option<&'static str>,
    /// Histogram range of its series (and, doubled, of paired differences).
    pub range: Range,
    /// Charts and tables show it as a percentage.
    pub percent: bool,
    pub y_range: YRange,
    pub kind: Kind,
    /// The finest level it is computed at; see [`Level`].
    pub level: Level,
    /// Where its fan chart comes among the fan charts (the order a reader
    /// meets them); None: no fan chart.
    pub fan: Option<u8>,
}

/// Histogram bins of a series: `count` bins over [lo, hi]; values outside
/// fall in the edge bins (the exact min and max are kept). Discrete metrics
/// take integer values, one bin centred on each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub lo: f64,
    pub hi: f64,
    pub count: usize,
    pub discrete: bool,
}

const SHARE: Range = Range {
    lo: 0.0,
    hi: 1.0,
    count: 200,
    discrete: false,
};

/// The y range of a metric's charts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YRange {
    Fixed(f64, f64),
    /// Open-ended: from 0 to the bands' 5th and 95th percentiles, with a margin.
    FromBands,
}

/// A stock is a level carried from point to point (a share of the installed
/// network, a cumulative cost, a stage); a flow says what happens at the
/// point itself (what a purchase made now goes to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stock,
    Flow,
}

/// Where a series sits. In the catalogue, the level a metric is computed at:
/// `Operator` metrics are computed per operator and reported per operator
/// and as market-share-weighted means over each polity and country that has
/// operators; `Polity` metrics per polity, reported for each country and
/// sub-polity; `Country` metrics for each country only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Country,
    Polity,
    Operator,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Polity => "polity",
            Level::Operator => "operator",
        }
    }
}

metrics! {
    TrustedShare = "trusted_share" {
        title: "Trusted-vendor share of the installed RAN (0-1)",
        chart_title: "Trusted-vendor share of the installed radio network",
        short: "Trusted share",
        y_desc: "trusted share of RAN",
        unit: "share of the installed RAN",
        amount: "pts",
        binary: None,
        range: SHARE,
        percent: true,
        y_range: YRange::Fixed(0.0, 1.0),
        kind: Stock,
        level: Operator,
        fan: Some(1),
    }
    TrustedProcurement = "trusted_procurement" {
        title: "Probability a new purchase goes to a trusted vendor (0-1)",
        chart_title: "Chance that a purchase made now goes to a trusted vendor",
        short: "Trusted purchases",
        y_desc: "P(purchase is trusted)",
        unit: "probability",
        amount: "pts",
        binary: None,
        range: SHARE,
        percent: true,
        y_range: YRange::Fixed(0.0, 1.0),
        kind: Flow,
        level: Operator,
        fan: Some(2),
    }
    Hr5g = "hr_5g" {
        title: "High-risk share of the 5G RAN (0-1)",
        chart_title: "High-risk share of the 5G radio network",
        short: "High-risk 5G",
        y_desc: "high-risk share of 5G",
        unit: "share of the 5G RAN",
        amount: "pts",
        binary: None,
        range: SHARE,
        percent: true,
        y_range: YRange::Fixed(0.0, 1.0),
        kind: Stock,
        level: Operator,
        fan: Some(3),
    }
    CostPremium = "cost_premium" {
        title: "Cumulative extra capex (networks at high-risk prices)",
        chart_title: "Extra capex paid for trusted vendors (cumulative)",
        short: "Extra cost",
        y_desc: "networks' worth of capex",
        unit: "networks at high-risk prices",
        amount: "networks",
        binary: None,
        range: Range { lo: -1.0, hi: 3.0, count: 400, discrete: false },
        percent: false,
        y_range: YRange::FromBands,
        kind: Stock,
        level: Operator,
        fan: Some(7),
    }
    Orientation = "orientation" {
        title: "Government orientation (0 Beijing - 1 EU/US)",
        chart_title: "Government orientation, from Beijing (0) to the EU/US (1)",
        short: "Orientation",
        y_desc: "0 Beijing … 1 EU/US",
        unit: "0 Beijing - 1 EU/US",
        amount: "",
        binary: None,
        range: SHARE,
        percent: false,
        y_range: YRange::Fixed(0.0, 1.0),
        kind: Stock,
        level: Polity,
        fan: Some(5),
    }
    EuStage = "eu_stage" {
        title: "EU accession stage (0-5)",
        chart_title: "EU accession stage",
        short: "EU stage",
        y_desc: "EU stage",
        unit: "stage (0-5)",
        amount: "stages",
        binary: None,
        range: Range { lo: -0.5, hi: 5.5, count: 6, discrete: true },
        percent: false,
        y_range: YRange::Fixed(0.0, 5.0),
        kind: Stock,
        level: Polity,
        fan: Some(6),
    }
    Restriction = "restriction" {
        title: "High-risk-vendor restriction in force (share of market)",
        chart_title: "Market share bound by a high-risk-vendor law",
        short: "Law",
        y_desc: "share of market bound",
        unit: "share of the market (a polity: 0 or 1)",
        amount: "pts",
        binary: Some("chance a law is in force"),
        range: SHARE,
        percent: true,
        y_range: YRange::Fixed(0.0, 1.0),
        kind: Stock,
        level: Polity,
        fan: Some(4),
    }
    // Last in the catalogue, so that its rows follow every other series'
    // in summary.csv rather than move them.
    Launched5g = "launched_5g" {
        title: "Share of the market with 5G launched (0-1)",
        chart_title: "Share of the market with 5G launched",
        short: "5G launched",
        y_desc: "market with 5G",
        unit: "share of the market (an operator: 0 or 1)",
        amount: "pts",
        binary: Some("share of runs with 5G launched"),
        range: SHARE,
        percent: true,
        y_range: YRange::Fixed(0.0, 1.0),
        kind: Stock,
        level: Operator,
        fan: None,
    }
    // The quantity the report's groups are read from (docs/MODEL.md,
    // "Alignment"): what the government does, weighted two to one over
    // what its operators buy. After launched_5g so that the older series
    // keep their rows in summary.csv.
    Alignment = "alignment" {
        title: "Alignment with trusted vendors: government and purchases (0 keen on Huawei - 1 cautious)",
        chart_title: "Alignment: government stance and operators' purchases (0 keen - 1 cautious)",
        short: "Alignment",
        y_desc: "0 keen … 1 cautious",
        unit: "0 keen - 1 cautious",
        amount: "",
        binary: None,
        range: SHARE,
        percent: false,
        y_range: YRange::Fixed(0.0, 1.0),
        kind: Stock,
        level: Polity,
        fan: Some(0),
    }
}

/// How many metrics are computed per operator: the rows of the model's
/// per-operator table.
pub const NETWORK_METRICS: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < METRICS.len() {
        if matches!(METRICS[i].level, Level::Operator) {
            n += 1;
        }
        i += 1;
    }
    n
};

impl Metric {
    pub fn spec(self) -> &'static MetricSpec {
        &METRICS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn title(self) -> &'static str {
        self.spec().title
    }

    pub fn chart_title(self) -> &'static str {
        self.spec().chart_title
    }

    pub fn by_name(name: &str) -> Option<Metric> {
        METRICS.iter().find(|m| m.name == name).map(|m| m.metric)
    }

    /// Every metric, in catalogue order.
    pub fn all() -> impl Iterator<Item = Metric> {
        METRICS.iter().map(|m| m.metric)
    }

    /// The metrics drawn as fan charts, in the order a reader meets them.
    /// Whether comparisons report its change. The 5G launch share is the
    /// context of `hr_5g` (a 0 there is "no 5G yet", not "Huawei-free
    /// 5G"), drawn and tabled beside it; differences.csv and "What
    /// changes" list outcomes.
    pub fn is_outcome(self) -> bool {
        self != Metric::Launched5g
    }

    pub fn fans() -> Vec<Metric> {
        let mut fans: Vec<&MetricSpec> = METRICS.iter().filter(|m| m.fan.is_some()).collect();
        fans.sort_by_key(|m| m.fan);
        fans.into_iter().map(|m| m.metric).collect()
    }

    /// The row of an operator-level metric in the model's per-operator
    /// table. Evaluated in a const, a metric of another level fails the build.
    pub const fn network_row(self) -> usize {
        let mut row = 0;
        let mut i = 0;
        while i < METRICS.len() {
            if METRICS[i].metric as usize == self as usize {
                assert!(
                    matches!(METRICS[i].level, Level::Operator),
                    "not an operator-level metric"
                );
                return row;
            }
            if matches!(METRICS[i].level, Level::Operator) {
                row += 1;
            }
            i += 1;
        }
        panic!("not in the catalogue")
    }
}

/// The metrics a scenario may sort countries into classes by (the scenario
/// names them; the model owns what they are).
impl From<ClassMetric> for Metric {
    fn from(m: ClassMetric) -> Self {
        match m {
            ClassMetric::TrustedProcurement => Metric::TrustedProcurement,
            ClassMetric::TrustedShare => Metric::TrustedShare,
            ClassMetric::Alignment => Metric::Alignment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_indexed_by_metric_with_unique_names_and_fan_places() {
        for (i, m) in METRICS.iter().enumerate() {
            assert_eq!(m.metric as usize, i);
            assert_eq!(Metric::by_name(m.name), Some(m.metric));
            assert!(m.range.lo < m.range.hi && m.range.count > 0, "{}", m.name);
            if let YRange::Fixed(lo, hi) = m.y_range {
                assert!(lo < hi, "{}", m.name);
            }
        }
        let mut fans: Vec<u8> = METRICS.iter().filter_map(|m| m.fan).collect();
        fans.sort_unstable();
        fans.dedup();
        assert_eq!(
            fans.len(),
            Metric::fans().len(),
            "two metrics share a fan place"
        );
    }

    #[test]
    fn class_metrics_are_catalogue_metrics_of_the_same_name() {
        for c in [
            ClassMetric::TrustedProcurement,
            ClassMetric::TrustedShare,
            ClassMetric::Alignment,
        ] {
            assert_eq!(Metric::from(c).name(), c.name());
        }
    }

    #[test]
    fn network_rows_number_the_operator_metrics_in_catalogue_order() {
        let rows: Vec<usize> = Metric::all()
            .filter(|m| m.spec().level == Level::Operator)
            .map(Metric::network_row)
            .collect();
        assert_eq!(rows, (0..NETWORK_METRICS).collect::<Vec<_>>());
    }
}
