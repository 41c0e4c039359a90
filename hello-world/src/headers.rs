//! Header normalisation: lower-case names, every value kept, secrets masked.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Headers whose values are credentials and must never be echoed back.
pub const SECRET_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-amz-security-token",
];

/// What a secret header's value is replaced with.
pub const REDACTED: &str = "[redacted]";

pub(crate) type HeaderValues = BTreeMap<String, Vec<String>>;

/// Groups header lines by lower-case name, keeping the order of values, and masks secrets.
pub(crate) fn normalise(lines: &[(&str, Cow<'_, str>)]) -> HeaderValues {
    let mut headers = HeaderValues::new();
    for (name, value) in lines {
        let name = name.to_ascii_lowercase();
        let value: &str = if is_secret(&name) { REDACTED } else { value };
        headers.entry(name).or_default().push(value.to_owned());
    }
    headers
}

fn is_secret(lower_case_name: &str) -> bool {
    SECRET_HEADERS.contains(&lower_case_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, Cow<'a, str>)> {
        pairs.iter().map(|&(n, v)| (n, Cow::Borrowed(v))).collect()
    }

    #[test]
    fn names_are_lower_cased_and_repeated_names_keep_every_value_in_order() {
        let headers = normalise(&lines(&[
            ("Accept", "text/html"),
            ("ACCEPT", "application/json"),
        ]));
        assert_eq!(headers["accept"], ["text/html", "application/json"]);
        assert_eq!(headers.len(), 1);
    }

    #[test]
    fn every_secret_header_is_redacted_whatever_its_case() {
        for name in SECRET_HEADERS {
            let upper = name.to_ascii_uppercase();
            let headers = normalise(&lines(&[(upper.as_str(), "s3cr3t")]));
            assert_eq!(headers[name], [REDACTED], "{name} leaked");
        }
    }

    #[test]
    fn ordinary_headers_are_not_redacted() {
        let headers = normalise(&lines(&[("x-api-version", "2")]));
        assert_eq!(headers["x-api-version"], ["2"]);
    }
}
