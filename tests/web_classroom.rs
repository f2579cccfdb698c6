//! Issue 4, "for the classroom": what a newcomer's test run found, fixed and checked in the
//! browser (counts with separators, a rejected `arch=` that can be fixed in the editor, test
//! accuracy before the first evaluation, the Train/Pause button after Step and Apply, presets).
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use convscope::nn::spec::ModelSpec;
use convscope::nn::DEFAULT_MODEL_TEST_ACCURACY;
use convscope::protocol::{FromWorker, Metrics, Snapshot, TestAccuracy};
use convscope::ui::arch_editor::{preset_index, read_arch_query, ArchEditor, ArchEditorProps};
use convscope::ui::format::{thousands, thousands_f};
use convscope::ui::state::{Action, AppState, Training};
use convscope::ui::training_controls::{TrainingControls, TrainingControlsProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::{AttrValue, Callback, Reducible};

#[path = "common/dom.rs"]
mod dom;
use dom::{find, host, settle};

wasm_bindgen_test_configure!(run_in_browser);

fn text(host: &Element, testid: &str) -> String {
    find(host, testid).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
fn counts_have_thousands_separators() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(530_660), "530,660");
    assert_eq!(thousands(4_923_520), "4,923,520");
    assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    assert_eq!(thousands_f(3456.7), "3,457");
    assert_eq!(thousands_f(f64::NAN), "—");
    assert_eq!(thousands_f(-1.0), "—");
}

#[wasm_bindgen_test]
fn a_bad_arch_is_rejected_with_its_text_and_error() {
    let q = read_arch_query(&["conv8k99".to_string()]);
    assert_eq!(q.spec, None);
    assert_eq!(q.rejected.as_deref(), Some("conv8k99"));
    let notice = q.notice.expect("a notice");
    let error = ModelSpec::parse("conv8k99").unwrap_err().to_string();
    assert!(notice.contains("arch=conv8k99"), "{notice}");
    assert!(notice.contains(&error), "{notice} / {error}");
    assert!(notice.contains("editor"), "{notice}");

    // No arch=, or the same one twice: nothing to say.
    assert_eq!(read_arch_query(&[]), Default::default());
    let same = read_arch_query(&["dense10".to_string(), "dense10".to_string()]);
    assert_eq!(
        (same.spec, same.notice),
        (Some(ModelSpec::parse("dense10").unwrap()), None)
    );
}

#[wasm_bindgen_test]
fn two_different_arch_values_are_never_silently_reduced_to_one() {
    let q = read_arch_query(&["dense10".to_string(), "conv4k3,dense10".to_string()]);
    assert_eq!(q.spec, Some(ModelSpec::parse("dense10").unwrap()));
    assert_eq!(q.rejected, None);
    let notice = q.notice.expect("a notice");
    assert!(notice.contains("2 different arch= values"), "{notice}");
    assert!(
        notice.contains("running the first, arch=dense10"),
        "{notice}"
    );
    assert!(notice.contains("ignoring arch=conv4k3,dense10"), "{notice}");

    // The first invalid: nothing from the address runs, and the editor gets the first.
    let q = read_arch_query(&["conv8k99".to_string(), "dense10".to_string()]);
    assert_eq!((q.spec, q.rejected.as_deref()), (None, Some("conv8k99")));
    assert!(q.notice.unwrap().contains("2 different arch= values"));
}

fn snapshot(run: u32, running: bool, seen: u64) -> Action {
    Action::Worker(FromWorker::Snapshot(Box::new(Snapshot {
        run,
        params: Vec::new(),
        metrics: Metrics::default(),
        examples_seen: seen,
        examples_per_sec: None,
        learning_rate: 0.001,
        test_accuracy: Some(TestAccuracy {
            value: 0.5,
            at_examples: seen,
        }),
        running,
    })))
}

#[wasm_bindgen_test]
fn a_step_never_shows_pause_from_a_snapshot_sent_before_it() {
    let s = Rc::new(AppState::default());
    let s = s.reduce(Action::SetRunning(true));
    let s = s.reduce(snapshot(0, true, 640));
    assert!(s.training.running);
    // Step: the page pauses at once; a snapshot the worker sent while still training arrives.
    let s = s.reduce(Action::SetRunning(false));
    let s = s.reduce(snapshot(0, true, 672));
    assert!(
        !s.training.running,
        "a stale snapshot flipped the button to Pause"
    );
    assert_eq!(s.training.examples_seen, 672, "its numbers still count");
    let s = s.reduce(snapshot(0, false, 704));
    assert!(!s.training.running);
    // Confirmed: later snapshots are believed again (e.g. Train from elsewhere).
    let s = s.reduce(snapshot(0, true, 736));
    assert!(s.training.running);
    // A worker that never does what was asked is believed after a few snapshots.
    let s = s.reduce(Action::SetRunning(false));
    let s = (0..4).fold(s, |s, i| s.reduce(snapshot(0, true, 800 + i)));
    assert!(s.training.running);
}

#[wasm_bindgen_test]
fn applying_a_network_while_training_keeps_training() {
    let s = Rc::new(AppState::default());
    assert!(
        s.training.pretrained,
        "the page starts with the shipped weights"
    );
    let s = s.reduce(Action::SetRunning(true));
    let s = s.reduce(snapshot(0, true, 640));
    let model =
        convscope::nn::model::Model::new(&ModelSpec::parse("dense10").unwrap(), 42).expect("model");
    let s = s.reduce(Action::ArchitectureApplied {
        model,
        running: true,
    });
    assert!(s.training.running, "Apply while training keeps training");
    assert!(
        !s.training.pretrained,
        "the new network starts from the seed"
    );
    assert_eq!(s.training.test_accuracy, None);
    // The worker's last snapshot of the old network (paused by SetArchitecture) is ignored,
    let s = s.reduce(snapshot(0, false, 650));
    assert!(s.training.running);
    // and the new network's training shows.
    let s = s.reduce(snapshot(1, true, 64));
    assert!(s.training.running && s.training.examples_seen == 64);
}

fn render_controls(host: &Element, training: Training) -> yew::AppHandle<TrainingControls> {
    yew::Renderer::<TrainingControls>::with_root_and_props(
        host.clone(),
        TrainingControlsProps {
            training,
            flops_per_example: 1000,
            ontoggle: Callback::noop(),
            onstep: Callback::noop(),
            onreset: Callback::noop(),
            onhyper: Callback::noop(),
            onrecipe: Callback::noop(),
        },
    )
    .render()
}

#[wasm_bindgen_test]
async fn test_accuracy_says_something_before_the_first_evaluation() {
    // The shipped model: its measured accuracy, labelled as such.
    let host = host();
    let mut t = Training::default();
    t.examples_seen = 1_234_567;
    t.examples_per_sec = Some(3456.4);
    let handle = render_controls(&host, t);
    settle().await;
    let shipped = format!("{:.1}%", DEFAULT_MODEL_TEST_ACCURACY * 100.0);
    assert_eq!(text(&host, "test-accuracy").trim(), shipped);
    assert!(
        text(&host, "test-accuracy-note").contains("shipped model"),
        "{}",
        text(&host, "test-accuracy-note")
    );
    assert_eq!(
        find(&host, "test-accuracy").get_attribute("data-value"),
        None
    );
    assert_eq!(text(&host, "examples-seen"), "1,234,567");
    assert_eq!(text(&host, "examples-per-sec").trim(), "3,456");
    let note = text(&host, "training-start-note");
    assert!(
        note.contains("continues from the shipped network") && note.contains("random weights"),
        "{note}"
    );
    assert!(note.contains("seed 42"), "{note}");
    handle.destroy();

    // A network from the seed: when it will be measured, not "…".
    let host2 = self::host();
    let mut t = Training::default();
    t.pretrained = false;
    let handle = render_controls(&host2, t);
    settle().await;
    let shown = text(&host2, "test-accuracy");
    assert_eq!(shown.trim(), "not yet");
    assert!(text(&host2, "test-accuracy-note").contains("4,000 examples"));
    assert!(text(&host2, "training-start-note").contains("started from random weights"));
    handle.destroy();

    // Measured: the value.
    let host3 = self::host();
    let mut t = Training::default();
    t.test_accuracy = Some(0.9734);
    let handle = render_controls(&host3, t);
    settle().await;
    assert_eq!(text(&host3, "test-accuracy").trim(), "97.3%");
    assert_eq!(
        find(&host3, "test-accuracy")
            .get_attribute("data-value")
            .as_deref(),
        Some("0.9734")
    );
    handle.destroy();
    for h in [host, host2, host3] {
        h.remove();
    }
}

fn render_editor(host: &Element, props: ArchEditorProps) -> yew::AppHandle<ArchEditor> {
    yew::Renderer::<ArchEditor>::with_root_and_props(host.clone(), props).render()
}

fn input_value(host: &Element) -> String {
    find(host, "arch-input")
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .value()
}

#[wasm_bindgen_test]
async fn the_editor_holds_a_rejected_arch_with_its_error() {
    let host = host();
    let current = AttrValue::from(ModelSpec::ref_a().to_string());
    let handle = render_editor(
        &host,
        ArchEditorProps {
            current,
            ready: true,
            onapply: Callback::noop(),
            training: false,
            rejected: Some("conv8k99".into()),
            notice: Some("arch=conv8k99 cannot run".into()),
        },
    );
    settle().await;
    assert_eq!(input_value(&host), "conv8k99");
    let error = find(&host, "layer-0")
        .get_attribute("data-error")
        .unwrap_or_default();
    assert!(error.contains("conv1"), "{error}");
    assert!(text(&host, "arch-status").contains("conv1"));
    assert!(text(&host, "arch-editor-notice").contains("arch=conv8k99 cannot run"));
    handle.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn the_editor_shows_counts_the_dense_comparison_and_the_chosen_preset() {
    let host = host();
    let ref_a = ModelSpec::ref_a().to_string();
    let handle = render_editor(
        &host,
        ArchEditorProps {
            current: ref_a.clone().into(),
            ready: true,
            onapply: Callback::noop(),
            training: false,
            rejected: None,
            notice: None,
        },
    );
    settle().await;
    // conv1 of ref-A: 208 parameters; as a dense layer 1×28×28 → 8×28×28: 4,923,520.
    let layer0 = find(&host, "layer-0");
    assert_eq!(layer0.get_attribute("data-params").as_deref(), Some("208"));
    let dense = layer0
        .query_selector("[data-testid=dense-cost]")
        .unwrap()
        .expect("dense-cost");
    let dense_text = dense.text_content().unwrap_or_default();
    assert!(
        dense_text.contains("as a dense layer") && dense_text.contains("4,923,520"),
        "{dense_text}"
    );
    let title = dense.get_attribute("title").unwrap_or_default();
    assert!(title.contains("784") && title.contains("6,272"), "{title}");
    // data-params stays a plain number even when the page shows "1,970".
    let total: u64 = ModelSpec::ref_a().param_count() as u64;
    assert!(text(&host, "arch-status").contains(&thousands(total)));

    // The preset list shows ref-A (the current network), and keeps showing a preset once picked.
    let presets = ModelSpec::presets();
    let select: HtmlSelectElement = find(&host, "arch-preset").dyn_into().unwrap();
    let ref_a_index = preset_index(&presets, &ref_a).expect("ref-A is a preset");
    assert_eq!(select.value(), ref_a_index.to_string());
    let pick = (ref_a_index + 1) % presets.len();
    select.set_value(&pick.to_string());
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(input_value(&host), presets[pick].1.to_string());
    assert_eq!(select.value(), pick.to_string(), "the select snapped back");
    // Typed text that is no preset shows "custom".
    let input: HtmlInputElement = find(&host, "arch-input").dyn_into().unwrap();
    input.set_value("conv4k3s2p0,relu,dense10");
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    settle().await;
    assert_eq!(select.value(), "");
    // 28 + 0 − 3 = 25 is odd: one row and column fall under no window, said as a note.
    let dropped = find(&host, "dropped");
    assert!(dropped.class_list().contains("note"));
    assert!(!dropped.class_list().contains("error"));
    assert!(dropped.closest(".error").unwrap().is_none());
    handle.destroy();
    host.remove();
}
