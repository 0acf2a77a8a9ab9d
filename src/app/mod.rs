//! The update loop's vocabulary: commands, messages, effects, key routing, and `update` itself.

pub mod command;
pub mod effect;
pub mod load;
pub mod msg;
pub mod router;
pub mod update;

pub use command::Command;
pub use effect::{Copied, Effect};
pub use load::{Jump, Load, Loaded};
pub use msg::{Msg, Writer};
pub use update::update;
