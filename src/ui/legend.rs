//! A colour-scale legend: a gradient bar with the range it covers.

use yew::prelude::*;

use super::colour::{fmt_value, ColourScale};

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    pub scale: ColourScale,
    /// What the colours mean, e.g. "weight" or "activation".
    pub label: AttrValue,
}

#[function_component]
pub fn Legend(props: &LegendProps) -> Html {
    let (lo, hi) = props.scale.range();
    let mid = match props.scale {
        ColourScale::Diverging { .. } => Some("0".to_string()),
        _ => None,
    };
    html! {
        <div class="legend" role="img"
             aria-label={format!("{} colour scale from {} to {}", props.label, fmt_value(lo), fmt_value(hi))}>
            <span class="legend-label">{ props.label.clone() }</span>
            <span class="legend-value">{ fmt_value(lo) }</span>
            <span class="legend-bar" style={format!("background: {}", props.scale.css_gradient())}>
                if let Some(mid) = mid { <span class="legend-mid">{ mid }</span> }
            </span>
            <span class="legend-value">{ fmt_value(hi) }</span>
        </div>
    }
}
