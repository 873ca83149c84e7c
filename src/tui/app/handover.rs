//! A team's book in the app: whose leads the lists show (`o` cycles mine, everyone's, each
//! other owner's), and handing leads over (`A`: the selected lead, or every lead the filter
//! shows after a question), through `ops::Op::Assign`.

use super::{App, Confirm, Overlay, Tab, err_text};
use crate::domain::lead::{Whose, is_unassigned, owner_key};
use crate::domain::text::{clean_field, clean_line};
use crate::ops::{self, Done, Op};
use crate::store::Store;
use crate::tui::form::{Field, Form, FormKind};

/// The hand-over form's choice of leads: the selected one, or all the filter shows.
const THIS_LEAD: &str = "this lead";
const ALL_SHOWN: &str = "all shown";

impl App {
    /// The other owners of the book, mine and the unassigned left out, as the book spells them.
    fn others(&self, store: &Store) -> Result<Vec<String>, String> {
        let me = owner_key(&self.me);
        Ok(store
            .owner_list(&self.now)
            .map_err(|e| err_text(&e))?
            .into_iter()
            .filter(|r| !r.unassigned && owner_key(&r.owner) != me)
            .map(|r| r.owner)
            .collect())
    }

    /// `o`: mine → everyone's → each other owner's in turn → the unassigned → mine.
    pub(super) fn cycle_whose(&mut self, store: &Store) {
        let others = match self.others(store) {
            Ok(o) => o,
            Err(msg) => return self.fail(msg),
        };
        self.whose = match &self.whose {
            Whose::Mine => Whose::Everyone,
            Whose::Everyone => others
                .first()
                .map_or(Whose::Unassigned, |o| Whose::Owner(o.clone())),
            Whose::Owner(now) => {
                let at = others.iter().position(|o| owner_key(o) == owner_key(now));
                match at.and_then(|i| others.get(i + 1)) {
                    Some(next) => Whose::Owner(next.clone()),
                    None => Whose::Unassigned,
                }
            }
            Whose::Unassigned => Whose::Mine,
        };
        let words = match &self.whose {
            Whose::Mine => "my leads and the unassigned ones".to_string(),
            Whose::Everyone => "everyone's leads".to_string(),
            Whose::Owner(o) => format!("{o}'s leads"),
            Whose::Unassigned => "the unassigned leads, no one's yet".to_string(),
        };
        // Back to the top of each list: the cursor's lead may be someone else's now.
        for w in [
            &mut self.inbox.window,
            &mut self.queue.window,
            &mut self.recycled.window,
        ] {
            w.selected = 0;
            w.offset = 0;
        }
        self.refresh_or_report(store, None);
        if self.tab == Tab::Reports {
            self.load_report(store);
        }
        self.say(words);
    }

    /// `A`: the hand-over form, for the selected lead, and (with a filter typed) for every
    /// lead it shows.
    pub(super) fn assign_form(&self, store: &Store) -> Result<Form, String> {
        if !self.tab.has_leads() {
            return Err(format!("no leads in Reports ({})", self.for_the_lists()));
        }
        let row = self.selected().ok_or("no lead selected")?;
        let others = self.others(store)?;
        // Names from the book, shown as inert text (a form's hint is drawn as given).
        let hint = if others.is_empty() {
            "a name".to_string()
        } else {
            others
                .iter()
                .map(|o| clean_line(o).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut fields = vec![Field::text("to", "", hint)];
        // Every lead shown, when the list is narrowed: by a filter, or to another's leads (one
        // who leaves hands all theirs over) or the unassigned ones (handed out).
        let narrowed = !self.filter_text().trim().is_empty()
            || matches!(self.whose, Whose::Owner(_) | Whose::Unassigned);
        if narrowed {
            let count = match self.tab {
                Tab::Pipeline => self.board.columns.iter().map(|c| c.count).sum::<i64>(),
                _ => self
                    .window()
                    .map_or(0, |w| i64::try_from(w.total).unwrap_or(i64::MAX)),
            };
            fields.push(Field::choice(
                "leads",
                vec![THIS_LEAD.to_string(), format!("{ALL_SHOWN} ({count})")],
                THIS_LEAD,
            ));
        }
        Ok(Form::new(
            FormKind::Assign,
            format!("Hand over · {}", row.lead.name),
            Some(row.lead.uid.clone()),
            fields,
        ))
    }

    /// Enter on the hand-over form: the one lead at once; all the filter shows after a
    /// question.
    pub(super) fn submit_assign(&mut self, form: &Form, store: &mut Store) {
        let Some(typed) = clean_field(&form.value("to"), false) else {
            return self.assign_error("to whom? type a name");
        };
        let owner = match Whose::parse(&typed) {
            Ok(Whose::Owner(o)) => o,
            Ok(Whose::Mine) => self.me.clone(),
            Ok(Whose::Everyone | Whose::Unassigned) => {
                return self.assign_error("a lead goes to one person");
            }
            Err(e) => return self.assign_error(&e.to_string()),
        };
        if is_unassigned(&owner) {
            return self.assign_error("a lead goes to someone by name");
        }
        let Some(uid) = form.lead.clone() else {
            return self.assign_error("no lead");
        };
        if !form.value("leads").starts_with(ALL_SHOWN) {
            return self.hand_over(vec![uid], owner, store);
        }
        // Every lead the filter shows (on the board: in every column).
        let view = match self.tab {
            Tab::Pipeline => Some(crate::store::View::Pipeline),
            tab => self.view_of(tab),
        };
        let Some(view) = view else {
            return self.assign_error("no leads here");
        };
        match store.list(&view, &self.filter(), 0, usize::MAX) {
            Ok(rows) if rows.is_empty() => self.assign_error("the filter shows no lead"),
            Ok(rows) => {
                let uids = rows.into_iter().map(|r| r.lead.uid).collect();
                let owner = store.owner_spelling(&owner).unwrap_or(owner);
                self.open(Overlay::Confirm(Confirm::Assign { uids, owner }));
            }
            Err(e) => self.assign_error(&err_text(&e)),
        }
    }

    fn assign_error(&mut self, msg: &str) {
        if let Some(f) = self.form_mut() {
            f.error = Some(msg.to_string());
        }
    }

    /// Hand `uids` to `owner` in one operation, then show the lists afresh.
    pub(super) fn hand_over(&mut self, uids: Vec<String>, owner: String, store: &mut Store) {
        let keep = self.selected().map(|r| r.lead.uid.clone());
        let n = self.now;
        match ops::run(store, Op::Assign { uids, owner }, &n) {
            Ok(Done::Assigned(a)) => {
                self.overlay = None;
                let words = match (a.handed.as_slice(), a.already) {
                    ([], _) => format!("already {}'s", a.owner),
                    ([(_, name)], 0) => format!("handed {name} to {}", a.owner),
                    (many, _) => format!("handed {} leads to {}", many.len(), a.owner),
                };
                self.say(words);
                self.refresh_or_report(store, keep.as_deref());
            }
            Ok(_) => self.fail("nothing was handed over"),
            Err(e) => {
                let msg = e.to_string();
                if self.form().is_some() {
                    self.assign_error(&msg);
                }
                self.fail(msg);
            }
        }
    }
}
