//! The service itself, and its answer.

use serde::Serialize;

use crate::HttpEvent;

/// The service itself: it greets whoever called it and echoes what it was sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelloWorld;

impl HelloWorld {
    /// Kept word for word from the Node.js example this project ports.
    pub const MESSAGE: &'static str = "Go Serverless v1.0! Your function executed successfully!";

    #[must_use]
    pub fn say_hello(&self, event: HttpEvent) -> Greeting {
        Greeting {
            message: Self::MESSAGE.to_owned(),
            input: event,
        }
    }
}

/// What the service answers to a well-formed request, serialised as the response body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Greeting {
    pub message: String,
    pub input: HttpEvent,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawRequest;

    fn event() -> HttpEvent {
        HttpEvent::try_from(&RawRequest::new("GET", "/hello", "req-1", "test"))
            .expect("a bodiless request is always valid")
    }

    #[test]
    fn greeting_carries_the_services_message() {
        assert_eq!(HelloWorld.say_hello(event()).message, HelloWorld::MESSAGE);
    }

    #[test]
    fn greeting_echoes_the_event_it_was_given_unchanged() {
        assert_eq!(HelloWorld.say_hello(event()).input, event());
    }

    #[test]
    fn greeting_serialises_to_message_and_input() {
        let value = serde_json::to_value(HelloWorld.say_hello(event())).unwrap_or_default();
        assert_eq!(value["message"], HelloWorld::MESSAGE);
        assert_eq!(
            value["input"],
            serde_json::to_value(event()).unwrap_or_default()
        );
        assert_eq!(value.as_object().map(serde_json::Map::len), Some(2));
    }
}
