//! Pooling panel: every channel after each pooling layer.

use std::rc::Rc;

use yew::prelude::*;

use super::plane_group::PlaneGroupView;
use super::views::PlaneGroup;

#[derive(Properties, PartialEq)]
pub struct PoolingProps {
    pub groups: Rc<Vec<PlaneGroup>>,
}

#[function_component]
pub fn Pooling(props: &PoolingProps) -> Html {
    html! {
        <section class="card panel" data-testid="pooling" aria-labelledby="pooling-heading">
            <h2 id="pooling-heading">{ "Pooling" }</h2>
            <p class="hint">{ "Pooling shrinks each map by keeping the strongest (max) or mean (avg) \
                value of every window." }</p>
            if props.groups.is_empty() {
                <p class="hint" data-testid="pooling-none">{ "This network has no pooling layers." }</p>
            }
            { for props.groups.iter().map(|g| html! {
                <PlaneGroupView group={g.clone()} quantity="activation" />
            }) }
        </section>
    }
}
