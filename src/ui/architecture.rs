//! The layer table: names, shapes and parameter counts, all from `LayerInfo`.

use std::rc::Rc;

use yew::prelude::*;

use super::format::thousands;
use super::views::shape_label;
use crate::nn::spec::LayerInfo;

#[derive(Properties, PartialEq)]
pub struct ArchitectureProps {
    pub infos: Rc<Vec<LayerInfo>>,
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
        </section>
    }
}
