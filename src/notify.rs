//! Desktop notifications behind a trait: the desktop one (notify-rust), one that says why there is none (no
//! session bus), and a null one (notifications turned off). Each answers whether the notification was shown:
//! the runner hands that back to the console (`Msg::Notified`), which falls back to the bell and the status
//! bar when it was not.

pub trait Notifier: Send + Sync {
    /// Shows a notification; blocks until the notification service answers (call it off the async threads).
    fn notify(&self, title: &str, body: &str) -> Result<(), String>;
}

/// Does nothing (notifications turned off).
pub struct NullNotifier;

impl Notifier for NullNotifier {
    fn notify(&self, _title: &str, _body: &str) -> Result<(), String> {
        Ok(())
    }
}

/// Where there is no notification service to talk to: every notification fails, saying why.
pub struct NoService(pub String);

impl Notifier for NoService {
    fn notify(&self, _title: &str, _body: &str) -> Result<(), String> {
        Err(self.0.clone())
    }
}

pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn notify(&self, title: &str, body: &str) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("regulars")
            .summary(title)
            .body(body)
            .show()
            .map(|_| ())
            .map_err(|e| format!("the notification service refused it: {e}"))
    }
}

/// The notifier for this run: the desktop's when enabled and a session bus is there to talk to.
pub fn for_config(enabled: bool) -> Box<dyn Notifier> {
    if !enabled {
        Box::new(NullNotifier)
    } else if cfg!(target_os = "macos") || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        Box::new(DesktopNotifier)
    } else {
        Box::new(NoService("no session bus".into()))
    }
}

/// Notifiers for tests: one that records what it was asked to show, one that always fails.
#[cfg(test)]
pub mod fake {
    use std::sync::Mutex;

    #[derive(Default)]
    pub struct Recording(pub Mutex<Vec<(String, String)>>);

    impl Recording {
        pub fn titles(&self) -> Vec<String> {
            self.shown().into_iter().map(|(t, _)| t).collect()
        }

        pub fn shown(&self) -> Vec<(String, String)> {
            self.0.lock().map(|v| v.clone()).unwrap_or_default()
        }
    }

    impl super::Notifier for Recording {
        fn notify(&self, title: &str, body: &str) -> Result<(), String> {
            if let Ok(mut shown) = self.0.lock() {
                shown.push((title.to_string(), body.to_string()));
            }
            Ok(())
        }
    }
}
