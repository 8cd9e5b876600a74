//! The steps an undo takes back and a redo applies again.

/// One cell's change: enough to apply it again or take it back.
#[derive(Clone, Debug)]
pub(super) struct CellChange {
    pub line: usize,
    pub column: usize,
    /// The value before (empty when the row ended before this column).
    pub before: String,
    pub after: String,
    /// How many cells the row had before; a row that ended before the column grows to reach it,
    /// and shrinks back when the change is undone.
    pub len_before: usize,
}

/// One undo step.
#[derive(Debug)]
pub(super) enum Step {
    Cells(Vec<CellChange>),
    /// A removed row, with its cells while it is out of the report (empty while it is in).
    Remove {
        line: usize,
        cells: Vec<String>,
    },
}

/// The steps done (last one last) and the steps undone (the next redo last).
#[derive(Debug, Default)]
pub(super) struct History {
    pub done: Vec<Step>,
    pub undone: Vec<Step>,
}

impl History {
    /// A new step: what was undone can no longer be redone.
    pub(super) fn push(&mut self, step: Step) {
        self.undone.clear();
        self.done.push(step);
    }
}
