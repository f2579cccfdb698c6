//! Train / Pause, Step, Reset and the hyper-parameters, plus the live counters.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::colour::fmt_value;
use super::format::{thousands, thousands_f};
use super::hyper_input::{parse_batch_size, parse_learning_rate, OptimizerChoice};
use super::state::{Training, WorkerStatus};
use crate::data::mnist::TEST;
use crate::nn::optim::Hyper;
use crate::nn::DEFAULT_MODEL_TEST_ACCURACY;
use crate::protocol::{Recipe, LR_HALVE_AFTER_EXAMPLES};
use crate::worker::session::EVAL_EVERY_EXAMPLES;

#[derive(Properties, PartialEq)]
pub struct TrainingControlsProps {
    pub training: Training,
    /// Training FLOPs per example of the current architecture, for the GFLOP/s counter.
    pub flops_per_example: u64,
    /// Start (true) or pause (false) continuous training.
    pub ontoggle: Callback<bool>,
    pub onstep: Callback<()>,
    pub onreset: Callback<()>,
    /// Only ever called with validated values.
    pub onhyper: Callback<Hyper>,
    pub onrecipe: Callback<Recipe>,
}

#[function_component]
pub fn TrainingControls(props: &TrainingControlsProps) -> Html {
    let t = &props.training;
    let lr_error = use_state(|| None::<String>);
    let batch_error = use_state(|| None::<String>);

    let ontoggle = {
        let (cb, running) = (props.ontoggle.clone(), t.running);
        Callback::from(move |_: MouseEvent| cb.emit(!running))
    };
    // One checkbox per recipe switch: `set` turns that switch on or off in the current recipe.
    let switch = |set: fn(&mut Recipe, bool)| {
        let (cb, recipe) = (props.onrecipe.clone(), t.recipe);
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let mut r = recipe;
                set(&mut r, input.checked());
                cb.emit(r);
            }
        })
    };
    let onaugment = switch(|r, on| r.augment = on);
    let ondecay = switch(|r, on| r.lr_decay = on);
    let onshuffle = switch(|r, on| r.shuffle_pixels = on);
    let onstep = props.onstep.reform(|_: MouseEvent| ());
    let onreset = props.onreset.reform(|_: MouseEvent| ());

    let onlr = {
        let (cb, hyper, err) = (props.onhyper.clone(), t.hyper, lr_error.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            match parse_learning_rate(&input.value()) {
                Ok(learning_rate) => {
                    err.set(None);
                    cb.emit(Hyper {
                        learning_rate,
                        ..hyper
                    });
                }
                Err(msg) => err.set(Some(msg)),
            }
        })
    };
    let onbatch = {
        let (cb, hyper, err) = (props.onhyper.clone(), t.hyper, batch_error.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            match parse_batch_size(&input.value()) {
                Ok(batch_size) => {
                    err.set(None);
                    cb.emit(Hyper {
                        batch_size,
                        ..hyper
                    });
                }
                Err(msg) => err.set(Some(msg)),
            }
        })
    };
    let onoptimizer = {
        let (cb, hyper) = (props.onhyper.clone(), t.hyper);
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            if let Some(choice) = OptimizerChoice::parse(&select.value()) {
                cb.emit(Hyper {
                    optimizer: choice.kind(),
                    ..hyper
                });
            }
        })
    };

    // While the data loads, presses queue up in the worker and take effect once it is ready;
    // a worker that failed can do nothing, so its controls say so by being disabled.
    let unavailable = matches!(t.worker, WorkerStatus::Failed(_));
    let choice = OptimizerChoice::of(&t.hyper.optimizer);
    let status = match &t.worker {
        WorkerStatus::Starting => {
            html! { <span class="status">{ "Loading the training data…" }</span> }
        }
        WorkerStatus::Ready if t.running => {
            html! { <span class="status running">{ "Training" }</span> }
        }
        WorkerStatus::Ready => html! { <span class="status">{ "Paused" }</span> },
        WorkerStatus::Failed(e) => {
            html! { <span class="status error" role="alert">{ format!("Training unavailable: {e}") }</span> }
        }
    };
    // Until the worker's first evaluation, say what is known: the shipped network's measured
    // accuracy, or when this network will be measured.
    let test_digits = thousands(TEST.len() as u64);
    let (accuracy, accuracy_note) = match (t.test_accuracy, t.pretrained) {
        (Some(a), _) => (
            format!("{:.1}%", a * 100.0),
            format!(
                "of the {test_digits} held-out test digits, measured every {} examples",
                thousands(EVAL_EVERY_EXAMPLES)
            ),
        ),
        (None, true) => (
            format!("{:.1}%", DEFAULT_MODEL_TEST_ACCURACY * 100.0),
            format!(
                "the shipped model's accuracy on the {test_digits} test digits; measured again \
                 here as soon as the training data has loaded"
            ),
        ),
        (None, false) => (
            "not yet".to_string(),
            format!(
                "measured on the {test_digits} test digits as soon as the worker is ready, \
                 then every {} examples",
                thousands(EVAL_EVERY_EXAMPLES)
            ),
        ),
    };
    let seed = t.seed;
    let start_note = if t.pretrained {
        format!(
            "Train continues from the shipped network, already trained. Reset starts again \
             from random weights (seed {seed}, the same start every time)."
        )
    } else {
        format!(
            "This network started from random weights (seed {seed}); Reset goes back to that \
             same start."
        )
    };

    html! {
        <section class="card training" aria-labelledby="training-heading">
            <h2 id="training-heading">{ "Training" }</h2>
            <div class="buttons">
                <button type="button" data-testid="train-toggle" class="primary" onclick={ontoggle}
                    disabled={unavailable} aria-pressed={t.running.to_string()}>
                    { if t.running { "Pause" } else { "Train" } }
                </button>
                <button type="button" data-testid="step" onclick={onstep} disabled={unavailable}
                    title="Train on one mini-batch">{ "Step" }</button>
                <button type="button" data-testid="reset" onclick={onreset} disabled={unavailable}
                    title="Start again from freshly initialised weights">{ "Reset" }</button>
                { status }
            </div>
            <p class="hint start-note" data-testid="training-start-note">{ start_note }</p>
            <div class="hyper">
                <label>
                    { "Learning rate" }
                    <input type="text" inputmode="decimal" data-testid="learning-rate"
                        value={t.hyper.learning_rate.to_string()} onchange={onlr}
                        aria-invalid={lr_error.is_some().to_string()} aria-describedby="lr-error" />
                </label>
                <label>
                    { "Batch size" }
                    <input type="text" inputmode="numeric" data-testid="batch-size"
                        value={t.hyper.batch_size.to_string()} onchange={onbatch}
                        aria-invalid={batch_error.is_some().to_string()} aria-describedby="batch-error" />
                </label>
                <label>
                    { "Optimizer" }
                    <select data-testid="optimizer" onchange={onoptimizer}>
                        <option value={OptimizerChoice::Sgd.id()} selected={choice == OptimizerChoice::Sgd}>
                            { "SGD with momentum" }
                        </option>
                        <option value={OptimizerChoice::Adam.id()} selected={choice == OptimizerChoice::Adam}>
                            { "Adam" }
                        </option>
                    </select>
                </label>
            </div>
            <p id="lr-error" class="error" data-testid="learning-rate-error" role="alert">
                { (*lr_error).clone().unwrap_or_default() }
            </p>
            <p id="batch-error" class="error" data-testid="batch-size-error" role="alert">
                { (*batch_error).clone().unwrap_or_default() }
            </p>
            <fieldset class="recipe">
                <legend>{ "Training aids and experiments" }</legend>
                <label title="Each training image is randomly shifted (±2 px), turned (±8°), scaled, \
                    slanted and its strokes thickened or thinned, so the network cannot simply \
                    memorise the 8,000 training images">
                    <input type="checkbox" data-testid="recipe-augment" checked={t.recipe.augment} onchange={onaugment} />
                    { " Vary the training images (augmentation)" }
                </label>
                <label>
                    <input type="checkbox" data-testid="recipe-decay" checked={t.recipe.lr_decay} onchange={ondecay} />
                    { format!(" Lower the learning rate as training goes on (half after {} examples)",
                        thousands(LR_HALVE_AFTER_EXAMPLES)) }
                </label>
                if t.recipe.lr_decay {
                    <p class="counter-note" data-testid="learning-rate-now">
                        { format!("Learning rate now: {}",
                            t.learning_rate_now.map(fmt_value).unwrap_or_else(|| fmt_value(t.hyper.learning_rate))) }
                    </p>
                }
                <label>
                    <input type="checkbox" data-testid="recipe-shuffle" checked={t.recipe.shuffle_pixels} onchange={onshuffle} />
                    { " Pixel shuffle: scramble every image with one fixed permutation" }
                </label>
                if t.recipe.shuffle_pixels {
                    <p class="note" data-testid="shuffle-note">{ "Every image, your drawing included, now reaches the \
                        network with its pixels scrambled in the same fixed way (the feature maps show what the \
                        network sees). Press Reset, then Train, and compare a CNN preset with the MLP preset: \
                        the MLP does not care where a pixel is, the CNN's kernels need neighbouring pixels." }</p>
                }
            </fieldset>
            <dl class="counters">
                <div><dt>{ "Examples seen" }</dt><dd data-testid="examples-seen">{ thousands(t.examples_seen) }</dd></div>
                <div><dt>{ "Examples / s" }</dt>
                    <dd data-testid="examples-per-sec">
                        { t.examples_per_sec.map(|r| thousands_f(r as f64)).unwrap_or_else(|| "—".into()) }
                    </dd></div>
                <div><dt title="Billions of floating-point operations per second, counting 2 per \
                    multiply-add of the conv and dense layers, backward = 2 × forward">{ "GFLOP/s" }</dt>
                    <dd data-testid="gflops">
                        { t.examples_per_sec
                            .map(|r| format!("{:.2}", r as f64 * props.flops_per_example as f64 / 1e9))
                            .unwrap_or_else(|| "—".into()) }
                    </dd></div>
                <div><dt>{ "Test accuracy" }</dt>
                    <dd data-testid="test-accuracy" data-value={t.test_accuracy.map(|a| format!("{a:.4}"))}>
                        { accuracy }
                    </dd>
                    <dd class="counter-note" data-testid="test-accuracy-note">{ accuracy_note }</dd></div>
            </dl>
            if let Some(n) = &t.notice {
                <p class="notice">{ n.clone() }</p>
            }
        </section>
    }
}
