//! Trains the model the page ships with (`www/model/default.cnn`) using the project's own
//! engine, and prints its accuracy on the test split.
//!
//! ```text
//! cargo run --release --bin train-default            # writes www/model/default.cnn
//! cargo run --release --bin train-default -- --epochs 2 --out /tmp/quick.cnn
//! ```
//!
//! Reproducible: a fixed seed, the seeded batch order and seeded augmentation give the same
//! file on the same machine (floating-point summation order can differ between CPUs with and
//! without AVX2/FMA, so another machine may differ in the last bits).
//!
//! Runtime: single-threaded, 5–12 minutes on the shared 2-core build machine depending on
//! its load (~330 s when it was quiet); each epoch prints its time. After shipping a new
//! file, set `convscope::nn::DEFAULT_MODEL_TEST_ACCURACY` to the accuracy printed at the end
//! (the command reminds you).

// Native only: it reads and writes files. The wasm build (Trunk builds every bin of the
// package) gets an empty main.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use convscope::data::mnist::{Augment, Mnist, TEST, TRAIN};
    use convscope::nn::optim::{Hyper, OptimizerKind};
    use convscope::nn::{default_spec, DEFAULT_MODEL_PATH, DEFAULT_MODEL_TEST_ACCURACY};
    use convscope::train::Trainer;
    use std::path::PathBuf;
    use std::rc::Rc;
    use std::time::Instant;

    /// The recipe. SGD with momentum and a cosine-decaying learning rate, on augmented images
    /// so that the model also reads digits drawn on the page.
    const SEED: u64 = 20_240_613;
    const EPOCHS: usize = 30;
    const BATCH: usize = 32;
    const LR_MAX: f32 = 0.02;
    const LR_MIN: f32 = 0.0005;
    const MOMENTUM: f32 = 0.9;

    pub fn main() {
        let mut epochs = EPOCHS;
        let mut seed = SEED;
        let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_PATH);
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let mut value = || {
                args.next()
                    .unwrap_or_else(|| fail(&format!("{a} needs a value")))
            };
            match a.as_str() {
                "--epochs" => {
                    epochs = value()
                        .parse()
                        .unwrap_or_else(|_| fail("--epochs takes a number"))
                }
                "--seed" => {
                    seed = value()
                        .parse()
                        .unwrap_or_else(|_| fail("--seed takes a number"))
                }
                "--out" => out = PathBuf::from(value()),
                "-h" | "--help" => {
                    println!("usage: train-default [--epochs N (default {EPOCHS})] [--seed S (default {SEED})] [--out FILE (default {DEFAULT_MODEL_PATH})]");
                    return;
                }
                _ => fail(&format!("unknown argument {a}; try --help")),
            }
        }
        let data = Rc::new(Mnist::load_default().unwrap_or_else(|e| fail(&e.to_string())));
        let spec = default_spec();
        let hyper = |lr| Hyper {
            learning_rate: lr,
            batch_size: BATCH,
            optimizer: OptimizerKind::Sgd { momentum: MOMENTUM },
        };
        let mut trainer = Trainer::new(&spec, seed, hyper(LR_MAX), data)
            .unwrap_or_else(|e| fail(&e.to_string()))
            .with_augment(Augment::default());
        let steps_per_epoch = TRAIN.len() / BATCH;
        let total = (epochs * steps_per_epoch).max(1);
        println!(
            "training {spec} ({} parameters), seed {seed}: {epochs} epochs × {steps_per_epoch} steps of {BATCH}, \
             SGD momentum {MOMENTUM}, lr {LR_MAX} → {LR_MIN} (cosine), augmentation {:?}",
            trainer.model().param_count(),
            Augment::default()
        );
        let start = Instant::now();
        for epoch in 0..epochs {
            let (mut loss, mut correct, mut seen) = (0.0f64, 0usize, 0usize);
            for s in 0..steps_per_epoch {
                let t = (epoch * steps_per_epoch + s) as f32 / total as f32;
                let lr =
                    LR_MIN + 0.5 * (LR_MAX - LR_MIN) * (1.0 + (std::f32::consts::PI * t).cos());
                trainer.set_hyper(hyper(lr));
                let st = trainer.step();
                loss += st.loss as f64 * st.batch as f64;
                correct += st.correct;
                seen += st.batch;
            }
            println!(
                "epoch {:2}: loss {:.4}, train (augmented) {:.2}%, test {:.2}%, {:.0} s",
                epoch + 1,
                loss / seen as f64,
                100.0 * correct as f64 / seen as f64,
                100.0 * trainer.evaluate(TEST),
                start.elapsed().as_secs_f64()
            );
        }
        let test = trainer.evaluate(TEST);
        let train = trainer.evaluate(TRAIN);
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", dir.display())));
        }
        let bytes = trainer.model().to_bytes();
        std::fs::write(&out, &bytes)
            .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", out.display())));
        println!(
            "wrote {} ({} bytes) in {:.0} s: test split {:.2}% ({} of {}), training split {:.2}%",
            out.display(),
            bytes.len(),
            start.elapsed().as_secs_f64(),
            100.0 * test,
            (test * TEST.len() as f32).round(),
            TEST.len(),
            100.0 * train
        );
        if (test - DEFAULT_MODEL_TEST_ACCURACY).abs() > 0.0005 {
            println!(
                "note: convscope::nn::DEFAULT_MODEL_TEST_ACCURACY is {:.4}; set it to {:.4} if you ship this file",
                DEFAULT_MODEL_TEST_ACCURACY, test
            );
        }
    }

    fn fail(msg: &str) -> ! {
        eprintln!("train-default: {msg}");
        std::process::exit(1);
    }
}
