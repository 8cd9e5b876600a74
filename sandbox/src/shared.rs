//! What every request of a running sandbox shares: its configuration, the org behind its lock,
//! the knobs a test may turn while it runs, and the random numbers behind jitter and faults.

use std::net::SocketAddr;
use std::sync::Mutex;

use rand::rngs::StdRng;

use crate::config::{Faults, Latency, SandboxConfig};
use crate::org::Org;

/// The shared state of a running sandbox.
pub(crate) struct Shared {
    pub config: SandboxConfig,
    /// The address it listens on: the only one a request may be addressed to.
    pub address: SocketAddr,
    pub org: Mutex<Org>,
    pub knobs: Mutex<Knobs>,
    pub rng: Mutex<StdRng>,
}

/// What can change while the sandbox runs.
pub(crate) struct Knobs {
    pub latency: Latency,
    pub faults: Faults,
}
