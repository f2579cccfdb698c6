//! The pixel-shuffle experiment: one fixed permutation of the 784 pixel positions, applied to
//! every image (training, test and the student's drawing). A fully connected network does not
//! care where a pixel sits, so it learns shuffled digits as well as plain ones; a CNN's kernels
//! look at neighbouring pixels, and shuffling destroys neighbourhoods, so it loses its edge.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::mnist::PIXELS;

/// Seed of the one permutation everybody gets, so a shared link shows the same experiment.
const PERMUTATION_SEED: u64 = 20_261_204;

/// A permutation of the 784 pixel positions: output pixel `i` is input pixel `from[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PixelShuffle {
    from: Vec<u16>,
}

impl PixelShuffle {
    /// The fixed permutation of the experiment.
    pub fn fixed() -> Self {
        let mut from: Vec<u16> = (0..PIXELS as u16).collect();
        from.shuffle(&mut ChaCha8Rng::seed_from_u64(PERMUTATION_SEED));
        PixelShuffle { from }
    }

    /// Where output pixel `i` comes from.
    pub fn source(&self, i: usize) -> usize {
        self.from[i] as usize
    }

    /// Writes the shuffled `src` (784 values) into `dst` (784 values).
    pub fn apply(&self, src: &[f32], dst: &mut [f32]) {
        for (d, &f) in dst[..PIXELS].iter_mut().zip(&self.from) {
            *d = src.get(f as usize).copied().unwrap_or(0.0);
        }
    }

    /// Shuffles `image` in place, using `scratch` (784 values) as the copy.
    pub fn apply_in_place(&self, image: &mut [f32], scratch: &mut [f32]) {
        scratch[..PIXELS].copy_from_slice(&image[..PIXELS]);
        self.apply(scratch, image);
    }

    /// A shuffled copy of `src`.
    pub fn shuffled(&self, src: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; PIXELS];
        self.apply(src, &mut out);
        out
    }
}
