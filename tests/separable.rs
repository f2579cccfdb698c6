// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! The depthwise-separable saving the page shows for the MobileNet-like preset.

use convscope::nn::spec::ModelSpec;

#[test]
fn mobilenet_like_blocks_by_hand() {
    let spec = ModelSpec::mobilenet_like();
    let infos = spec.analyze().unwrap();
    let s = spec.separable_savings(&infos);
    assert_eq!(s.len(), 2, "{s:?}");
    // conv8k3s2p1 → dwconv3 (8 filters of 3×3 + 8 biases = 80) → conv16k1 (16·8 + 16 = 144);
    // one standard 3×3 conv from 8 to 16 channels: 16·8·9 + 16 = 1,168.
    assert_eq!(s[0].names, ("dwconv1".to_string(), "conv2".to_string()));
    assert_eq!(
        (s[0].kernel, s[0].in_channels, s[0].out_channels),
        (3, 8, 16)
    );
    assert_eq!(s[0].params, 80 + 144);
    assert_eq!(s[0].standard, 1168);
    // dwconv3s2 on 16 channels (16·9 + 16 = 160) → conv32k1 (32·16 + 32 = 544); standard:
    // 32·16·9 + 32 = 4,640.
    assert_eq!(s[1].params, 160 + 544);
    assert_eq!(s[1].standard, 4640);
    // The pair's count is what the engine allocates for those layers.
    let model = convscope::nn::model::Model::new(&spec, 1).unwrap();
    let v = model.param_vectors();
    assert_eq!(
        v[s[0].depthwise].len() + v[s[0].pointwise].len(),
        s[0].params
    );
}

#[test]
fn only_a_depthwise_then_pointwise_pair_counts() {
    for arch in [
        "conv8k3s1p1,relu,max2s2,dense10",
        "conv8k3s1p1,dwconv3s1p1,conv8k3s1p1,dense10",
        "conv8k3s1p1,dwconv3s1p1,max2s2,conv8k1s1p0,dense10",
    ] {
        let spec = ModelSpec::parse(arch).unwrap();
        let infos = spec.analyze().unwrap();
        assert!(spec.separable_savings(&infos).is_empty(), "{arch}");
    }
    let spec = ModelSpec::parse("conv4k3s1p1,dwconv5s1p2,relu,relu,conv6k1s1p0,dense10").unwrap();
    let infos = spec.analyze().unwrap();
    let s = spec.separable_savings(&infos);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].standard, 6 * 4 * 25 + 6);
    assert_eq!(s[0].params, (4 * 25 + 4) + (6 * 4 + 6));
}
