//! Chooses which test image (indices 8000..9999) the panels show when the pad is empty.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::data::mnist::TEST;

#[derive(Properties, PartialEq)]
pub struct TestDigitPickerProps {
    pub index: usize,
    #[prop_or(false)]
    pub disabled: bool,
    pub onpick: Callback<usize>,
}

#[function_component]
pub fn TestDigitPicker(props: &TestDigitPickerProps) -> Html {
    let step = |delta: isize| {
        let onpick = props.onpick.clone();
        let index = props.index;
        Callback::from(move |_: MouseEvent| {
            let span = TEST.len() as isize;
            let offset = (index.saturating_sub(TEST.start) as isize + delta).rem_euclid(span);
            onpick.emit(TEST.start + offset as usize);
        })
    };
    let onchange = {
        let onpick = props.onpick.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            // Out-of-range or non-numeric input snaps back to the current index.
            if let Ok(i) = input.value().trim().parse::<usize>() {
                if TEST.contains(&i) {
                    onpick.emit(i);
                    return;
                }
            }
            input.set_value("");
            onpick.emit(TEST.start);
        })
    };
    html! {
        <div class="picker" role="group" aria-label="Test image">
            <button type="button" onclick={step(-1)} disabled={props.disabled} aria-label="Previous test image">{ "◀" }</button>
            <label>
                { "Test image " }
                <input type="number" data-testid="test-digit" min={TEST.start.to_string()}
                    max={(TEST.end - 1).to_string()} value={props.index.to_string()}
                    disabled={props.disabled} {onchange} />
            </label>
            <button type="button" onclick={step(1)} disabled={props.disabled} aria-label="Next test image">{ "▶" }</button>
        </div>
    }
}
