//! Kernels panel: every conv layer's filters, one canvas per filter × input channel.

use std::rc::Rc;

use yew::prelude::*;

use super::heat_canvas::HeatCanvas;
use super::legend::Legend;
use super::views::KernelGroup;

#[derive(Properties, PartialEq)]
pub struct KernelsProps {
    pub groups: Rc<Vec<KernelGroup>>,
}

#[function_component]
pub fn Kernels(props: &KernelsProps) -> Html {
    html! {
        <section class="card panel" data-testid="kernels" aria-labelledby="kernels-heading">
            <h2 id="kernels-heading">{ "Kernels" }</h2>
            <p class="hint">{ "Each small square is one filter's weights for one input channel. \
                Blue is negative, red positive, white zero; rows are filters, columns input channels." }</p>
            if props.groups.is_empty() {
                <p class="hint" data-testid="kernels-none">{ "This network has no convolution layers, so there are no kernels to show." }</p>
            }
            { for props.groups.iter().map(kernel_group) }
        </section>
    }
}

fn kernel_group(g: &KernelGroup) -> Html {
    let columns = format!(
        "grid-template-columns: max-content repeat({}, max-content)",
        g.inputs
    );
    html! {
        <figure class="layer-group" data-layer={g.layer.clone()}>
            <figcaption>
                <span class="layer-title">{ &g.title }</span>
                <span class="layer-detail">{ &g.detail }</span>
            </figcaption>
            <Legend scale={g.scale} label="weight" />
            <div class="kernel-grid" style={columns}>
                { for (0..g.filters).map(|f| html! {
                    <>
                        <span class="plane-label">{ format!("f{f}") }</span>
                        { for (0..g.inputs).map(|c| {
                            let plane = g.planes[f * g.inputs + c].clone();
                            let input = Some(c);
                            html! {
                                <HeatCanvas values={plane} width={g.k} height={g.k} scale={g.scale}
                                    zoom={g.zoom} layer={AttrValue::from(g.layer.clone())} channel={f} {input}
                                    title={AttrValue::from(format!("{} filter {f}, input channel {c}", g.layer))} />
                            }
                        }) }
                    </>
                }) }
            </div>
        </figure>
    }
}
