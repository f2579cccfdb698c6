//! Softmax cross-entropy, the training loss.

/// Softmax of one row of logits, computed stably (the maximum is subtracted first).
pub fn softmax(logits: &[f32], out: &mut [f32]) {
    let m = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for (o, z) in out.iter_mut().zip(logits) {
        *o = (*z - m).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

/// Index of the largest value (the first one on ties).
pub fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = i;
        }
    }
    best
}

/// Mean cross-entropy of `logits: [n, classes]` against `labels: [n]`, and the number of rows
/// whose arg-max is the label. Writes `grad: [n, classes]`, the gradient of the *mean* loss
/// w.r.t. the logits, `(softmax − onehot) / n`. Uses log-sum-exp so large logits cannot
/// overflow.
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    grad: &mut [f32],
) -> (f32, usize) {
    let n = labels.len();
    if n == 0 {
        return (0.0, 0);
    }
    let inv_n = 1.0 / n as f32;
    let mut loss = 0.0f64;
    let mut correct = 0;
    for ((z, g), &label) in logits
        .chunks_exact(classes)
        .zip(grad.chunks_exact_mut(classes))
        .zip(labels)
    {
        let label = label as usize;
        let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|v| (v - m).exp()).sum();
        let log_sum = sum.ln();
        // −log softmax[label] = log Σ exp(z − m) − (z[label] − m)
        loss += (log_sum - (z[label] - m)) as f64;
        for (j, (gj, zj)) in g.iter_mut().zip(z).enumerate() {
            let p = (zj - m - log_sum).exp();
            *gj = (p - if j == label { 1.0 } else { 0.0 }) * inv_n;
        }
        if argmax(z) == label {
            correct += 1;
        }
    }
    ((loss / n as f64) as f32, correct)
}
