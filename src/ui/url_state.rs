//! The page's state in its address, so a teacher can share a link: hyper-parameters (`lr=`,
//! `batch=`, `opt=`), `seed=`, the training recipe (`augment=`, `decay=`, `shuffle=`), which
//! panels are hidden (`hide=`) and the cell shown in "Inside one cell" (`cell=`). (`arch=` is
//! read by [`super::arch_editor::read_arch_query`].)
//!
//! Everything here is pure: [`read_query`] turns the address's `(key, value)` pairs into
//! settings the page can run, clamping or rejecting hostile values (`lr=NaN`, `batch=99999`,
//! `seed=abc`, unknown panels, repeated keys, huge strings) with one line per change for the
//! notice at the top; [`check_cell`] checks `cell=` once the network is known; [`write_query`]
//! gives the pairs the address should hold for what runs.

use std::collections::HashSet;

use super::hyper_input::{OptimizerChoice, MAX_BATCH, MAX_LEARNING_RATE};
use crate::nn::optim::Hyper;
use crate::nn::receptive::Cell;
use crate::nn::spec::LayerInfo;

/// The seed a page without `seed=` starts from (and `Reset` goes back to).
pub const DEFAULT_SEED: u64 = 42;
/// Values longer than this are rejected unread (the address can hold megabytes).
pub const MAX_VALUE_LEN: usize = 100;
/// How much of a rejected value the notice quotes.
const QUOTE_LEN: usize = 24;
/// How many unknown panel names or repeated values the notice lists.
const LIST_LEN: usize = 4;

/// The keys this module reads and writes, in the order [`write_query`] appends them.
pub const KEYS: [&str; 9] = [
    "lr", "batch", "opt", "seed", "augment", "decay", "shuffle", "hide", "cell",
];

/// A panel that can be hidden (`hide=kernels,pooling`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Panel {
    Kernels,
    Maps,
    Pooling,
    Cell,
    Charts,
    Editor,
}

impl Panel {
    pub const ALL: [Panel; 6] = [
        Panel::Kernels,
        Panel::Maps,
        Panel::Pooling,
        Panel::Cell,
        Panel::Charts,
        Panel::Editor,
    ];

    /// The name in `hide=`.
    pub fn id(self) -> &'static str {
        match self {
            Panel::Kernels => "kernels",
            Panel::Maps => "maps",
            Panel::Pooling => "pooling",
            Panel::Cell => "cell",
            Panel::Charts => "charts",
            Panel::Editor => "editor",
        }
    }

    /// The name on the page's show/hide buttons.
    pub fn label(self) -> &'static str {
        match self {
            Panel::Kernels => "Kernels",
            Panel::Maps => "Feature maps",
            Panel::Pooling => "Pooling",
            Panel::Cell => "Inside one cell",
            Panel::Charts => "Charts",
            Panel::Editor => "Architecture editor",
        }
    }

    /// A name from `hide=` (case-insensitive; a few obvious other names are accepted).
    pub fn parse(name: &str) -> Option<Panel> {
        let name = name.trim().to_ascii_lowercase();
        Some(match name.as_str() {
            "kernels" | "kernel" => Panel::Kernels,
            "maps" | "features" | "feature-maps" | "featuremaps" => Panel::Maps,
            "pooling" | "pool" => Panel::Pooling,
            "cell" | "inside" | "inside-one-cell" => Panel::Cell,
            "charts" | "chart" | "curves" => Panel::Charts,
            "editor" | "arch" | "architecture" => Panel::Editor,
            _ => return None,
        })
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Which panels are hidden (none by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HiddenPanels(u8);

impl HiddenPanels {
    pub fn is_hidden(self, p: Panel) -> bool {
        self.0 & p.bit() != 0
    }

    pub fn is_shown(self, p: Panel) -> bool {
        !self.is_hidden(p)
    }

    /// `self` with `p` hidden (`hidden`) or shown.
    pub fn with(self, p: Panel, hidden: bool) -> Self {
        if hidden {
            HiddenPanels(self.0 | p.bit())
        } else {
            HiddenPanels(self.0 & !p.bit())
        }
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The `hide=` value: the hidden panels' names in page order, comma-separated.
    pub fn to_query(self) -> String {
        Panel::ALL
            .iter()
            .filter(|p| self.is_hidden(**p))
            .map(|p| p.id())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The training recipe switches (`augment=`, `decay=`, `shuffle=`), as in
/// `protocol::Recipe` (augment, lr_decay, shuffle_pixels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecipeFlags {
    pub augment: bool,
    pub decay: bool,
    pub shuffle: bool,
}

impl Default for RecipeFlags {
    /// `protocol::Recipe::default()`: light augmentation on, no decay, no pixel shuffle.
    fn default() -> Self {
        RecipeFlags {
            augment: true,
            decay: false,
            shuffle: false,
        }
    }
}

/// What the address asks for, made safe to run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UrlSettings {
    pub hyper: Hyper,
    pub seed: u64,
    pub recipe: RecipeFlags,
    pub hidden: HiddenPanels,
    /// Well-formed, but not yet checked against the network ([`check_cell`]).
    pub cell: Option<Cell>,
}

impl Default for UrlSettings {
    fn default() -> Self {
        UrlSettings {
            hyper: Hyper::default(),
            seed: DEFAULT_SEED,
            recipe: RecipeFlags::default(),
            hidden: HiddenPanels::default(),
            cell: None,
        }
    }
}

/// [`read_query`]'s answer: the settings, and one line per value that was changed or
/// ignored, saying why (empty when the address was fine).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlRead {
    pub settings: UrlSettings,
    pub notices: Vec<String>,
}

/// A value as the notice quotes it: at most [`QUOTE_LEN`] characters.
pub fn quote(v: &str) -> String {
    if v.chars().count() <= QUOTE_LEN {
        v.to_string()
    } else {
        let head: String = v.chars().take(QUOTE_LEN).collect();
        format!("{head}… ({} characters)", v.chars().count())
    }
}

/// Reads the address's pairs (as `URLSearchParams` decodes them, in order). Keys other than
/// [`KEYS`] are left alone. Never panics, whatever the values.
pub fn read_query(pairs: &[(String, String)]) -> UrlRead {
    let mut s = UrlSettings::default();
    let mut notices = Vec::new();
    let d = UrlSettings::default();

    if let Some(v) = first_value(pairs, "lr", &mut notices) {
        match parse_lr(v) {
            Ok((lr, note)) => {
                s.hyper.learning_rate = lr;
                notices.extend(note);
            }
            Err(why) => notices.push(format!(
                "lr={}: {why}; using the default learning rate, {}.",
                quote(v),
                d.hyper.learning_rate
            )),
        }
    }
    if let Some(v) = first_value(pairs, "batch", &mut notices) {
        match parse_batch(v) {
            Ok((b, note)) => {
                s.hyper.batch_size = b;
                notices.extend(note);
            }
            Err(why) => notices.push(format!(
                "batch={}: {why}; using the default batch size, {}.",
                quote(v),
                d.hyper.batch_size
            )),
        }
    }
    if let Some(v) = first_value(pairs, "opt", &mut notices) {
        match parse_optimizer(v) {
            Some(c) => s.hyper.optimizer = c.kind(),
            None => notices.push(format!(
                "opt={}: not an optimizer here (opt=sgd or opt=adam); using the default, {}.",
                quote(v),
                OptimizerChoice::of(&d.hyper.optimizer).id()
            )),
        }
    }
    if let Some(v) = first_value(pairs, "seed", &mut notices) {
        match parse_seed(v) {
            Ok(seed) => s.seed = seed,
            Err(why) => notices.push(format!(
                "seed={}: {why}; using the default seed, {}.",
                quote(v),
                d.seed
            )),
        }
    }
    for (key, default, slot) in [
        ("augment", d.recipe.augment, &mut s.recipe.augment),
        ("decay", d.recipe.decay, &mut s.recipe.decay),
        ("shuffle", d.recipe.shuffle, &mut s.recipe.shuffle),
    ] {
        if let Some(v) = first_value(pairs, key, &mut notices) {
            match parse_switch(v) {
                Some(on) => *slot = on,
                None => notices.push(format!(
                    "{key}={}: not on or off; using the default, {key}={}.",
                    quote(v),
                    switch(default)
                )),
            }
        }
    }
    // hide= is a list: repeated keys add up (hide=kernels&hide=pooling).
    let mut unknown: Vec<String> = Vec::new();
    let mut unknown_count = 0usize;
    for v in values(pairs, "hide") {
        if v.len() > MAX_VALUE_LEN {
            notices.push(format!(
                "hide={}: too long (at most {MAX_VALUE_LEN} characters); ignored.",
                quote(v)
            ));
            continue;
        }
        for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match Panel::parse(name) {
                Some(p) => s.hidden = s.hidden.with(p, true),
                None => {
                    unknown_count += 1;
                    if unknown.len() < LIST_LEN {
                        unknown.push(quote(name));
                    }
                }
            }
        }
    }
    if unknown_count > 0 {
        let more = unknown_count - unknown.len();
        notices.push(format!(
            "hide=: no panel is called {}{}; ignored (the panels are {}).",
            unknown.join(", "),
            if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            },
            Panel::ALL.map(Panel::id).join(", ")
        ));
    }
    if let Some(v) = first_value(pairs, "cell", &mut notices) {
        match parse_cell(v) {
            Ok(c) => s.cell = Some(c),
            Err(why) => notices.push(format!("cell={}: {why}; no cell is selected.", quote(v))),
        }
    }
    UrlRead {
        settings: s,
        notices,
    }
}

/// Every value of `key`, in order.
fn values<'a>(pairs: &'a [(String, String)], key: &'a str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The first value of `key`; different repeated values are named in a notice (the first one
/// is used, as for `arch=`). Linear in the number of pairs.
fn first_value<'a>(
    pairs: &'a [(String, String)],
    key: &'a str,
    notices: &mut Vec<String>,
) -> Option<&'a str> {
    let mut all = values(pairs, key);
    let first = all.next()?;
    let mut seen: HashSet<&str> = HashSet::new();
    seen.insert(first);
    let mut others: Vec<String> = Vec::new();
    for v in all {
        if seen.insert(v) && others.len() < LIST_LEN {
            others.push(format!("{key}={}", quote(v)));
        }
    }
    if seen.len() > 1 {
        let more = seen.len() - 1 - others.len();
        notices.push(format!(
            "The address has {} different {key}= values: using the first, {key}={}, and \
             ignoring {}{}.",
            seen.len(),
            quote(first),
            others.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    Some(first)
}

fn switch(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// `lr=`: a learning rate in (0, [`MAX_LEARNING_RATE`]]; larger ones are clamped (with a
/// note), anything else is an error.
pub fn parse_lr(v: &str) -> Result<(f32, Option<String>), String> {
    let t = v.trim();
    if t.len() > MAX_VALUE_LEN {
        return Err(format!("too long (at most {MAX_VALUE_LEN} characters)"));
    }
    if t.is_empty() {
        return Err("empty".into());
    }
    let x: f64 = t.parse().map_err(|_| "not a number".to_string())?;
    if !x.is_finite() {
        return Err("not a finite number".into());
    }
    if x <= 0.0 {
        return Err("the learning rate must be greater than 0".into());
    }
    if x > MAX_LEARNING_RATE as f64 {
        return Ok((
            MAX_LEARNING_RATE,
            Some(format!(
                "lr={}: more than {MAX_LEARNING_RATE}, where training diverges; using \
                 {MAX_LEARNING_RATE}.",
                quote(t)
            )),
        ));
    }
    let x = x as f32;
    if x <= 0.0 {
        return Err("too small to learn anything".into());
    }
    Ok((x, None))
}

/// `batch=`: a whole number in 1..=[`MAX_BATCH`]; 0 and larger numbers are clamped (with a
/// note), anything else is an error.
pub fn parse_batch(v: &str) -> Result<(usize, Option<String>), String> {
    let t = v.trim();
    if t.len() > MAX_VALUE_LEN {
        return Err(format!("too long (at most {MAX_VALUE_LEN} characters)"));
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a whole number ≥ 1".into());
    }
    // All digits: a number too large for usize is simply more than MAX_BATCH.
    let n = t.parse::<usize>().unwrap_or(usize::MAX);
    if n == 0 {
        return Ok((
            1,
            Some("batch=0: a batch holds at least 1 image; using 1.".into()),
        ));
    }
    if n > MAX_BATCH {
        return Ok((
            MAX_BATCH,
            Some(format!(
                "batch={}: more than {MAX_BATCH}, the largest batch the trainer takes; using \
                 {MAX_BATCH}.",
                quote(t)
            )),
        ));
    }
    Ok((n, None))
}

/// `opt=sgd` or `opt=adam` (any case).
pub fn parse_optimizer(v: &str) -> Option<OptimizerChoice> {
    OptimizerChoice::parse(&v.trim().to_ascii_lowercase())
}

/// `seed=`: a whole number 0..=u64::MAX.
pub fn parse_seed(v: &str) -> Result<u64, String> {
    let t = v.trim();
    if t.len() > MAX_VALUE_LEN {
        return Err(format!("too long (at most {MAX_VALUE_LEN} characters)"));
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a whole number ≥ 0".into());
    }
    t.parse::<u64>()
        .map_err(|_| format!("larger than {}, the largest seed", u64::MAX))
}

/// `on`/`off` (also `true`/`false`, `1`/`0`, `yes`/`no`, any case).
pub fn parse_switch(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Some(true),
        "off" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// `cell=LAYER.CHANNEL.ROW.COLUMN` (all from 0, the layer as in the editor's `layer-N`), or
/// `cell=LAYER.INNER.CHANNEL.ROW.COLUMN` for layer INNER inside the residual block LAYER.
pub fn parse_cell(v: &str) -> Result<Cell, String> {
    let t = v.trim();
    let bad = || {
        "not LAYER.CHANNEL.ROW.COLUMN (e.g. cell=3.3.3.9), or LAYER.INNER.CHANNEL.ROW.COLUMN \
         inside a residual block"
            .to_string()
    };
    if t.len() > MAX_VALUE_LEN {
        return Err(format!("too long (at most {MAX_VALUE_LEN} characters)"));
    }
    let parts: Vec<&str> = t.split('.').collect();
    if !(parts.len() == 4 || parts.len() == 5)
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let mut n = Vec::with_capacity(parts.len());
    for p in &parts {
        n.push(
            p.parse::<usize>()
                .map_err(|_| "a number in it is far too large".to_string())?,
        );
    }
    let (inner, rest) = if n.len() == 5 {
        (Some(n[1]), &n[2..])
    } else {
        (None, &n[1..])
    };
    Ok(Cell {
        layer: n[0],
        inner,
        c: rest[0],
        y: rest[1],
        x: rest[2],
    })
}

/// The `cell=` value of a selected cell.
pub fn cell_to_query(cell: &Cell) -> Option<String> {
    Some(match cell.inner {
        None => format!("{}.{}.{}.{}", cell.layer, cell.c, cell.y, cell.x),
        Some(j) => format!("{}.{j}.{}.{}.{}", cell.layer, cell.c, cell.y, cell.x),
    })
}

/// Whether `cell` exists in the network whose layers are `infos`; the error says what does.
pub fn check_cell(cell: Cell, infos: &[LayerInfo]) -> Result<Cell, String> {
    let q = cell_to_query(&cell).unwrap_or_default();
    let Some(info) = infos.get(cell.layer) else {
        return Err(format!(
            "cell={q}: the network has no layer {} (its layers are 0 to {}); no cell is \
             selected.",
            cell.layer,
            infos.len().saturating_sub(1)
        ));
    };
    let info = match cell.inner {
        None => info,
        Some(j) => match info.inner.get(j) {
            Some(inner) => inner,
            None => {
                return Err(format!(
                    "cell={q}: {} has no layer {j} inside it ({} inner layers); no cell is \
                     selected.",
                    info.name,
                    info.inner.len()
                ))
            }
        },
    };
    let out = info.output;
    let (name, what) = (&info.name, out.to_string());
    // Only cells that are a window of inputs can be explained (conv, dwconv, pool, ReLU).
    if name.starts_with("dense") || name.starts_with("res") {
        return Err(format!(
            "cell={q}: {name} is not a convolution, pooling or ReLU layer, so it has no cell \
             to look inside; no cell is selected."
        ));
    }
    if cell.c >= out.c {
        return Err(format!(
            "cell={q}: {name} has {} channels (0 to {}), not {}; no cell is selected.",
            out.c,
            out.c.saturating_sub(1),
            cell.c
        ));
    }
    if cell.y >= out.h || cell.x >= out.w {
        return Err(format!(
            "cell={q}: row {}, column {} is outside {name}'s {what} output (rows 0 to {}, \
             columns 0 to {}); no cell is selected.",
            cell.y,
            cell.x,
            out.h.saturating_sub(1),
            out.w.saturating_sub(1)
        ));
    }
    Ok(cell)
}

/// What to do with `cell=` when writing the address.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CellInAddress {
    /// Leave the address's `cell=` as it is (the network is not loaded yet).
    Keep,
    Set(Option<Cell>),
}

/// The pairs the address should hold: `pairs` with this module's keys replaced by what runs
/// (a value equal to the default is left out, like `arch=` for the shipped network). A key
/// keeps the place of its first occurrence; new keys go at the end; repeats are dropped.
/// `recipe`: `None` leaves `augment=`, `decay=`, `shuffle=` as they are.
pub fn write_query(
    pairs: &[(String, String)],
    s: &UrlSettings,
    recipe: bool,
    cell: CellInAddress,
) -> Vec<(String, String)> {
    let d = UrlSettings::default();
    let mut want: Vec<(&str, Option<String>)> = vec![
        (
            "lr",
            (s.hyper.learning_rate != d.hyper.learning_rate)
                .then(|| s.hyper.learning_rate.to_string()),
        ),
        (
            "batch",
            (s.hyper.batch_size != d.hyper.batch_size).then(|| s.hyper.batch_size.to_string()),
        ),
        ("opt", {
            let c = OptimizerChoice::of(&s.hyper.optimizer);
            (c != OptimizerChoice::of(&d.hyper.optimizer)).then(|| c.id().to_string())
        }),
        ("seed", (s.seed != d.seed).then(|| s.seed.to_string())),
    ];
    if recipe {
        for (key, v, default) in [
            ("augment", s.recipe.augment, d.recipe.augment),
            ("decay", s.recipe.decay, d.recipe.decay),
            ("shuffle", s.recipe.shuffle, d.recipe.shuffle),
        ] {
            want.push((key, (v != default).then(|| switch(v).to_string())));
        }
    }
    want.push(("hide", (!s.hidden.is_empty()).then(|| s.hidden.to_query())));
    if let CellInAddress::Set(c) = cell {
        want.push(("cell", c.as_ref().and_then(cell_to_query)));
    }

    let mut done: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(pairs.len() + want.len());
    for (k, v) in pairs {
        match want.iter().find(|(key, _)| key == k) {
            None => out.push((k.clone(), v.clone())),
            Some((key, value)) => {
                if done.insert(key) {
                    if let Some(value) = value {
                        out.push((k.clone(), value.clone()));
                    }
                }
            }
        }
    }
    for (key, value) in &want {
        if let (false, Some(value)) = (done.contains(key), value) {
            out.push((key.to_string(), value.clone()));
        }
    }
    out
}

/// `pairs` as a query string (without the `?`), readable: letters, digits and `-._~,()*!:`
/// stay as they are (so `arch=conv8k5s1p2,relu,…` and `hide=kernels,pooling` read as typed),
/// everything else is percent-encoded as UTF-8. `URLSearchParams` decodes it back exactly.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    fn encode(s: &str, out: &mut String) {
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~,()*!:".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode(k, &mut out);
        out.push('=');
        encode(v, &mut out);
    }
    out
}
