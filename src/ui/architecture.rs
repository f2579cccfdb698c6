//! The layer table: names, shapes and parameter counts, all from `LayerInfo`.

use std::rc::Rc;

use yew::prelude::*;

use super::format::thousands;
use super::views::shape_label;
use crate::nn::separable::SeparableSaving;
use crate::nn::spec::LayerInfo;

#[derive(Properties, PartialEq)]
pub struct ArchitectureProps {
    pub infos: Rc<Vec<LayerInfo>>,
    /// Depthwise-separable pairs and the standard convolution each replaces.
    #[prop_or_default]
    pub savings: Rc<Vec<SeparableSaving>>,
}

#[function_component]
pub fn Architecture(props: &ArchitectureProps) -> Html {
    let total: u64 = props.infos.iter().map(|i| i.params as u64).sum();
    let input = props
        .infos
        .first()
        .map(|i| shape_label(&i.input))
        .unwrap_or_default();
    html! {
        <section class="card panel" data-testid="architecture" aria-labelledby="arch-heading">
            <h2 id="arch-heading">{ "The network" }</h2>
            <table class="arch">
                <thead><tr><th>{ "layer" }</th><th>{ "what it does" }</th><th>{ "output" }</th><th class="num">{ "parameters" }</th></tr></thead>
                <tbody>
                    <tr><td>{ "input" }</td><td>{ "grey image" }</td><td>{ input }</td><td class="num">{ "0" }</td></tr>
                    { for props.infos.iter().map(|i| html! {
                        <tr data-layer={i.name.clone()}>
                            <td>{ &i.name }</td><td>{ &i.detail }</td><td>{ shape_label(&i.output) }</td>
                            <td class="num">{ thousands(i.params as u64) }</td>
                        </tr>
                    }) }
                </tbody>
                <tfoot><tr><td colspan="3">{ "total" }</td><td class="num" data-testid="param-count" data-value={total.to_string()}>{ thousands(total) }</td></tr></tfoot>
            </table>
            { for props.savings.iter().enumerate().map(|(n, s)| html! {
                <p class="note separable" data-testid={format!("separable-saving-{n}")}
                    data-params={s.params.to_string()} data-standard={s.standard.to_string()}>
                    { format!(
                        "Depthwise-separable: {} ({k}×{k}, one filter per channel) + {} (1×1, mixing \
                         {} channels into {}) = {} parameters. One standard {k}×{k} convolution from {} to \
                         {} channels would need {}: {:.1}× as many.",
                        s.names.0, s.names.1, s.in_channels, s.out_channels, thousands(s.params as u64),
                        s.in_channels, s.out_channels, thousands(s.standard as u64),
                        s.standard as f64 / s.params.max(1) as f64, k = s.kernel) }
                </p>
            }) }
        </section>
    }
}
