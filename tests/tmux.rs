//! End to end: the real binary in tmux at 100×30 on a demo book. Go to the queue, log a call on
//! the top lead with `l` and Enter, quit, and check with the CLI that the activity landed.
//! Needs tmux, so it is ignored by a plain `cargo test`: `cargo test -- --include-ignored` (or
//! `.ci/run`, which installs tmux) runs it, and it fails where tmux is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-22T09:00:00Z";

struct Env {
    dir: tempfile::TempDir,
    socket: String,
}

impl Env {
    fn db(&self) -> PathBuf {
        self.dir.path().join("book.db")
    }

    fn ripen(&self, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_ripen"))
            .args(args)
            .envs(self.vars())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ripen {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn vars(&self) -> Vec<(String, String)> {
        let home = self.dir.path().display().to_string();
        vec![
            ("RIPEN_DB".into(), self.db().display().to_string()),
            ("RIPEN_NOW".into(), NOW.into()),
            ("TZ".into(), "UTC".into()),
            (
                "RIPEN_CONFIG".into(),
                self.dir.path().join("none.toml").display().to_string(),
            ),
            ("HOME".into(), home.clone()),
            ("XDG_CONFIG_HOME".into(), home.clone()),
            ("XDG_DATA_HOME".into(), home.clone()),
            ("XDG_STATE_HOME".into(), home.clone()),
            ("XDG_CACHE_HOME".into(), home),
        ]
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout)
            .into_owned()
    }

    /// Wait until the screen shows `text` (the app runs asynchronously to us).
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never saw {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn start(env: &Env) {
    let mut cmd = String::from("env");
    for (k, v) in env.vars() {
        cmd.push_str(&format!(" {k}={}", shell_quote(&v)));
    }
    cmd.push_str(&format!(
        " {}; echo RIPEN_EXIT=$?; sleep 60",
        shell_quote(Path::new(env!("CARGO_BIN_EXE_ripen")).to_str().unwrap())
    ));
    let out = env.tmux(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        &cmd,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs tmux"]
fn log_a_call_from_the_queue_in_tmux() {
    assert!(
        tmux_available(),
        "this test needs tmux on PATH (.ci/run installs it)"
    );
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
        socket: format!("ripen-e2e-{}", std::process::id()),
    };
    env.ripen(&["demo"]);
    env.ripen(&["add", "Evil \x1b]0;pwned\x07\x1b[2J"]);
    let queue = json(&env.ripen(&["list", "queue", "--json"]));
    let top = queue[0]["id"].as_i64().unwrap();
    let top_name = queue[0]["name"].as_str().unwrap().to_string();
    let counts = [
        ("inbox", "1 Inbox"),
        ("queue", "2 Follow-ups"),
        ("pipeline", "3 Pipeline"),
        ("recycled", "4 Recycled"),
    ];

    start(&env);
    let screen = env.wait_for("Follow-ups ·");
    // The tab counts equal the CLI's list lengths.
    for (view, label) in counts {
        let n = json(&env.ripen(&["list", view, "--json"]))
            .as_array()
            .unwrap()
            .len();
        assert!(
            screen.contains(&format!("{label} {n}")),
            "{label} {n} not in:\n{screen}"
        );
    }
    // All four views show.
    env.keys(&["1"]);
    env.wait_for("oldest first");
    env.keys(&["3"]);
    env.wait_for("weighted");
    env.keys(&["4"]);
    env.wait_for("due first");
    env.keys(&["2"]);
    env.wait_for("by priority");

    // A hostile name shows as inert text and leaves the title alone.
    env.keys(&["1", "G"]);
    env.wait_for("Evil ␛]0;pwned␇");
    let title = env.tmux(&["display", "-p", "-t", "e2e", "#{pane_title}"]);
    assert!(!String::from_utf8_lossy(&title.stdout).contains("pwned"));
    env.keys(&["2"]);
    env.wait_for("by priority");

    env.keys(&["l"]);
    env.wait_for("Log contact");
    env.keys(&["Enter"]);
    env.wait_for("logged call");

    // Any size: 1×1 and 40×12 and back, nothing panics.
    for (w, h) in [("1", "1"), ("40", "12"), ("200", "60"), ("100", "30")] {
        env.tmux(&["resize-window", "-t", "e2e", "-x", w, "-y", h]);
        env.keys(&["j", "3", "k"]);
        std::thread::sleep(Duration::from_millis(150));
    }
    env.keys(&["2"]);
    env.wait_for("by priority");
    env.keys(&["q"]);
    env.wait_for("RIPEN_EXIT=0");

    let shown = json(&env.ripen(&["show", &top.to_string(), "--json"]));
    let timeline = shown["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|a| a["kind"] == "call" && a["at"] == "2026-11-22T09:00:00Z"),
        "no call logged on {top_name}: {timeline:?}"
    );
    let after = json(&env.ripen(&["list", "queue", "--json"]));
    assert!(
        after.as_array().unwrap().iter().all(|l| l["id"] != top),
        "{top_name} is still in today's queue"
    );
}
