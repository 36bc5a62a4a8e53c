//! Property tests of every decoder: arbitrary or mangled bytes never panic and never allocate
//! beyond what the input could hold, and every message the encoders write decodes back to
//! itself, in each encoding.
//!
//! Allocation is bounded by construction: every length a decoder reads (CBOR byte and text
//! strings, BARE `data` and `string`) is checked against the bytes left before anything is
//! allocated, and a CBOR array or map preallocates at most [`super::cbor::MAX_PREALLOC`] items
//! whatever length it declares, growing only with items actually read (each takes at least one
//! byte of input). The tests with huge declared lengths below would abort on allocation failure,
//! or take seconds, if that did not hold.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

use super::message::{ErrorBody, EventBody, ToClient, ToServer};
use super::value::{BIGNUM_NEGATIVE, BIGNUM_POSITIVE, Value, undefined};
use super::{Encoding, Frame, cbor};

const ENCODINGS: [Encoding; 3] = [Encoding::Json, Encoding::Cbor, Encoding::Bare];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,10}",
        // Strings that look like the tags of the value convention.
        "\\$[$a-zA-Z0-9]{0,10}",
        Just("$BigInt".to_owned()),
        Just("$Uint8Array".to_owned()),
    ]
}

/// A value that every encoding carries exactly: integers within 32 bits (wider ones travel as
/// floats or big integers, as in the official client), finite floats, text, bytes, big integers,
/// `undefined`, arrays, and maps with distinct text keys in order.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        Just(undefined()),
        any::<bool>().prop_map(Value::Bool),
        (-(1i64 << 32) + 1..(1i64 << 32)).prop_map(|i| Value::Integer(i.into())),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::Float),
        text().prop_map(Value::Text),
        vec(any::<u8>(), 0..12).prop_map(Value::Bytes),
        (
            prop_oneof![Just(BIGNUM_POSITIVE), Just(BIGNUM_NEGATIVE)],
            1u8..,
            vec(any::<u8>(), 8..14)
        )
            .prop_map(|(tag, first, mut rest)| {
                rest.insert(0, first);
                Value::Tag(tag, Box::new(Value::Bytes(rest)))
            }),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            // Look-alike tagged arrays of the user's own.
            (text(), inner.clone()).prop_map(|(t, v)| Value::Array(vec![Value::Text(t), v])),
            btree_map(text(), inner, 0..4).prop_map(|entries| {
                Value::Map(
                    entries
                        .into_iter()
                        .map(|(k, v)| (Value::Text(k), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// Error metadata: any JSON but a top-level null (which means "no metadata").
fn metadata() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(serde_json::Value::from),
        (-1_000_000i64..1_000_000).prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
    ];
    let tree = leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            btree_map("[a-z]{1,5}", inner, 0..3)
                .prop_map(|m: BTreeMap<String, serde_json::Value>| m.into_iter().collect()),
        ]
    });
    tree.prop_filter("not null", |m| !m.is_null())
}

fn error_body() -> impl Strategy<Value = ErrorBody> {
    (
        text(),
        text(),
        text(),
        proptest::option::of(metadata()),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(group, code, message, metadata, action_id)| ErrorBody {
            group,
            code,
            message,
            metadata,
            action_id,
            // Clients do not read it back.
            actor: None,
        })
}

fn to_server() -> impl Strategy<Value = ToServer> {
    prop_oneof![
        (any::<u64>(), text(), vec(value(), 0..4))
            .prop_map(|(id, name, args)| ToServer::ActionRequest { id, name, args }),
        (text(), any::<bool>()).prop_map(|(event_name, subscribe)| {
            ToServer::SubscriptionRequest {
                event_name,
                subscribe,
            }
        }),
    ]
}

fn to_client() -> impl Strategy<Value = ToClient> {
    prop_oneof![
        (text(), text()).prop_map(|(a, c)| ToClient::Init {
            actor_id: a.into(),
            connection_id: c.into(),
        }),
        error_body().prop_map(ToClient::from),
        (any::<u64>(), value()).prop_map(|(id, output)| ToClient::ActionResponse { id, output }),
        (text(), vec(value(), 0..4))
            .prop_map(|(name, args)| ToClient::Event(Arc::new(EventBody::new(name, args)))),
    ]
}

fn bytes_of(frame: Frame) -> Vec<u8> {
    match frame {
        Frame::Text(text) => text.into_bytes(),
        Frame::Binary(bytes) => bytes,
    }
}

/// Runs every decoder of every encoding on `bytes`; none may panic.
fn decode_everything(bytes: &[u8]) {
    for encoding in ENCODINGS {
        let _ = encoding.decode_to_server(bytes);
        let _ = encoding.decode_to_client(bytes);
        let _ = encoding.decode_http_args(bytes);
        let _ = encoding.decode_http_output(bytes);
        let _ = encoding.decode_http_error(bytes);
    }
    let _ = cbor::from_bytes(bytes);
}

/// `bytes` cut at `cut` and with `flips` bytes overwritten: close to valid, which reaches deeper
/// into the decoders than random bytes do.
fn mangle(mut bytes: Vec<u8>, cut: usize, flips: &[(usize, u8)]) -> Vec<u8> {
    if !bytes.is_empty() {
        for &(at, byte) in flips {
            let len = bytes.len();
            bytes[at % len] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        decode_everything(&bytes);
    }

    #[test]
    fn arbitrary_bare_frames_never_panic(
        version in prop_oneof![Just(3u16), Just(4), any::<u16>()],
        tag in 0u8..6,
        rest in vec(any::<u8>(), 0..128),
    ) {
        let mut bytes = version.to_le_bytes().to_vec();
        bytes.push(tag);
        bytes.extend(rest);
        decode_everything(&bytes);
    }

    #[test]
    fn mangled_messages_never_panic(
        message in to_server(),
        reply in to_client(),
        cut in any::<usize>(),
        flips in vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        for encoding in ENCODINGS {
            decode_everything(&mangle(bytes_of(encoding.encode_to_server(&message)), cut, &flips));
            decode_everything(&mangle(bytes_of(encoding.encode_to_client(&reply)), cut, &flips));
        }
    }

    #[test]
    fn client_messages_round_trip(message in to_server()) {
        for encoding in ENCODINGS {
            let bytes = bytes_of(encoding.encode_to_server(&message));
            prop_assert_eq!(encoding.decode_to_server(&bytes), Ok(message.clone()), "{:?}", encoding);
        }
    }

    #[test]
    fn server_messages_round_trip(message in to_client()) {
        for encoding in ENCODINGS {
            let bytes = bytes_of(encoding.encode_to_client(&message));
            prop_assert_eq!(encoding.decode_to_client(&bytes), Ok(message.clone()), "{:?}", encoding);
        }
    }

    #[test]
    fn http_bodies_round_trip(args in vec(value(), 0..4), output in value(), error in error_body()) {
        let error = ErrorBody { action_id: None, ..error };
        for encoding in ENCODINGS {
            let bytes = encoding.encode_http_args(args.clone());
            prop_assert_eq!(encoding.decode_http_args(&bytes), Ok(args.clone()), "{:?}", encoding);
            let bytes = encoding.encode_http_output(output.clone());
            prop_assert_eq!(encoding.decode_http_output(&bytes), Ok(output.clone()), "{:?}", encoding);
            let bytes = encoding.encode_http_error(&error);
            prop_assert_eq!(encoding.decode_http_error(&bytes), Ok(error.clone()), "{:?}", encoding);
        }
    }

    #[test]
    fn big_integer_text_round_trips(text in "-?[1-9][0-9]{0,80}|0") {
        let Some(Value::Tag(tag, inner)) = super::bigint::from_decimal(&text) else {
            panic!("{text}")
        };
        let Value::Bytes(bytes) = *inner else { panic!("{text}") };
        prop_assert_eq!(super::bigint::to_decimal(tag, &bytes), text);
    }

    #[test]
    fn cbor_values_round_trip(value in value()) {
        prop_assert_eq!(cbor::from_bytes(&cbor::to_bytes(&value)), Ok(value));
    }
}

/// Asserts that decoding `bytes` fails, and fast: a decoder that believed a declared length
/// would allocate gigabytes, or spend seconds.
#[track_caller]
fn refused_quickly(bytes: &[u8]) {
    let started = Instant::now();
    for encoding in ENCODINGS {
        assert!(encoding.decode_to_server(bytes).is_err(), "{encoding:?}");
        assert!(encoding.decode_http_args(bytes).is_err(), "{encoding:?}");
    }
    assert!(cbor::from_bytes(bytes).is_err());
    let took = started.elapsed();
    assert!(took < Duration::from_millis(500), "took {took:?}");
}

#[test]
fn huge_declared_cbor_lengths_are_refused_without_allocating() {
    for head in [0x5b, 0x7b, 0x9b, 0xbb] {
        // Byte string, text, array, map: 2^64 - 1 items.
        let mut bytes = vec![head];
        bytes.extend([0xff; 8]);
        refused_quickly(&bytes);
        // 2^32 - 1 items, then a little content.
        let mut bytes = vec![head - 1];
        bytes.extend([0xff; 4]);
        bytes.extend([0x01; 16]);
        refused_quickly(&bytes);
    }
}

#[test]
fn nested_huge_declared_cbor_lengths_preallocate_little() {
    // Arrays nested to the depth limit, each declaring as many items as bytes are left: if each
    // level preallocated its declared length, this 64 KiB message would reserve
    // 128 levels x 64 Ki items of memory at once.
    let total = 64 * 1024;
    let mut bytes = Vec::with_capacity(total);
    while bytes.len() + 5 < 128 * 5 {
        let left = (total - bytes.len() - 5) as u32;
        bytes.push(0x9a);
        bytes.extend(left.to_be_bytes());
    }
    bytes.resize(total, 0x01);
    refused_quickly(&bytes);
    // The same inside a map.
    bytes[0] = 0xba;
    refused_quickly(&bytes);
}

#[test]
fn huge_declared_bare_lengths_are_refused_without_allocating() {
    // Version 4, ActionRequest, id 0, then a name declaring 2^63 bytes.
    let mut bytes = vec![4, 0, 0, 0];
    bytes.extend([0xff; 8]);
    bytes.push(0x7f);
    refused_quickly(&bytes);
    // A `data` field declaring 2^35 bytes.
    let mut bytes = vec![4, 0, 0, 0, 1, b'a'];
    bytes.extend([0xff, 0xff, 0xff, 0xff, 0x7f]);
    refused_quickly(&bytes);
    // An integer that never ends.
    let mut bytes = vec![4, 0, 0];
    bytes.extend([0xff; 20]);
    refused_quickly(&bytes);
}

#[test]
fn unknown_bare_versions_and_tags_are_refused() {
    for version in [0u16, 1, 2, 5, 9, u16::MAX] {
        let mut bytes = version.to_le_bytes().to_vec();
        bytes.extend([1, 1, b'a', 1]);
        assert!(
            Encoding::Bare.decode_to_server(&bytes).is_err(),
            "{version}"
        );
    }
    for tag in 2..=u8::MAX {
        assert!(
            Encoding::Bare
                .decode_to_server(&[4, 0, tag, 1, b'a', 1])
                .is_err()
        );
    }
}

#[test]
fn the_largest_big_integers_convert_quickly() {
    // The largest `$BigInt` a 64 KiB message can carry, read in the socket's reader task; and
    // the largest bignum, written as decimal for a JSON or BARE client. Both used to take
    // seconds of a server thread; now about 20 ms and 0.1 s in a release build.
    let digits = "9".repeat(64 * 1024 - 64);
    let message = format!(
        r#"{{"body":{{"tag":"ActionRequest","val":{{"id":1,"name":"echo","args":[["$BigInt","{digits}"]]}}}}}}"#
    );
    let started = Instant::now();
    let decoded = Encoding::Json.decode_to_server(message.as_bytes());
    assert!(decoded.is_ok());
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "reading took {took:?}");
    let started = Instant::now();
    let bytes = vec![0xff; 64 * 1024];
    let text = super::bigint::to_decimal(BIGNUM_POSITIVE, &bytes);
    assert_eq!(text.len(), 157_827);
    // About 1.5 s in a debug build.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(6), "writing took {took:?}");
}
