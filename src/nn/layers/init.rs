//! Seeded weight initialisation.

use rand::Rng;
use rand_distr::{Distribution, Normal};

/// He (Kaiming) normal initialisation: weights ~ N(0, 2/fan_in), which keeps the activation
/// variance roughly constant through ReLU layers. Deterministic for a given RNG state.
pub fn he_normal<R: Rng>(weights: &mut [f32], fan_in: usize, rng: &mut R) {
    let std = (2.0 / fan_in.max(1) as f32).sqrt();
    let normal = Normal::new(0.0f32, std).expect("std is finite and positive");
    for w in weights {
        *w = normal.sample(rng);
    }
}
