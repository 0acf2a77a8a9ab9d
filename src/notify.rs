//! Desktop notifications behind a trait: the desktop one (notify-rust) and a null one for tests, CI and
//! machines without a notification service.

pub trait Notifier: Send + Sync {
    fn notify(&self, title: &str, body: &str);
}

/// Does nothing (tests, CI, notifications disabled).
pub struct NullNotifier;

impl Notifier for NullNotifier {
    fn notify(&self, _title: &str, _body: &str) {}
}

pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn notify(&self, title: &str, body: &str) {
        let (title, body) = (title.to_string(), body.to_string());
        // D-Bus can block; never on the UI task. Failures are logged, never shown as a crash.
        std::thread::spawn(move || {
            if let Err(e) = notify_rust::Notification::new()
                .appname("regulars")
                .summary(&title)
                .body(&body)
                .show()
            {
                tracing::warn!(error = %e, "desktop notification failed");
            }
        });
    }
}

/// The notifier for this run: desktop only when enabled and a session bus is there to talk to.
pub fn for_config(enabled: bool) -> Box<dyn Notifier> {
    if enabled && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        Box::new(DesktopNotifier)
    } else {
        Box::new(NullNotifier)
    }
}
