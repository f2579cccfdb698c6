//! Numbers as the page shows them: counts with thousands separators ("4,923,520").

/// `4923520` → `"4,923,520"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A non-negative rate rounded to a whole number, with separators (`3456.7` → `"3,457"`);
/// `"—"` when it is not a finite number.
pub fn thousands_f(x: f64) -> String {
    if x.is_finite() && x >= 0.0 && x < u64::MAX as f64 {
        thousands(x.round() as u64)
    } else {
        "—".to_string()
    }
}
