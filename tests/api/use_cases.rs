//! Use cases: simplified and full forms, every limit named at once, slugs, edit rights,
//! listings, map, counters under concurrency, flags.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error};

fn token(v: &Value) -> String {
    v["access_token"].as_str().unwrap().to_owned()
}

fn simplified(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "Cameras and a small model now catch cap defects before palletizing, cutting returns.",
        "category": "Quality Control",
        "factory_name": "Jeddah Bottling",
        "city": "Jeddah",
        "latitude": 21.54,
        "longitude": 39.17,
        "tags": ["vision"]
    })
}

async fn create(app: &TestApp, t: &str, body: Value) -> Value {
    let r = app.post("/api/v1/use-cases", Some(t), body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

#[tokio::test]
async fn simplified_and_full_forms_limits_and_slugs() {
    let app = TestApp::spawn().await;
    let team = app.team("cases.sa").await;
    let a = create(&app, &team.member, simplified("Vision inspection on the bottling line")).await;
    assert_eq!(a["slug"], "vision-inspection-on-the-bottling-line");
    assert_eq!(a["org_slug"], "cases-sa-manufacturing");
    let b = create(&app, &team.admin, simplified("Vision inspection on the bottling line")).await;
    assert_eq!(b["slug"], "vision-inspection-on-the-bottling-line-2", "a collision gets a suffix");
    let mut full = simplified("Predictive maintenance of chillers");
    full["category"] = json!("Predictive Maintenance");
    full["problem_context"] = json!("Unplanned chiller stops halted the line twice a month.");
    full["specific_problems"] = json!(["Compressor failures without warning", "No vibration history kept"]);
    full["metrics"] =
        json!([{"metric": "Unplanned stops", "baseline": "2/month", "current": "0.3/month", "improvement": "-85%"}]);
    full["challenges"] =
        json!([{"challenge": "Sensor placement", "solution": "Magnetic mounts on the bearing housings"}]);
    full["budget_range"] = json!("SAR 50,000–250,000");
    let c = create(&app, &team.member, full).await;
    assert_eq!(c["metrics"][0]["improvement"], "-85%");
    let bad = json!({"title": "short", "summary": "tiny", "category": "Nope", "latitude": 120.0, "specific_problems": ["x"], "metrics": vec![json!({"metric": "OEE", "baseline": "60%", "current": "70%", "improvement": "+10"}); 5]});
    let r = app.post("/api/v1/use-cases", Some(&team.member), bad).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for f in [
        "title",
        "summary",
        "category",
        "factory_name",
        "city",
        "latitude",
        "longitude",
        "specific_problems",
        "metrics",
    ] {
        assert!(e["fields"].get(f).is_some(), "{f}: {e}");
    }
    let by_slug: Value = app
        .get(
            &format!("/api/v1/use-cases/by-slug/{}/{}", b["org_slug"].as_str().unwrap(), b["slug"].as_str().unwrap()),
            Some(&team.member),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_slug["id"], b["id"]);
    // Views count once per user.
    let path = format!("/api/v1/use-cases/{}", a["id"].as_str().unwrap());
    app.get(&path, Some(&team.member)).await;
    app.get(&path, Some(&team.member)).await;
    let v: Value = app.get(&path, Some(&team.admin)).await.json().await.unwrap();
    assert_eq!(v["view_count"], 2);
    expect_error(
        app.get("/api/v1/use-cases/by-slug/nope/nope", Some(&team.member)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn edits_belong_to_the_author_and_their_organizations_admins() {
    let app = TestApp::spawn().await;
    let team = app.team("rights.sa").await;
    app.post("/api/v1/organizations/me/invitations", Some(&team.admin), json!({"email": "peer@rights.sa"})).await;
    let tok = app.invitation_token("peer@rights.sa", 1).await;
    let peer = token(&app.accept_invitation("peer@rights.sa", &tok).await);
    let outsider = token(&app.signed_in_user("boss@elsewhere.sa", PASSWORD).await);
    let u = create(&app, &team.member, simplified("Energy dashboard for the press shop")).await;
    let path = format!("/api/v1/use-cases/{}", u["id"].as_str().unwrap());
    for (t, status) in [
        (&peer, StatusCode::FORBIDDEN),
        (&outsider, StatusCode::FORBIDDEN),
        (&team.admin, StatusCode::OK),
        (&team.member, StatusCode::OK),
    ] {
        let r = app.send(Method::PATCH, &path, Some(t), json!({"subtitle": "Sub-metering every press"})).await;
        assert_eq!(r.status(), status);
    }
    let r = app.send(Method::PATCH, &path, Some(&team.member), json!({"latitude": 200.0})).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app.send(Method::DELETE, &path, Some(&peer), json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.send(Method::DELETE, &path, Some(&team.admin), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, Some(&team.member)).await.status(), StatusCode::NOT_FOUND);
    let stats: Value = app.get("/api/v1/use-cases/stats", Some(&team.member)).await.json().await.unwrap();
    assert_eq!(stats["total_use_cases"], 0);
}

#[tokio::test]
async fn listings_filters_map_categories_stats_and_flags() {
    let app = TestApp::spawn().await;
    let a = token(&app.signed_in_user("a@plant-a.sa", PASSWORD).await);
    let b = app.signed_in_user("b@plant-b.sa", PASSWORD).await;
    let b_org = b["user"]["organization_id"].as_str().unwrap().to_owned();
    let b = token(&b);
    let x = create(&app, &a, simplified("Vision inspection on the bottling line")).await;
    let mut riyadh = simplified("Compressed air leak hunting in Riyadh");
    riyadh["category"] = json!("Energy Efficiency");
    riyadh["city"] = json!("Riyadh");
    riyadh["tags"] = json!(["energy"]);
    let y = create(&app, &b, riyadh).await;
    let z = create(&app, &b, simplified("Second quality project at plant B")).await;
    let ids = |v: &Value| {
        v["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let all: Value = app.get("/api/v1/use-cases", Some(&a)).await.json().await.unwrap();
    assert_eq!(ids(&all), vec![z["id"].as_str().unwrap(), y["id"].as_str().unwrap(), x["id"].as_str().unwrap()]);
    assert_eq!(all["total"], 3);
    for (q, n) in [
        ("category=Energy%20Efficiency", 1),
        ("city=riyadh", 1),
        (&format!("organization_id={b_org}") as &str, 2),
        ("tag=vision", 2),
        ("q=leak", 1),
    ] {
        let v: Value = app.get(&format!("/api/v1/use-cases?{q}"), Some(&a)).await.json().await.unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), n, "{q}");
    }
    let p1: Value = app.get("/api/v1/use-cases?limit=2", Some(&a)).await.json().await.unwrap();
    let p2: Value = app
        .get(&format!("/api/v1/use-cases?limit=2&cursor={}", p1["next_cursor"].as_str().unwrap()), Some(&a))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&p2), vec![x["id"].as_str().unwrap()]);
    app.send(Method::PUT, &format!("/api/v1/use-cases/{}/like", x["id"].as_str().unwrap()), Some(&b), json!({})).await;
    let liked: Value = app.get("/api/v1/use-cases?sort=most_liked", Some(&a)).await.json().await.unwrap();
    assert_eq!(ids(&liked)[0], x["id"].as_str().unwrap());
    let map: Value = app.get("/api/v1/use-cases/map", Some(&a)).await.json().await.unwrap();
    assert_eq!(map["items"].as_array().unwrap().len(), 3);
    assert_eq!(map["items"][0]["latitude"], 21.54);
    let cats: Value = app.get("/api/v1/use-cases/categories", Some(&a)).await.json().await.unwrap();
    let count =
        |name: &str| cats["items"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["count"].clone();
    assert_eq!((count("Quality Control"), count("Energy Efficiency")), (json!(2), json!(1)));
    let top: Value = app.get("/api/v1/use-cases/top-organizations", Some(&a)).await.json().await.unwrap();
    assert_eq!(top["items"][0]["organization"]["id"], b_org.as_str());
    assert_eq!(top["items"][0]["use_cases"], 2);
    let flags = format!("/api/v1/use-cases/{}/flags", y["id"].as_str().unwrap());
    expect_error(
        app.send(Method::PUT, &flags, Some(&b), json!({"featured": true})).await,
        StatusCode::FORBIDDEN,
        "not_platform_admin",
    )
    .await;
    let root = app.platform_admin("root@platform.sa").await;
    let r: Value = app
        .send(Method::PUT, &flags, Some(&root), json!({"featured": true, "verified": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((r["featured"].clone(), r["verified"].clone()), (json!(true), json!(true)));
    let featured: Value = app.get("/api/v1/use-cases?featured=true", Some(&a)).await.json().await.unwrap();
    assert_eq!(ids(&featured), vec![y["id"].as_str().unwrap()]);
    let stats: Value = app.get("/api/v1/use-cases/stats", Some(&a)).await.json().await.unwrap();
    assert_eq!(stats, json!({"total_use_cases": 3, "contributing_organizations": 2, "featured": 1}));
}

#[tokio::test]
async fn fifty_concurrent_likes_and_bookmarks_count_exactly() {
    let app = TestApp::spawn().await;
    let author = token(&app.signed_in_user("author@cases-likes.sa", PASSWORD).await);
    let u = create(&app, &author, simplified("Kaizen boards for the packing hall")).await;
    let id = u["id"].as_str().unwrap().to_owned();
    let mut fans = Vec::new();
    for i in 0..25 {
        fans.push(token(&app.signed_in_user(&format!("fan{i}@ucfans{i}.sa"), PASSWORD).await));
    }
    let like = format!("/api/v1/use-cases/{id}/like");
    let reqs = fans.iter().chain(fans.iter()).map(|f| app.send(Method::PUT, &like, Some(f), json!({})));
    for r in futures::future::join_all(reqs).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let bookmark = format!("/api/v1/use-cases/{id}/bookmark");
    let reqs = fans.iter().chain(fans.iter()).map(|f| app.send(Method::PUT, &bookmark, Some(f), json!({})));
    for r in futures::future::join_all(reqs).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let v: Value = app.get(&format!("/api/v1/use-cases/{id}"), Some(&author)).await.json().await.unwrap();
    assert_eq!((v["like_count"].clone(), v["bookmark_count"].clone()), (json!(25), json!(25)));
    let mine: Value = app.get("/api/v1/use-cases/bookmarks", Some(&fans[3])).await.json().await.unwrap();
    assert_eq!(mine["items"][0]["id"], id.as_str());
    let r: Value = app.send(Method::DELETE, &bookmark, Some(&fans[3]), json!({})).await.json().await.unwrap();
    assert_eq!(r, json!({"bookmarked": false, "bookmarks": 24}));
}

async fn add_media(app: &TestApp, t: &str, id: &str, files: Vec<(Vec<u8>, &str)>) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (bytes, name) in files {
        form = form.part("files", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    }
    app.req(Method::POST, &format!("/api/v1/use-cases/{id}/media")).bearer_auth(t).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn media_upload_in_order_concurrently_with_a_cover_and_removed_with_the_case() {
    let app = TestApp::spawn().await;
    let team = app.team("ucmedia.sa").await;
    let u = create(&app, &team.member, simplified("Robotic palletizing at the dairy")).await;
    let id = u["id"].as_str().unwrap().to_owned();
    let pdf = b"%PDF-1.7\n%%EOF\n".to_vec();
    let r =
        add_media(&app, &team.member, &id, vec![(pdf.clone(), "report.pdf"), (crate::media::png(30, 20), "line.png")])
            .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["media"].as_array().unwrap().len(), 2);
    assert_eq!(v["media"][0]["content_type"], "application/pdf", "kept in upload order");
    assert_eq!(v["cover_url"], v["media"][1]["url"], "the first image is the cover");
    // A refused file in a request keeps nothing of that request.
    let r =
        add_media(&app, &team.member, &id, vec![(crate::media::png(5, 5), "ok.png"), (b"<svg/>".to_vec(), "bad.svg")])
            .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Five concurrent requests all land, each file once.
    let reqs = (0..5).map(|i| add_media(&app, &team.member, &id, vec![(crate::media::png(40 + i, 10), "p.png")]));
    for r in futures::future::join_all(reqs).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let v: Value = app.get(&format!("/api/v1/use-cases/{id}"), Some(&team.admin)).await.json().await.unwrap();
    let media = v["media"].as_array().unwrap().clone();
    assert_eq!(media.len(), 7);
    let mut widths: Vec<u64> = media.iter().filter_map(|m| m["width"].as_u64()).collect();
    widths.sort();
    assert_eq!(widths, vec![30, 40, 41, 42, 43, 44]);
    // Reorder (a permutation only) and choose another cover.
    let mut order: Vec<String> = media.iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
    order.reverse();
    let r = app
        .send(
            Method::PUT,
            &format!("/api/v1/use-cases/{id}/media"),
            Some(&team.member),
            json!({"media_ids": order[1..], "cover_id": order[0]}),
        )
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app
        .send(
            Method::PUT,
            &format!("/api/v1/use-cases/{id}/media"),
            Some(&team.member),
            json!({"media_ids": order, "cover_id": order[0]}),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["media"][0]["id"], order[0].as_str());
    assert!(v["cover_url"].as_str().unwrap().ends_with(order[0].as_str()));
    let outsider = token(&app.signed_in_user("boss@other-media.sa", PASSWORD).await);
    let r = add_media(&app, &outsider, &id, vec![(crate::media::png(5, 5), "x.png")]).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    let started = std::time::Instant::now();
    while !app.get("/metrics", None).await.text().await.unwrap().contains("p2p_job_queue_depth 0") {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let objects = || std::fs::read_dir(app.dir.join("media").join("media")).map(|d| d.count()).unwrap_or(0);
    assert!(objects() >= 7);
    let r = app.send(Method::DELETE, &format!("/api/v1/use-cases/{id}"), Some(&team.member), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(objects(), 0, "its media went with it");
}

#[tokio::test]
async fn drafts_keep_partial_fields_and_publishing_names_every_missing_one() {
    let app = TestApp::spawn().await;
    let t = token(&app.signed_in_user("drafts@ucdrafts.sa", PASSWORD).await);
    let other = token(&app.signed_in_user("other@ucdrafts2.sa", PASSWORD).await);
    let r = app.post("/api/v1/use-cases/drafts", Some(&t), json!({"title": "Half"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let d: Value = r.json().await.unwrap();
    let id = d["id"].as_str().unwrap().to_owned();
    assert!(d["fields"]["latitude"].is_null());
    let r = app.post(&format!("/api/v1/use-cases/drafts/{id}/publish"), Some(&t), json!({})).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for f in ["title", "summary", "category", "factory_name", "city", "latitude", "longitude"] {
        assert!(e["fields"].get(f).is_some(), "{f}: {e}");
    }
    expect_error(
        app.get(&format!("/api/v1/use-cases/drafts/{id}"), Some(&other)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let mut rest = simplified("Half written no longer: a full title");
    rest.as_object_mut().unwrap().remove("tags");
    let r = app.send(Method::PUT, &format!("/api/v1/use-cases/drafts/{id}"), Some(&t), rest).await;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = app.get("/api/v1/use-cases/drafts", Some(&t)).await.json().await.unwrap();
    assert_eq!(list["items"][0]["title"], "Half written no longer: a full title");
    let r = app.post(&format!("/api/v1/use-cases/drafts/{id}/publish"), Some(&t), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let published: Value = r.json().await.unwrap();
    assert_eq!(published["city"], "Jeddah");
    let list: Value = app.get("/api/v1/use-cases/drafts", Some(&t)).await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}
