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
use super::charts::{LineChart, Series};
use super::draw_pad::DrawPad;
use super::cell_inspector::{cell_from_click, CellInspector};
use super::feature_maps::FeatureMaps;
use crate::nn::receptive::Cell;
use super::kernels::Kernels;
use super::marks::mark_now;
use super::pooling::Pooling;
use super::prediction::Prediction;
use super::preview::Preview;
use super::state::ShownInput;
use super::state::{Action, AppState, Loadable};
use super::training_controls::TrainingControls;
use super::urls::{asset_url, DATA_PATH, MODEL_PATH, WORKER_PATH};
use super::views::{feature_map_groups, kernel_groups, pooling_groups, PlaneGroup};
use crate::data::mnist::Mnist;
use crate::data::preprocess::Stroke;
use crate::nn::layers::loss::softmax;
use crate::nn::model::Model;
use crate::nn::optim::Hyper;
use crate::nn::spec::{training_flops_per_example, ModelSpec, CLASSES};
use crate::protocol::{FromWorker, Init, LiveView, ToWorker};
use crate::worker::fetch::fetch_bytes;
use crate::worker::TrainingReactor;

/// Seed that `Reset` reinitialises from (the worker's `Trainer` uses it).
pub const SEED: u64 = 42;

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
    let state = use_reducer(AppState::default);

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
        let hyper = state.training.hyper;
        use_effect_with((), move |_| {
            let d = dispatch.clone();
            let query = gloo::utils::window()
                .location()
                .search()
                .unwrap_or_default();
            // `?live=off`: the worker reports rarely (for measuring what the live view costs).
            let live = LiveView::from_query(&query);
            // `?arch=…`: run this architecture instead of the shipped one, if it is valid.
            let values = arch_values(&query);
            let arch = read_arch_query(&values);
            if let Some(notice) = arch.notice {
                d.dispatch(Action::ArchNotice {
                    notice,
                    rejected: arch.rejected,
                });
            }
            let requested = arch.spec;
            spawn_local(async move {
                match load_model().await.map(|m| model_for(m, requested, &d)) {
                    Ok((model, pretrained)) => {
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
                                    seed: SEED,
                                    hyper,
                                    recipe: crate::protocol::Recipe::default(),
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
    let views = use_memo((shown.clone(), version), {
        let model = model.clone();
        move |(shown, _)| {
            let (Some(shown), Some(m)) = (shown, &model) else {
                return InputViews::default();
            };
            let m = m.0.borrow();
            let taps = m.forward_taps(shown.image());
            let spec = &m.spec().layers;
            InputViews {
                probs: match shown {
                    ShownInput::Drawing(_) => probabilities(&taps),
                    ShownInput::TestDigit { .. } => None,
                },
                maps: Rc::new(feature_map_groups(spec, m.infos(), &taps)),
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

    // The cell shown in "Inside one cell", picked by a click on a feature or pooling map.
    let selected_cell = use_state(|| None::<Cell>);
    let onpickcell = {
        let (selected, model) = (selected_cell.clone(), model.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(cell) = model.as_ref().and_then(|m| cell_from_click(&m.0.borrow(), &e)) {
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

    let onarch = {
        let (dispatch, bridge) = (state.dispatcher(), bridge.clone());
        let running = state.training.running;
        Callback::from(move |spec: ModelSpec| match Model::new(&spec, SEED) {
            Ok(model) => {
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
    let onshow_editor = Callback::from(|_: MouseEvent| {
        let document = gloo::utils::document();
        if let Ok(Some(input)) = document.query_selector("[data-testid=\"arch-input\"]") {
            input.scroll_into_view();
            if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
                let _ = input.focus();
            }
        }
    });
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
            if let Some(notice) = &state.arch_notice {
                <div class="arch-notice" role="alert" data-testid="arch-notice">
                    <strong>{ "About the address's arch=: " }</strong>{ notice.clone() }
                    { " " }
                    <button type="button" data-testid="arch-notice-show" onclick={onshow_editor}>
                        { "Show it in the editor" }
                    </button>
                </div>
            }
            <main class="layout">
                <section class="card draw" aria-labelledby="draw-heading">
                    <h2 id="draw-heading">{ "Draw" }</h2>
                    <div class="draw-row">
                        <DrawPad onchange={ondraw} />
                        <div class="draw-side">
                            <Preview image={state.drawing.clone()} />
                            <Prediction probs={views.probs} />
                        </div>
                    </div>
                </section>
                <div class="train-column">
                    <TrainingControls training={t.clone()} {flops_per_example} {ontoggle} {onstep} {onreset} {onhyper} />
                    <section class="card charts" aria-label="Training curves">
                        <LineChart title="Loss" series={loss_series} testid="loss-chart" />
                        <LineChart title="Accuracy" series={accuracy_series} y_range={Some((0.0, 1.0))}
                            testid="accuracy-chart" />
                    </section>
                </div>
            </main>
            <Kernels groups={(*kernels).clone()} />
            <div class="pickable" onclick={onpickcell}>
                <FeatureMaps groups={views.maps.clone()} shown={shown.clone()} test_index={state.test_index}
                    {test_set_error} {onpick} />
                <Pooling groups={views.pools.clone()} />
            </div>
            <CellInspector model={model.clone()} version={version} shown={shown} cell={*selected_cell}
                onselect={onselectcell} />
            <ArchEditor current={current_arch} ready={model_ready} onapply={onarch}
                training={state.training.running}
                rejected={state.arch_rejected.clone().map(AttrValue::from)}
                notice={state.arch_notice.clone().map(AttrValue::from)} />
            <Architecture infos={state.infos.clone()} />
            <About />
        </>
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

/// Every `arch=` value of a page query (`?a=b&arch=…`), in order.
fn arch_values(query: &str) -> Vec<String> {
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(query) else {
        return Vec::new();
    };
    params
        .get_all("arch")
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

/// The page's model and whether it carries the shipped weights: the shipped one, unless
/// `requested` is another architecture, which then starts from the seed (the shipped weights
/// fit only the shipped architecture).
fn model_for(
    shipped: Model,
    requested: Option<ModelSpec>,
    dispatch: &UseReducerDispatcher<AppState>,
) -> (Model, bool) {
    let Some(spec) = requested.filter(|s| s != shipped.spec()) else {
        return (shipped, true);
    };
    match Model::new(&spec, SEED) {
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
    let window = gloo::utils::window();
    let location = window.location();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
    else {
        return;
    };
    match arch {
        Some(arch) => params.set("arch", arch),
        None => params.delete("arch"),
    }
    let query: String = params.to_string().into();
    let url = format!(
        "{}{}{query}{}",
        location.pathname().unwrap_or_default(),
        if query.is_empty() { "" } else { "?" },
        location.hash().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
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
