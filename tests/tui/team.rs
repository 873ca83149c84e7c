//! A team's book in the app: the Follow-ups as mine and as everyone's, `o` cycling whose leads
//! the lists show, `A` handing leads over, and a lead handed to me marked "new to you".

use chrono::Duration;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;

use ripen::domain::Plan;
use ripen::domain::lead::Whose;
use ripen::ops::{self, Op};
use ripen::store::{NewLead, Store};
use ripen::tui::app::{Action, App};
use ripen::tui::keymap::{Command, Keymap};
use ripen::tui::theme::Theme;

use crate::{Fx, assert_screen, now};

fn plan_of(user: &str) -> Plan {
    Plan {
        user: user.into(),
        ..Plan::default()
    }
}

/// Sam Rep's app on a book of three reps' leads and unassigned ones, all due by today.
fn team(w: u16, h: u16) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let mut store = Store::open(&path, plan_of("Sam Rep")).unwrap();
    let leads = [
        ("Jane Doe", "Acme GmbH", "Sam Rep", 30),
        ("Bob Stone", "Globex", "Sam Rep", 5),
        ("Li Wei", "Initech", "Kim Lee", 60),
        ("Ana Ruiz", "Hooli", "Kim Lee", 2),
        ("Omar Ali", "Kestrel", "Ana Ruiz", 20),
        ("Cy Late", "Gamma SA", "me", 72),
    ];
    for (name, company, owner, hours) in leads {
        store
            .add_lead(
                NewLead {
                    name: name.into(),
                    company: Some(company.into()),
                    owner: Some(owner.into()),
                    received_at: Some(now().utc - Duration::hours(hours)),
                    ..NewLead::default()
                },
                &now(),
            )
            .unwrap();
    }
    let app = App::new(
        &store,
        Keymap::default(),
        Theme::colour(),
        now(),
        Rect::new(0, 0, w, h),
    );
    Fx {
        _dir: dir,
        store,
        app,
    }
}

impl Fx {
    /// The names the current list shows, in order.
    fn names(&self) -> Vec<String> {
        self.app
            .window()
            .unwrap()
            .rows
            .iter()
            .map(|r| r.lead.name.clone())
            .collect()
    }

    /// Another rep, on the same file, hands `name`'s lead to `to`; the app sees the book
    /// change as it does a sync or a CLI run.
    fn handed_by(&mut self, who: &str, name: &str, to: &str) {
        let mut other = Store::open(self.store.path(), plan_of(who)).unwrap();
        let uid = other.resolve(name).unwrap();
        ops::run(
            &mut other,
            Op::Assign {
                uids: vec![uid],
                owner: to.into(),
            },
            &now(),
        )
        .unwrap();
        drop(other);
        self.app
            .update(Action::BookChanged, &mut self.store, &now());
    }
}

fn snap_team(name: &str, setup: impl Fn(&mut Fx)) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut fx = team(w, h);
        setup(&mut fx);
        assert_screen(&format!("{name}_{w}x{h}"), &fx);
    }
}

#[test]
fn snapshot_team_follow_ups_mine() {
    snap_team("team_follow_ups_mine", |_| {});
}

#[test]
fn snapshot_team_follow_ups_everyone() {
    snap_team("team_follow_ups_everyone", |fx| fx.cmd(Command::Whose));
}

#[test]
fn snapshot_team_handed_over_new_to_you() {
    snap_team("team_handed_over_new_to_you", |fx| {
        fx.handed_by("Kim Lee", "li wei", "sam rep");
        // The lead handed over, its detail beside.
        fx.cmd(Command::Down);
        assert_eq!(fx.app.selected().unwrap().lead.name, "Li Wei");
    });
}

#[test]
fn follow_ups_open_on_mine_and_the_unassigned_and_o_cycles_whose() {
    let mut fx = team(120, 40);
    assert_eq!(fx.app.whose, Whose::Mine);
    let mut mine = fx.names();
    mine.sort();
    assert_eq!(mine, ["Bob Stone", "Cy Late", "Jane Doe"]);
    assert_eq!(fx.app.counts.queue, 3, "the tab counts what the list holds");
    fx.cmd(Command::Whose);
    assert_eq!(fx.app.whose, Whose::Everyone);
    assert_eq!(fx.names().len(), 6);
    assert_eq!(fx.app.counts.queue, 6);
    // Then each other owner, A to Z as `ripen owner list` has them, then mine again.
    fx.cmd(Command::Whose);
    assert_eq!(fx.app.whose, Whose::Owner("Ana Ruiz".into()));
    assert_eq!(fx.names(), ["Omar Ali"]);
    fx.cmd(Command::Whose);
    assert_eq!(fx.app.whose, Whose::Owner("Kim Lee".into()));
    assert_eq!(fx.names().len(), 2);
    assert!(
        fx.render().contains("Kim Lee's (o)"),
        "the title says whose"
    );
    // Then the unassigned, to hand out.
    fx.cmd(Command::Whose);
    assert_eq!(fx.app.whose, Whose::Unassigned);
    assert_eq!(fx.names(), ["Cy Late"]);
    fx.cmd(Command::Whose);
    assert_eq!(fx.app.whose, Whose::Mine);
    assert_eq!(fx.names().len(), 3);
}

#[test]
fn a_hand_over_shows_at_once_for_the_new_owner_as_new_to_them_until_they_touch_it() {
    let mut fx = team(120, 40);
    assert!(!fx.names().contains(&"Li Wei".to_string()));
    fx.handed_by("Kim Lee", "li wei", "SAM REP");
    assert!(
        fx.names().contains(&"Li Wei".to_string()),
        "{:?}",
        fx.names()
    );
    let uid = fx.store.resolve("li wei").unwrap();
    assert!(fx.app.fresh.contains(&uid));
    assert_eq!(fx.store.lead(&uid).unwrap().lead.owner, "Sam Rep");
    // A lead I hand myself is not new to me; one I have worked is no longer.
    while fx.app.selected().unwrap().lead.uid != uid {
        fx.cmd(Command::Down);
    }
    fx.cmd(Command::Log);
    fx.key(KeyCode::Enter);
    fx.assert_saved();
    fx.app.refresh(&fx.store, Some(&uid)).unwrap();
    assert!(!fx.app.fresh.contains(&uid), "worked since: no longer new");
}

#[test]
fn a_hands_the_selected_lead_over() {
    let mut fx = team(120, 40);
    // Jane Doe, Sam's own.
    while fx.app.selected().unwrap().lead.name != "Jane Doe" {
        fx.cmd(Command::Down);
    }
    let uid = fx.selected_uid();
    let name = "Jane Doe".to_string();
    fx.cmd(Command::Assign);
    let form = fx.app.form().expect("the hand-over form");
    assert!(form.title.contains(&name));
    fx.typed("kim lee");
    fx.key(KeyCode::Enter);
    fx.assert_saved();
    assert_eq!(fx.store.lead(&uid).unwrap().lead.owner, "Kim Lee");
    assert_eq!(fx.status(), format!("handed {name} to Kim Lee"));
    // Mine no longer: it left my list.
    assert!(!fx.names().contains(&name));
    let timeline = fx.store.timeline(&uid, 5).unwrap();
    assert_eq!(
        timeline[0].note.as_deref(),
        Some("handed from Sam Rep to Kim Lee")
    );
    assert_eq!(timeline[0].author.as_deref(), Some("Sam Rep"));
}

#[test]
fn a_on_a_filter_hands_every_lead_it_shows_after_a_question() {
    let mut fx = team(120, 40);
    fx.cmd(Command::Whose); // everyone's
    fx.cmd(Command::Filter);
    fx.typed("globex");
    fx.key(KeyCode::Enter);
    // Two matches would be more telling: a second Globex lead.
    fx.add(NewLead {
        name: "Dan Globex".into(),
        company: Some("Globex".into()),
        owner: Some("Kim Lee".into()),
        ..NewLead::default()
    });
    assert_eq!(fx.app.window().unwrap().total, 2, "{:?}", fx.names());
    fx.cmd(Command::Assign);
    fx.typed("Ana Ruiz");
    fx.key(KeyCode::Down);
    fx.key(KeyCode::Right);
    fx.key(KeyCode::Enter);
    assert!(
        fx.render().contains("Hand 2 leads to Ana Ruiz? y/n"),
        "{}",
        fx.render()
    );
    fx.cmd(Command::Yes);
    assert_eq!(fx.status(), "handed 2 leads to Ana Ruiz");
    for n in ["bob stone", "dan globex"] {
        let uid = fx.store.resolve(n).unwrap();
        assert_eq!(fx.store.lead(&uid).unwrap().lead.owner, "Ana Ruiz");
    }
}

#[test]
fn a_book_of_one_keeps_its_title_and_lists() {
    let fx = crate::fixture(100, 30, true);
    assert!(!fx.app.team);
    assert!(!fx.render().contains("(o)"));
}

#[test]
fn reports_count_the_leads_the_lists_show() {
    let mut fx = team(120, 40);
    fx.cmd(Command::Reports);
    fx.cmd(Command::Bottom);
    assert_eq!(fx.app.reports.name(), "owners");
    let owners = |fx: &Fx| -> Vec<String> {
        fx.app
            .reports
            .rows
            .iter()
            .map(|r| r["owner"].as_str().unwrap().to_string())
            .collect()
    };
    // Mine: my row and the unassigned one.
    assert_eq!(owners(&fx), ["Sam Rep", "me"]);
    fx.cmd(Command::Whose);
    assert_eq!(owners(&fx), ["Ana Ruiz", "Kim Lee", "Sam Rep", "me"]);
    fx.cmd(Command::Whose);
    assert_eq!(owners(&fx), ["Ana Ruiz"]);
}

/// An owner's name with control characters (an old book, a peer's file) reaches the screen as
/// inert text: in the title, the status line and the hand-over form's hint.
#[test]
fn a_hostile_owner_name_stays_inert_text() {
    let mut fx = team(120, 40);
    fx.add(NewLead {
        name: "Eve Vil".into(),
        owner: Some("Evil\u{1b}]0;pwned\u{7}".into()),
        ..NewLead::default()
    });
    // Mine → everyone's → Ana → Evil….
    for _ in 0..3 {
        fx.cmd(Command::Whose);
    }
    assert!(matches!(&fx.app.whose, Whose::Owner(o) if o.starts_with("Evil")));
    let screen = fx.render();
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{7}'),
        "{screen}"
    );
    assert!(screen.contains("Evil␛]0;pwned␇"), "{screen}");
    fx.cmd(Command::Assign);
    let screen = fx.render();
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{7}'),
        "{screen}"
    );
}

/// One who leaves hands all theirs over: their leads (o), A, "all shown", yes.
#[test]
fn a_on_another_owners_leads_hands_them_all_over() {
    let mut fx = team(120, 40);
    fx.cmd(Command::Whose); // everyone's
    fx.cmd(Command::Whose); // Ana Ruiz's
    fx.cmd(Command::Whose); // Kim Lee's
    assert_eq!(fx.app.whose, Whose::Owner("Kim Lee".into()));
    fx.cmd(Command::Assign);
    fx.typed("sam rep");
    fx.key(KeyCode::Down);
    fx.key(KeyCode::Right);
    fx.key(KeyCode::Enter);
    assert!(fx.render().contains("Hand 2 leads to Sam Rep? y/n"));
    fx.cmd(Command::Yes);
    assert!(fx.names().is_empty(), "Kim has none left: {:?}", fx.names());
    fx.cmd(Command::Whose); // the unassigned
    fx.cmd(Command::Whose); // mine
    let mut mine = fx.names();
    mine.sort();
    assert_eq!(
        mine,
        ["Ana Ruiz", "Bob Stone", "Cy Late", "Jane Doe", "Li Wei"]
    );
}
