// Native only: the wasm suite (`--target wasm32`) would compile this but not run it.
#![cfg(not(target_arch = "wasm32"))]
//! Optimizer update rules against values worked out by hand (and in f64 for Adam).

use convscope::nn::optim::{Hyper, Optimizer, OptimizerKind};

fn run(kind: OptimizerKind, lr: f32, grads: &[f32]) -> Vec<f32> {
    let mut opt = Optimizer::new(kind);
    let mut p = vec![1.0f32];
    let mut trace = Vec::new();
    for g in grads {
        let mut params = [p.as_mut_slice()];
        opt.step(lr, &mut params, &[vec![*g]]);
        trace.push(p[0]);
    }
    trace
}

#[test]
fn sgd_momentum_rule() {
    // v ← 0.9·v + g; p ← p − 0.1·v
    // step 1: v = 0.5, p = 1 − 0.05 = 0.95; step 2: v = 0.45 + 0.5 = 0.95, p = 0.95 − 0.095 = 0.855
    // step 3 (g = −1): v = 0.855 − 1 = −0.145, p = 0.855 + 0.0145 = 0.8695
    let t = run(OptimizerKind::Sgd { momentum: 0.9 }, 0.1, &[0.5, 0.5, -1.0]);
    for (got, want) in t.iter().zip([0.95, 0.855, 0.8695]) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    // Without momentum it is plain gradient descent.
    let t = run(OptimizerKind::Sgd { momentum: 0.0 }, 0.1, &[0.5, 0.5]);
    assert!((t[1] - 0.9).abs() < 1e-6);
}

#[test]
fn adam_rule() {
    // lr 0.1, β 0.9/0.999, ε 1e-8, gradients 0.5 then −0.2:
    // t=1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25 → p = 1 − 0.1·0.5/0.5 = 0.9
    // t=2: m = 0.025, v = 0.00028975, m̂ = 0.025/0.19, v̂ = 0.00028975/0.001999
    //      → p = 0.9 − 0.1·m̂/√v̂ = 0.865439418…
    let kind = OptimizerKind::Adam {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    };
    let t = run(kind, 0.1, &[0.5, -0.2]);
    assert!((t[0] - 0.9).abs() < 1e-6, "{}", t[0]);
    assert!((t[1] - 0.865_439_4).abs() < 1e-5, "{}", t[1]);
}

#[test]
fn switching_rule_resets_state_but_tweaks_keep_it() {
    let mut opt = Optimizer::new(OptimizerKind::Sgd { momentum: 0.9 });
    let mut p = vec![0.0f32];
    opt.step(1.0, &mut [p.as_mut_slice()], &[vec![1.0]]);
    // Same rule, new momentum: velocity 1 survives → v = 0.5·1 + 1 = 1.5.
    opt.set_kind(OptimizerKind::Sgd { momentum: 0.5 });
    opt.step(1.0, &mut [p.as_mut_slice()], &[vec![1.0]]);
    assert!((p[0] - (-1.0 - 1.5)).abs() < 1e-6, "{}", p[0]);
    // Switching to Adam starts fresh: the first Adam step moves by lr·sign(g).
    opt.set_kind(Hyper::default().optimizer);
    opt.step(0.01, &mut [p.as_mut_slice()], &[vec![3.0]]);
    assert!((p[0] - (-2.5 - 0.01)).abs() < 1e-6, "{}", p[0]);
}

#[test]
fn default_hyper_is_adam_1e3_batch_32() {
    let h = Hyper::default();
    assert_eq!(h.learning_rate, 0.001);
    assert_eq!(h.batch_size, 32);
    assert_eq!(
        h.optimizer,
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8
        }
    );
}
