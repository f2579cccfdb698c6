//! Pointer input → strokes, independent of the DOM so it can be tested directly.

use crate::data::preprocess::{Point, Stroke, PAD_SIZE};

/// Points closer than this (pad px) to the previous one add nothing visible.
const MIN_STEP: f32 = 0.75;

/// Collects strokes from one pointer at a time (a second finger is ignored rather
/// than joined into the first finger's line).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StrokeRecorder {
    strokes: Vec<Stroke>,
    active: Option<i32>,
}

impl StrokeRecorder {
    pub fn strokes(&self) -> &[Stroke] {
        &self.strokes
    }

    pub fn is_empty(&self) -> bool {
        self.strokes.is_empty()
    }

    pub fn is_drawing(&self) -> bool {
        self.active.is_some()
    }

    /// Pen down: starts a new stroke. Returns false if another pointer is drawing.
    pub fn down(&mut self, pointer: i32, p: Point) -> bool {
        if self.active.is_some() {
            return false;
        }
        self.active = Some(pointer);
        self.strokes.push(vec![clamp(p)]);
        true
    }

    /// Pen moved: extends the stroke and returns the new segment to draw.
    pub fn moved(&mut self, pointer: i32, p: Point) -> Option<(Point, Point)> {
        if self.active != Some(pointer) {
            return None;
        }
        let p = clamp(p);
        let stroke = self.strokes.last_mut()?;
        let last = *stroke.last()?;
        if (p.0 - last.0).hypot(p.1 - last.1) < MIN_STEP {
            return None;
        }
        stroke.push(p);
        Some((last, p))
    }

    /// Pen up (or cancelled): ends the stroke. Returns true if a stroke ended.
    pub fn up(&mut self, pointer: i32) -> bool {
        if self.active != Some(pointer) {
            return false;
        }
        self.active = None;
        true
    }

    pub fn clear(&mut self) {
        self.strokes.clear();
        self.active = None;
    }
}

/// Keeps captured pointers that wander off the pad on its edge.
fn clamp((x, y): Point) -> Point {
    (x.clamp(0.0, PAD_SIZE), y.clamp(0.0, PAD_SIZE))
}
