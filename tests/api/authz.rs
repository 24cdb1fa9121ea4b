//! The authorization matrix: every route of the API, called as anonymous, an admin of
//! another organization, a member, an organization admin and a platform admin, with the
//! status each must get. A route missing from the table fails the test, so new routes must
//! be added here.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp, id_of,
    media::{png, png_form},
    token,
    use_cases::use_case_body,
};

const ACTORS: [&str; 5] = ["anonymous", "other_org", "member", "org_admin", "platform_admin"];

/// A small PNG sent as a multipart upload instead of a JSON body.
fn png_upload() -> Option<Value> {
    Some(json!("__png__"))
}

/// (method, path, body, expected status per actor in `ACTORS` order).
fn matrix() -> Vec<(Method, &'static str, Option<Value>, [u16; 5])> {
    use Method as M;
    let anyone = |s: u16| [s; 5];
    let signed_in = |s: u16| [401, s, s, s, s];
    vec![
        (M::GET, "/health", None, anyone(200)),
        (M::GET, "/health/ready", None, anyone(200)),
        (
            M::POST,
            "/api/v1/auth/signup",
            Some(
                json!({"email": "x{actor}@gmail.com", "password": "Abc-12345", "first_name": "A", "last_name": "B", "organization_name": "Org", "industry_sector": "I", "company_size": "s", "city": "C"}),
            ),
            anyone(422),
        ),
        (
            M::POST,
            "/api/v1/auth/verify-email",
            Some(json!({"email": "nobody@matrix.sa", "code": "000000"})),
            anyone(422),
        ),
        (M::POST, "/api/v1/auth/verify-email/resend", Some(json!({"email": "resend{actor}@matrix.sa"})), anyone(202)),
        (
            M::POST,
            "/api/v1/auth/login",
            Some(json!({"email": "nobody{actor}@matrix.sa", "password": "Wrong-pass-1"})),
            anyone(401),
        ),
        (
            M::POST,
            "/api/v1/auth/login/verify",
            Some(json!({"challenge_id": "01a216ef-736a-774a-ab8c-08932e5e3746", "code": "123456"})),
            anyone(422),
        ),
        (M::POST, "/api/v1/auth/refresh", Some(json!({"refresh_token": "AAAAAAAAAAAAAAAAAAAAAA.bad"})), anyone(401)),
        (M::POST, "/api/v1/auth/password/forgot", Some(json!({"email": "forgot{actor}@matrix.sa"})), anyone(202)),
        (
            M::POST,
            "/api/v1/auth/password/reset",
            Some(json!({"token": "bad", "new_password": "Good-pass-123"})),
            anyone(422),
        ),
        (M::GET, "/api/v1/auth/sessions", None, signed_in(200)),
        (M::DELETE, "/api/v1/auth/sessions/{member_session}", None, [401, 404, 204, 404, 404]),
        (M::POST, "/api/v1/auth/logout", None, signed_in(204)),
        (M::POST, "/api/v1/auth/logout-all", None, signed_in(204)),
        (M::GET, "/api/v1/users/me", None, signed_in(200)),
        (M::PATCH, "/api/v1/users/me", Some(json!({"title": "Engineer"})), signed_in(200)),
        (M::DELETE, "/api/v1/users/me", Some(json!({"password": "Wrong-pass-1"})), signed_in(422)),
        (
            M::POST,
            "/api/v1/users/me/password",
            Some(json!({"current_password": "Wrong-pass-1", "new_password": "Good-pass-123"})),
            signed_in(422),
        ),
        (
            M::POST,
            "/api/v1/users/me/email",
            Some(json!({"new_email": "x@elsewhere.sa", "password": PASSWORD})),
            signed_in(422),
        ),
        (M::POST, "/api/v1/users/me/email/verify", Some(json!({"code": "000000"})), signed_in(422)),
        (M::GET, "/api/v1/users", None, signed_in(200)),
        (M::GET, "/api/v1/users/{member_id}", None, signed_in(200)),
        (M::GET, "/api/v1/organizations", None, signed_in(200)),
        (M::GET, "/api/v1/organizations/{org_id}", None, signed_in(200)),
        (
            M::PUT,
            "/api/v1/organizations/{org_id}/verification",
            Some(json!({"verified": true})),
            [401, 403, 403, 403, 200],
        ),
        (M::GET, "/api/v1/organizations/me", None, [401, 200, 200, 200, 403]),
        (M::PATCH, "/api/v1/organizations/me", Some(json!({"description": "Valves"})), [401, 200, 403, 200, 403]),
        (M::GET, "/api/v1/organizations/me/members", None, [401, 200, 200, 200, 403]),
        (
            M::PUT,
            "/api/v1/organizations/me/members/{member_id}/role",
            Some(json!({"role": "member"})),
            [401, 404, 403, 200, 403],
        ),
        (M::POST, "/api/v1/organizations/me/members/{target_id}/deactivate", None, [401, 404, 403, 200, 403]),
        (M::POST, "/api/v1/organizations/me/members/{target_id}/reactivate", None, [401, 404, 403, 200, 403]),
        (M::GET, "/api/v1/organizations/me/join-requests", None, [401, 200, 403, 200, 403]),
        (M::POST, "/api/v1/organizations/me/join-requests/{request_1}/approve", None, [401, 404, 403, 200, 403]),
        (M::POST, "/api/v1/organizations/me/join-requests/{request_2}/reject", None, [401, 404, 403, 200, 403]),
        (
            M::POST,
            "/api/v1/organizations/me/invitations",
            Some(json!({"email": "new{actor}@matrix.sa"})),
            [401, 422, 403, 201, 403],
        ),
        (M::GET, "/api/v1/organizations/me/invitations", None, [401, 200, 403, 200, 403]),
        (M::DELETE, "/api/v1/organizations/me/invitations/{invitation_id}", None, [401, 404, 403, 204, 403]),
        (M::GET, "/api/v1/invitations/{invitation_token}", None, anyone(200)),
        (M::PUT, "/api/v1/users/me/avatar", png_upload(), signed_in(200)),
        (M::DELETE, "/api/v1/users/me/avatar", None, signed_in(200)),
        (M::PUT, "/api/v1/organizations/me/logo", png_upload(), [401, 200, 403, 200, 403]),
        (M::DELETE, "/api/v1/organizations/me/logo", None, [401, 200, 403, 200, 403]),
        (M::GET, "/api/v1/media/{media_id}", None, signed_in(200)),
        (M::GET, "/api/v1/forum/categories", None, signed_in(200)),
        (M::GET, "/api/v1/forum/topics", None, signed_in(200)),
        (
            M::POST,
            "/api/v1/forum/topics",
            Some(
                json!({"title": "Matrix topic {actor}", "body": "A body long enough for the forum rules.", "category": "automation"}),
            ),
            signed_in(201),
        ),
        (M::GET, "/api/v1/forum/topics/{topic_id}", None, signed_in(200)),
        (
            M::PATCH,
            "/api/v1/forum/topics/{topic_id}",
            Some(json!({"title": "An edited matrix topic"})),
            [401, 403, 200, 403, 403],
        ),
        (
            M::PUT,
            "/api/v1/forum/topics/{topic_id}/moderation",
            Some(json!({"pinned": true})),
            [401, 403, 403, 403, 200],
        ),
        (M::PUT, "/api/v1/forum/topics/{topic_id}/like", None, signed_in(200)),
        (M::DELETE, "/api/v1/forum/topics/{topic_id}/like", None, signed_in(200)),
        (M::PUT, "/api/v1/forum/topics/{topic_id}/bookmark", None, signed_in(200)),
        (M::DELETE, "/api/v1/forum/topics/{topic_id}/bookmark", None, signed_in(200)),
        (
            M::PUT,
            "/api/v1/forum/topics/{topic_id}/best-answer",
            Some(json!({"reply_id": "{reply_id}"})),
            [401, 403, 200, 403, 200],
        ),
        (M::DELETE, "/api/v1/forum/topics/{topic_id}/best-answer", None, [401, 403, 200, 403, 200]),
        (M::GET, "/api/v1/forum/topics/{topic_id}/replies", None, signed_in(200)),
        (M::POST, "/api/v1/forum/topics/{topic_id}/replies", Some(json!({"body": "A matrix reply"})), signed_in(201)),
        (
            M::PATCH,
            "/api/v1/forum/replies/{reply_id}",
            Some(json!({"body": "Edited matrix reply"})),
            [401, 200, 403, 403, 403],
        ),
        (M::PUT, "/api/v1/forum/replies/{reply_id}/like", None, signed_in(200)),
        (M::DELETE, "/api/v1/forum/replies/{reply_id}/like", None, signed_in(200)),
        (M::DELETE, "/api/v1/forum/replies/{doomed_reply_id}", None, [401, 403, 204, 404, 404]),
        (M::DELETE, "/api/v1/forum/topics/{doomed_topic_id}", None, [401, 403, 204, 404, 404]),
        (M::GET, "/api/v1/users/me/bookmarks", None, signed_in(200)),
        (M::GET, "/api/v1/forum/stats", None, signed_in(200)),
        (M::GET, "/api/v1/forum/contributors", None, signed_in(200)),
        (M::POST, "/api/v1/forum/topics/{topic_id}/attachments", png_upload(), [401, 403, 201, 403, 403]),
        (M::POST, "/api/v1/forum/replies/{reply_id}/attachments", png_upload(), [401, 201, 403, 403, 403]),
        (M::DELETE, "/api/v1/forum/attachments/{attachment_id}", None, [401, 403, 204, 404, 404]),
        (M::GET, "/api/v1/forum/drafts", None, signed_in(200)),
        (M::POST, "/api/v1/forum/drafts", Some(json!({"title": "Draft {actor}"})), signed_in(201)),
        (M::GET, "/api/v1/forum/drafts/{draft_id}", None, [401, 404, 200, 404, 404]),
        (M::PUT, "/api/v1/forum/drafts/{draft_id}", Some(json!({"title": "Draft edited"})), [401, 404, 200, 404, 404]),
        (M::POST, "/api/v1/forum/drafts/{draft_id}/publish", None, [401, 404, 422, 404, 404]),
        (M::DELETE, "/api/v1/forum/drafts/{draft_id}", None, [401, 404, 204, 404, 404]),
        (M::GET, "/api/v1/use-cases", None, signed_in(200)),
        (
            M::POST,
            "/api/v1/use-cases",
            Some(
                json!({"title": "Matrix use case {actor}", "body": "A summary that is long enough to pass the fifty character rule.", "category": "quality-control", "factory_name": "Matrix plant", "city": "Riyadh", "latitude": 24.7, "longitude": 46.7}),
            ),
            [401, 201, 201, 201, 403],
        ),
        (M::GET, "/api/v1/use-cases/map", None, signed_in(200)),
        (M::GET, "/api/v1/use-cases/categories", None, signed_in(200)),
        (M::GET, "/api/v1/use-cases/stats", None, signed_in(200)),
        (M::GET, "/api/v1/use-cases/top-organizations", None, signed_in(200)),
        (M::GET, "/api/v1/use-cases/by-slug/{uc_org_slug}/{uc_slug}", None, signed_in(200)),
        (M::GET, "/api/v1/use-cases/{uc_id}", None, signed_in(200)),
        (
            M::PATCH,
            "/api/v1/use-cases/{uc_id}",
            Some(json!({"subtitle": "Edited in the matrix"})),
            [401, 403, 200, 200, 403],
        ),
        (M::PUT, "/api/v1/use-cases/{uc_id}/flags", Some(json!({"featured": true})), [401, 403, 403, 403, 200]),
        (M::PUT, "/api/v1/use-cases/{uc_id}/like", None, signed_in(200)),
        (M::DELETE, "/api/v1/use-cases/{uc_id}/like", None, signed_in(200)),
        (M::PUT, "/api/v1/use-cases/{uc_id}/bookmark", None, signed_in(200)),
        (M::DELETE, "/api/v1/use-cases/{uc_id}/bookmark", None, signed_in(200)),
        (M::DELETE, "/api/v1/use-cases/{doomed_uc_id}", None, [401, 403, 204, 404, 404]),
        (M::POST, "/api/v1/use-cases/{uc_id}/media", png_upload(), [401, 403, 201, 201, 403]),
        (
            M::PUT,
            "/api/v1/use-cases/{uc_id}/media",
            Some(json!({"cover_id": "{uc_media_id}"})),
            [401, 403, 200, 200, 403],
        ),
        (M::DELETE, "/api/v1/use-cases/{uc_id}/media/{uc_doomed_media_id}", None, [401, 403, 204, 404, 403]),
        (M::GET, "/api/v1/use-cases/drafts", None, signed_in(200)),
        (M::POST, "/api/v1/use-cases/drafts", Some(json!({"title": "Draft {actor}"})), signed_in(201)),
        (M::GET, "/api/v1/use-cases/drafts/{uc_draft_id}", None, [401, 404, 200, 404, 404]),
        (M::PUT, "/api/v1/use-cases/drafts/{uc_draft_id}", Some(json!({"city": "Dammam"})), [401, 404, 200, 404, 404]),
        (M::POST, "/api/v1/use-cases/drafts/{uc_draft_id}/media", png_upload(), [401, 404, 201, 404, 404]),
        (
            M::DELETE,
            "/api/v1/use-cases/drafts/{uc_draft_id}/media/{uc_draft_media_id}",
            None,
            [401, 404, 204, 404, 404],
        ),
        (M::POST, "/api/v1/use-cases/drafts/{uc_draft_id}/publish", None, [401, 404, 422, 404, 404]),
        (M::DELETE, "/api/v1/use-cases/drafts/{uc_draft_id}", None, [401, 404, 204, 404, 404]),
        // Messages: the conversation is the member's with the other organization's admin, so
        // the organization's admin and the platform admin are strangers to it.
        (
            M::POST,
            "/api/v1/messages",
            Some(json!({"recipient_id": "{member_id}", "text": "Hello from {actor}"})),
            [401, 201, 422, 201, 201],
        ),
        (M::POST, "/api/v1/messages/attachments", png_upload(), signed_in(201)),
        (M::DELETE, "/api/v1/messages/{doomed_message_id}", None, [401, 403, 204, 404, 404]),
        (M::GET, "/api/v1/conversations", None, signed_in(200)),
        (M::GET, "/api/v1/conversations/unread", None, signed_in(200)),
        (M::GET, "/api/v1/conversations/{conversation_id}", None, [401, 200, 200, 404, 404]),
        (M::GET, "/api/v1/conversations/{conversation_id}/messages", None, [401, 200, 200, 404, 404]),
        (
            M::POST,
            "/api/v1/conversations/{conversation_id}/read",
            Some(json!({"message_id": "{message_id}"})),
            [401, 200, 200, 404, 404],
        ),
        (M::PUT, "/api/v1/conversations/{conversation_id}/mute", None, [401, 200, 200, 404, 404]),
        (M::DELETE, "/api/v1/conversations/{conversation_id}/mute", None, [401, 200, 200, 404, 404]),
        (M::PUT, "/api/v1/conversations/{conversation_id}/archive", None, [401, 200, 200, 404, 404]),
        (M::DELETE, "/api/v1/conversations/{conversation_id}/archive", None, [401, 200, 200, 404, 404]),
        (M::POST, "/api/v1/users/{target_id}/block", None, signed_in(204)),
        (M::DELETE, "/api/v1/users/{target_id}/block", None, signed_in(204)),
        (M::GET, "/api/v1/users/me/blocks", None, signed_in(200)),
        // Notifications are the caller's own: anyone signed in lists theirs, and naming
        // someone else's in a mark-read marks nothing (the member's is theirs to mark).
        (M::GET, "/api/v1/notifications", None, signed_in(200)),
        (M::GET, "/api/v1/notifications/unread", None, signed_in(200)),
        (M::POST, "/api/v1/notifications/read", Some(json!({"ids": ["{notification_id}"]})), signed_in(200)),
        (M::GET, "/api/v1/users/me/notification-settings", None, signed_in(200)),
        (
            M::PUT,
            "/api/v1/users/me/notification-settings",
            Some(json!({"settings": [{"kind": "liked", "in_app": true, "email": false}]})),
            signed_in(200),
        ),
        // Anyone who may read a topic may watch it; the activity feeds are open to anyone
        // signed in.
        (M::GET, "/api/v1/forum/topics/{topic_id}/watch", None, signed_in(200)),
        (M::PUT, "/api/v1/forum/topics/{topic_id}/watch", None, signed_in(200)),
        (M::DELETE, "/api/v1/forum/topics/{topic_id}/watch", None, signed_in(200)),
        (M::GET, "/api/v1/activity", None, signed_in(200)),
        (M::GET, "/api/v1/search?q=pump", None, signed_in(200)),
        (M::GET, "/api/v1/search/suggest?q=pu", None, signed_in(200)),
        (M::GET, "/api/v1/organizations/{org_id}/activity", None, signed_in(200)),
        (M::GET, "/api/v1/dashboard/stats", None, signed_in(200)),
        (M::GET, "/api/v1/admin/backups", None, [401, 403, 403, 403, 200]),
        (M::POST, "/api/v1/admin/backups", None, [401, 403, 403, 403, 202]),
    ]
}

struct Fixture {
    vars: Vec<(&'static str, String)>,
}

async fn fixture(app: &TestApp) -> Fixture {
    let team = app.team("matrix.sa").await;
    let rival = app.signed_in_user("admin@rival.sa", PASSWORD).await;
    app.platform_admin("root@platform.sa").await;
    let spare = app.login_json("member@matrix.sa", PASSWORD).await;
    let target = app.invited_member(&team.admin, "target@matrix.sa").await;
    for who in ["pending1", "pending2"] {
        let email = format!("{who}@matrix.sa");
        app.signup(&email, PASSWORD).await;
        app.verify_with_emailed_code(&email).await;
    }
    let requests = app.join_requests(&team.admin).await;
    let request =
        |email: &str| id_of(requests["items"].as_array().unwrap().iter().find(|r| r["email"] == email).unwrap());
    let invitation: Value = app.invite(&team.admin, "invitee@matrix.sa").await.json().await.unwrap();
    // A second invitation stays pending for the public preview row (the first is cancelled).
    app.invite(&team.admin, "viewer@matrix.sa").await;
    let invitation_token = app.invitation_token("viewer@matrix.sa", 1).await;
    // A media object no row of the matrix replaces: the target member's avatar.
    let avatar: Value = app.upload_avatar(&token(&target), png_form()).await.json().await.unwrap();
    // Forum content: topics by the member, a reply by the other organization's admin.
    let rival_id = rival["user"]["id"].as_str().unwrap().to_owned();
    let rival = app.login_token("admin@rival.sa").await;
    let topic = app.new_topic(&team.member, "Matrix fixture topic", "automation", &[]).await;
    let doomed_topic = app.new_topic(&team.member, "Matrix fixture topic", "automation", &[]).await;
    let reply = app.new_reply(&rival, &id_of(&topic), "Rival reply").await;
    let doomed_reply = app.new_reply(&team.member, &id_of(&topic), "Member reply").await;
    let attachment: Value =
        app.attach_to_topic(&team.member, &id_of(&topic), png(4, 4), "a.png").await.json().await.unwrap();
    let uc = app.new_use_case(&team.member, use_case_body("Matrix fixture use case")).await;
    let with_media: Value =
        app.add_use_case_media(&team.member, &id_of(&uc), vec![(png(4, 4), "a.png")]).await.json().await.unwrap();
    let with_more: Value =
        app.add_use_case_media(&team.member, &id_of(&uc), vec![(png(4, 4), "b.png")]).await.json().await.unwrap();
    let uc_draft = app.create_use_case_draft(&team.member, json!({"title": "Member draft"})).await;
    let uc_draft: Value = uc_draft.json().await.unwrap();
    let uc_draft_media =
        app.add_use_case_draft_media(&team.member, &id_of(&uc_draft), vec![(png(4, 4), "d.png")]).await;
    let uc_draft_media: Value = uc_draft_media.json().await.unwrap();
    let doomed_uc = app.new_use_case(&team.member, use_case_body("Matrix fixture use case")).await;
    let draft: Value =
        app.create_forum_draft(&team.member, json!({"title": "Member draft"})).await.json().await.unwrap();
    // A conversation between the member and the other organization's admin.
    let message = app.message(&team.member, &rival_id, "Matrix fixture message").await;
    let doomed_message = app.message(&team.member, &rival_id, "Matrix message to delete").await;
    // The member's notification of the rival's reply to their topic.
    let notification = app.notifications(&team.member, "").await["items"][0].clone();
    Fixture {
        vars: vec![
            ("{conversation_id}", message["conversation_id"].as_str().unwrap().to_owned()),
            ("{message_id}", id_of(&message)),
            ("{notification_id}", id_of(&notification)),
            ("{doomed_message_id}", id_of(&doomed_message)),
            ("{topic_id}", id_of(&topic)),
            ("{doomed_topic_id}", id_of(&doomed_topic)),
            ("{reply_id}", id_of(&reply)),
            ("{doomed_reply_id}", id_of(&doomed_reply)),
            ("{attachment_id}", id_of(&attachment)),
            ("{draft_id}", id_of(&draft)),
            ("{uc_id}", id_of(&uc)),
            ("{uc_draft_id}", id_of(&uc_draft)),
            ("{uc_draft_media_id}", id_of(&uc_draft_media["media"][0])),
            ("{uc_media_id}", id_of(&with_media["media"][0])),
            ("{uc_doomed_media_id}", id_of(&with_more["media"][1])),
            ("{doomed_uc_id}", id_of(&doomed_uc)),
            ("{uc_slug}", uc["slug"].as_str().unwrap().to_owned()),
            ("{uc_org_slug}", uc["org_slug"].as_str().unwrap().to_owned()),
            ("{member_id}", team.member_id.clone()),
            ("{org_id}", team.org_id.clone()),
            ("{member_session}", spare["session_id"].as_str().unwrap().to_owned()),
            ("{target_id}", target["user"]["id"].as_str().unwrap().to_owned()),
            ("{request_1}", request("pending1@matrix.sa")),
            ("{request_2}", request("pending2@matrix.sa")),
            ("{invitation_id}", id_of(&invitation)),
            ("{invitation_token}", invitation_token),
            (
                "{media_id}",
                avatar["user"]["profile_picture_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned(),
            ),
        ],
    }
}

/// A fresh session for the actor (so logouts in one row do not affect the next).
async fn token_for(app: &TestApp, actor: &str) -> Option<String> {
    let email = match actor {
        "other_org" => "admin@rival.sa",
        "member" => "member@matrix.sa",
        "org_admin" => "admin@matrix.sa",
        "platform_admin" => "root@platform.sa",
        _ => return None,
    };
    Some(app.login_token(email).await)
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_expected() {
    let app = TestApp::spawn().await;
    let fx = fixture(&app).await;
    // Readiness is part of the matrix: the new index must be built.
    app.wait_for_index().await;
    let mut failures = Vec::new();
    for (method, template, body, expected) in matrix() {
        for (i, actor) in ACTORS.iter().enumerate() {
            let mut path = template.to_owned();
            for (k, v) in &fx.vars {
                path = path.replace(k, v);
            }
            let token = token_for(&app, actor).await;
            let mut req = app.req(method.clone(), &path);
            if let Some(t) = &token {
                req = req.bearer_auth(t);
            }
            if body.as_ref().is_some_and(|b| b == "__png__") {
                req = req.multipart(png_form());
            } else if let Some(b) = &body {
                let mut text = b.to_string().replace("{actor}", &i.to_string());
                for (k, v) in &fx.vars {
                    text = text.replace(k, v);
                }
                req = req.header("content-type", "application/json").body(text);
            }
            let status = req.send().await.unwrap().status();
            if status != StatusCode::from_u16(expected[i]).unwrap() {
                failures.push(format!("{method} {template} as {actor}: expected {}, got {status}", expected[i]));
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix mismatches:\n{}", failures.join("\n"));
}

#[test]
fn the_matrix_lists_every_route_of_the_spec() {
    let spec: Value = serde_json::from_str(&p2p_sandbox::api::spec_json()).unwrap();
    let mut in_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            in_spec.insert(format!("{} {}", method.to_uppercase(), path));
        }
    }
    let normalise = |p: &str| {
        let path = p.split('?').next().unwrap_or(p);
        path.split('/').map(|seg| if seg.starts_with('{') { "{}" } else { seg }).collect::<Vec<_>>().join("/")
    };
    let in_matrix: BTreeSet<String> = matrix().iter().map(|(m, p, _, _)| format!("{m} {}", normalise(p))).collect();
    let in_spec: BTreeSet<String> = in_spec.iter().map(|r| normalise(r)).collect();
    let missing: Vec<_> = in_spec.difference(&in_matrix).collect();
    assert!(missing.is_empty(), "routes missing from the authorization matrix: {missing:?}");
    let stale: Vec<_> = in_matrix.difference(&in_spec).collect();
    assert!(stale.is_empty(), "matrix rows for routes that do not exist: {stale:?}");
}
