//! Where each part of the screen goes for a terminal size: shared by the views (to draw) and by
//! `update` (to know how many rows a window holds and which row a click hit).

use ratatui::layout::Rect;

/// Below this the app shows only "terminal too small".
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this width on the detail pane sits beside a list.
pub const WIDE: u16 = 100;
/// From this width on the detail pane sits beside the pipeline board too.
pub const BOARD_WIDE: u16 = 160;

/// The screen's areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub tabs: Rect,
    /// The list or board (empty when the detail fills the body).
    pub main: Rect,
    pub detail: Option<Rect>,
    pub footer: Rect,
    pub status: Rect,
}

/// Whether the terminal is big enough for the app.
pub fn big_enough(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

/// Split the screen. `board` is the pipeline view; `detail_open` is the detail asked for with
/// Enter, which fills the body when there is no room beside.
pub fn areas(area: Rect, board: bool, detail_open: bool) -> Areas {
    let row = |y: u16, h: u16| Rect::new(area.x, area.y + y.min(area.height), area.width, h);
    let body_h = area.height.saturating_sub(4);
    let body = row(2, body_h);
    let beside = area.width >= if board { BOARD_WIDE } else { WIDE };
    let (main, detail) = if beside {
        let dw = (area.width * 2 / 5).clamp(40, 64);
        let mw = area.width.saturating_sub(dw);
        (
            Rect::new(body.x, body.y, mw, body.height),
            Some(Rect::new(body.x + mw, body.y, dw, body.height)),
        )
    } else if detail_open {
        (Rect::new(body.x, body.y, body.width, 0), Some(body))
    } else {
        (body, None)
    };
    Areas {
        header: row(0, 1.min(area.height)),
        tabs: row(1, 1.min(area.height.saturating_sub(1))),
        main,
        detail,
        footer: row(area.height.saturating_sub(2), 1),
        status: row(area.height.saturating_sub(1), 1),
    }
}

/// The screen of a tab without a detail pane (Reports): the body is all main.
pub fn areas_without_detail(area: Rect) -> Areas {
    let mut a = areas(area, false, false);
    let body_h = area.height.saturating_sub(4);
    a.main = Rect::new(area.x, area.y + 2.min(area.height), area.width, body_h);
    a.detail = None;
    a
}

/// Width of the Reports tab's picker of report names (borders included).
pub const REPORT_PICKER_WIDTH: u16 = 18;

/// Split the Reports body into the picker of names (when there is room beside the report)
/// and the report.
pub fn report_split(main: Rect) -> (Option<Rect>, Rect) {
    if main.width >= 3 * REPORT_PICKER_WIDTH {
        let picker = Rect::new(main.x, main.y, REPORT_PICKER_WIDTH, main.height);
        let report = Rect::new(
            main.x + REPORT_PICKER_WIDTH,
            main.y,
            main.width - REPORT_PICKER_WIDTH,
            main.height,
        );
        (Some(picker), report)
    } else {
        (None, main)
    }
}

/// Rows of leads a list shows inside its box (borders and one header line taken).
pub fn list_rows(main: Rect) -> usize {
    main.height.saturating_sub(3) as usize
}

/// Cards a board column shows (borders and the weighted line taken).
pub fn card_rows(main: Rect) -> usize {
    main.height.saturating_sub(3) as usize
}

/// How many board columns fit side by side, at least 1.
pub fn board_columns_visible(main: Rect, total: usize) -> usize {
    ((main.width as usize) / 19).clamp(1, total.max(1))
}

/// What a click on a drawn cell means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A tab's label on the tab bar (its index in tab order).
    Tab(usize),
    /// A lead's row in a list (its index in the whole list).
    Row(usize),
    /// A pipeline column (its index among the columns), outside its cards.
    Column(usize),
    /// A card on the board: the column and the lead's index in the column's list.
    Card { column: usize, index: usize },
    /// A name in the Reports picker (its index in `report::NAMES`).
    Report(usize),
    /// A popup: a click on it does nothing, and nothing under it is hit.
    Overlay,
}

/// The places the last frame drew, each with what a click there means: the mouse is hit-tested
/// against what the user saw, not against a layout recomputed apart from the drawing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drawn {
    /// The terminal's size when drawn: a click on a frame of another size hits nothing.
    pub size: Rect,
    /// In drawing order: what was drawn last (a popup) is on top.
    pub targets: Vec<(Rect, Target)>,
}

impl Drawn {
    pub fn new(size: Rect) -> Drawn {
        Drawn {
            size,
            targets: Vec::new(),
        }
    }

    pub fn push(&mut self, area: Rect, target: Target) {
        if area.width > 0 && area.height > 0 {
            self.targets.push((area, target));
        }
    }

    /// What the cell at `column`, `row` shows, topmost first.
    pub fn hit(&self, column: u16, row: u16) -> Option<Target> {
        self.targets
            .iter()
            .rev()
            .find(|(r, _)| {
                column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
            })
            .map(|(_, t)| *t)
    }
}
