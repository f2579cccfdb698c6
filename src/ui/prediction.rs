//! The network's answer for the drawing: the top class and all ten probabilities.

use yew::prelude::*;

use crate::nn::layers::loss::argmax;

#[derive(Properties, PartialEq)]
pub struct PredictionProps {
    /// Softmax output; `None` while the pad is empty.
    pub probs: Option<[f32; 10]>,
}

#[function_component]
pub fn Prediction(props: &PredictionProps) -> Html {
    let top = props.probs.map(|p| (argmax(&p), p[argmax(&p)]));
    let (digit, confidence) = match top {
        Some((d, c)) => (d.to_string(), format!("{c:.6}")),
        None => (String::new(), String::new()),
    };
    let probs = props.probs.unwrap_or([0.0; 10]);
    html! {
        <div class="prediction-box">
            <div class="prediction" data-testid="prediction" data-digit={digit} data-confidence={confidence}
                 aria-live="polite">
                { match top {
                    Some((d, c)) => html! {
                        <>
                            <span class="prediction-digit">{ d }</span>
                            <span class="prediction-confidence">{ format!("{:.0}% sure", c * 100.0) }</span>
                        </>
                    },
                    None => html! { <span class="prediction-prompt">{ "Draw a digit" }</span> },
                } }
            </div>
            <ol class="prob-bars" start="0" aria-label="Probability of each digit">
                { for probs.iter().enumerate().map(|(d, p)| {
                    let top_class = top.map(|(t, _)| t == d).unwrap_or(false);
                    html! {
                        <li class={classes!("prob", top_class.then_some("top"))} data-digit={d.to_string()}
                            data-probability={format!("{p:.4}")}>
                            <span class="prob-digit">{ d }</span>
                            <span class="prob-track">
                                <span class="prob-fill" style={format!("width: {:.1}%", p * 100.0)} />
                            </span>
                            <span class="prob-value">{ if props.probs.is_some() { format!("{:.0}%", p * 100.0) } else { String::new() } }</span>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
