//! The 28×28 image the network actually sees, scaled up with hard pixel edges.

use std::rc::Rc;

use yew::prelude::*;

use super::colour::ColourScale;
use super::heat_canvas::HeatCanvas;

#[derive(Properties, PartialEq)]
pub struct PreviewProps {
    pub image: Option<Rc<Vec<f32>>>,
}

#[function_component]
pub fn Preview(props: &PreviewProps) -> Html {
    let image = props
        .image
        .clone()
        .unwrap_or_else(|| Rc::new(vec![0.0; 784]));
    html! {
        <figure class="preview">
            <HeatCanvas values={image} width={28} height={28} scale={ColourScale::Ink} zoom={4}
                testid="preview" title="The 28×28 input the network sees" />
            <figcaption>{ "What the network sees (28×28)" }</figcaption>
        </figure>
    }
}
