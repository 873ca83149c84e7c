//! Small forms: a column of fields, each a text field (ratatui-textarea: cursor, arrows,
//! Home/End, word delete, paste) or a choice cycled with ←/→. Enter saves, Esc cancels and asks
//! first when typed input would be lost.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;

use crate::domain::{ActivityKind, Status};

/// What a form does when saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Add,
    Edit,
    Log,
    Snooze,
    Qualify,
    /// Lose (an open lead) or disqualify (an inbox lead).
    Close(Status),
    Win,
    /// Merge the lead into another (a duplicate).
    Merge,
    /// A file's path, for a dry run first.
    Import,
    /// The current view to a file.
    Export,
    /// Hand the lead, or (`all`) every lead the filter shows, to another owner.
    Assign,
}

/// A field's input.
#[derive(Debug, Clone)]
pub enum Input {
    Text {
        area: Box<TextArea<'static>>,
        initial: String,
    },
    Choice {
        options: Vec<String>,
        idx: usize,
    },
}

/// One labelled field.
#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub input: Input,
    /// Dim words after the field: where a default came from, what a date means.
    pub hint: String,
    /// A prefilled default (a date, an amount) that the first letter typed replaces rather
    /// than extends: typing `tomorrow` over `+3d` means tomorrow. Editing keys (arrows,
    /// Backspace) keep it, to change it instead.
    pub replace_on_type: bool,
    /// A date field: what is typed is read back as a date beside it ("→ Thu 07 Jan 2027"),
    /// so that a date read otherwise than meant shows before it is saved.
    pub date: bool,
    /// A choice of presets whose typed text goes to this text field instead (the snooze's
    /// `+1d +3d +1w +1m` and its "or date": `s`, `2027-01-07`, Enter).
    pub types_into: Option<&'static str>,
}

impl Field {
    /// A text field prefilled with `value`, made safe to show (no control characters reach
    /// the terminal through the widget).
    pub fn text(label: &'static str, value: &str, hint: impl Into<String>) -> Field {
        let value = crate::domain::text::clean_line(value).into_owned();
        let value = value.as_str();
        let mut area = TextArea::new(vec![value.to_string()]);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        area.set_cursor_line_style(Style::new());
        Field {
            label,
            input: Input::Text {
                area: Box::new(area),
                initial: value.to_string(),
            },
            hint: hint.into(),
            replace_on_type: false,
            date: false,
            types_into: None,
        }
    }

    /// This field's prefilled value is replaced by the first letter typed.
    pub fn replaced_on_type(mut self) -> Field {
        self.replace_on_type = true;
        self
    }

    /// Letters and digits typed on this choice go to the text field `label` (a date typed
    /// instead of picking a preset), rather than jumping between options.
    pub fn typed_into(mut self, label: &'static str) -> Field {
        self.types_into = Some(label);
        self
    }

    /// This field takes a date, read back as the user types.
    pub fn dated(mut self) -> Field {
        self.date = true;
        self
    }

    pub fn choice(label: &'static str, options: Vec<String>, selected: &str) -> Field {
        let idx = options.iter().position(|o| o == selected).unwrap_or(0);
        Field {
            label,
            input: Input::Choice { options, idx },
            hint: String::new(),
            replace_on_type: false,
            date: false,
            types_into: None,
        }
    }

    /// The field's current value: the text typed, or the option chosen.
    pub fn value(&self) -> String {
        match &self.input {
            Input::Text { area, .. } => area.lines().join(" "),
            Input::Choice { options, idx } => options.get(*idx).cloned().unwrap_or_default(),
        }
    }

    fn set_text(&mut self, value: &str) {
        if let Input::Text { area, initial } = &mut self.input {
            let mut fresh = TextArea::new(vec![value.to_string()]);
            fresh.move_cursor(ratatui_textarea::CursorMove::End);
            fresh.set_cursor_line_style(Style::new());
            fresh.set_cursor_style(area.cursor_style());
            **area = fresh;
            *initial = value.to_string();
        }
    }

    /// Whether the user changed the text from what it was prefilled with.
    pub fn dirty(&self) -> bool {
        match &self.input {
            Input::Text { area, initial } => area.lines().join(" ") != *initial,
            Input::Choice { .. } => false,
        }
    }
}

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    Submit,
    Cancel,
}

/// An open form.
#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    /// The lead it acts on (none for add).
    pub lead: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The last validation error, shown in the form.
    pub error: Option<String>,
    /// Esc was pressed with typed input: the form asks before discarding it.
    pub confirm_discard: bool,
    /// A text field whose prefilled value follows a choice, unless the user typed in it.
    pub linked: Option<Linked>,
    /// A path whose extension follows a choice, unless the user typed in it.
    pub extension: Option<Extension>,
}

/// A path field whose extension follows a choice: the export form's path follows its format
/// (`.csv`, `.vcf`).
#[derive(Debug, Clone, Default)]
pub struct Extension {
    /// The choice field's label.
    pub choice: &'static str,
    /// The path field's label.
    pub field: &'static str,
    /// For each option, the extension it gives the path.
    pub by_option: Vec<(String, &'static str)>,
}

/// A text field prefilled from a choice: the close form's recycle date follows the reason, the
/// log form's next follow-up follows the outcome (a call nobody answered is retried sooner).
#[derive(Debug, Clone, Default)]
pub struct Linked {
    /// The choice field's label.
    pub choice: &'static str,
    /// The text field's label.
    pub field: &'static str,
    /// For each option: the text prefilled and the hint shown after it.
    pub values: Vec<(String, String, String)>,
}

impl Form {
    pub fn new(kind: FormKind, title: String, lead: Option<String>, fields: Vec<Field>) -> Form {
        let mut f = Form {
            kind,
            title,
            lead,
            fields,
            focus: 0,
            error: None,
            confirm_discard: false,
            linked: None,
            extension: None,
        };
        f.mark_focus();
        f
    }

    /// The value of the field with this label ("" when there is none).
    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(Field::value)
            .unwrap_or_default()
    }

    /// The value of a text field the user changed, `None` when left as prefilled.
    pub fn changed(&self, label: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.label == label && f.dirty())
            .map(Field::value)
    }

    /// Whether any text field holds input the user typed.
    pub fn dirty(&self) -> bool {
        self.fields.iter().any(Field::dirty)
    }

    /// Only the focused text field shows its cursor.
    fn mark_focus(&mut self) {
        for (i, f) in self.fields.iter_mut().enumerate() {
            if let Input::Text { area, .. } = &mut f.input {
                area.set_cursor_style(if i == self.focus {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new()
                });
            }
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        if n == 0 {
            return;
        }
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
        self.mark_focus();
    }

    /// Handle a key with the default bindings (the app resolves the user's through the
    /// keymap and calls [`Form::input`] for the rest).
    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if self.confirm_discard {
            self.confirm_discard = false;
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Outcome::Cancel,
                _ => Outcome::Continue,
            };
        }
        match key.code {
            KeyCode::Esc => self.cancel(),
            KeyCode::Enter => Outcome::Submit,
            KeyCode::Tab | KeyCode::Down => {
                self.next_field();
                Outcome::Continue
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.prev_field();
                Outcome::Continue
            }
            _ => self.input(key),
        }
    }

    /// Cancel: at once, or after asking when typed input would be lost.
    pub fn cancel(&mut self) -> Outcome {
        if self.dirty() {
            self.confirm_discard = true;
            return Outcome::Continue;
        }
        Outcome::Cancel
    }

    pub fn next_field(&mut self) {
        self.move_focus(true);
    }

    pub fn prev_field(&mut self) {
        self.move_focus(false);
    }

    /// A key for the focused field: text typed and edited, a choice cycled.
    pub fn input(&mut self, key: KeyEvent) -> Outcome {
        // A choice of presets hands what is typed to its text field, and the focus with it.
        if let Some(Field {
            input: Input::Choice { .. },
            types_into: Some(to),
            ..
        }) = self.fields.get(self.focus)
            && let KeyCode::Char(c) = key.code
            && c != ' '
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            && let Some(i) = self.fields.iter().position(|f| f.label == *to)
        {
            self.focus = i;
            return self.input(key);
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return Outcome::Continue;
        };
        let mut changed_choice = false;
        let replace = field.replace_on_type
            && !field.dirty()
            && matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match &mut field.input {
            Input::Text { area, .. } => {
                if replace {
                    area.move_cursor(ratatui_textarea::CursorMove::End);
                    area.delete_line_by_head();
                }
                // Ctrl-U clears to the start of the line as in shells (the widget would undo).
                if key.code == KeyCode::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    area.delete_line_by_head();
                } else {
                    area.input(ratatui_textarea::Input::from(key));
                }
            }
            Input::Choice { options, idx } => {
                let n = options.len().max(1);
                match key.code {
                    KeyCode::Right | KeyCode::Char(' ') => *idx = (*idx + 1) % n,
                    KeyCode::Left => *idx = (*idx + n - 1) % n,
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        // Typing a letter jumps to the next option starting with it.
                        let c = c.to_ascii_lowercase();
                        if let Some(j) = (1..=n)
                            .map(|k| (*idx + k) % n)
                            .find(|j| options[*j].to_ascii_lowercase().starts_with(c))
                        {
                            *idx = j;
                        }
                    }
                    _ => {}
                }
                changed_choice = true;
            }
        }
        if changed_choice {
            self.choice_changed();
        }
        Outcome::Continue
    }

    /// Pasted text goes into the focused text field, on one line.
    pub fn paste(&mut self, text: &str) {
        if let Some(Field {
            input: Input::Text { area, .. },
            ..
        }) = self.fields.get_mut(self.focus)
        {
            let one_line: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            area.insert_str(one_line);
        }
    }

    /// A choice picked prefills its linked field (a reason its recycle date, an outcome its
    /// next follow-up), unless the user typed in that field.
    fn choice_changed(&mut self) {
        if self.extension.is_some() {
            self.extension_changed();
            return;
        }
        // A kind of contact picks its usual outcome: an e-mail or a message is sent, a call or
        // a meeting reaches the person (a trial logged e-mails as "reached").
        if self.kind == FormKind::Log
            && self
                .fields
                .get(self.focus)
                .is_some_and(|f| f.label == "kind")
        {
            let usual = self
                .value("kind")
                .parse::<ActivityKind>()
                .ok()
                .and_then(ActivityKind::usual_outcome);
            // Only over a kind's usual outcome: one the user picked stays.
            let picked = self.value("outcome");
            let is_usual = ActivityKind::CONTACTS
                .iter()
                .any(|k| k.usual_outcome() == Some(picked.as_str()));
            if let Some(usual) = usual
                && is_usual
                && let Some(Field {
                    input: Input::Choice { options, idx },
                    ..
                }) = self.fields.iter_mut().find(|f| f.label == "outcome")
                && let Some(i) = options.iter().position(|o| o == usual)
            {
                *idx = i;
            }
        }
        let Some(linked) = &self.linked else {
            return;
        };
        let picked = self.value(linked.choice);
        let Some((_, value, hint)) = linked.values.iter().find(|(o, _, _)| *o == picked).cloned()
        else {
            return;
        };
        let label = linked.field;
        if let Some(f) = self.fields.iter_mut().find(|f| f.label == label)
            && !f.dirty()
        {
            f.set_text(&value);
            f.hint = hint;
        }
    }
}

impl Form {
    /// A format picked in the export form gives the path its extension, unless the user typed
    /// a path of their own.
    fn extension_changed(&mut self) {
        let Some(link) = &self.extension else {
            return;
        };
        let picked = self.value(link.choice);
        let Some(ext) = link
            .by_option
            .iter()
            .find(|(o, _)| *o == picked)
            .map(|(_, e)| *e)
        else {
            return;
        };
        let field = link.field;
        if let Some(f) = self.fields.iter_mut().find(|f| f.label == field)
            && !f.dirty()
        {
            let path = f.value();
            let stem = path
                .rsplit_once('.')
                .map_or(path.as_str(), |(stem, _)| stem)
                .to_string();
            f.set_text(&format!("{stem}.{ext}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn form() -> Form {
        Form::new(
            FormKind::Log,
            "Log".into(),
            None,
            vec![
                Field::choice("kind", vec!["call".into(), "email".into()], "call"),
                Field::text("note", "", ""),
            ],
        )
    }

    #[test]
    fn choices_cycle_and_text_types() {
        let mut f = form();
        f.key(key(KeyCode::Right));
        assert_eq!(f.value("kind"), "email");
        f.key(key(KeyCode::Tab));
        f.key(key(KeyCode::Char('h')));
        f.key(key(KeyCode::Char('i')));
        assert_eq!(f.value("note"), "hi");
        assert!(f.dirty());
    }

    /// A prefilled default is replaced by the first letter typed (`tomorrow` over `+3d`), and
    /// kept by an editing key, after which letters extend it.
    #[test]
    fn typing_replaces_a_default_and_editing_keeps_it() {
        let mut f = Form::new(
            FormKind::Log,
            "Log".into(),
            None,
            vec![Field::text("next", "+3d", "").replaced_on_type()],
        );
        for c in "tomorrow".chars() {
            f.key(key(KeyCode::Char(c)));
        }
        assert_eq!(f.value("next"), "tomorrow");
        let mut f = Form::new(
            FormKind::Log,
            "Log".into(),
            None,
            vec![Field::text("next", "+3d", "").replaced_on_type()],
        );
        f.key(key(KeyCode::Backspace));
        f.key(key(KeyCode::Char('w')));
        assert_eq!(f.value("next"), "+3w");
        // A plain field is extended, as before.
        let mut f = form();
        f.key(key(KeyCode::Tab));
        f.key(key(KeyCode::Char('a')));
        f.key(key(KeyCode::Char('b')));
        assert_eq!(f.value("note"), "ab");
    }

    #[test]
    fn esc_with_typed_input_asks_first() {
        let mut f = form();
        assert_eq!(f.key(key(KeyCode::Esc)), Outcome::Cancel);
        f.key(key(KeyCode::Tab));
        f.key(key(KeyCode::Char('x')));
        assert_eq!(f.key(key(KeyCode::Esc)), Outcome::Continue);
        assert!(f.confirm_discard);
        assert_eq!(f.key(key(KeyCode::Char('n'))), Outcome::Continue);
        assert_eq!(f.value("note"), "x");
        f.key(key(KeyCode::Esc));
        assert_eq!(f.key(key(KeyCode::Char('y'))), Outcome::Cancel);
    }
}
