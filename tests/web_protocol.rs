//! The page↔worker messages survive yew-agent's codec unchanged.
#![cfg(target_arch = "wasm32")]

use convscope::nn::optim::{Hyper, OptimizerKind};
use convscope::nn::spec::ModelSpec;
use convscope::protocol::{
    FromWorker, Init, LiveView, Metrics, Recipe, Snapshot, TestAccuracy, ToWorker,
};
use wasm_bindgen_test::*;
use yew_agent::{Bincode, Codec};

wasm_bindgen_test_configure!(run_in_browser);

fn round_trip<T>(msg: &T) -> T
where
    T: serde::Serialize + for<'de> serde::Deserialize<'de>,
{
    Bincode::decode(Bincode::encode(msg))
}

#[wasm_bindgen_test]
fn every_to_worker_message_round_trips() {
    let sgd = Hyper {
        learning_rate: 0.05,
        batch_size: 64,
        optimizer: OptimizerKind::Sgd { momentum: 0.9 },
    };
    let messages = vec![
        ToWorker::Init(Box::new(Init {
            data_url: "http://127.0.0.1:8080/convscope/data/mnist-10k.bin".into(),
            spec: ModelSpec::ref_a(),
            seed: 7,
            hyper: Hyper::default(),
            recipe: Recipe::default(),
            params: vec![vec![0.5, -1.25, f32::MIN_POSITIVE], vec![], vec![3.0; 1000]],
        })),
        ToWorker::Train,
        ToWorker::Pause,
        ToWorker::Step,
        ToWorker::Reset,
        ToWorker::SetHyper(sgd),
        ToWorker::SetHyper(Hyper::default()),
        ToWorker::SetLive(LiveView::Off),
        ToWorker::SetLive(LiveView::On),
        ToWorker::SetArchitecture(ModelSpec::mobilenet_like()),
        ToWorker::SetArchitecture(ModelSpec::tiny_resnet()),
        ToWorker::SetRecipe(Recipe::default()),
        ToWorker::SetRecipe(Recipe {
            augment: false,
            lr_decay: true,
            shuffle_pixels: true,
        }),
    ];
    for msg in &messages {
        assert_eq!(&round_trip(msg), msg);
    }
}

#[wasm_bindgen_test]
fn every_from_worker_message_round_trips() {
    let mut metrics = Metrics::default();
    metrics.add(32, 2.25, 7);
    metrics.add(32, 1.75, 9);
    let messages = vec![
        FromWorker::Loaded {
            train: 8000,
            test: 2000,
        },
        FromWorker::Error("could not load the training data: HTTP 404".into()),
        FromWorker::Snapshot(Box::new(Snapshot {
            run: 3,
            params: vec![vec![0.25; 208], vec![], vec![-0.125; 3216]],
            metrics,
            examples_seen: 1280,
            examples_per_sec: Some(812.5),
            test_accuracy: Some(TestAccuracy {
                value: 0.9635,
                at_examples: 1024,
            }),
            running: true,
            learning_rate: 0.025,
        })),
        FromWorker::Snapshot(Box::new(Snapshot {
            run: 0,
            params: vec![],
            metrics: Metrics::default(),
            examples_seen: 0,
            examples_per_sec: None,
            test_accuracy: None,
            running: false,
            learning_rate: 0.001,
        })),
    ];
    for msg in &messages {
        assert_eq!(&round_trip(msg), msg);
    }
}

#[wasm_bindgen_test]
fn metrics_summarise_the_batches_since_the_last_snapshot() {
    let mut m = Metrics::default();
    assert_eq!(m.mean_loss(), None);
    assert_eq!(m.accuracy(), None);
    m.add(32, 2.0, 8);
    m.add(32, 1.0, 24);
    assert_eq!(m.batches, 2);
    assert_eq!(m.examples, 64);
    assert_eq!(m.mean_loss(), Some(1.5));
    assert_eq!(m.accuracy(), Some(0.5));
}
