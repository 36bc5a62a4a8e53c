//! Addresses: the endpoint, gateway URLs for actor handles, and manager URLs.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::ClientError;
use crate::protocol::key;

/// The namespace, runner pool and crash policy the official client sends by default.
const NAMESPACE: &str = "default";
const RUNNER: &str = "default";
const CRASH_POLICY: &str = "sleep";

/// What JavaScript's `encodeURIComponent` escapes: everything but ASCII letters, digits and
/// `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes text the way JavaScript's `encodeURIComponent` does (UTF-8, upper-case hex).
pub(super) fn encode_uri_component(text: &str) -> String {
    utf8_percent_encode(text, URI_COMPONENT).to_string()
}

/// The server's base URL, without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Endpoint {
    base: String,
}

impl Endpoint {
    /// Takes an endpoint such as `http://127.0.0.1:6420`; a trailing `/` is dropped and a missing
    /// scheme means `http://`. Unsupported schemes fail at the first request.
    pub(super) fn new(endpoint: &str) -> Self {
        let trimmed = endpoint.trim().trim_end_matches('/');
        let base = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("http://{trimmed}")
        };
        Self { base }
    }

    /// The base as written, for `Debug`.
    pub(super) fn as_str(&self) -> &str {
        &self.base
    }

    /// The base with any credentials (`user:token@`) hidden, for `Debug`.
    pub(super) fn redacted(&self) -> String {
        let (scheme, rest) = self.base.split_once("://").unwrap_or(("", &self.base));
        let authority_end = rest.find('/').unwrap_or(rest.len());
        match rest[..authority_end].rfind('@') {
            Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
            None => self.base.clone(),
        }
    }

    /// The base for HTTP requests.
    pub(super) fn http(&self) -> Result<&str, ClientError> {
        self.check().map_err(ClientError::Http)?;
        Ok(&self.base)
    }

    /// The base for WebSocket connections: `ws://` in place of `http://`.
    pub(super) fn ws(&self) -> Result<String, ClientError> {
        self.check().map_err(ClientError::WebSocket)?;
        Ok(format!("ws://{}", &self.base["http://".len()..]))
    }

    fn check(&self) -> Result<(), String> {
        if self.base.starts_with("http://") {
            Ok(())
        } else if self.base.starts_with("https://") {
            Err("https is not supported yet".to_owned())
        } else {
            // The endpoint itself is not echoed: it may carry a token.
            Err("the endpoint must start with `http://`".to_owned())
        }
    }
}

/// How a handle names its actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// By key, creating the actor when it does not exist.
    GetOrCreate(Vec<String>),
    /// By key, failing when the actor does not exist.
    Get(Vec<String>),
    /// By actor id.
    Id(String),
}

impl Target {
    /// Whether the gateway's query form can carry this key. It splits `rvt-key` on `,`, so a key
    /// part that contains a comma would reach another actor.
    pub(super) fn fits_query(&self) -> bool {
        match self {
            Self::GetOrCreate(key) | Self::Get(key) => !key.iter().any(|part| part.contains(',')),
            Self::Id(_) => true,
        }
    }
}

/// What a gateway request reaches on the actor.
#[derive(Debug, Clone, Copy)]
pub(super) enum Route<'a> {
    /// The WebSocket.
    Connect,
    /// A stateless HTTP action of that name.
    Action(&'a str),
}

/// `/gateway/{target}/{route}?{query}` for an actor type of wire name `name`.
pub(super) fn gateway_path(name: &str, target: &Target, route: Route<'_>) -> String {
    let route = match route {
        Route::Connect => "connect".to_owned(),
        Route::Action(action) => format!("action/{}", encode_uri_component(action)),
    };
    match target {
        Target::Id(id) => format!("/gateway/{}/{route}", encode_uri_component(id)),
        Target::GetOrCreate(key) => {
            let mut query =
                format!("rvt-namespace={NAMESPACE}&rvt-method=getOrCreate&rvt-runner={RUNNER}");
            push_query_key(&mut query, key);
            query.push_str(&format!("&rvt-crash-policy={CRASH_POLICY}"));
            format!("/gateway/{}/{route}?{query}", encode_uri_component(name))
        }
        Target::Get(key) => {
            let mut query = format!("rvt-namespace={NAMESPACE}&rvt-method=get");
            push_query_key(&mut query, key);
            format!("/gateway/{}/{route}?{query}", encode_uri_component(name))
        }
    }
}

/// Appends `&rvt-key=` with the parts joined by `,`; the empty key sends no parameter.
fn push_query_key(query: &mut String, key: &[String]) {
    if !key.is_empty() {
        query.push_str("&rvt-key=");
        query.push_str(&encode_uri_component(&key.join(",")));
    }
}

/// `/actors?namespace=default`, for `PUT` (get or create) and `POST` (create).
pub(super) fn actors_path() -> String {
    format!("/actors?namespace={NAMESPACE}")
}

/// `/actors?namespace=default&name=…&key=…`, the lookup by key.
pub(super) fn lookup_path(name: &str, key: &[String]) -> String {
    format!(
        "/actors?namespace={NAMESPACE}&name={}&key={}",
        encode_uri_component(name),
        encode_uri_component(&key::serialize(key))
    )
}

/// The body of `PUT` and `POST /actors`.
pub(super) fn actor_request_body(name: &str, key: &[String]) -> String {
    serde_json::json!({
        "name": name,
        "key": key::serialize(key),
        "runner_name_selector": RUNNER,
        "crash_policy": CRASH_POLICY,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|part| (*part).to_owned()).collect()
    }

    #[test]
    fn components_are_encoded_like_javascript() {
        // Expected values from `encodeURIComponent` in Node.
        assert_eq!(encode_uri_component("chatRoom"), "chatRoom");
        assert_eq!(encode_uri_component("a b"), "a%20b");
        assert_eq!(encode_uri_component("k,b"), "k%2Cb");
        assert_eq!(encode_uri_component("x/y?z#w&v=u"), "x%2Fy%3Fz%23w%26v%3Du");
        assert_eq!(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
        assert_eq!(encode_uri_component("100%+"), "100%25%2B");
        assert_eq!(encode_uri_component("héllo €"), "h%C3%A9llo%20%E2%82%AC");
        assert_eq!(
            encode_uri_component(r#"{"user":"alice","token":"ok"}"#),
            "%7B%22user%22%3A%22alice%22%2C%22token%22%3A%22ok%22%7D"
        );
    }

    #[test]
    fn endpoints_lose_trailing_slashes_and_become_ws() {
        let endpoint = Endpoint::new("http://127.0.0.1:6420/");
        assert_eq!(endpoint.http().unwrap(), "http://127.0.0.1:6420");
        assert_eq!(endpoint.ws().unwrap(), "ws://127.0.0.1:6420");
        let based = Endpoint::new("http://host:1/base//");
        assert_eq!(based.http().unwrap(), "http://host:1/base");
        assert_eq!(based.ws().unwrap(), "ws://host:1/base");
        assert_eq!(
            Endpoint::new("localhost:6420").http().unwrap(),
            "http://localhost:6420"
        );
    }

    #[test]
    fn credentials_are_hidden_from_debug() {
        assert_eq!(
            Endpoint::new("http://ns:secret@host:1/base").redacted(),
            "http://***@host:1/base"
        );
        assert_eq!(
            Endpoint::new("http://host:1/a@b").redacted(),
            "http://host:1/a@b"
        );
    }

    #[test]
    fn https_is_refused_at_use() {
        let endpoint = Endpoint::new("https://example.com");
        assert!(matches!(endpoint.http(), Err(ClientError::Http(text)) if text.contains("https")));
        assert!(
            matches!(endpoint.ws(), Err(ClientError::WebSocket(text)) if text.contains("https"))
        );
        assert!(matches!(
            Endpoint::new("ftp://x").http(),
            Err(ClientError::Http(_))
        ));
    }

    #[test]
    fn get_or_create_urls_match_the_official_client() {
        let target = Target::GetOrCreate(key(&["room-1"]));
        assert_eq!(
            gateway_path("chatRoom", &target, Route::Connect),
            "/gateway/chatRoom/connect?rvt-namespace=default&rvt-method=getOrCreate\
             &rvt-runner=default&rvt-key=room-1&rvt-crash-policy=sleep"
        );
        assert_eq!(
            gateway_path("chatRoom", &target, Route::Action("history")),
            "/gateway/chatRoom/action/history?rvt-namespace=default&rvt-method=getOrCreate\
             &rvt-runner=default&rvt-key=room-1&rvt-crash-policy=sleep"
        );
    }

    #[test]
    fn keys_are_joined_with_commas_and_escaped() {
        let target = Target::Get(key(&["k", "b"]));
        assert_eq!(
            gateway_path("chatRoom", &target, Route::Connect),
            "/gateway/chatRoom/connect?rvt-namespace=default&rvt-method=get&rvt-key=k%2Cb"
        );
        let target = Target::Get(key(&["a b&c=d", "é/?"]));
        assert_eq!(
            gateway_path("x", &target, Route::Connect),
            "/gateway/x/connect?rvt-namespace=default&rvt-method=get\
             &rvt-key=a%20b%26c%3Dd%2C%C3%A9%2F%3F"
        );
    }

    #[test]
    fn the_empty_key_sends_no_key_parameter() {
        assert_eq!(
            gateway_path("counter", &Target::Get(Vec::new()), Route::Connect),
            "/gateway/counter/connect?rvt-namespace=default&rvt-method=get"
        );
        assert_eq!(
            gateway_path(
                "counter",
                &Target::GetOrCreate(Vec::new()),
                Route::Action("get")
            ),
            "/gateway/counter/action/get?rvt-namespace=default&rvt-method=getOrCreate\
             &rvt-runner=default&rvt-crash-policy=sleep"
        );
    }

    #[test]
    fn ids_and_action_names_are_path_segments() {
        let target = Target::Id("id/with space".into());
        assert_eq!(
            gateway_path("ignored", &target, Route::Action("do it/now")),
            "/gateway/id%2Fwith%20space/action/do%20it%2Fnow"
        );
        assert_eq!(
            gateway_path("x", &Target::Id("abc".into()), Route::Connect),
            "/gateway/abc/connect"
        );
    }

    #[test]
    fn commas_in_key_parts_do_not_fit_the_query_form() {
        assert!(Target::Get(key(&["a", "b"])).fits_query());
        assert!(!Target::GetOrCreate(key(&["a,b"])).fits_query());
        assert!(Target::Id("a,b".into()).fits_query());
    }

    #[test]
    fn manager_urls_use_the_serialized_key() {
        assert_eq!(actors_path(), "/actors?namespace=default");
        assert_eq!(
            lookup_path("chatRoom", &key(&["x/y", "z"])),
            "/actors?namespace=default&name=chatRoom&key=x%5C%2Fy%2Fz"
        );
        assert_eq!(
            lookup_path("c", &[]),
            "/actors?namespace=default&name=c&key=%2F"
        );
        let body: serde_json::Value =
            serde_json::from_str(&actor_request_body("chatRoom", &key(&["k", "b"]))).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"name":"chatRoom","key":"k/b","runner_name_selector":"default",
                "crash_policy":"sleep"})
        );
    }
}
