//! The web app: Yew function components, one per file, state in [`state`].

pub mod about;
pub mod app;
pub mod arch_editor;
pub mod architecture;
pub mod cell_inspector;
pub mod charts;
pub mod colour;
pub mod draw_pad;
pub mod feature_maps;
pub mod format;
pub mod heat_canvas;
pub mod history;
pub mod hyper_input;
pub mod kernels;
pub mod legend;
pub mod marks;
pub mod plane_group;
pub mod pooling;
pub mod prediction;
pub mod preview;
pub mod projector;
pub mod state;
pub mod strokes;
pub mod test_digit_picker;
pub mod training_controls;
pub mod url_state;
pub mod urls;
pub mod views;

/// Mounts the app on `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
