//! Rectified linear unit, elementwise.

/// `y = max(0, x)`, any shape.
pub fn forward(x: &[f32], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y = x.max(0.0);
    }
}

/// `dx = dy · [y > 0]`, using the forward output `y` (same shape as `dy`, `dx`).
pub fn backward(y: &[f32], dy: &[f32], dx: &mut [f32]) {
    for ((dx, dy), y) in dx.iter_mut().zip(dy).zip(y) {
        *dx = if *y > 0.0 { *dy } else { 0.0 };
    }
}
