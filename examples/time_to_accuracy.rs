//! How many training examples a recipe needs to reach a test accuracy, natively: the
//! experiment behind the worker's training recipe (issue "Train faster…", time to 98%).
//!
//! ```text
//! cargo run --release --example time_to_accuracy -- --opt sgd --lr 0.05 --batch 64 --augment light
//! cargo run --release --example time_to_accuracy -- --opt adam --lr 0.001 --batch 32 --augment none
//! cargo run --release --example time_to_accuracy -- --shuffle on --arch conv8k5s1p2,relu,max2s2,dense10
//! ```
//!
//! It trains ref-A from a fresh seed exactly as the worker does (same `Trainer`, same
//! 8,000-image training split) and evaluates the 2,000-image test split every 4,000 examples,
//! as the worker does, printing the first evaluation at or above the target. Examples, not
//! seconds: divide by the page's examples/s to estimate the page's time.

// Native only: it reads the data set from disk. A wasm32 build gets an empty main.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use convscope::data::mnist::{Augment, Mnist, TEST};
    use convscope::nn::default_spec;
    use convscope::nn::optim::{Hyper, OptimizerKind};
    use convscope::train::{LrSchedule, Trainer};
    use std::rc::Rc;
    use std::time::Instant;

    let mut opt = "sgd".to_string();
    let mut lr = 0.05f32;
    let mut batch = 64usize;
    let mut augment = "light".to_string();
    let mut seed = 1u64;
    let mut max_examples = 400_000u64;
    let mut target = 0.98f32;
    let mut decay: Option<u64> = None;
    let mut shuffle = false;
    let mut arch: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args
            .next()
            .unwrap_or_else(|| fail(&format!("{a} needs a value")));
        match a.as_str() {
            "--opt" => opt = v,
            "--lr" => lr = v.parse().unwrap_or_else(|_| fail("--lr takes a number")),
            "--batch" => batch = v.parse().unwrap_or_else(|_| fail("--batch takes a number")),
            "--augment" => augment = v,
            "--seed" => seed = v.parse().unwrap_or_else(|_| fail("--seed takes a number")),
            "--max" => max_examples = v.parse().unwrap_or_else(|_| fail("--max takes a number")),
            "--target" => {
                target = v
                    .parse()
                    .unwrap_or_else(|_| fail("--target takes a number"))
            }
            "--shuffle" => shuffle = v == "on",
            "--arch" => arch = Some(v),
            "--decay" => decay = Some(v.parse().unwrap_or_else(|_| fail("--decay takes a number"))),
            _ => fail(&format!("unknown argument {a}")),
        }
    }
    let optimizer = match opt.as_str() {
        "sgd" => OptimizerKind::Sgd { momentum: 0.9 },
        "adam" => OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        },
        _ => fail("--opt is sgd or adam"),
    };
    let augment = match augment.as_str() {
        "none" => None,
        "light" => Some(Augment::light()),
        "default" => Some(Augment::default()),
        _ => fail("--augment is none, light or default"),
    };
    let data = Rc::new(Mnist::load_default().unwrap_or_else(|e| fail(&e.to_string())));
    let hyper = Hyper {
        learning_rate: lr,
        batch_size: batch,
        optimizer,
    };
    let spec = match &arch {
        Some(a) => {
            convscope::nn::spec::ModelSpec::parse(a).unwrap_or_else(|e| fail(&e.to_string()))
        }
        None => default_spec(),
    };
    let mut trainer =
        Trainer::new(&spec, seed, hyper, data).unwrap_or_else(|e| fail(&e.to_string()));
    trainer.set_augment(augment);
    trainer.set_pixel_shuffle(shuffle.then(convscope::data::pixel_shuffle::PixelShuffle::fixed));
    if let Some(halve_after) = decay {
        trainer.set_schedule(LrSchedule::Decay { halve_after });
    }
    let start = Instant::now();
    let mut next_eval = 4000u64;
    let mut best = (0.0f32, 0u64);
    while trainer.examples_seen() < max_examples {
        trainer.step();
        if trainer.examples_seen() >= next_eval {
            next_eval += 4000;
            let acc = trainer.evaluate(TEST);
            if acc > best.0 {
                best = (acc, trainer.examples_seen());
            }
            if acc >= target {
                println!(
                    "reached {:.2}% at {} examples ({:.0} s native)",
                    100.0 * acc,
                    trainer.examples_seen(),
                    start.elapsed().as_secs_f64()
                );
                return;
            }
        }
    }
    println!(
        "not reached in {max_examples} examples: best {:.2}% at {} ({:.0} s native)",
        100.0 * best.0,
        best.1,
        start.elapsed().as_secs_f64()
    );
}

#[cfg(not(target_arch = "wasm32"))]
fn fail(msg: &str) -> ! {
    eprintln!("time_to_accuracy: {msg}");
    std::process::exit(2);
}
