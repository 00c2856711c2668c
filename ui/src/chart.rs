//! The Reports page's chart: events per period stacked by type, drawn by plotters' SVG
//! backend into a string the page places as it is.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// One bar of the chart: a period's label and its counts by type.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The period, as the axis shows it (`12-01 14h`, `2026-12-01`, …).
    pub label: String,
    /// Counts by type, in the order of the chart's types.
    pub counts: Vec<u64>,
}

/// The chart's size in pixels.
const SIZE: (u32, u32) = (820, 320);

/// The colour of the `index`-th type.
fn colour(index: usize) -> RGBColor {
    const COLOURS: [RGBColor; 8] = [
        RGBColor(37, 99, 235),
        RGBColor(22, 163, 74),
        RGBColor(234, 88, 12),
        RGBColor(147, 51, 234),
        RGBColor(219, 39, 119),
        RGBColor(13, 148, 136),
        RGBColor(202, 138, 4),
        RGBColor(100, 116, 139),
    ];
    COLOURS[index % COLOURS.len()]
}

/// The SVG of `bars` stacked by `types` (one series per type, with a legend), or why it
/// could not be drawn.
pub fn stacked_bars(types: &[String], bars: &[Bar]) -> Result<String, String> {
    let mut svg = String::new();
    draw(&mut svg, types, bars).map_err(|e| e.to_string())?;
    Ok(svg)
}

fn draw(
    svg: &mut String,
    types: &[String],
    bars: &[Bar],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let highest = bars
        .iter()
        .map(|b| b.counts.iter().sum::<u64>())
        .max()
        .unwrap_or(0);
    // Headroom above the highest bar for the legend.
    let top = (highest + highest / 4).max(highest + 1);
    let columns = bars.len().max(1) as u32;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d((0u32..columns).into_segmented(), 0u64..top)?;
    let every = (bars.len() / 8).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_desc("events")
        .label_style(("sans-serif", 13))
        .x_labels(bars.len().min(24))
        .x_label_formatter(&|value| match value {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i)
                if (*i as usize).is_multiple_of(every) =>
            {
                bars.get(*i as usize)
                    .map(|b| b.label.clone())
                    .unwrap_or_default()
            }
            _ => String::new(),
        })
        .draw()?;
    for (k, name) in types.iter().enumerate() {
        let fill = colour(k).filled();
        let series = bars.iter().enumerate().filter_map(move |(i, bar)| {
            let below: u64 = bar.counts.iter().take(k).sum();
            let count = bar.counts.get(k).copied().unwrap_or(0);
            (count > 0).then(|| {
                let mut rect = Rectangle::new(
                    [
                        (SegmentValue::Exact(i as u32), below),
                        (SegmentValue::Exact(i as u32 + 1), below + count),
                    ],
                    fill,
                );
                rect.set_margin(0, 0, 3, 3);
                rect
            })
        });
        chart
            .draw_series(series)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], fill));
    }
    chart
        .configure_series_labels()
        // Upper left: the axis runs to now, so the newest (rightmost) bars hold the events.
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_count_is_a_rectangle_stacked_on_the_types_before_it() {
        let types = vec!["track".to_owned(), "page".to_owned()];
        let bars = vec![
            Bar {
                label: "12-01".into(),
                counts: vec![3, 1],
            },
            Bar {
                label: "12-02".into(),
                counts: vec![0, 2],
            },
        ];
        let svg = stacked_bars(&types, &bars).expect("draws");
        assert!(svg.starts_with("<svg"), "{svg}");
        // Three bars' segments (a zero count draws nothing) plus two legend swatches,
        // each in its type's colour.
        assert_eq!(svg.matches("fill=\"#2563EB\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("fill=\"#16A34A\"").count(), 3, "{svg}");
        // plotters writes each text on its own line.
        assert!(
            svg.contains(">\ntrack\n<") && svg.contains(">\npage\n<"),
            "{svg}"
        );
        assert!(svg.contains(">\n12-01\n<"));
    }
}
