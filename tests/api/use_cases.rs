//! Use cases: simplified and full forms, every limit named at once, slugs, edit rights,
//! listings, map, counters under concurrency, flags.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    PASSWORD, TestApp, expect_error, expect_invalid, expect_not_found, id_of, ids,
    media::png,
    token,
    use_cases::{use_case_body, use_case_in},
};

#[tokio::test]
async fn simplified_and_full_forms_limits_and_slugs() {
    let app = TestApp::spawn().await;
    let team = app.team("cases.sa").await;
    let a = app.new_use_case(&team.member, use_case_body("Vision inspection on the bottling line")).await;
    assert_eq!(a["slug"], "vision-inspection-on-the-bottling-line");
    assert_eq!(a["org_slug"], "cases-sa-manufacturing");
    let b = app.new_use_case(&team.admin, use_case_body("Vision inspection on the bottling line")).await;
    assert_eq!(b["slug"], "vision-inspection-on-the-bottling-line-2", "a collision gets a suffix");
    let mut full = use_case_body("Predictive maintenance of chillers");
    full["category"] = json!("predictive-maintenance");
    full["problem_context"] = json!("Unplanned chiller stops halted the line twice a month.");
    full["specific_problems"] = json!(["Compressor failures without warning", "No vibration history kept"]);
    full["metrics"] =
        json!([{"metric": "Unplanned stops", "baseline": "2/month", "current": "0.3/month", "improvement": "-85%"}]);
    full["challenges"] =
        json!([{"challenge": "Sensor placement", "solution": "Magnetic mounts on the bearing housings"}]);
    full["budget_range"] = json!("SAR 50,000–250,000");
    let c = app.new_use_case(&team.member, full).await;
    assert_eq!(c["metrics"][0]["improvement"], "-85%");
    // A request that cannot be read names every missing or mistyped field at once…
    let unread = json!({"title": "short", "body": "tiny", "category": "Nope", "latitude": 120.0});
    let r = app.create_use_case(&team.member, unread).await;
    let e = expect_invalid(r, &["category", "factory_name", "city", "longitude"]).await;
    assert!(e["fields"]["title"].is_null(), "lengths are checked once the request reads: {e}");
    // …and one that reads, every invalid value at once.
    let bad = json!({"title": "short", "body": "tiny", "category": "quality-control", "factory_name": "X", "city": "Y", "latitude": 120.0, "longitude": 0.0, "specific_problems": ["x"], "metrics": vec![json!({"metric": "OEE", "baseline": "60%", "current": "70%", "improvement": "+10"}); 5]});
    let r = app.create_use_case(&team.member, bad).await;
    let fields = ["title", "body", "factory_name", "city", "latitude", "specific_problems", "metrics"];
    expect_invalid(r, &fields).await;
    let slug = format!("{}/{}", b["org_slug"].as_str().unwrap(), b["slug"].as_str().unwrap());
    let by_slug = app.get_json(&format!("/api/v1/use-cases/by-slug/{slug}"), &team.member).await;
    assert_eq!(by_slug["id"], b["id"]);
    // Views count once per user.
    app.get_use_case(&team.member, &id_of(&a)).await;
    app.get_use_case(&team.member, &id_of(&a)).await;
    let v: Value = app.get_use_case(&team.admin, &id_of(&a)).await.json().await.unwrap();
    assert_eq!(v["view_count"], 2);
    expect_not_found(app.get("/api/v1/use-cases/by-slug/nope/nope", Some(&team.member)).await).await;
}

#[tokio::test]
async fn edits_belong_to_the_author_and_their_organizations_admins() {
    let app = TestApp::spawn().await;
    let team = app.team("rights.sa").await;
    let peer = token(&app.invited_member(&team.admin, "peer@rights.sa").await);
    let outsider = app.signed_in_token("boss@elsewhere.sa").await;
    let id = id_of(&app.new_use_case(&team.member, use_case_body("Energy dashboard for the press shop")).await);
    for (t, status) in [
        (&peer, StatusCode::FORBIDDEN),
        (&outsider, StatusCode::FORBIDDEN),
        (&team.admin, StatusCode::OK),
        (&team.member, StatusCode::OK),
    ] {
        let r = app.patch_use_case(t, &id, json!({"subtitle": "Sub-metering every press"})).await;
        assert_eq!(r.status(), status);
    }
    expect_invalid(app.patch_use_case(&team.member, &id, json!({"latitude": 200.0})).await, &[]).await;
    assert_eq!(app.delete_use_case(&peer, &id).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.delete_use_case(&team.admin, &id).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_use_case(&team.member, &id).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.use_case_stats(&team.member).await["use_case_count"], 0);
}

#[tokio::test]
async fn listings_filters_map_categories_stats_and_flags() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@plant-a.sa").await;
    let b = app.signed_in_user("b@plant-b.sa", PASSWORD).await;
    let b_org = b["user"]["organization_id"].as_str().unwrap().to_owned();
    let b = token(&b);
    let x = id_of(&app.new_use_case(&a, use_case_body("Vision inspection on the bottling line")).await);
    let riyadh = use_case_in("Compressed air leak hunting in Riyadh", "energy-efficiency", "Riyadh", &["energy"]);
    let y = id_of(&app.new_use_case(&b, riyadh).await);
    let z = id_of(&app.new_use_case(&b, use_case_body("Second quality project at plant B")).await);
    let all = app.list_use_cases(&a, "").await;
    assert_eq!(ids(&all), vec![z.clone(), y.clone(), x.clone()]);
    assert_eq!(all["total"], 3);
    // Words are looked up in the search index, which sees a write within a second.
    app.wait_for_index().await;
    for (q, n) in [
        ("category=energy-efficiency", 1),
        ("city=riyadh", 1),
        (&format!("organization_id={b_org}") as &str, 2),
        ("tag=vision", 2),
        ("q=leak", 1),
    ] {
        assert_eq!(app.list_use_cases(&a, q).await["items"].as_array().unwrap().len(), n, "{q}");
    }
    let p1 = app.list_use_cases(&a, "limit=2").await;
    let p2 = app.list_use_cases(&a, &format!("limit=2&cursor={}", p1["next_cursor"].as_str().unwrap())).await;
    assert_eq!(ids(&p2), vec![x.clone()]);
    app.like_use_case(&b, &x).await;
    assert_eq!(ids(&app.list_use_cases(&a, "sort=most_liked").await)[0], x);
    let map = app.use_case_map(&a).await;
    assert_eq!(map["items"].as_array().unwrap().len(), 3);
    assert_eq!(map["items"][0]["latitude"], 21.54);
    let cats = app.get_json("/api/v1/use-cases/categories", &a).await;
    let count =
        |id: &str| cats["items"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["use_case_count"].clone();
    assert_eq!((count("quality-control"), count("energy-efficiency")), (json!(2), json!(1)));
    // Categories have stable ids and names in both languages, like the forum's; a use case
    // names its category by id (the `UseCaseCategoryId` enum).
    let quality = cats["items"].as_array().unwrap().iter().find(|c| c["id"] == "quality-control").unwrap();
    assert_eq!((&quality["name"], &quality["name_ar"]), (&json!("Quality Control"), &json!("مراقبة الجودة")));
    assert_eq!(app.list_use_cases(&a, "category=quality-control").await["items"].as_array().unwrap().len(), 2);
    let unknown = app.create_use_case(&a, use_case_in("A use case in no category", "gardening", "Riyadh", &[])).await;
    let e = expect_invalid(unknown, &["category"]).await;
    assert!(e["fields"]["category"].as_str().unwrap().contains("quality-control"), "lists the ids: {e}");
    let by_name =
        app.create_use_case(&a, use_case_in("A use case named the old way", "Quality Control", "Riyadh", &[])).await;
    expect_invalid(by_name, &["category"]).await;
    let top = app.get_json("/api/v1/use-cases/top-organizations", &a).await;
    assert_eq!(top["items"][0]["organization"]["id"], b_org.as_str());
    assert_eq!(top["items"][0]["use_case_count"], 2);
    let r = app.set_use_case_flags(&b, &y, json!({"featured": true})).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_platform_admin").await;
    let root = app.platform_admin("root@platform.sa").await;
    let r = app.set_use_case_flags(&root, &y, json!({"featured": true, "verified": true})).await;
    let r: Value = r.json().await.unwrap();
    assert_eq!((r["featured"].clone(), r["verified"].clone()), (json!(true), json!(true)));
    assert_eq!(ids(&app.list_use_cases(&a, "featured=true").await), vec![y.clone()]);
    let stats = app.use_case_stats(&a).await;
    assert_eq!(stats, json!({"use_case_count": 3, "contributing_organization_count": 2, "featured_count": 1}));
    let by_id =
        app.new_use_case(&a, use_case_in("Energy dashboards per line", "energy-efficiency", "Riyadh", &[])).await;
    assert_eq!(by_id["category"], "energy-efficiency");
}

#[tokio::test]
async fn fifty_concurrent_likes_and_bookmarks_count_exactly() {
    let app = TestApp::spawn().await;
    let author = app.signed_in_token("author@cases-likes.sa").await;
    let id = id_of(&app.new_use_case(&author, use_case_body("Kaizen boards for the packing hall")).await);
    let fans = app.signed_in_crowd("fan", "ucfans", 25).await;
    let reqs = fans.iter().chain(fans.iter()).map(|f| app.like_use_case(f, &id));
    for r in futures::future::join_all(reqs).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let reqs = fans.iter().chain(fans.iter()).map(|f| app.bookmark_use_case(f, &id));
    for r in futures::future::join_all(reqs).await {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let v: Value = app.get_use_case(&author, &id).await.json().await.unwrap();
    assert_eq!((v["like_count"].clone(), v["bookmark_count"].clone()), (json!(25), json!(25)));
    let mine = app.get_json("/api/v1/users/me/bookmarks?type=use_case", &fans[3]).await;
    assert_eq!((&mine["items"][0]["type"], &mine["items"][0]["use_case"]["id"]), (&json!("use_case"), &json!(id)));
    assert_eq!(mine["total"], 1);
    let r: Value = app.delete(&format!("/api/v1/use-cases/{id}/bookmark"), &fans[3]).await.json().await.unwrap();
    assert_eq!(r, json!({"bookmarked": false, "bookmark_count": 24}));
    assert_eq!(app.get_json("/api/v1/users/me/bookmarks", &fans[3]).await["total"], 0);
}

#[tokio::test]
async fn media_upload_in_order_concurrently_with_a_cover_and_removed_with_the_case() {
    let app = TestApp::spawn().await;
    let team = app.team("ucmedia.sa").await;
    let id = id_of(&app.new_use_case(&team.member, use_case_body("Robotic palletizing at the dairy")).await);
    let pdf = b"%PDF-1.7\n%%EOF\n".to_vec();
    let r =
        app.add_use_case_media(&team.member, &id, vec![(pdf.clone(), "report.pdf"), (png(30, 20), "line.png")]).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["media"].as_array().unwrap().len(), 2);
    assert_eq!(v["media"][0]["content_type"], "application/pdf", "kept in upload order");
    assert_eq!(v["cover_url"], v["media"][1]["url"], "the first image is the cover");
    // A refused file in a request keeps nothing of that request.
    let files = vec![(png(5, 5), "ok.png"), (b"<svg/>".to_vec(), "bad.svg")];
    let r = app.add_use_case_media(&team.member, &id, files).await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Five concurrent requests all land, each file once.
    let reqs = (0..5).map(|i| app.add_use_case_media(&team.member, &id, vec![(png(40 + i, 10), "p.png")]));
    for r in futures::future::join_all(reqs).await {
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    // A request without files is refused, naming the part.
    let form = reqwest::multipart::Form::new().text("note", "no files here");
    let path = format!("/api/v1/use-cases/{id}/media");
    let r = app.req(reqwest::Method::POST, &path).bearer_auth(&team.member).multipart(form).send().await.unwrap();
    crate::support::expect_invalid(r, &["files"]).await;
    let v: Value = app.get_use_case(&team.admin, &id).await.json().await.unwrap();
    let media = v["media"].as_array().unwrap().clone();
    assert_eq!(media.len(), 7);
    let mut widths: Vec<u64> = media.iter().filter_map(|m| m["width"].as_u64()).collect();
    widths.sort();
    assert_eq!(widths, vec![30, 40, 41, 42, 43, 44]);
    // Reorder (a permutation only) and choose another cover.
    let mut order: Vec<String> = media.iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
    order.reverse();
    let arrange = format!("/api/v1/use-cases/{id}/media");
    let r = app.put(&arrange, &team.member, json!({"media_ids": order[1..], "cover_id": order[0]})).await;
    expect_invalid(r, &[]).await;
    let r = app.put(&arrange, &team.member, json!({"media_ids": order, "cover_id": order[0]})).await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["media"][0]["id"], order[0].as_str());
    assert!(v["cover_url"].as_str().unwrap().ends_with(order[0].as_str()));
    let outsider = app.signed_in_token("boss@other-media.sa").await;
    let r = app.add_use_case_media(&outsider, &id, vec![(png(5, 5), "x.png")]).await;
    expect_error(r, StatusCode::FORBIDDEN, "not_author").await;
    app.wait_for_jobs().await;
    assert!(app.local_objects() >= 7);
    assert_eq!(app.delete_use_case(&team.member, &id).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.local_objects(), 0, "its media went with it");
}

#[tokio::test]
async fn drafts_keep_partial_fields_and_publishing_names_every_missing_one() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("drafts@ucdrafts.sa").await;
    let other = app.signed_in_token("other@ucdrafts2.sa").await;
    let r = app.create_use_case_draft(&t, json!({"title": "Half"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let d: Value = r.json().await.unwrap();
    let draft = format!("/api/v1/use-cases/drafts/{}", id_of(&d));
    let publish = format!("{draft}/publish");
    assert!(d["fields"]["latitude"].is_null());
    let fields = ["title", "body", "category", "factory_name", "city", "latitude", "longitude"];
    expect_invalid(app.post(&publish, Some(&t), json!({})).await, &fields).await;
    expect_not_found(app.get(&draft, Some(&other)).await).await;
    let mut rest = use_case_body("Half written no longer: a full title");
    rest.as_object_mut().unwrap().remove("tags");
    assert_eq!(app.put(&draft, &t, rest).await.status(), StatusCode::OK);
    let list = app.get_json("/api/v1/use-cases/drafts", &t).await;
    assert_eq!(list["items"][0]["title"], "Half written no longer: a full title");
    let r = app.post(&publish, Some(&t), json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let published: Value = r.json().await.unwrap();
    assert_eq!(published["city"], "Jeddah");
    let list = app.get_json("/api/v1/use-cases/drafts", &t).await;
    assert!(list["items"].as_array().unwrap().is_empty());
}
