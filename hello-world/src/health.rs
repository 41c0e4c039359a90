//! The health answer: proof that the function itself runs, and which deployment answered.
//!
//! A Route 53 health check asks for it through API Gateway, so it fails when the function
//! fails, not only when API Gateway does; smoke tests and failover drills read the region and
//! version to see where traffic went.
//!
//! Which request asks for it is routing, and the adapter's (`handler/src/routes.rs`).

use serde::Serialize;

/// What the health route answers: always 200 while the function runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub status: &'static str,
    /// The region that answered, as the platform names it.
    pub region: String,
    /// The function version that answered.
    pub version: String,
}

impl Health {
    #[must_use]
    pub fn of(region: &str, version: &str) -> Self {
        Self {
            status: "ok",
            region: region.to_owned(),
            version: version.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_health_answer_says_ok_and_who_answered() {
        let health = serde_json::to_value(Health::of("eu-west-1", "7")).unwrap_or_default();
        assert_eq!(
            health,
            serde_json::json!({"status": "ok", "region": "eu-west-1", "version": "7"})
        );
    }
}
