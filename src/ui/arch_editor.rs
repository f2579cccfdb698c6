//! The architecture editor: the `arch=` string in a text field, re-analysed on every
//! keystroke, with every layer's output shape, size arithmetic and parameter count, and
//! inline errors that name the layer. Applying asks first: it replaces the trained weights.

use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::format::thousands;
use crate::nn::spec::edit::{fields, set_field, Field, FieldRange, LayerKind};
use crate::nn::spec::{LayerInfo, LayerSpec, ModelSpec, SpecError};

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

/// `text` with one field of its top-level layer `index` set from `raw` (what the control
/// holds), through [`set_field`]: the new text and a note when the value was clamped. Errors
/// (no such layer, a layer that does not parse or has no such field, a value that is no
/// number, e.g. an emptied field while typing) leave the text to the caller, unchanged.
pub fn edit_field(
    text: &str,
    index: usize,
    field: Field,
    raw: &str,
) -> Result<(String, Option<String>), String> {
    let mut layers = split_layers(text);
    let token = layers
        .get(index)
        .ok_or_else(|| format!("there is no layer {index}"))?;
    let layer = LayerSpec::parse_token(token)?;
    let edit = set_field(&layer, field, raw).map_err(|e| e.to_string())?;
    layers[index] = edit.layer.to_string();
    Ok((layers.join(","), edit.note))
}

/// `text` with a default layer of `kind` ([`LayerKind::default_layer`]) inserted so that it
/// becomes layer `at` (at most the end).
pub fn insert_layer(text: &str, at: usize, kind: LayerKind) -> String {
    let mut layers = split_layers(text);
    layers.insert(at.min(layers.len()), kind.default_layer().to_string());
    layers.join(",")
}

/// Where "add a layer" puts it: before a final `dense10` (the output layer must stay last),
/// otherwise at the end.
pub fn add_position(text: &str) -> usize {
    let layers = split_layers(text);
    match layers.last().map(|t| LayerSpec::parse_token(t)) {
        Some(Ok(LayerSpec::Dense { units: 10 })) => layers.len() - 1,
        _ => layers.len(),
    }
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
    // A clamped value's note, shown in that layer's row until the next edit.
    let note = use_state(|| None::<(usize, String)>);
    let add_kind = use_state(|| LayerKind::Conv);
    {
        let (text, confirming, note) = (text.clone(), confirming.clone(), note.clone());
        use_effect_with(
            (props.current.clone(), props.rejected.clone()),
            move |(current, rejected)| {
                text.set(rejected.as_ref().unwrap_or(current).to_string());
                confirming.set(false);
                note.set(None);
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
    // The padding <select>s show their layer's value (`data-value`), also after the browser
    // changed the selection itself: set after every render, like the preset list.
    let layers_ref = use_node_ref();
    {
        let (layers_ref, rows) = (layers_ref.clone(), analysis.rows.len());
        use_effect(move || {
            let Some(list) = layers_ref.cast::<web_sys::Element>() else {
                return;
            };
            for i in 0..rows {
                let select = list
                    .query_selector(&format!("select[data-testid=\"layer-{i}-pad\"]"))
                    .ok()
                    .flatten()
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlSelectElement>(e).ok());
                if let Some(select) = select {
                    let want = select.get_attribute("data-value").unwrap_or_default();
                    if select.value() != want {
                        select.set_value(&want);
                    }
                }
            }
        });
    }

    let oninput = {
        let (text, confirming, note) = (text.clone(), confirming.clone(), note.clone());
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            text.set(input.value());
            confirming.set(false);
            note.set(None);
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
        let (text, confirming, note) = (text.clone(), confirming.clone(), note.clone());
        Callback::from(move |(index, edit): (usize, LayerEdit)| {
            text.set(edit_layers(&text, index, edit));
            confirming.set(false);
            note.set(None);
        })
    };
    let onfield = {
        let (text, confirming, note) = (text.clone(), confirming.clone(), note.clone());
        Callback::from(move |(index, field, raw): (usize, Field, String)| {
            // Text that is no number yet (an emptied field) changes nothing.
            if let Ok((new, clamped)) = edit_field(&text, index, field, &raw) {
                text.set(new);
                confirming.set(false);
                note.set(clamped.map(|n| (index, n)));
            }
        })
    };
    let oninsert = {
        let (text, confirming, note, add_kind) = (
            text.clone(),
            confirming.clone(),
            note.clone(),
            add_kind.clone(),
        );
        Callback::from(move |at: usize| {
            text.set(insert_layer(&text, at, *add_kind));
            confirming.set(false);
            note.set(None);
        })
    };
    let onadd = {
        let (oninsert, text) = (oninsert.clone(), text.clone());
        Callback::from(move |_: MouseEvent| oninsert.emit(add_position(&text)))
    };
    let onkind = {
        let add_kind = add_kind.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(kind) = LayerKind::from_key(&select.value()) {
                add_kind.set(kind);
            }
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
            <p class="hint">{ "Change a layer with its own fields below (filters, kernel, stride, \
                padding, dilation, pooling window, units), add one with \"Add\" or a row's +, or type \
                the layers, separated by commas, e.g. conv8k5s1p2 (8 filters, 5×5 kernel, stride 1, \
                pad 2; add d2 for dilation, psame for same size), relu, max2s2 or avg2s2, \
                dwconv3s1p1, dense10 (always last). Residual blocks, res(…), are typed in the text \
                field only. The input is one 28×28 grey image." }</p>
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
            <div class="arch-add-bar">
                <label>
                    { "New layer " }
                    <select data-testid="add-layer-kind" onchange={onkind}>
                        { for LayerKind::ALL.into_iter().map(|k| html! {
                            <option value={k.key()} selected={*add_kind == k}>
                                { format!("{} ({})", k.label(), k.default_layer()) }
                            </option>
                        }) }
                    </select>
                </label>
                <button type="button" data-testid="add-layer" onclick={onadd}>{ "+ Add" }</button>
                <span class="hint">{ "added before the output layer (dense10), or press + on a row \
                    to insert it below that row" }</span>
            </div>
            <ol ref={layers_ref} class="arch-layers" start="0">
                { for analysis.rows.iter().enumerate().map(|(i, row)| {
                    let ctx = RowCtx {
                        count: analysis.rows.len(),
                        onedit: &onedit,
                        onfield: &onfield,
                        oninsert: &oninsert,
                        add_kind: *add_kind,
                        note: note.as_ref().filter(|(n, _)| *n == i).map(|(_, m)| m.as_str()),
                    };
                    layer_row(i, row, &ctx)
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

/// What a layer row needs from the editor.
struct RowCtx<'a> {
    count: usize,
    onedit: &'a Callback<(usize, LayerEdit)>,
    onfield: &'a Callback<(usize, Field, String)>,
    oninsert: &'a Callback<usize>,
    add_kind: LayerKind,
    /// The note of a value clamped in this row, if any.
    note: Option<&'a str>,
}

fn layer_row(index: usize, row: &LayerRow, ctx: &RowCtx) -> Html {
    let button = |edit: LayerEdit, label: &'static str, what: &str, disabled: bool| {
        let onedit = ctx.onedit.clone();
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
    let insert = {
        let oninsert = ctx.oninsert.clone();
        html! {
            <button type="button" class="layer-edit" data-testid={format!("layer-{index}-insert")}
                aria-label={format!("insert a {} below layer {index} ({})", ctx.add_kind.label(), row.token)}
                title={format!("insert {} below", ctx.add_kind.default_layer())}
                onclick={Callback::from(move |_: MouseEvent| oninsert.emit(index + 1))}>
                { "+" }
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
    let layer = LayerSpec::parse_token(&row.token).ok();
    let editable = layer.as_ref().map(fields).unwrap_or_default();
    let name = info
        .map(|i| i.name.clone())
        .unwrap_or_else(|| format!("layer {index}"));
    html! {
        <li {class} data-testid={format!("layer-{index}")} data-out-shape={shape.clone()}
            data-params={params} data-error={error}>
            <div class="arch-layer-head">
                <span class="layer-name">{ name.clone() }</span>
                <code>{ &row.token }</code>
                <span class="arrow">{ "→" }</span>
                <span class="out-shape">{ if shape.is_empty() { "?".to_string() } else { shape } }</span>
                <span class="layer-edits">
                    { button(LayerEdit::Up, "↑", "move up", index == 0) }
                    { button(LayerEdit::Down, "↓", "move down", index + 1 >= ctx.count) }
                    { button(LayerEdit::Remove, "✕", "remove", ctx.count <= 1) }
                    { insert }
                </span>
            </div>
            if !editable.is_empty() {
                <div class="layer-fields" role="group" aria-label={format!("{name} settings")}>
                    { for editable.iter().map(|r| field_control(index, &name, r, ctx.onfield)) }
                </div>
            }
            if let Some(info) = info {
                { layer_details(info) }
            }
            if let Some(e) = &row.error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
            if let Some(n) = ctx.note {
                <p class="note field-note" data-testid={format!("layer-{index}-note")} role="status">{ n }</p>
            }
        </li>
    }
}

/// One field of a layer: a number input with its range, or (padding) a list of the allowed
/// paddings with "same" marked. Every change goes to the text at once.
fn field_control(
    index: usize,
    name: &str,
    r: &FieldRange,
    onfield: &Callback<(usize, Field, String)>,
) -> Html {
    let field = r.field;
    let testid = format!("layer-{index}-{}", field.key());
    let aria = format!("{name} {}", field.label());
    if field == Field::Pad {
        let onchange = {
            let onfield = onfield.clone();
            Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                onfield.emit((index, field, select.value()));
            })
        };
        // A padding typed out of range is listed too, so the list shows the truth.
        let mut options: Vec<usize> = (r.min..=r.max).collect();
        if r.value > r.max {
            options.push(r.value);
        }
        return html! {
            <label class="field">
                { field.label() }
                <select data-testid={testid} data-value={r.value.to_string()} aria-label={aria} {onchange}>
                    { for options.into_iter().map(|p| {
                        let label = if r.same == Some(p) {
                            format!("{p} (same)")
                        } else if p > r.max {
                            format!("{p} (too large)")
                        } else {
                            p.to_string()
                        };
                        html! { <option value={p.to_string()} selected={p == r.value}>{ label }</option> }
                    }) }
                </select>
            </label>
        };
    }
    let oninput = {
        let onfield = onfield.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            onfield.emit((index, field, input.value()));
        })
    };
    // An emptied field, left: show the layer's value again.
    let value = r.value.to_string();
    let onchange = {
        let value = value.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let number = input.value().trim().parse::<f64>();
            if !number.is_ok_and(f64::is_finite) {
                input.set_value(&value);
            }
        })
    };
    html! {
        <label class="field">
            { field.label() }
            <input type="number" data-testid={testid} aria-label={aria}
                min={r.min.to_string()} max={r.max.to_string()} step="1"
                value={value} {oninput} {onchange} />
        </label>
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
