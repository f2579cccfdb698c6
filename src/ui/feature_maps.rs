//! Feature-maps panel: every conv layer's output channels for the shown input,
//! with a picker for a test digit when nothing is drawn.

use std::rc::Rc;

use yew::prelude::*;

use super::plane_group::PlaneGroupView;
use super::state::ShownInput;
use super::test_digit_picker::TestDigitPicker;
use super::views::PlaneGroup;

#[derive(Properties, PartialEq)]
pub struct FeatureMapsProps {
    pub groups: Rc<Vec<PlaneGroup>>,
    pub shown: Option<ShownInput>,
    pub test_index: usize,
    /// Why no test digit can be shown, if so.
    #[prop_or_default]
    pub test_set_error: Option<AttrValue>,
    pub onpick: Callback<usize>,
}

#[function_component]
pub fn FeatureMaps(props: &FeatureMapsProps) -> Html {
    let caption = match &props.shown {
        Some(ShownInput::Drawing(_)) => "Showing: your drawing".to_string(),
        Some(ShownInput::TestDigit { index, label, .. }) => {
            format!(
                "Showing: test image #{index} (a {label}) — draw on the pad to see your own digit"
            )
        }
        None => "Loading the test images…".to_string(),
    };
    let drawing = matches!(props.shown, Some(ShownInput::Drawing(_)));
    html! {
        <section class="card panel" data-testid="feature-maps" aria-labelledby="maps-heading">
            <h2 id="maps-heading">{ "Feature maps" }</h2>
            <div class="panel-bar">
                <p class="shown-input" data-testid="shown-input">{ caption }</p>
                <TestDigitPicker index={props.test_index} disabled={drawing} onpick={props.onpick.clone()} />
            </div>
            if let Some(e) = &props.test_set_error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
            if props.groups.is_empty() && props.shown.is_some() {
                <p class="hint" data-testid="feature-maps-none">{ "This network has no convolution layers, so there are no feature maps to show." }</p>
            }
            { for props.groups.iter().map(|g| html! {
                <PlaneGroupView group={g.clone()} quantity="activation" />
            }) }
        </section>
    }
}
