//! One 2-D plane of numbers drawn as coloured pixels (a kernel, a feature map, …).
//!
//! The canvas backing store is exactly one pixel per value; CSS scales it up with
//! `image-rendering: pixelated`, so it is crisp at any zoom and cheap to redraw.

use std::rc::Rc;

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use super::colour::ColourScale;

#[derive(Properties, PartialEq)]
pub struct HeatCanvasProps {
    /// Row-major values, `width × height` of them.
    pub values: Rc<Vec<f32>>,
    pub width: usize,
    pub height: usize,
    pub scale: ColourScale,
    /// Displayed size of one value, in CSS px.
    #[prop_or(4)]
    pub zoom: usize,
    #[prop_or_default]
    pub layer: Option<AttrValue>,
    #[prop_or_default]
    pub channel: Option<usize>,
    #[prop_or_default]
    pub input: Option<usize>,
    #[prop_or_default]
    pub title: Option<AttrValue>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[function_component]
pub fn HeatCanvas(props: &HeatCanvasProps) -> Html {
    let canvas_ref = use_node_ref();
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with(
            (props.values.clone(), props.width, props.height, props.scale),
            move |(values, w, h, scale)| {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    paint(&canvas, values, *w, *h, scale);
                }
            },
        );
    }
    let style = format!(
        "width: {}px; height: {}px",
        props.width * props.zoom,
        props.height * props.zoom
    );
    html! {
        <canvas ref={canvas_ref} class="heat" width={props.width.to_string()} height={props.height.to_string()}
            {style}
            data-layer={props.layer.clone()}
            data-channel={props.channel.map(|c| c.to_string())}
            data-input={props.input.map(|c| c.to_string())}
            data-testid={props.testid.clone()}
            title={props.title.clone()}
            role="img" aria-label={props.title.clone()} />
    }
}

fn paint(canvas: &HtmlCanvasElement, values: &[f32], w: usize, h: usize, scale: &ColourScale) {
    if w == 0 || h == 0 || values.len() < w * h {
        return;
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let rgba = scale.rgba(&values[..w * h]);
    if let Ok(image) =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w as u32, h as u32)
    {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}
