//! The page: loads the model, talks to the worker, lays out the panels.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_agent::prelude::*;
use yew_agent::reactor::ReactorProvider;

use super::about::About;
use super::arch_editor::{read_arch_query, ArchEditor};
use super::architecture::Architecture;
use super::cell_inspector::{cell_from_click, CellInspector};
use super::charts::{LineChart, Series};
use super::draw_pad::DrawPad;
use super::feature_maps::FeatureMaps;
use super::kernels::Kernels;
use super::marks::mark_now;
use super::pooling::Pooling;
use super::prediction::Prediction;
use super::preview::Preview;
use super::projector::ProjectorToggle;
use super::state::ShownInput;
use super::state::{Action, AppState, Loadable};
use super::training_controls::TrainingControls;
use super::url_state::{
    check_cell, read_query, write_query, CellInAddress, HiddenPanels, Panel, RecipeFlags,
    UrlSettings, DEFAULT_SEED,
};
use super::urls::{
    address_pairs, asset_url, set_address_pairs, DATA_PATH, MODEL_PATH, WORKER_PATH,
};
use super::views::{feature_map_groups, kernel_groups, pooling_groups, PlaneGroup};
use crate::data::mnist::Mnist;
use crate::data::pixel_shuffle::PixelShuffle;
use crate::data::preprocess::Stroke;
use crate::nn::layers::loss::softmax;
use crate::nn::model::Model;
use crate::nn::optim::Hyper;
use crate::nn::receptive::Cell;
use crate::nn::spec::{training_flops_per_example, ModelSpec, CLASSES, MAX_ARCH_LEN};
use crate::protocol::{FromWorker, Init, LiveView, Recipe, ToWorker};
use crate::worker::fetch::fetch_bytes;
use crate::worker::TrainingReactor;

/// Seed that `Reset` reinitialises from (the worker's `Trainer` uses it) when the address has
/// no `seed=`; the page's seed is `Training::seed`.
pub const SEED: u64 = DEFAULT_SEED;

#[function_component]
pub fn App() -> Html {
    // yew-agent resolves the worker path against the page URL, not `<base>`.
    let worker_url = use_memo((), |_| asset_url(WORKER_PATH));
    match &*worker_url {
        Ok(url) => html! {
            <ReactorProvider<TrainingReactor> path={AttrValue::from(url.clone())}>
                <Main />
            </ReactorProvider<TrainingReactor>>
        },
        Err(e) => {
            html! { <p class="error fatal" role="alert">{ format!("Convscope cannot start: {e}") }</p> }
        }
    }
}

#[function_component]
fn Main() -> Html {
    // The address's settings (`lr=`, `seed=`, `hide=`, `cell=`…), read once, made safe to run;
    // `arch=` is read below, with the model.
    let from_url = use_memo((), |_| read_query(&address_pairs()));
    let state = use_reducer({
        let from_url = from_url.clone();
        move || {
            let mut s = AppState::default();
            s.training.hyper = from_url.settings.hyper;
            s.training.seed = from_url.settings.seed;
            let r = from_url.settings.recipe;
            s.training.recipe = Recipe {
                augment: r.augment,
                lr_decay: r.decay,
                shuffle_pixels: r.shuffle,
            };
            s.url_notices = from_url.notices.clone();
            s
        }
    });
    let hidden = use_state(|| from_url.settings.hidden);
    // The cell shown in "Inside one cell", picked by a click on a feature or pooling map (or
    // `cell=` in the address, once the network is known to have it).
    let selected_cell = use_state(|| None::<Cell>);

    let bridge = {
        let dispatch = state.dispatcher();
        use_reactor_bridge::<TrainingReactor, _>(move |event| match event {
            ReactorEvent::Output(msg) => dispatch.dispatch(Action::Worker(msg)),
            ReactorEvent::Finished => dispatch.dispatch(Action::WorkerGone),
        })
    };

    // Start-up: the shipped model (then the worker, from the same weights) and the
    // test images for the feature-map picker.
    {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        let (hyper, seed) = (state.training.hyper, state.training.seed);
        let recipe = state.training.recipe;
        let (url_cell, selected) = (from_url.settings.cell, selected_cell.clone());
        use_effect_with((), move |_| {
            let d = dispatch.clone();
            let query = gloo::utils::window()
                .location()
                .search()
                .unwrap_or_default();
            // `?live=off`: the worker reports rarely (for measuring what the live view costs).
            let live = LiveView::from_query(&query);
            // `?arch=…`: run this architecture instead of the shipped one, if it is valid.
            let values = arch_values(&address_pairs());
            let arch = read_arch_query(&values);
            if let Some(notice) = arch.notice {
                d.dispatch(Action::ArchNotice {
                    notice,
                    rejected: arch.rejected,
                });
            }
            let requested = arch.spec;
            spawn_local(async move {
                let loaded = load_model().await;
                match loaded.map(|m| model_for(m, requested, seed, &d)) {
                    Ok((model, pretrained)) => {
                        // `cell=`: selected if this network has that cell.
                        if let Some(cell) = url_cell {
                            match check_cell(cell, model.infos()) {
                                Ok(cell) => selected.set(Some(cell)),
                                Err(notice) => d.dispatch(Action::UrlNotice(notice)),
                            }
                        }
                        // The address says what runs: the architecture actually loaded, or
                        // no arch= at all when the shipped network runs.
                        if !values.is_empty() {
                            let arch = (!pretrained).then(|| model.spec().to_string());
                            set_arch_in_address(arch.as_deref());
                        }
                        match asset_url(DATA_PATH) {
                            Ok(data_url) => {
                                bridge.send(ToWorker::Init(Box::new(Init {
                                    data_url,
                                    spec: model.spec().clone(),
                                    seed,
                                    hyper,
                                    recipe,
                                    params: model.param_vectors(),
                                })));
                                if live != LiveView::default() {
                                    bridge.send(ToWorker::SetLive(live));
                                }
                            }
                            Err(e) => d.dispatch(Action::Worker(FromWorker::Error(e))),
                        }
                        d.dispatch(Action::ModelLoaded { model, pretrained });
                    }
                    Err(e) => d.dispatch(Action::ModelFailed(e)),
                }
            });
            spawn_local(async move {
                match load_test_set().await {
                    Ok(set) => dispatch.dispatch(Action::TestSetLoaded(Rc::new(set))),
                    Err(e) => dispatch.dispatch(Action::TestSetFailed(e)),
                }
            });
        });
    }

    // Tell tests and scripts when the page is interactive.
    {
        let ready = matches!(state.model, Loadable::Ready(_));
        use_effect_with(ready, |ready| {
            if *ready {
                if let Some(body) = gloo::utils::document().body() {
                    mark_now("readyMs");
                    let _ = body.dataset().set("ready", "true");
                }
            }
        });
    }
    // Keep the address in step with what runs, as the teacher changes it (replaceState), so a
    // shared link or a reload shows the same. `cell=` waits until the network is known.
    {
        let settings = UrlSettings {
            hyper: state.training.hyper,
            seed: state.training.seed,
            recipe: RecipeFlags {
                augment: state.training.recipe.augment,
                decay: state.training.recipe.lr_decay,
                shuffle: state.training.recipe.shuffle_pixels,
            },
            hidden: *hidden,
            cell: *selected_cell,
        };
        let cell = match state.model {
            Loadable::Ready(_) => CellInAddress::Set(*selected_cell),
            _ => CellInAddress::Keep,
        };
        use_effect_with((settings, cell), |(settings, cell)| {
            set_address_pairs(&write_query(&address_pairs(), settings, true, *cell));
        });
    }
    // Tell measurement scripts when a new drawing has been rendered everywhere: this
    // component's effects run after its children's (the prediction and the panels' canvases).
    {
        let strokes = Rc::as_ptr(&state.strokes) as usize;
        use_effect_with(strokes, |_| mark_now("drawingShownMs"));
    }

    // Derived views, recomputed only when the weights or the input change.
    let model = match &state.model {
        Loadable::Ready(m) => Some(m.clone()),
        _ => None,
    };
    let version = state.weights_version;
    // One forward pass per input and weights: it feeds the feature maps, the pooling panel
    // and, for a drawing, the prediction (a test digit shown on an empty pad predicts nothing).
    let shown = state.shown_input();
    // The pixel-shuffle experiment: the network (and so every panel) sees the input scrambled.
    let permutation = use_memo((), |_| PixelShuffle::fixed());
    let shown = match shown {
        Some(s) if state.training.recipe.shuffle_pixels => Some(s.shuffled(&permutation)),
        other => other,
    };
    let views = use_memo((shown.clone(), version), {
        let model = model.clone();
        move |(shown, _)| {
            let (Some(shown), Some(m)) = (shown, &model) else {
                return InputViews::default();
            };
            let m = m.0.borrow();
            let nested = m.forward_taps_nested(shown.image());
            let spec = &m.spec().layers;
            let maps = feature_map_groups(spec, m.infos(), &nested);
            let taps: Vec<_> = nested.into_iter().map(|t| t.output).collect();
            InputViews {
                probs: match shown {
                    ShownInput::Drawing(_) => probabilities(&taps),
                    ShownInput::TestDigit { .. } => None,
                },
                maps: Rc::new(maps),
                pools: Rc::new(pooling_groups(spec, m.infos(), &taps)),
            }
        }
    });
    let kernels = use_memo(version, {
        let model = model.clone();
        move |_| {
            Rc::new(
                model
                    .map(|m| kernel_groups(&m.0.borrow()))
                    .unwrap_or_default(),
            )
        }
    });

    let onpickcell = {
        let (selected, model) = (selected_cell.clone(), model.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(cell) = model
                .as_ref()
                .and_then(|m| cell_from_click(&m.0.borrow(), &e))
            {
                selected.set(Some(cell));
            }
        })
    };
    let onselectcell = {
        let selected = selected_cell.clone();
        Callback::from(move |cell: Option<Cell>| selected.set(cell))
    };

    let ondraw = {
        let dispatch = state.dispatcher();
        Callback::from(move |strokes: Rc<Vec<Stroke>>| dispatch.dispatch(Action::Drawing(strokes)))
    };
    let onpick = {
        let dispatch = state.dispatcher();
        Callback::from(move |i: usize| dispatch.dispatch(Action::PickTestDigit(i)))
    };
    let ontoggle = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        Callback::from(move |run: bool| {
            bridge.send(if run {
                ToWorker::Train
            } else {
                ToWorker::Pause
            });
            dispatch.dispatch(Action::SetRunning(run));
        })
    };
    let onstep = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        Callback::from(move |_| {
            bridge.send(ToWorker::Step);
            dispatch.dispatch(Action::SetRunning(false));
        })
    };
    let onreset = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        Callback::from(move |_| {
            bridge.send(ToWorker::Reset);
            dispatch.dispatch(Action::SetRunning(false));
        })
    };
    let onhyper = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        Callback::from(move |h: Hyper| {
            bridge.send(ToWorker::SetHyper(h));
            dispatch.dispatch(Action::SetHyper(h));
        })
    };
    let onrecipe = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        Callback::from(move |r: Recipe| {
            bridge.send(ToWorker::SetRecipe(r));
            dispatch.dispatch(Action::SetRecipe(r));
        })
    };

    let onarch = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        let (running, seed) = (state.training.running, state.training.seed);
        let selected = selected_cell.clone();
        Callback::from(move |spec: ModelSpec| match Model::new(&spec, seed) {
            Ok(model) => {
                // A selected cell the new network does not have is let go.
                if let Some(cell) = *selected {
                    if check_cell(cell, model.infos()).is_err() {
                        selected.set(None);
                    }
                }
                bridge.send(ToWorker::SetArchitecture(spec.clone()));
                // A teacher who applies a change while training expects it to keep training.
                if running {
                    bridge.send(ToWorker::Train);
                }
                dispatch.dispatch(Action::ArchitectureApplied { model, running });
                set_arch_in_address(Some(&spec.to_string()));
            }
            Err(e) => dispatch.dispatch(Action::ArchNotice {
                notice: format!("The network was not changed: {e}"),
                rejected: None,
            }),
        })
    };
    let onshow_editor = {
        let hidden = hidden.clone();
        Callback::from(move |_: MouseEvent| {
            if hidden.is_hidden(Panel::Editor) {
                hidden.set(hidden.with(Panel::Editor, false));
            }
            // After the editor is rendered again.
            gloo::timers::callback::Timeout::new(0, scroll_to_editor).forget();
        })
    };
    let onpanel = {
        let hidden = hidden.clone();
        Callback::from(move |p: Panel| hidden.set(hidden.with(p, !hidden.is_hidden(p))))
    };
    let ondismiss = {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::DismissUrlNotices))
    };
    let show = |p: Panel| hidden.is_shown(p);
    let current_arch = match &state.model {
        Loadable::Ready(m) => AttrValue::from(m.0.borrow().spec().to_string()),
        _ => AttrValue::default(),
    };
    let model_ready = matches!(state.model, Loadable::Ready(_));

    let t = &state.training;
    let flops_per_example = training_flops_per_example(&state.infos);
    let loss_series = vec![Series {
        label: "loss",
        colour: plotters::style::RGBColor(178, 24, 43),
        history: t.loss.clone(),
    }];
    let accuracy_series = vec![
        Series {
            label: "train (running)",
            colour: plotters::style::RGBColor(33, 102, 172),
            history: t.train_accuracy.clone(),
        },
        Series {
            label: "test (held out)",
            colour: plotters::style::RGBColor(230, 97, 1),
            history: t.test_accuracy_history.clone(),
        },
    ];
    let test_set_error = match &state.test_set {
        Loadable::Failed(e) => Some(AttrValue::from(format!(
            "Could not load the test images: {e}"
        ))),
        _ => None,
    };

    html! {
        <>
            <header class="top">
                <h1>{ "Convscope" }</h1>
                <p class="tagline">{ "Draw a digit and watch a small convolutional network read it — and learn." }</p>
                <ProjectorToggle />
            </header>
            { match &state.model {
                Loadable::Loading => html! { <p class="loading" role="status">{ "Loading the network…" }</p> },
                Loadable::Failed(e) => html! {
                    <p class="error fatal" role="alert" data-testid="load-error">
                        { format!("The network could not be loaded: {e}. Check that {MODEL_PATH} is served next to this page, then reload.") }
                    </p>
                },
                Loadable::Ready(_) => html! {},
            } }
            if state.arch_notice.is_some() || !state.url_notices.is_empty() {
                <div class="arch-notice url-notice" role="alert" data-testid="url-notice">
                    if !state.url_notices.is_empty() {
                        <p><strong>{ "Not as the address asked — the address now shows what runs:" }</strong></p>
                    }
                    <ul>
                        { for state.url_notices.iter().map(|n| html! {
                            <li data-testid="url-notice-item">{ n.clone() }</li>
                        }) }
                        if let Some(notice) = &state.arch_notice {
                            <li data-testid="arch-notice">
                                <strong>{ "About the address's arch=: " }</strong>{ notice.clone() }
                                { " " }
                                <button type="button" data-testid="arch-notice-show" onclick={onshow_editor}>
                                    { "Show it in the editor" }
                                </button>
                            </li>
                        }
                    </ul>
                    if !state.url_notices.is_empty() {
                        <button type="button" data-testid="url-notice-dismiss" onclick={ondismiss}>
                            { "OK" }
                        </button>
                    }
                </div>
            }
            { panel_toggles(*hidden, &onpanel) }
            <main class="layout">
                <section class="card draw" aria-labelledby="draw-heading">
                    <h2 id="draw-heading">{ "Draw" }</h2>
                    <div class="draw-row">
                        <DrawPad onchange={ondraw} />
                        <div class="draw-side">
                            <Preview image={match &shown {
                                // What the network sees (scrambled with the pixel shuffle on).
                                Some(ShownInput::Drawing(image)) => Some(image.clone()),
                                _ => None,
                            }} />
                            <Prediction probs={views.probs} />
                        </div>
                    </div>
                </section>
                <div class="train-column">
                    <TrainingControls training={t.clone()} {flops_per_example} {ontoggle} {onstep} {onreset} {onhyper} {onrecipe} />
                    if show(Panel::Charts) {
                        <section class="card charts" aria-label="Training curves">
                            <LineChart title="Loss" series={loss_series} testid="loss-chart" />
                            <LineChart title="Accuracy" series={accuracy_series} y_range={Some((0.0, 1.0))}
                                testid="accuracy-chart" />
                        </section>
                    }
                </div>
            </main>
            if show(Panel::Kernels) {
                <Kernels groups={(*kernels).clone()} />
            }
            <div class="pickable" onclick={onpickcell}>
                if show(Panel::Maps) {
                    <FeatureMaps groups={views.maps.clone()} shown={shown.clone()} test_index={state.test_index}
                        {test_set_error} {onpick} />
                }
                if show(Panel::Pooling) {
                    <Pooling groups={views.pools.clone()} />
                }
            </div>
            if show(Panel::Cell) {
                <CellInspector model={model.clone()} version={version} shown={shown} cell={*selected_cell}
                    onselect={onselectcell} />
            }
            if show(Panel::Editor) {
                <ArchEditor current={current_arch} ready={model_ready} onapply={onarch}
                    training={state.training.running}
                    rejected={state.arch_rejected.clone().map(AttrValue::from)}
                    notice={state.arch_notice.clone().map(AttrValue::from)} />
            }
            <Architecture infos={state.infos.clone()} savings={Rc::new(
                model.as_ref().map(|m| {
                    let m = m.0.borrow();
                    m.spec().separable_savings(m.infos())
                }).unwrap_or_default()
            )} />
            <About />
        </>
    }
}

/// Scrolls to the architecture editor's text field and focuses it.
fn scroll_to_editor() {
    let document = gloo::utils::document();
    if let Ok(Some(input)) = document.query_selector("[data-testid=\"arch-input\"]") {
        input.scroll_into_view();
        if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
            let _ = input.focus();
        }
    }
}

/// One show/hide button per panel (`hide=` in the address).
fn panel_toggles(hidden: HiddenPanels, onpanel: &Callback<Panel>) -> Html {
    html! {
        <nav class="panel-toggles" data-testid="panel-toggles" aria-label="Show or hide panels">
            <span class="panel-toggles-label">{ "Panels:" }</span>
            { for Panel::ALL.iter().map(|&p| {
                let onclick = onpanel.reform(move |_: MouseEvent| p);
                let shown = hidden.is_shown(p);
                html! {
                    <button type="button" class={classes!("panel-toggle", (!shown).then_some("off"))}
                        data-testid={format!("panel-toggle-{}", p.id())} aria-pressed={shown.to_string()}
                        title={format!("{} the {} panel", if shown { "Hide" } else { "Show" }, p.label())}
                        {onclick}>
                        { if shown { "☑ " } else { "☐ " } }{ p.label() }
                    </button>
                }
            }) }
        </nav>
    }
}

/// What one forward pass of the shown input gives the panels.
#[derive(Default)]
struct InputViews {
    /// Class probabilities, for a drawing only.
    probs: Option<[f32; CLASSES]>,
    maps: Rc<Vec<PlaneGroup>>,
    pools: Rc<Vec<PlaneGroup>>,
}

/// Softmax of the last tap (the logits).
fn probabilities(taps: &[ndarray::Array3<f32>]) -> Option<[f32; CLASSES]> {
    let logits = taps.last()?.as_slice()?;
    if logits.len() != CLASSES {
        return None;
    }
    let mut p = [0.0; CLASSES];
    softmax(logits, &mut p);
    Some(p)
}

/// The `arch=` values of the address, in order, each distinct value once and at most
/// [`MAX_ARCH_VALUES`] of them (an address repeating `arch=` thousands of times must not make
/// the notice, or the page, slow).
fn arch_values(pairs: &[(String, String)]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    pairs
        .iter()
        .filter(|(k, _)| k == "arch")
        .filter(|(_, v)| seen.insert(v.as_str()))
        .take(MAX_ARCH_VALUES)
        // Longer than any architecture: cut, so the notice and the editor stay small (it is
        // still too long, and rejected as such).
        .map(|(_, v)| v.chars().take(MAX_ARCH_LEN + 1).collect())
        .collect()
}

/// How many different `arch=` values of the address are read (and named in the notice).
const MAX_ARCH_VALUES: usize = 5;

/// The page's model and whether it carries the shipped weights: the shipped one, unless
/// `requested` is another architecture, which then starts from the seed (the shipped weights
/// fit only the shipped architecture).
fn model_for(
    shipped: Model,
    requested: Option<ModelSpec>,
    seed: u64,
    dispatch: &UseReducerDispatcher<AppState>,
) -> (Model, bool) {
    let Some(spec) = requested.filter(|s| s != shipped.spec()) else {
        return (shipped, true);
    };
    match Model::new(&spec, seed) {
        Ok(model) => (model, false),
        Err(e) => {
            dispatch.dispatch(Action::ArchNotice {
                notice: format!(
                    "The architecture in the address, arch={spec}, cannot run: {e}. Running \
                     the shipped network instead; the rejected architecture is in the editor."
                ),
                rejected: Some(spec.to_string()),
            });
            (shipped, true)
        }
    }
}

/// Keeps the page's address in step with the network: `arch=` replaced (other parameters
/// kept; `None` removes it) with `history.replaceState`, so a reload or a shared link shows
/// the same network.
fn set_arch_in_address(arch: Option<&str>) {
    let mut pairs = address_pairs();
    let at = pairs.iter().position(|(k, _)| k == "arch");
    pairs.retain(|(k, _)| k != "arch");
    if let Some(arch) = arch {
        let pair = ("arch".to_string(), arch.to_string());
        match at {
            Some(i) => pairs.insert(i.min(pairs.len()), pair),
            None => pairs.push(pair),
        }
    }
    set_address_pairs(&pairs);
}

async fn load_model() -> Result<Model, String> {
    let url = asset_url(MODEL_PATH)?;
    let bytes = fetch_bytes(&url).await?;
    Model::from_bytes(&bytes).map_err(|e| format!("{url} is not a valid model file ({e})"))
}

async fn load_test_set() -> Result<Mnist, String> {
    let url = asset_url(DATA_PATH)?;
    let bytes = fetch_bytes(&url).await?;
    Mnist::parse(&bytes).map_err(|e| format!("{url}: {e}"))
}
