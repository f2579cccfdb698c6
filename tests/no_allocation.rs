// Native only: the allocator is counted by a #[global_allocator] of this test binary.
#![cfg(not(target_arch = "wasm32"))]
//! A training step allocates nothing once its buffers exist: the workspace, the optimizer
//! state and the batch are all reused. Counted with a global allocator that tallies the
//! allocations of the calling thread (the test harness's other threads don't count).

use convscope::bench::config::Net;
use convscope::bench::driver::Engine;
use convscope::bench::engine::{NnEngine, SliceData};
use convscope::data::mnist::{Augment, Mnist};
use convscope::nn::optim::{Hyper, OptimizerKind};
use convscope::nn::spec::ModelSpec;
use convscope::train::Trainer;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::rc::Rc;

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// 300 synthetic digits (a bar whose position depends on the label) in the MNB1 format.
fn synthetic_file() -> Vec<u8> {
    let n = 300usize;
    let mut b = b"MNB1".to_vec();
    b.extend_from_slice(&(n as u32).to_le_bytes());
    b.extend_from_slice(&28u16.to_le_bytes());
    b.extend_from_slice(&28u16.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    for i in 0..n {
        let label = i % 10;
        for y in 0..28 {
            for x in 0..28 {
                let on = (4..24).contains(&y) && x / 2 == 4 + label;
                b.push(if on { 255 } else { 0 });
            }
        }
    }
    b.extend((0..n).map(|i| (i % 10) as u8));
    b
}

#[test]
fn a_trainer_step_allocates_nothing() {
    let data = Rc::new(Mnist::parse(&synthetic_file()).expect("synthetic data parses"));
    let optimizers = [
        OptimizerKind::Sgd { momentum: 0.9 },
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        },
    ];
    // The presets with depthwise convolutions and residual blocks too.
    for spec in [
        ModelSpec::ref_a(),
        ModelSpec::ref_b(),
        ModelSpec::tiny_resnet(),
        ModelSpec::mobilenet_like(),
    ] {
        for optimizer in optimizers {
            for augment in [None, Some(Augment::default())] {
                // Batch 7: not a multiple of 4, and 300 samples force several reshuffles.
                let hyper = Hyper {
                    learning_rate: 0.01,
                    batch_size: 7,
                    optimizer,
                };
                let mut t = Trainer::new(&spec, 3, hyper, data.clone()).expect("valid spec");
                t.set_augment(augment);
                t.step(); // the optimizer's state is created on the first update
                let n = allocations_during(|| {
                    for _ in 0..100 {
                        t.step();
                    }
                });
                assert_eq!(
                    n, 0,
                    "{spec} with {optimizer:?}, augment {augment:?}: {n} allocations in 100 steps"
                );
                assert!(t.examples_seen() > 300, "the steps crossed an epoch");
            }
        }
    }
}

#[test]
fn a_bench_training_step_allocates_nothing() {
    let file = synthetic_file();
    let mut engine = NnEngine::new(SliceData::from_file(&file).expect("valid file"), 0.01, 0.9);
    for batch in [1, 64] {
        let mut model = engine.build(Net::RefA, 1, batch).expect("ref-A builds");
        engine.train_step(&mut model, 0, batch).expect("first step");
        let n = allocations_during(|| {
            for s in 0..20 {
                let start = (s * batch) % (300 - batch);
                engine.train_step(&mut model, start, batch).expect("step");
            }
        });
        assert_eq!(n, 0, "batch {batch}: {n} allocations in 20 bench steps");
    }
}
