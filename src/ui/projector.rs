//! The projector layout: large type and bigger maps, for the back row of a classroom. A button
//! in the header switches it; `projector=on` in the address turns it on, so a shared link
//! opens in it.

use yew::prelude::*;

/// The class on `<body>` that the style sheet enlarges.
const CLASS: &str = "projector";
/// The address parameter.
const PARAM: &str = "projector";

/// Whether an address query (`?a=b&…`) asks for the projector layout.
pub fn wanted(query: &str) -> bool {
    query
        .trim_start_matches('?')
        .split('&')
        .any(|pair| pair == "projector=on")
}

fn apply(on: bool) {
    let body = gloo::utils::body();
    let _ = if on {
        body.class_list().add_1(CLASS)
    } else {
        body.class_list().remove_1(CLASS)
    };
}

/// Keeps `projector=on` in the address while the layout is on, leaving the rest as it is.
fn remember(on: bool) {
    let window = gloo::utils::window();
    let Ok(href) = window.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    let params = url.search_params();
    if on {
        params.set(PARAM, "on");
    } else {
        params.delete(PARAM);
    }
    url.set_search(&params.to_string().as_string().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}

#[function_component]
pub fn ProjectorToggle() -> Html {
    let on = use_state(|| {
        wanted(
            &gloo::utils::window()
                .location()
                .search()
                .unwrap_or_default(),
        )
    });
    {
        let on = *on;
        use_effect_with(on, move |on| apply(*on));
    }
    let onclick = {
        let on = on.clone();
        Callback::from(move |_: MouseEvent| {
            let next = !*on;
            remember(next);
            on.set(next);
        })
    };
    html! {
        <button type="button" class="projector-toggle" data-testid="projector-toggle"
            aria-pressed={on.to_string()} {onclick}
            title="Large type and bigger maps, for showing the page on a projector">
            { if *on { "Normal layout" } else { "Projector layout" } }
        </button>
    }
}
