//! The training worker: a yew-agent reactor that owns a [`train::Trainer`].
//!
//! It trains in short units of work and yields to the event loop between them, so
//! control messages from the page are handled within one unit (~15 ms).
//!
//! [`train::Trainer`]: crate::train::Trainer

pub mod fetch;
pub mod session;
pub mod timing;

use std::rc::Rc;

use futures::{FutureExt, SinkExt, StreamExt};
use yew_agent::prelude::*;

use crate::data::mnist::Mnist;
use crate::protocol::{FromWorker, Init, ToWorker};
use session::Session;
use timing::{now_ms, yield_now};

#[reactor]
pub async fn TrainingReactor(mut scope: ReactorScope<ToWorker, FromWorker>) {
    let mut session: Option<Session> = None;
    loop {
        let mut inbox = Vec::new();
        if session.as_ref().is_some_and(Session::has_work) {
            yield_now().await;
        } else {
            // Nothing to do: sleep until the page says something.
            match scope.next().await {
                Some(msg) => inbox.push(msg),
                None => return,
            }
        }
        // Everything that arrived while we worked, in order.
        while let Some(next) = scope.next().now_or_never() {
            match next {
                Some(msg) => inbox.push(msg),
                None => return,
            }
        }
        for msg in inbox {
            match msg {
                ToWorker::Init(init) => match start(*init).await {
                    Ok(s) => {
                        let (train, test) = (
                            crate::data::mnist::TRAIN.len(),
                            crate::data::mnist::TEST.len(),
                        );
                        session = Some(s);
                        let _ = scope.send(FromWorker::Loaded { train, test }).await;
                    }
                    Err(e) => {
                        let _ = scope.send(FromWorker::Error(e)).await;
                    }
                },
                ToWorker::SetArchitecture(spec) if session.is_some() => {
                    if let Some(Err(e)) = session.as_mut().map(|s| s.set_architecture(spec)) {
                        let msg = format!("could not change the network: {e}");
                        let _ = scope.send(FromWorker::Error(msg)).await;
                    }
                }
                other => match session.as_mut() {
                    Some(s) => s.handle(other, now_ms()),
                    None => {
                        let msg = "the training data is still loading".to_string();
                        let _ = scope.send(FromWorker::Error(msg)).await;
                    }
                },
            }
        }
        if let Some(s) = session.as_mut() {
            s.unit(&now_ms);
            if let Some(snapshot) = s.take_snapshot(now_ms()) {
                let _ = scope.send(FromWorker::Snapshot(Box::new(snapshot))).await;
            }
        }
    }
}

/// Fetches and parses the data set, then builds the session from the page's weights.
pub async fn start(init: Init) -> Result<Session, String> {
    let bytes = fetch::fetch_bytes(&init.data_url)
        .await
        .map_err(|e| format!("could not load the training data: {e}"))?;
    let data = Mnist::parse(&bytes).map_err(|e| format!("the training data is invalid: {e}"))?;
    Session::new(init, Rc::new(data))
}
