//! The panels' groups come from the model: every conv and depthwise conv layer, inside
//! residual blocks too, gets its kernels and its feature maps, named and sized as the spec says.
#![cfg(target_arch = "wasm32")]

use convscope::nn::model::Model;
use convscope::nn::spec::{LayerInfo, LayerSpec, ModelSpec};
use convscope::ui::views::{feature_map_groups, kernel_groups};
use wasm_bindgen_test::*;

#[path = "common/dom.rs"]
mod dom;

wasm_bindgen_test_configure!(run_in_browser);

/// (name, info, kind) of every layer, blocks flattened, in order.
fn flat(spec: &[LayerSpec], infos: &[LayerInfo], out: &mut Vec<(LayerSpec, LayerInfo)>) {
    for (l, i) in spec.iter().zip(infos) {
        if let LayerSpec::Residual { layers } = l {
            flat(layers, &i.inner, out);
        } else {
            out.push((l.clone(), i.clone()));
        }
    }
}

#[wasm_bindgen_test]
fn every_convolution_has_kernels_and_maps_in_blocks_too() {
    for spec in [
        ModelSpec::tiny_resnet(),
        ModelSpec::mobilenet_like(),
        ModelSpec::ref_a(),
    ] {
        let model = Model::new(&spec, 3).unwrap();
        let mut layers = Vec::new();
        flat(&spec.layers, model.infos(), &mut layers);
        let convs: Vec<&(LayerSpec, LayerInfo)> = layers
            .iter()
            .filter(|(l, _)| matches!(l, LayerSpec::Conv { .. } | LayerSpec::DwConv { .. }))
            .collect();
        assert!(!convs.is_empty());

        let kernels = kernel_groups(&model);
        let names: Vec<&str> = kernels.iter().map(|g| g.layer.as_str()).collect();
        let want: Vec<&str> = convs.iter().map(|(_, i)| i.name.as_str()).collect();
        assert_eq!(names, want, "{spec}: kernel groups");
        for (g, (l, info)) in kernels.iter().zip(&convs) {
            let inputs = match l {
                LayerSpec::DwConv { .. } => 1,
                _ => info.input.c,
            };
            assert_eq!(
                (g.filters, g.inputs),
                (info.output.c, inputs),
                "{spec} {}",
                info.name
            );
            assert_eq!(g.planes.len(), g.filters * g.inputs);
        }

        let image: Vec<f32> = (0..784).map(|i| ((i * 37) % 11) as f32 / 10.0).collect();
        let taps = model.forward_taps_nested(&image);
        let maps = feature_map_groups(&spec.layers, model.infos(), &taps);
        let names: Vec<&str> = maps.iter().map(|g| g.layer.as_str()).collect();
        assert_eq!(names, want, "{spec}: feature-map groups");
        for (g, (_, info)) in maps.iter().zip(&convs) {
            assert_eq!(g.planes.len(), info.output.c, "{spec} {}", info.name);
            assert_eq!(
                (g.h, g.w),
                (info.output.h, info.output.w),
                "{spec} {}",
                info.name
            );
        }
    }
}

#[wasm_bindgen_test]
async fn the_network_table_shows_the_depthwise_separable_saving() {
    use convscope::ui::architecture::{Architecture, ArchitectureProps};
    use std::rc::Rc;
    let spec = ModelSpec::mobilenet_like();
    let infos = spec.analyze().unwrap();
    let savings = spec.separable_savings(&infos);
    assert!(!savings.is_empty());
    let host = dom::host();
    let _app = yew::Renderer::<Architecture>::with_root_and_props(
        host.clone(),
        ArchitectureProps {
            infos: Rc::new(infos),
            savings: Rc::new(savings.clone()),
        },
    )
    .render();
    dom::settle().await;
    for (n, s) in savings.iter().enumerate() {
        let p = dom::find(&host, &format!("separable-saving-{n}"));
        assert_eq!(p.get_attribute("data-params"), Some(s.params.to_string()));
        assert_eq!(
            p.get_attribute("data-standard"),
            Some(s.standard.to_string())
        );
        let text = p.text_content().unwrap();
        assert!(
            text.contains(&s.names.0) && text.contains(&s.names.1),
            "{text}"
        );
        let standard = convscope::ui::format::thousands(s.standard as u64);
        assert!(text.contains(&standard), "{text} should name {standard}");
    }
}
