//! One layer's channels as a wrapping row of heat maps with a shared legend.

use yew::prelude::*;

use super::heat_canvas::HeatCanvas;
use super::legend::Legend;
use super::views::PlaneGroup;

#[derive(Properties, PartialEq)]
pub struct PlaneGroupViewProps {
    pub group: PlaneGroup,
    /// What the colours mean, for the legend.
    pub quantity: AttrValue,
}

#[function_component]
pub fn PlaneGroupView(props: &PlaneGroupViewProps) -> Html {
    let g = &props.group;
    html! {
        <figure class="layer-group" data-layer={g.layer.clone()}>
            <figcaption>
                <span class="layer-title">{ &g.title }</span>
                <span class="layer-detail">{ &g.detail }</span>
            </figcaption>
            <Legend scale={g.scale} label={props.quantity.clone()} />
            <div class="plane-grid">
                { for g.planes.iter().enumerate().map(|(c, plane)| html! {
                    <div class="plane">
                        <HeatCanvas values={plane.clone()} width={g.w} height={g.h} scale={g.scale}
                            zoom={g.zoom} layer={AttrValue::from(g.layer.clone())} channel={c}
                            title={AttrValue::from(format!("{} channel {c}", g.layer))} />
                        <span class="plane-label">{ c }</span>
                    </div>
                }) }
            </div>
        </figure>
    }
}
