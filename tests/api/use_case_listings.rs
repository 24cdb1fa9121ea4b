//! Use-case listings from the filter index, and the shared map body: both follow every
//! change (edits, views, likes, flags, deletes) and page by cursor.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, expect_invalid, id_of, ids, use_cases::use_case_in};

/// Every id of a listing, following cursors one item at a time.
async fn walk(app: &TestApp, t: &str, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut page = app.list_use_cases(t, &format!("{query}&limit=1")).await;
    loop {
        out.extend(ids(&page));
        let Some(c) = page["next_cursor"].as_str() else { return out };
        page = app.list_use_cases(t, &format!("{query}&limit=1&cursor={c}")).await;
    }
}

#[tokio::test]
async fn filtered_listings_follow_edits_views_likes_flags_and_deletes() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@plant-a.sa").await;
    let viewers = [app.signed_in_token("v1@plant-v.sa").await, app.signed_in_token("v2@plant-w.sa").await];
    let mut made = Vec::new();
    for (title, category, city, tags) in [
        ("Vision inspection on line one", "quality-control", "Riyadh", &["vision", "ai"][..]),
        ("Energy audit of the compressors", "energy-efficiency", "Riyadh", &["energy"][..]),
        ("Vision inspection on line two", "quality-control", "Jeddah", &["vision"][..]),
        ("Predictive maintenance of pumps", "predictive-maintenance", "Riyadh", &["iot"][..]),
    ] {
        made.push(id_of(&app.new_use_case(&a, use_case_in(title, category, city, tags)).await));
    }
    let [q1, energy, q2, pumps] = [0, 1, 2, 3].map(|i| made[i].clone());

    // One filter pages through its own index, newest first, by cursor.
    assert_eq!(walk(&app, &a, "city=RIYADH").await, vec![pumps.clone(), energy.clone(), q1.clone()]);
    assert_eq!(walk(&app, &a, "tag=vision").await, vec![q2.clone(), q1.clone()]);
    // Two filters: one index, the other checked on each record.
    assert_eq!(ids(&app.list_use_cases(&a, "city=Riyadh&category=quality-control").await), vec![q1.clone()]);
    // Words go through the search index, which sees a write within a second.
    app.wait_for_index().await;
    assert_eq!(ids(&app.list_use_cases(&a, "tag=vision&q=two").await), vec![q2.clone()]);
    // Cards, not full case studies; the author and organization as they are now (the page
    // was read, and cached, before the renames).
    assert_eq!(
        app.list_use_cases(&a, "city=Jeddah").await["items"][0]["organization_name"],
        "plant-a.sa Manufacturing"
    );
    assert_eq!(app.patch_me(&a, json!({"first_name": "Renamed"})).await.status(), StatusCode::OK);
    assert_eq!(app.patch_my_org(&a, json!({"name": "Plant A Renamed"})).await.status(), StatusCode::OK);
    let card = app.list_use_cases(&a, "city=Jeddah").await["items"][0].clone();
    assert_eq!(card["title"], "Vision inspection on line two");
    assert!(card["author"]["name"].as_str().unwrap().starts_with("Renamed "), "{card}");
    assert_eq!(card["organization_name"], "Plant A Renamed");
    assert!(card.get("problem_context").is_none() && card.get("media").is_none(), "{card}");

    // Views and likes move the entries of the sorted filters (the same pages read before).
    assert_eq!(walk(&app, &a, "city=Riyadh&sort=most_viewed").await, vec![pumps.clone(), energy.clone(), q1.clone()]);
    for v in &viewers {
        assert_eq!(app.get_use_case(v, &energy).await.status(), StatusCode::OK);
    }
    app.get_use_case(&viewers[0], &pumps).await;
    app.get_use_case(&viewers[0], &energy).await; // counted once
    assert_eq!(walk(&app, &a, "city=Riyadh&sort=most_viewed").await, vec![energy.clone(), pumps.clone(), q1.clone()]);
    assert_eq!(app.like_use_case(&viewers[1], &q1).await.status(), StatusCode::OK);
    assert_eq!(ids(&app.list_use_cases(&a, "city=Riyadh&sort=most_liked").await)[0], q1);
    // The viewer's own likes and bookmarks are marked on each card.
    for id in [&q1, &pumps] {
        assert_eq!(app.bookmark_use_case(&viewers[1], id).await.status(), StatusCode::OK);
    }
    let page = app.list_use_cases(&viewers[1], "city=Riyadh").await;
    let flags: Vec<(bool, bool)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["liked_by_me"].as_bool().unwrap(), c["bookmarked_by_me"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags, vec![(false, true), (false, false), (true, true)], "pumps, energy, q1");
    let theirs = app.list_use_cases(&a, "city=Riyadh").await;
    assert!(theirs["items"].as_array().unwrap().iter().all(|c| c["bookmarked_by_me"] == false));

    // An edit moves the case between categories and tags.
    let r = app.patch_use_case(&a, &q2, json!({"category": "energy-efficiency", "tags": ["energy"]})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(walk(&app, &a, "category=energy-efficiency").await, vec![q2.clone(), energy.clone()]);
    assert_eq!(walk(&app, &a, "tag=vision").await, vec![q1.clone()]);

    // Flags move it between featured and not.
    let root = app.platform_admin("root@platform.sa").await;
    assert_eq!(app.set_use_case_flags(&root, &pumps, json!({"featured": true})).await.status(), StatusCode::OK);
    assert_eq!(walk(&app, &a, "featured=true").await, vec![pumps.clone()]);
    assert_eq!(walk(&app, &a, "featured=false").await, vec![q2.clone(), energy.clone(), q1.clone()]);

    // A delete removes every entry; a cursor from another listing is refused.
    assert_eq!(app.delete_use_case(&a, &energy).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(walk(&app, &a, "city=Riyadh&sort=most_viewed").await, vec![pumps.clone(), q1.clone()]);
    let foreign = app.list_use_cases(&a, "limit=1").await["next_cursor"].as_str().unwrap().to_owned();
    let r = app.get(&format!("/api/v1/use-cases?city=Riyadh&cursor={foreign}"), Some(&a)).await;
    expect_invalid(r, &["cursor"]).await;
}

/// A popular order under a filter either ranks the entries of the filter's value or walks
/// the whole catalogue in that order, whichever reads less for the page asked; both give the
/// same listing, with ties newest first.
#[tokio::test]
async fn a_sorted_filter_reads_the_same_ranked_or_walked() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@plant-a.sa").await;
    let mut viewers = Vec::new();
    for i in 0..3 {
        viewers.push(app.signed_in_token(&format!("v{i}@plant-v{i}.sa")).await);
    }
    let mut made = Vec::new();
    for i in 0..12 {
        let input = use_case_in(&format!("Line {i} retrofit"), "quality-control", "Dammam", &["plc"]);
        made.push(id_of(&app.new_use_case(&a, input).await));
    }
    let elsewhere = use_case_in("Boiler retrofit", "quality-control", "Jeddah", &["plc"]);
    app.new_use_case(&a, elsewhere).await;
    for (case, views) in [(3, 3), (7, 2), (0, 1)] {
        for v in &viewers[..views] {
            assert_eq!(app.get_use_case(v, &made[case]).await.status(), StatusCode::OK);
        }
    }
    let top = [made[3].clone(), made[7].clone(), made[0].clone()];
    let expected: Vec<String> = top.iter().chain(made.iter().rev().filter(|id| !top.contains(id))).cloned().collect();

    // One at a time, 12 of 13 match: walking the catalogue in view order finds a page fastest.
    assert_eq!(walk(&app, &a, "city=Dammam&sort=most_viewed").await, expected);
    // Fifty at a time: ranking the city's twelve entries is cheaper.
    let page = app.list_use_cases(&a, "city=Dammam&sort=most_viewed&limit=50").await;
    assert_eq!(ids(&page), expected);
    assert_eq!(page["total"], 12);
    // A cursor from one way continues the other.
    let first = app.list_use_cases(&a, "city=Dammam&sort=most_viewed&limit=1").await;
    let c = first["next_cursor"].as_str().unwrap();
    let rest = app.list_use_cases(&a, &format!("city=Dammam&sort=most_viewed&limit=50&cursor={c}")).await;
    assert_eq!(ids(&rest), expected[1..]);
    // Likes rank the same way; unliked cases keep newest first.
    assert_eq!(app.like_use_case(&viewers[0], &made[5]).await.status(), StatusCode::OK);
    assert_eq!(
        walk(&app, &a, "tag=plc&sort=most_liked").await[..2],
        [made[5].clone(), expected_newest(&app, &a).await]
    );
}

/// The newest use case of all (the last one created).
async fn expected_newest(app: &TestApp, t: &str) -> String {
    ids(&app.list_use_cases(t, "limit=1").await)[0].clone()
}

#[tokio::test]
async fn the_map_body_is_shared_until_a_point_changes() {
    let app = TestApp::spawn().await;
    let a = app.signed_in_token("a@plant-a.sa").await;
    let v = app.signed_in_token("v@plant-v.sa").await;
    let map = || async {
        let r = app.get("/api/v1/use-cases/map", Some(&a)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        r.text().await.unwrap()
    };
    assert_eq!(serde_json::from_str::<Value>(&map().await).unwrap(), json!({"items": []}));
    let case = use_case_in("Vision inspection on line one", "quality-control", "Riyadh", &[]);
    let id = id_of(&app.create_use_case(&a, case).await.json().await.unwrap());
    let first = map().await;
    let points: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(points["items"][0]["id"], id.as_str());
    assert_eq!(points["items"][0]["title"], "Vision inspection on line one");
    // A view changes no point: the same body.
    app.get_use_case(&v, &id).await;
    assert_eq!(map().await, first);
    // A new title and coordinates show at once.
    let edit = json!({"title": "Vision inspection, both lines", "latitude": 24.71, "longitude": 46.67});
    assert_eq!(app.patch_use_case(&a, &id, edit).await.status(), StatusCode::OK);
    let moved: Value = serde_json::from_str(&map().await).unwrap();
    assert_eq!(moved["items"][0]["title"], "Vision inspection, both lines");
    assert_eq!(
        (moved["items"][0]["latitude"].clone(), moved["items"][0]["longitude"].clone()),
        (json!(24.71), json!(46.67))
    );
    // ETag revalidation and gzip for clients that accept it.
    let r = app.get("/api/v1/use-cases/map", Some(&a)).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(r.headers()["vary"], "Accept-Encoding");
    let again = app.req(Method::GET, "/api/v1/use-cases/map").bearer_auth(&a).header("If-None-Match", &etag);
    let r = again.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    let gz = app.req(Method::GET, "/api/v1/use-cases/map").bearer_auth(&a).header("Accept-Encoding", "gzip");
    let r = gz.send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&r.bytes().await.unwrap()[..]), &mut plain)
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&plain).unwrap(), moved);
    // Concurrent requests after a change all see it, with a new ETag.
    app.delete_use_case(&a, &id).await;
    let bodies = futures::future::join_all((0..20).map(|_| map())).await;
    assert!(bodies.iter().all(|b| serde_json::from_str::<Value>(b).unwrap() == json!({"items": []})));
    let r = app.req(Method::GET, "/api/v1/use-cases/map").bearer_auth(&a).header("If-None-Match", &etag);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::OK, "a changed map is sent again");
}

/// Words in the use-case listing are looked up in the search index (stems, Arabic letter
/// forms, the organization's name), combine with the structured filters and every order,
/// page by cursor, and are never served from a page read before the index saw a write.
#[tokio::test]
async fn words_in_the_listing_come_from_the_search_index() {
    let app = TestApp::spawn().await;
    let team = app.team("glass.sa").await;
    let t = &team.admin;
    let mut made = Vec::new();
    for (title, city) in [
        ("Vision inspection of bottle caps", "Riyadh"),
        ("Inspecting welds with vision", "Jeddah"),
        ("فحص العبوات بالرؤية الآلية", "Dammam"),
    ] {
        made.push(id_of(&app.new_use_case(t, use_case_in(title, "quality-control", city, &["vision"])).await));
    }
    let [caps, welds, arabic] = [0, 1, 2].map(|i| made[i].clone());
    // Before the index has them the words find nothing; that page must not be served later.
    let early = ids(&app.list_use_cases(t, "q=inspection").await);
    app.wait_for_index().await;
    assert!(early.len() <= 2);
    // The very query asked before the index caught up now finds both: that page was not kept.
    let again = ids(&app.list_use_cases(t, "q=inspection").await);
    assert_eq!(again.len(), 2, "a page read before the index saw the writes is served no more: {again:?}");
    assert_eq!(walk(&app, t, "q=inspection").await, vec![welds.clone(), caps.clone()], "by stem, newest first");
    assert_eq!(ids(&app.list_use_cases(t, "q=inspection&city=jeddah").await), vec![welds.clone()]);
    assert_eq!(ids(&app.list_use_cases(t, "q=الرؤيه").await), vec![arabic.clone()], "ة and ه are one letter");
    assert_eq!(app.list_use_cases(t, "q=insp&limit=1").await["total"], 2, "the last word is a prefix");
    assert_eq!(app.like_use_case(&team.member, &caps).await.status(), StatusCode::OK);
    assert_eq!(walk(&app, t, "q=inspection&sort=most_liked").await, vec![caps.clone(), welds.clone()]);
    // A query with no words keeps everything.
    assert_eq!(app.list_use_cases(t, "q=%21%21").await["total"], 3);

    // The organization's name is searchable, and follows a rename.
    assert_eq!(app.patch_my_org(t, json!({"name": "Qassim Glassworks"})).await.status(), StatusCode::OK);
    app.wait_for_index().await;
    assert_eq!(app.list_use_cases(t, "q=glassworks").await["total"], 3);
    let r = app.patch_use_case(t, &welds, json!({"title": "Weld seams checked by camera"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.wait_for_index().await;
    assert_eq!(walk(&app, t, "q=inspection").await, vec![caps.clone()], "an edit is followed");
}
