//! The WebSocket protocol document, `openapi/asyncapi.yaml`, against the server. Every `Ws`
//! of every test checks the frames it sends and receives against it (support/ws.rs); here the
//! document itself is checked (AsyncAPI 3, every message and field described, its event-only
//! payloads the Rust types), and one scenario sends every client frame and makes the server
//! send every server frame, so the document cannot list a frame that does not exist and the
//! server cannot send one the document does not list.

use std::collections::BTreeSet;

use p2p_sandbox::{
    dto::{
        events::{RepliesRemoved, ReplyLikes, TopicLikes, TopicRemoved},
        messages::{ConversationRead, MessageRemoved, PrivateMessage, Typing},
        notifications::{NotificationDto, NotificationsRead},
    },
    realtime::hub::BACKLOG,
};
use poem_openapi::{registry::Registry, types::Type};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestApp,
    asyncapi::{Dir, contract},
    id_of,
    ws::Ws,
};

/// Paths of the properties in `schema` (resolved), at any depth, that have no description.
fn undescribed(schema: &Value, path: &str, out: &mut Vec<String>) {
    if let Some(props) = schema["properties"].as_object() {
        for (name, p) in props {
            let path = format!("{path}.{name}");
            if p["description"].as_str().is_none_or(str::is_empty) {
                out.push(path.clone());
            }
            undescribed(p, &path, out);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            undescribed(branch, path, out);
        }
    }
    if schema["items"].is_object() {
        undescribed(&schema["items"], &format!("{path}[]"), out);
    }
}

/// The schema poem-openapi generates for `T` (what the server serializes).
fn rust_schema<T: Type>() -> Value {
    let mut registry = Registry::new();
    T::register(&mut registry);
    serde_json::to_value(&registry.schemas[&*T::name()]).unwrap()
}

#[test]
fn the_document_is_asyncapi_3_with_every_message_and_field_described() {
    let c = contract();
    assert_eq!(c.doc["asyncapi"], "3.0.0");
    let messages = c.doc["components"]["messages"].as_object().unwrap();
    let names: BTreeSet<&str> = messages.values().map(|m| m["name"].as_str().unwrap()).collect();
    for (key, m) in messages {
        let name = m["name"].as_str().unwrap();
        let kind = m["payload"]["properties"]["type"]["const"].as_str().unwrap();
        // A message's name is its type. Names are unique, so a server frame that has the type
        // of a client frame (`typing`, relayed to the other person) is named `<type>_event`.
        let twin = name.strip_suffix("_event").is_some_and(|k| k == kind && names.contains(k));
        assert!(name == kind || twin, "message {key}: its name is its type");
        for field in ["title", "summary"] {
            assert!(m[field].as_str().is_some_and(|s| !s.is_empty() && !s.contains('\n')), "{name}: one-line {field}");
        }
    }
    let mut missing = Vec::new();
    for (name, payload) in &c.payloads {
        undescribed(payload, name, &mut missing);
    }
    assert!(missing.is_empty(), "fields without a description: {missing:?}");
    // Each channel lists exactly the messages its operations use.
    for (key, channel) in c.doc["channels"].as_object().unwrap() {
        let address = channel["address"].as_str().unwrap();
        let listed: BTreeSet<&str> = channel["messages"]
            .as_object()
            .unwrap()
            .values()
            .map(|m| messages[m["$ref"].as_str().unwrap().rsplit('/').next().unwrap()]["name"].as_str().unwrap())
            .collect();
        let used: BTreeSet<&str> = c.routes().filter(|(a, ..)| *a == address).flat_map(|(_, _, names)| names).collect();
        assert_eq!(listed, used, "channel {key}");
    }
    // The payloads REST never returns are defined in the document: they must be the Rust types.
    let schemas = &c.doc["components"]["schemas"];
    for (name, rust) in [
        ("TopicRemoved", rust_schema::<TopicRemoved>()),
        ("TopicLikes", rust_schema::<TopicLikes>()),
        ("RepliesRemoved", rust_schema::<RepliesRemoved>()),
        ("ReplyLikes", rust_schema::<ReplyLikes>()),
        ("MessageRemoved", rust_schema::<MessageRemoved>()),
        ("ConversationRead", rust_schema::<ConversationRead>()),
        ("Typing", rust_schema::<Typing>()),
        ("NotificationsRead", rust_schema::<NotificationsRead>()),
    ] {
        assert_eq!(schemas[name]["properties"], rust["properties"], "{name}'s fields");
        assert_eq!(schemas[name]["required"], rust["required"], "{name}'s required fields");
    }
    // The payloads REST returns too are `$ref`s into openapi.json, to the Rust type the server
    // sends as the event's data.
    let openapi: Value = serde_json::from_str(&p2p_sandbox::api::spec_json()).unwrap();
    for (message, name, rust) in [
        ("messageCreated", "PrivateMessage", rust_schema::<PrivateMessage>()),
        ("notificationCreated", "NotificationDto", rust_schema::<NotificationDto>()),
        ("notificationUpdated", "NotificationDto", rust_schema::<NotificationDto>()),
    ] {
        let data = &c.doc["components"]["messages"][message]["payload"]["properties"]["data"];
        assert_eq!(data["allOf"][0]["$ref"], format!("./openapi.json#/components/schemas/{name}"), "{message}'s data");
        let served = &openapi["components"]["schemas"][name];
        assert_eq!(served["properties"], rust["properties"], "{name}'s fields");
        assert_eq!(served["required"], rust["required"], "{name}'s required fields");
    }
}

#[tokio::test]
async fn the_server_sends_every_frame_of_the_document_and_accepts_every_client_frame() {
    let app = TestApp::spawn().await;
    let author = app.signed_in_token("author@asyncapi.sa").await;
    let reader = app.signed_in_token("reader@asyncapi2.sa").await;
    let reader_id = app.me(&reader).await.json::<Value>().await.unwrap()["user"]["id"].as_str().unwrap().to_owned();
    let tid = app.any_topic(&author).await;
    let topic_channel = format!("forum.topic.{tid}");

    // `/ws` signed in by an `auth` frame, following the category and the topic.
    let mut main = Ws::connect(&app, "/ws").await;
    main.send_json(json!({"type": "auth", "token": reader})).await;
    main.until("subscribed").await;
    for channel in ["forum.category.automation", topic_channel.as_str()] {
        main.send_json(json!({"type": "subscribe", "channel": channel})).await;
        main.until("subscribed").await;
    }
    main.send_json(json!({"type": "auth", "token": reader})).await;
    assert_eq!(main.until("error").await.1["code"], "already_authenticated");
    main.ping().await;

    // `new_post` on the topic's socket: its answer, a refusal, and the broadcast.
    let mut poster = Ws::open_topic(&app, &author, &tid).await;
    poster.send_post("Answered over the socket").await;
    let reply = id_of(&poster.until("post_created").await.1["data"]);
    poster.send_post("no").await;
    assert!(poster.until("error").await.1["fields"]["body"].is_string());
    let mut seen = poster.seen().clone();
    drop(poster);
    main.until("reply.created").await;

    // One REST action per event kind.
    assert_eq!(app.update_reply(&author, &reply, "Answered, then edited").await.status(), StatusCode::OK);
    main.until("reply.updated").await;
    assert_eq!(app.like_reply(&reader, &reply).await.status(), StatusCode::OK);
    main.until("reply.liked").await;
    assert_eq!(app.mark_best_answer(&author, &tid, &reply).await.status(), StatusCode::OK);
    main.until("topic.best_answer_changed").await;
    let edit = json!({"body": "A longer body, edited so that followers hear of it."});
    assert_eq!(app.update_topic(&author, &tid, edit).await.status(), StatusCode::OK);
    main.until("topic.updated").await;
    assert_eq!(app.like_topic(&reader, &tid).await.status(), StatusCode::OK);
    main.until("topic.liked").await;
    let doomed = id_of(&app.new_reply(&reader, &tid, "A reply to take back").await);
    assert_eq!(app.delete_reply(&reader, &doomed).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(main.until("reply.deleted").await.1["data"]["ids"], json!([doomed]));
    let other = id_of(&app.new_topic(&author, "A second realtime topic", "automation", &[]).await);
    main.until("topic.created").await;
    assert_eq!(app.delete_topic(&author, &other).await.status(), StatusCode::NO_CONTENT);
    main.until("topic.deleted").await;

    // A private message on the reader's own channel: sent, typed at, read, deleted.
    let message = app.message(&author, &reader_id, "A private word about the reply").await;
    main.until("message.created").await;
    let conversation = message["conversation_id"].as_str().unwrap();
    let mut typist = Ws::open(&app, &author).await;
    typist.send_typing(conversation).await;
    main.until("typing").await;
    assert_eq!(app.read_conversation(&reader, conversation, None).await.status(), StatusCode::OK);
    main.until("conversation.read").await;
    assert_eq!(app.delete_message(&author, &id_of(&message)).await.status(), StatusCode::NO_CONTENT);
    main.until("message.deleted").await;
    seen.extend(typist.seen().iter().cloned());

    // Notifications on the reader's own channel: a like of their reply, a second like of it
    // (the grouped notification changes), and the reader marking everything read.
    let third = app.signed_in_token("third@asyncapi3.sa").await;
    let mine = id_of(&app.new_reply(&reader, &tid, "A reply of the reader's to like").await);
    assert_eq!(app.like_reply(&author, &mine).await.status(), StatusCode::OK);
    assert_eq!(main.until("notification.created").await.1["data"]["target_id"], mine.as_str());
    assert_eq!(app.like_reply(&third, &mine).await.status(), StatusCode::OK);
    assert_eq!(main.until("notification.updated").await.1["data"]["actor_count"], 2);
    assert_eq!(app.mark_notifications_read(&reader, None).await, 0);
    assert_eq!(main.until("notification.read").await.1["data"]["all"], true);

    // Unsubscribe; then more events than the backlog holds, so a resume from 0 must resync.
    main.send_json(json!({"type": "unsubscribe", "channel": topic_channel})).await;
    main.until("unsubscribed").await;
    for _ in 0..=BACKLOG {
        assert_eq!(app.like_topic(&reader, &tid).await.status(), StatusCode::OK);
    }
    main.send_json(json!({"type": "subscribe", "channel": topic_channel, "last_seq": 0})).await;
    let (_, resync) = main.until("resync").await;
    assert!(resync["seq"].as_u64().unwrap() > BACKLOG as u64, "{resync}");

    seen.extend(main.seen().iter().cloned());
    assert_eq!(seen, contract().message_names(), "every message of the document, and only those, was seen");
    let sent: BTreeSet<&str> = contract().routes().filter(|r| r.1 == Dir::ToServer).flat_map(|r| r.2).collect();
    assert_eq!(sent, ["auth", "new_post", "ping", "subscribe", "typing", "unsubscribe"].into(), "the client frames");
}

/// A way to break a valid frame, and what it breaks.
type Mutation = (&'static str, fn(&mut Value));

#[test]
fn the_checks_refuse_frames_the_document_does_not_allow() {
    let c = contract();
    let event = json!({
        "type": "reply.liked", "channel": "forum.topic.0195f1a2-7b3c-7d4e-8f90-123456789abc", "seq": 3,
        "data": {"reply_id": "r", "like_count": 2}, "at": "2026-11-26T09:00:00.000Z",
    });
    assert_eq!(c.validate("/ws", Dir::ToClient, &event).as_deref(), Ok("reply.liked"));
    let mutations: [Mutation; 8] = [
        ("an undocumented field", |v| v["extra"] = json!(1)),
        ("an undocumented field of the payload", |v| v["data"]["extra"] = json!(1)),
        ("a missing field", |v| drop(v.as_object_mut().unwrap().remove("seq"))),
        ("a negative count", |v| v["data"]["like_count"] = json!(-1)),
        ("a time that is not RFC 3339", |v| v["at"] = json!("yesterday")),
        ("a reply event on a category channel", |v| v["channel"] = json!("forum.category.automation")),
        ("an unknown type", |v| v["type"] = json!("reply.starred")),
        ("a client frame from the server", |v| *v = json!({"type": "ping"})),
    ];
    for (what, mutate) in mutations {
        let mut frame = event.clone();
        mutate(&mut frame);
        assert!(c.validate("/ws", Dir::ToClient, &frame).is_err(), "{what} passed: {frame}");
    }
    // `typing` both ways: the client's frame, and the relayed one, which never has a seq.
    let typing = json!({
        "type": "typing", "channel": "user.0195f1a2-7b3c-7d4e-8f90-123456789abc",
        "data": {"conversation_id": "c", "user_id": "u"}, "at": "2026-11-26T09:00:00.000Z",
    });
    assert_eq!(c.validate("/ws", Dir::ToClient, &typing).as_deref(), Ok("typing_event"));
    let mut numbered = typing.clone();
    numbered["seq"] = json!(4);
    assert!(c.validate("/ws", Dir::ToClient, &numbered).is_err(), "typing is never numbered");
    let mut elsewhere = typing.clone();
    elsewhere["channel"] = json!("forum.topic.0195f1a2-7b3c-7d4e-8f90-123456789abc");
    assert!(c.validate("/ws", Dir::ToClient, &elsewhere).is_err(), "typing is on a user channel");
    let frame = json!({"type": "typing", "conversation_id": "c"});
    assert_eq!(c.validate("/ws/forum/{topic_id}", Dir::ToServer, &frame).as_deref(), Ok("typing"));
    assert!(c.validate("/ws", Dir::ToClient, &frame).is_err(), "the client's frame is not the server's");
    let post = json!({"type": "new_post", "body": "Over the socket"});
    assert!(c.validate("/ws/forum/{topic_id}", Dir::ToServer, &post).is_ok());
    assert!(c.validate("/ws", Dir::ToServer, &post).is_err(), "new_post is for topic sockets only");
}
