//! The architecture editor: the `arch=` string in a text field, re-analysed on every
//! keystroke, with every layer's output shape, size arithmetic and parameter count, and
//! inline errors that name the layer. Applying asks first: it replaces the trained weights.

use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::format::thousands;
use crate::nn::spec::{LayerInfo, ModelSpec, SpecError};

/// What the page's `arch=` values ask for, read once at start-up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArchQuery {
    /// The network to run instead of the shipped one, if the address names a valid one.
    pub spec: Option<ModelSpec>,
    /// What the teacher must know about the address's `arch=` (shown at the top of the page
    /// and in the editor), if anything.
    pub notice: Option<String>,
    /// An `arch=` that could not run, for the editor's text field (so it can be fixed there).
    pub rejected: Option<String>,
}

/// Reads every `arch=` value of the address (`URLSearchParams.getAll("arch")`). One valid
/// value runs; an invalid one is rejected with its error; several different values are never
/// silently reduced to the first: the notice says so and which one ran.
pub fn read_arch_query(values: &[String]) -> ArchQuery {
    let Some(first) = values.first() else {
        return ArchQuery::default();
    };
    let several = values.iter().any(|v| v != first);
    let ignored = || {
        values[1..]
            .iter()
            .filter(|v| *v != first)
            .map(|v| format!("arch={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match ModelSpec::parse(first) {
        Ok(spec) => ArchQuery {
            notice: several.then(|| {
                format!(
                    "The address has {} different arch= values, but a network has one                      architecture: running the first, arch={first}, and ignoring {}.",
                    distinct(values),
                    ignored()
                )
            }),
            spec: Some(spec),
            rejected: None,
        },
        Err(e) => ArchQuery {
            spec: None,
            notice: Some(if several {
                format!(
                    "The address has {} different arch= values, but a network has one                      architecture. The first, arch={first}, cannot run: {e}. The others ({})                      were ignored. Running the shipped network instead; the rejected                      architecture is in the editor, to fix and apply.",
                    distinct(values),
                    ignored()
                )
            } else {
                format!(
                    "The architecture in the address, arch={first}, cannot run: {e}. Running                      the shipped network instead; the rejected architecture is in the editor,                      to fix and apply."
                )
            }),
            rejected: Some(first.clone()),
        },
    }
}

fn distinct(values: &[String]) -> usize {
    let mut seen: Vec<&String> = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen.len()
}

/// Which of `presets` the text is (compared as specs, so spacing does not matter).
pub fn preset_index(presets: &[(&'static str, ModelSpec)], text: &str) -> Option<usize> {
    let spec = ModelSpec::parse(text).ok()?;
    presets.iter().position(|(_, p)| *p == spec)
}

/// One top-level layer as the editor shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerRow {
    /// The layer as written (trimmed).
    pub token: String,
    /// Its analysis, when every layer up to it is valid.
    pub info: Option<LayerInfo>,
    /// Why this layer is invalid (the whole message, naming it).
    pub error: Option<String>,
}

/// What the editor knows about the text in its field.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchAnalysis {
    pub rows: Vec<LayerRow>,
    /// The valid spec, if the whole text is one.
    pub spec: Option<ModelSpec>,
    pub error: Option<SpecError>,
}

/// Splits the text at top-level commas (not those inside `res(…)`); trimmed, never panics.
pub fn split_layers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for ch in text.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    if !current.trim().is_empty() || !out.is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// A per-layer edit of the text (the result still needs Apply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerEdit {
    Remove,
    Up,
    Down,
}

/// `text` with its top-level layer `index` removed or moved one place; unchanged when the edit
/// does not apply (no such layer, first layer up, last layer down).
pub fn edit_layers(text: &str, index: usize, edit: LayerEdit) -> String {
    let mut layers = split_layers(text);
    if index >= layers.len() {
        return text.to_string();
    }
    match edit {
        LayerEdit::Remove => {
            layers.remove(index);
        }
        LayerEdit::Up if index > 0 => layers.swap(index - 1, index),
        LayerEdit::Down if index + 1 < layers.len() => layers.swap(index, index + 1),
        _ => return text.to_string(),
    }
    layers.join(",")
}

/// Parses and analyses `text`. When a layer fails, the layers before it still get their
/// analysis (that of the prefix followed by `dense10`, when that prefix is valid), the failing
/// layer gets the error, and the layers after it get neither.
pub fn analyse_arch(text: &str) -> ArchAnalysis {
    let tokens = split_layers(text);
    match ModelSpec::parse(text).and_then(|spec| spec.analyze().map(|infos| (spec, infos))) {
        Ok((spec, infos)) => ArchAnalysis {
            rows: spec
                .layers
                .iter()
                .zip(infos)
                .map(|(layer, info)| LayerRow {
                    token: layer.to_string(),
                    info: Some(info),
                    error: None,
                })
                .collect(),
            spec: Some(spec),
            error: None,
        },
        Err(e) => {
            let bad = e.layer;
            let prefix = bad
                .filter(|&i| i > 0 && i <= tokens.len())
                .and_then(|i| {
                    let text = format!("{},dense10", tokens[..i].join(","));
                    ModelSpec::parse(&text).ok()?.analyze().ok()
                })
                .unwrap_or_default();
            let rows = tokens
                .into_iter()
                .enumerate()
                .map(|(j, token)| LayerRow {
                    token,
                    info: if bad.is_some_and(|b| j < b) {
                        prefix.get(j).cloned()
                    } else {
                        None
                    },
                    error: (bad == Some(j)).then(|| e.to_string()),
                })
                .collect();
            ArchAnalysis {
                rows,
                spec: None,
                error: Some(e),
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ArchEditorProps {
    /// The architecture the page runs, in the `arch=` form.
    pub current: AttrValue,
    /// Whether a network is loaded (Apply is disabled until then).
    pub ready: bool,
    /// A new, valid architecture, confirmed by the user.
    pub onapply: Callback<ModelSpec>,
    /// Whether the worker is training (Apply then carries on training the new network).
    #[prop_or_default]
    pub training: bool,
    /// An `arch=` from the address that could not run: the field starts with it.
    #[prop_or_default]
    pub rejected: Option<AttrValue>,
    /// Why it could not run (or any other notice about the address's `arch=`).
    #[prop_or_default]
    pub notice: Option<AttrValue>,
}

#[function_component]
pub fn ArchEditor(props: &ArchEditorProps) -> Html {
    let text = use_state(|| {
        props
            .rejected
            .clone()
            .unwrap_or_else(|| props.current.clone())
            .to_string()
    });
    let confirming = use_state(|| false);
    {
        let (text, confirming) = (text.clone(), confirming.clone());
        use_effect_with(
            (props.current.clone(), props.rejected.clone()),
            move |(current, rejected)| {
                text.set(rejected.as_ref().unwrap_or(current).to_string());
                confirming.set(false);
            },
        );
    }
    let analysis = use_memo((*text).clone(), |t| analyse_arch(t));
    let presets = use_memo((), |_| ModelSpec::presets());
    // The preset list shows the preset the text is (or "custom"), also after a pick: the
    // browser's own selection is set from the text after every render.
    let preset = preset_index(&presets, &text);
    let select_ref = use_node_ref();
    {
        let select_ref = select_ref.clone();
        use_effect(move || {
            if let Some(select) = select_ref.cast::<HtmlSelectElement>() {
                let want = preset.map(|i| i.to_string()).unwrap_or_default();
                if select.value() != want {
                    select.set_value(&want);
                }
            }
        });
    }
    let input_ref = use_node_ref();

    let oninput = {
        let (text, confirming) = (text.clone(), confirming.clone());
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            text.set(input.value());
            confirming.set(false);
        })
    };
    let onpreset = {
        let (text, confirming, presets) = (text.clone(), confirming.clone(), presets.clone());
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let chosen = select.value().parse::<usize>().ok();
            if let Some((_, spec)) = chosen.and_then(|i| presets.get(i)) {
                text.set(spec.to_string());
                confirming.set(false);
            }
        })
    };
    let onedit = {
        let (text, confirming) = (text.clone(), confirming.clone());
        Callback::from(move |(index, edit): (usize, LayerEdit)| {
            text.set(edit_layers(&text, index, edit));
            confirming.set(false);
        })
    };
    let changed = analysis
        .spec
        .as_ref()
        .is_some_and(|s| s.to_string() != props.current.as_str());
    let onask = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(true))
    };
    let oncancel = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(false))
    };
    let onconfirm = {
        let (confirming, analysis, onapply) =
            (confirming.clone(), analysis.clone(), props.onapply.clone());
        Callback::from(move |_: MouseEvent| {
            confirming.set(false);
            if let Some(spec) = &analysis.spec {
                onapply.emit(spec.clone());
            }
        })
    };
    let total: Option<u64> = analysis.spec.is_some().then(|| {
        analysis
            .rows
            .iter()
            .filter_map(|r| r.info.as_ref())
            .map(|i| i.params as u64)
            .sum()
    });
    let onfix = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = input_ref.cast::<HtmlElement>() {
                let _ = input.focus();
            }
        })
    };

    html! {
        <section class="card panel" data-testid="arch-editor" aria-labelledby="arch-editor-heading">
            <h2 id="arch-editor-heading">{ "Change the network" }</h2>
            <p class="hint">{ "Layers separated by commas, e.g. conv8k5s1p2 (8 filters, 5×5 kernel, \
                stride 1, pad 2; add d2 for dilation, psame for same size), relu, max2s2 or avg2s2, \
                dwconv3s1p1, res(…), dense10 (always last). The input is one 28×28 grey image." }</p>
            <p class="hint">{ "Beside each convolution: what a dense (fully connected) layer between                 the same input and output sizes would cost. A convolution reuses one small kernel at                 every position, a dense layer has a weight for every input–output pair." }</p>
            if let Some(notice) = &props.notice {
                <div class="arch-editor-notice" data-testid="arch-editor-notice" role="note">
                    <p>{ notice.clone() }</p>
                    if props.rejected.is_some() {
                        <button type="button" onclick={onfix}>{ "Fix it here" }</button>
                    }
                </div>
            }
            <div class="arch-edit-bar">
                <label>
                    { "Architecture " }
                    <input ref={input_ref} type="text" class="arch-text" data-testid="arch-input"
                        spellcheck="false" value={(*text).clone()} {oninput} aria-describedby="arch-status" />
                </label>
                <label>
                    { "Preset " }
                    <select ref={select_ref} data-testid="arch-preset" onchange={onpreset}>
                        <option value="" selected={preset.is_none()}>{ "custom (choose a preset…)" }</option>
                        { for presets.iter().enumerate().map(|(i, (name, _))| html! {
                            <option value={i.to_string()} selected={preset == Some(i)}>{ *name }</option>
                        }) }
                    </select>
                </label>
                <button type="button" data-testid="arch-apply" onclick={onask}
                    disabled={!props.ready || !changed || *confirming}>{ "Apply…" }</button>
            </div>
            <p id="arch-status" class="arch-status" data-testid="arch-status" role="status">
                { match (&analysis.error, total) {
                    (Some(e), _) => html! { <span class="error">{ e.to_string() }</span> },
                    (None, Some(total)) => html! { { format!("{} parameters in all{}", thousands(total),
                        if changed { " — not applied yet" } else { "" }) } },
                    (None, None) => html! {},
                } }
            </p>
            if *confirming {
                <div class="arch-confirm" data-testid="arch-confirm" role="alertdialog"
                    aria-label="Replace the network?">
                    <p>{ if props.training {
                        "This replaces the trained weights with a freshly initialised network \
                        (random weights from the seed); training carries on with the new network."
                    } else {
                        "This replaces the trained weights with a freshly initialised network \
                        (random weights from the seed); press Train to train it."
                    } }</p>
                    <button type="button" data-testid="arch-confirm-apply" onclick={onconfirm}>{ "Apply" }</button>
                    <button type="button" data-testid="arch-confirm-cancel" onclick={oncancel}>{ "Cancel" }</button>
                </div>
            }
            <ol class="arch-layers" start="0">
                { for analysis.rows.iter().enumerate().map(|(i, row)| {
                    layer_row(i, row, analysis.rows.len(), &onedit)
                }) }
            </ol>
        </section>
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

fn layer_row(
    index: usize,
    row: &LayerRow,
    count: usize,
    onedit: &Callback<(usize, LayerEdit)>,
) -> Html {
    let button = |edit: LayerEdit, label: &'static str, what: &str, disabled: bool| {
        let onedit = onedit.clone();
        let suffix = match edit {
            LayerEdit::Remove => "remove",
            LayerEdit::Up => "up",
            LayerEdit::Down => "down",
        };
        html! {
            <button type="button" class="layer-edit" {disabled}
                data-testid={format!("layer-{index}-{suffix}")}
                aria-label={format!("{what} layer {index} ({})", row.token)}
                onclick={Callback::from(move |_: MouseEvent| onedit.emit((index, edit)))}>
                { label }
            </button>
        }
    };
    let info = row.info.as_ref();
    let shape = info.map(|i| i.output.to_string()).unwrap_or_default();
    let params = info.map(|i| i.params.to_string()).unwrap_or_default();
    let error = row.error.clone().unwrap_or_default();
    let class = if row.error.is_some() {
        "arch-layer invalid"
    } else {
        "arch-layer"
    };
    html! {
        <li {class} data-testid={format!("layer-{index}")} data-out-shape={shape.clone()}
            data-params={params} data-error={error}>
            <div class="arch-layer-head">
                <span class="layer-name">{ info.map(|i| i.name.clone()).unwrap_or_else(|| format!("layer {index}")) }</span>
                <code>{ &row.token }</code>
                <span class="arrow">{ "→" }</span>
                <span class="out-shape">{ if shape.is_empty() { "?".to_string() } else { shape } }</span>
                <span class="layer-edits">
                    { button(LayerEdit::Up, "↑", "move up", index == 0) }
                    { button(LayerEdit::Down, "↓", "move down", index + 1 >= count) }
                    { button(LayerEdit::Remove, "✕", "remove", count <= 1) }
                </span>
            </div>
            if let Some(info) = info {
                { layer_details(info) }
            }
            if let Some(e) = &row.error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
        </li>
    }
}

fn layer_details(info: &LayerInfo) -> Html {
    let pooling = info.name.starts_with("pool");
    let params = if pooling {
        "0 learnable parameters".to_string()
    } else {
        plural(info.params, "parameter", "parameters")
    };
    let dense_title = format!(
        "A dense layer from {} = {} inputs to {} = {} outputs needs {} × {} weights + {} \
         biases. The convolution shares one small kernel across all positions instead.",
        info.input,
        thousands(info.input.len() as u64),
        info.output,
        thousands(info.output.len() as u64),
        thousands(info.input.len() as u64),
        thousands(info.output.len() as u64),
        thousands(info.output.len() as u64),
    );
    let dropped = info.size.filter(|s| s.dropped > 0).map(|s| {
        format!(
            "does not divide evenly: the last {} of the input (bottom and right) {} under no window",
            plural(s.dropped, "row and column", "rows and columns"),
            if s.dropped == 1 { "falls" } else { "fall" }
        )
    });
    html! {
        <div class="arch-layer-body">
            <span class="detail">{ &info.detail }</span>
            if let Some(size) = info.size {
                <span class="arith" data-testid="arith">{ format!("size: {size}") }</span>
            }
            if let Some(d) = dropped {
                <span class="dropped note" data-testid="dropped" role="note">{ d }</span>
            }
            <span class="params">{ params }</span>
            if let Some(dense) = info.dense_params {
                <span class="dense-cost" data-testid="dense-cost" title={dense_title}
                    data-value={dense.to_string()}>
                    { format!("as a dense layer {} → {}: {} parameters", info.input, info.output,
                        thousands(dense)) }
                </span>
            }
            if !info.inner.is_empty() {
                <span class="inner">{ format!("block: {}", info.inner.iter()
                    .map(|l| format!("{} → {} ({})", l.name, l.output, thousands(l.params as u64)))
                    .collect::<Vec<_>>().join(", ")) }</span>
            }
        </div>
    }
}
