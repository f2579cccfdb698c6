//! Live training curves drawn with plotters on a canvas.

use std::rc::Rc;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::history::History;

const CSS_WIDTH: u32 = 460;
const CSS_HEIGHT: u32 = 220;

/// One line of a chart.
#[derive(Clone, PartialEq)]
pub struct Series {
    pub label: &'static str,
    pub colour: RGBColor,
    pub history: Rc<History>,
}

#[derive(Properties, PartialEq)]
pub struct LineChartProps {
    pub title: AttrValue,
    pub series: Vec<Series>,
    /// Fixed y range (e.g. 0..1 for accuracy); `None` fits the data.
    #[prop_or_default]
    pub y_range: Option<(f64, f64)>,
    pub testid: AttrValue,
}

#[function_component]
pub fn LineChart(props: &LineChartProps) -> Html {
    let canvas_ref = use_node_ref();
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with(
            (props.series.clone(), props.y_range, props.title.clone()),
            move |(series, y_range, title)| {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    // A drawing error leaves the previous frame; never worth a panic.
                    let _ = draw(&canvas, title, series, *y_range);
                }
            },
        );
    }
    let empty = props.series.iter().all(|s| s.history.is_empty());
    html! {
        <figure class="chart">
            <canvas ref={canvas_ref} data-testid={props.testid.clone()}
                style={format!("width: 100%; max-width: {CSS_WIDTH}px; aspect-ratio: {CSS_WIDTH} / {CSS_HEIGHT}")}
                role="img" aria-label={props.title.clone()} />
            if empty {
                <figcaption class="hint">{ "Press Train or Step to start the curve." }</figcaption>
            }
        </figure>
    }
}

fn draw(
    canvas: &HtmlCanvasElement,
    title: &str,
    series: &[Series],
    y_range: Option<(f64, f64)>,
) -> Result<(), Box<dyn std::error::Error>> {
    // Backing store at device resolution so lines and text stay sharp on HiDPI.
    let dpr = gloo::utils::window().device_pixel_ratio().clamp(1.0, 3.0);
    let (w, h) = (
        (CSS_WIDTH as f64 * dpr) as u32,
        (CSS_HEIGHT as f64 * dpr) as u32,
    );
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let px = |v: f64| (v * dpr).round() as i32;
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;

    let bounds = series
        .iter()
        .filter_map(|s| s.history.bounds())
        .reduce(|a, b| {
            (
                (a.0 .0.min(b.0 .0), a.0 .1.max(b.0 .1)),
                (a.1 .0.min(b.1 .0), a.1 .1.max(b.1 .1)),
            )
        });
    // Whole-example ticks even before (or right after) the first point.
    let ((x0, x1), (dy0, dy1)) = bounds.unwrap_or(((0.0, 1000.0), (0.0, 1.0)));
    let x1 = if x1 > x0 + 10.0 { x1 } else { x0 + 100.0 };
    let (y0, y1) = y_range.unwrap_or((dy0.min(0.0), if dy1 > 0.0 { dy1 * 1.05 } else { 1.0 }));

    let font = ("sans-serif", px(14.0)).into_font();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", px(16.0)).into_font())
        .margin(px(8.0))
        // The last x label is centred on the right edge: room for half of "100000".
        .margin_right(px(30.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(50.0))
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc("examples seen")
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|x| super::format::thousands_f(*x))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .draw()?;
    for s in series {
        let style = ShapeStyle::from(&s.colour).stroke_width(px(2.0).max(1) as u32);
        let colour = s.colour;
        let legend_w = px(16.0);
        chart
            .draw_series(LineSeries::new(s.history.points(), style))?
            .label(s.label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + legend_w, y)], colour.stroke_width(3))
            });
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .label_font(font)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::LowerRight)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
