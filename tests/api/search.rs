//! `/api/v1/search` and `/search/suggest` against the real index on disk: Arabic
//! normalization and stemming, English stemming and folding, typo tolerance by word length,
//! the last word as a prefix, ranking (exact and phrase first, titles above bodies), facets
//! that add up, filters, suggestions, escaped snippets, and the answers to bad queries.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    TestApp, expect_error, expect_invalid, id_of,
    search::{finds, hit, hit_ids},
    use_cases::use_case_in,
};

/// The ids `q` finds, as a set.
async fn found(app: &TestApp, token: &str, q: &str) -> BTreeSet<String> {
    hit_ids(&app.search(token, &[("q", q), ("limit", "50")]).await).into_iter().collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn arabic_letter_forms_diacritics_and_digits_find_the_same_documents() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("arabic@search.sa").await;
    // Written with hamza alefs, ة, ى, diacritics and Arabic-Indic digits …
    let a = id_of(
        &app.topic_with(
            &t,
            "صيانة المضخات في مصنع الأسمنت",
            "نُفِّذت إدارة الصيانة الوقائية على خط ٣٤ قرب مستشفى المدينة لتقليل الأعطال.",
            "maintenance",
        )
        .await,
    );
    // … and with plain alefs, ه and ي.
    let c = id_of(
        &app.topic_with(
            &t,
            "ادارة الجودة في المستودع",
            "تخزين الاسمنت بعيدا عن الرطوبة مع جدول صيانه اسبوعي قرب مستشفي الحي.",
            "quality-management",
        )
        .await,
    );
    let english = id_of(
        &app.topic_with(&t, "Kiln burner tuning notes", "Flame length drifts on cold mornings.", "automation").await,
    );
    app.wait_for_index().await;

    let groups: [(&[&str], BTreeSet<String>); 6] = [
        (&["صيانة", "صيانه", "صِيَانَة", "صيــانة"], set(&[&a, &c])),
        (&["الأسمنت", "الاسمنت", "الإسمنت", "الآسمنت", "ٱلأسمنت"], set(&[&a, &c])),
        (&["إدارة", "ادارة", "أدارة", "اداره", "إِدَارَة"], set(&[&a, &c])),
        (&["مستشفى", "مستشفي"], set(&[&a, &c])),
        // Diacritics in the document: found with or without them in the query.
        (&["نفذت", "نُفِّذت"], set(&[&a])),
        (&["خط ٣٤", "خط 34", "خط ۳۴"], set(&[&a])),
    ];
    for (variants, expected) in groups {
        for q in variants {
            assert_eq!(found(&app, &t, q).await, expected, "{q}");
        }
    }
    // The Arabic stemmer: the singular with its article finds the plural.
    let pumps = found(&app, &t, "مضخة").await;
    assert!(pumps.contains(&a) && !pumps.contains(&english), "{pumps:?}");
}

#[tokio::test]
async fn english_words_are_found_by_their_stems_and_folded_accents() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("english@search.sa").await;
    let valves = id_of(
        &app.topic_with(&t, "Valves leaking on the chiller", "Three of them drip after restarts.", "maintenance").await,
    );
    let maintained = id_of(
        &app.topic_with(
            &t,
            "Compressor service log",
            "The compressor was maintained by the night shift.",
            "maintenance",
        )
        .await,
    );
    let folded = id_of(
        &app.topic_with(&t, "Résumé of the Zürich audit", "Findings of the supplier visit in spring.", "automation")
            .await,
    );
    app.wait_for_index().await;

    for q in ["valve", "VALVE", "valves", "valve "] {
        assert_eq!(found(&app, &t, q).await, set(&[&valves]), "{q}");
    }
    // "maintaining" is three edits from "maintained", beyond any typo allowance: the stem finds it.
    for q in ["maintaining", "maintains", "maintain "] {
        assert_eq!(found(&app, &t, q).await, set(&[&maintained]), "{q}");
    }
    // "leak" is too short for typos, and the space ends prefix matching: the stem finds "leaking".
    assert_eq!(found(&app, &t, "leak ").await, set(&[&valves]));
    for q in ["zurich", "Zürich", "resume", "RÉSUMÉ"] {
        assert_eq!(found(&app, &t, q).await, set(&[&folded]), "{q}");
    }
}

#[tokio::test]
async fn typos_are_forgiven_by_word_length() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("typos@search.sa").await;
    let doc = id_of(
        &app.topic_with(
            &t,
            "Rotor balancing notes",
            "Worn gasket and actuator replaced; insulation and lubricant checked on every bolt.",
            "maintenance",
        )
        .await,
    );
    app.wait_for_index().await;
    let cases = [
        ("bolt", true),         // 4 letters, exact
        ("bilt", false),        // 4 letters: no typo allowed
        ("rotar", true),        // 5 letters, one edit
        ("ratar", false),       // 5 letters, two edits
        ("gaskte", true),       // 6 letters, one transposition
        ("actuatpr", true),     // 8 letters, one edit
        ("acyuatpr", false),    // 8 letters, two edits
        ("lubrucamt", true),    // 9 letters, two edits
        ("insalatoin", true),   // 10 letters, two edits
        ("insalatoinn", false), // 11 letters, three edits
    ];
    for (q, expected) in cases {
        assert_eq!(found(&app, &t, q).await.contains(&doc), expected, "{q}");
    }
}

#[tokio::test]
async fn the_last_word_matches_as_a_prefix_unless_a_space_follows() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("prefix@search.sa").await;
    let press = id_of(
        &app.topic_with(&t, "Hydraulic press calibration", "Calibrating the ram before the shift.", "maintenance")
            .await,
    );
    let brake = id_of(&app.topic_with(&t, "Press brake tooling", "Tooling change on the brake.", "automation").await);
    app.wait_for_index().await;
    assert_eq!(found(&app, &t, "calib").await, set(&[&press]));
    assert_eq!(found(&app, &t, "hydr").await, set(&[&press]));
    assert_eq!(found(&app, &t, "press bra").await, set(&[&brake]));
    // A space after the last word: it is a whole word.
    assert!(found(&app, &t, "calib ").await.is_empty());
    // Only the last word is a prefix.
    assert!(found(&app, &t, "calib press").await.is_empty());
}

#[tokio::test]
async fn exact_and_phrase_matches_rank_first_and_titles_above_bodies() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("rank@search.sa").await;
    let body = "Readings wander after the morning startup.";
    let topic = async |title: &str, body: &str| id_of(&app.topic_with(&t, title, body, "maintenance").await);
    let fuzzy = topic("Boiler censor drift report", body).await;
    let stemmed = topic("Boiler sensors drift report", body).await;
    let exact = topic("Boiler sensor drift report", body).await;
    let apart = topic("Cooling fan noise tower", body).await;
    let phrase = topic("Cooling tower fan noise", body).await;
    let in_body = topic("Heat exchanger weekly notes", "Descaling was done with a mild acid wash.").await;
    let in_title = topic("Descaling the heat exchanger", "Plain notes about the maintenance window.").await;
    app.wait_for_index().await;

    let ranked = |v: &Value| {
        let scores: Vec<f64> = v["results"].as_array().unwrap().iter().map(|r| r["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
        hit_ids(v)
    };
    let sensor = ranked(&app.search_q(&t, "sensor").await);
    assert_eq!(sensor.first(), Some(&exact), "exact first: {sensor:?}");
    assert!(sensor.contains(&stemmed) && sensor.contains(&fuzzy), "{sensor:?}");
    let cooling = ranked(&app.search_q(&t, "cooling tower").await);
    assert_eq!(cooling, vec![phrase, apart], "the phrase first");
    let descaling = ranked(&app.search_q(&t, "descaling").await);
    assert_eq!(descaling, vec![in_title, in_body], "the title first");
}

#[tokio::test]
async fn facets_add_up_to_the_total_and_pages_do_not_overlap() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("facets@search.sa").await;
    let word = "Shared note from the Tabuk site visit.";
    let mut first = String::new();
    for (i, category) in ["maintenance", "maintenance", "maintenance", "automation", "automation"].iter().enumerate() {
        let id = id_of(&app.topic_with(&t, &format!("Site visit number {i}"), word, category).await);
        if i == 0 {
            first = id;
        }
    }
    app.new_reply(&t, &first, "Tabuk crew confirmed the dates.").await;
    for (title, city) in
        [("Tabuk bottling line", "Tabuk"), ("Tabuk depot scanners", "Tabuk"), ("Tabuk style kiosk", "Jeddah")]
    {
        app.new_use_case(&t, use_case_in(title, "quality-control", city, &[])).await;
    }
    assert_eq!(app.patch_me(&t, json!({"location": "Tabuk"})).await.status(), StatusCode::OK);
    app.wait_for_index().await;

    let all = app.search(&t, &[("q", "tabuk"), ("limit", "3")]).await;
    let total = all["total"].as_u64().unwrap();
    assert_eq!(total, 10, "{all}");
    let facets = &all["facets"];
    let sum = |o: &Value| o.as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum(&facets["type"]), total, "{facets}");
    assert_eq!(facets["type"], json!({"topic": 5, "reply": 1, "use_case": 3, "user": 1}));
    // The reply counts in its topic's category; the use cases in theirs (named in the test
    // below).
    assert_eq!((&facets["category"]["maintenance"], &facets["category"]["automation"]), (&json!(4), &json!(2)));
    assert_eq!(sum(&facets["category"]), 9, "{facets}");
    assert_eq!(facets["city"], json!({"Tabuk": 3, "Jeddah": 1}));

    let mut seen = BTreeSet::new();
    for offset in (0..total).step_by(3) {
        let page = app.search(&t, &[("q", "tabuk"), ("limit", "3"), ("offset", &offset.to_string())]).await;
        assert_eq!(page["total"], total, "every page counts every match");
        for id in hit_ids(&page) {
            assert!(seen.insert(id.clone()), "{id} on two pages");
        }
    }
    assert_eq!(seen.len() as u64, total);

    let forum = app.search(&t, &[("q", "tabuk"), ("type", "forum")]).await;
    assert_eq!(forum["total"], 6);
    assert_eq!(forum["facets"]["type"], json!({"topic": 5, "reply": 1}));
}

#[tokio::test]
async fn filters_narrow_by_type_category_industry_city_organization_and_date() {
    let app = TestApp::spawn().await;
    let team = app.team("filters.sa").await;
    let other = app.signed_in_token("other@elsewhere.sa").await;
    let food = json!({"industry": "Food & Beverage", "description": "Dates packed near Jubail."});
    assert_eq!(app.patch_my_org(&team.admin, food).await.status(), StatusCode::OK);
    assert_eq!(app.patch_me(&team.member, json!({"location": "Jubail"})).await.status(), StatusCode::OK);
    let ours = app
        .topic_with(&team.admin, "Jubail plant shutdown plan", "Steps for the Jubail turnaround.", "maintenance")
        .await;
    let theirs =
        app.topic_with(&other, "Jubail port logistics", "Containers from Jubail are late again.", "automation").await;
    let (ours_id, theirs_id) = (id_of(&ours), id_of(&theirs));
    let reply = id_of(&app.new_reply(&team.admin, &ours_id, "Jubail crews can help.").await);
    let mut case = use_case_in("Jubail packing vision", "quality-control", "Dammam", &[]);
    case["industry"] = json!("Food & Beverage");
    let our_case = app.new_use_case(&team.admin, case).await;
    let their_case =
        id_of(&app.new_use_case(&other, use_case_in("Jubail energy audit", "energy-efficiency", "Jeddah", &[])).await);
    app.wait_for_index().await;

    let ids = async |params: &[(&str, &str)]| -> BTreeSet<String> {
        let mut all = vec![("q", "jubail"), ("limit", "50")];
        all.extend_from_slice(params);
        hit_ids(&app.search(&team.member, &all).await).into_iter().collect()
    };
    let (case_id, org) = (id_of(&our_case), team.org_id.clone());
    assert_eq!(ids(&[("type", "forum")]).await, set(&[&ours_id, &theirs_id, &reply]));
    assert_eq!(ids(&[("type", "forums")]).await, set(&[&ours_id, &theirs_id, &reply]));
    assert_eq!(ids(&[("type", "use_cases")]).await, set(&[&case_id, &their_case]));
    assert_eq!(ids(&[("type", "users")]).await, set(&[&team.member_id]));
    assert_eq!(ids(&[("type", "organizations")]).await, set(&[&org]));
    assert_eq!(ids(&[("category", "maintenance")]).await, set(&[&ours_id, &reply]));
    assert_eq!(ids(&[("city", "Dammam")]).await, set(&[&case_id]));
    assert_eq!(ids(&[("industry", "Food & Beverage")]).await, set(&[&case_id, &org, &team.member_id]));
    assert_eq!(ids(&[("organization", &org)]).await, set(&[&ours_id, &reply, &case_id, &org, &team.member_id]));
    // Dates: `from` is inclusive, `to` exclusive.
    let (made, later) = (ours["created_at"].as_str().unwrap(), theirs["created_at"].as_str().unwrap());
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    assert!(at(made) < at(later), "{made} {later}");
    assert_eq!(ids(&[("type", "forum"), ("to", later)]).await, set(&[&ours_id]));
    assert_eq!(ids(&[("type", "forum"), ("from", later)]).await, set(&[&theirs_id, &reply]));
    assert_eq!(ids(&[("type", "forum"), ("from", made), ("to", later)]).await, set(&[&ours_id]));

    // What a result carries for its link.
    let all = app.search(&team.member, &[("q", "jubail"), ("limit", "50")]).await;
    let r = hit(&all, &reply);
    assert_eq!(
        (&r["type"], &r["topic_id"], &r["title"]),
        (&json!("reply"), &json!(ours_id), &json!("Jubail plant shutdown plan"))
    );
    let r = hit(&all, &ours_id);
    assert_eq!((&r["type"], &r["topic_id"], &r["organization_id"]), (&json!("topic"), &json!(ours_id), &json!(org)));
    let r = hit(&all, &case_id);
    assert_eq!(
        (&r["type"], &r["slug"], &r["org_slug"]),
        (&json!("use_case"), &our_case["slug"], &our_case["org_slug"])
    );
    assert_eq!(hit(&all, &team.member_id)["type"], "user");
    assert_eq!(hit(&all, &org)["type"], "organization");
}

#[tokio::test]
async fn use_cases_are_filtered_and_faceted_by_their_category_id() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("category@search.sa").await;
    let vision = app.new_use_case(&t, use_case_in("Bottle cap vision", "quality-control", "Riyadh", &[])).await;
    let other = id_of(&app.new_use_case(&t, use_case_in("Bottle washer heat", "sustainability", "Riyadh", &[])).await);
    assert_eq!(vision["category"], "quality-control", "the id the use-case API speaks");
    app.wait_for_index().await;
    let v = app.search(&t, &[("q", "bottle"), ("type", "use_cases")]).await;
    assert_eq!(v["facets"]["category"], json!({"quality-control": 1, "sustainability": 1}));
    let v = app.search(&t, &[("q", "bottle"), ("category", "quality-control")]).await;
    assert_eq!(hit_ids(&v), vec![id_of(&vision)]);
    let v = app.search(&t, &[("q", "bottle"), ("category", "sustainability")]).await;
    assert_eq!(hit_ids(&v), vec![other]);
}

#[tokio::test]
async fn suggest_offers_titles_and_names_by_prefix_without_replies() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("suggest@search.sa").await;
    let belt =
        id_of(&app.topic_with(&t, "Conveyor belt tracking", "The belt walks to the left side.", "automation").await);
    let roller =
        id_of(&app.topic_with(&t, "Conveyor roller wear", "Rollers wear flat in six months.", "automation").await);
    let case =
        id_of(&app.new_use_case(&t, use_case_in("Conveyor vision check", "quality-control", "Riyadh", &[])).await);
    let body_only =
        id_of(&app.topic_with(&t, "Packing line layout", "The conveyor feeds the packer.", "automation").await);
    app.new_reply(&t, &belt, "Conveyor belt tension fixed it.").await;
    let arabic = id_of(&app.topic_with(&t, "صيانة الضاغط الرئيسي", "جدول الصيانة الشهري للضاغط.", "maintenance").await);
    assert_eq!(app.patch_me(&t, json!({"first_name": "Conrad"})).await.status(), StatusCode::OK);
    app.wait_for_index().await;

    let s = app.suggest(&t, "conv").await;
    assert_eq!(hit_ids(&s).into_iter().collect::<BTreeSet<_>>(), set(&[&belt, &roller, &case]), "{s}");
    assert!(!finds(&s, &body_only), "titles only");
    for h in s["suggestions"].as_array().unwrap() {
        assert_ne!(h["type"], "reply", "{h}");
        assert!(h["title"].as_str().unwrap().starts_with("Conveyor"), "{h}");
    }
    assert_eq!(hit_ids(&app.suggest(&t, "conveyor be").await), vec![belt.clone()]);
    let people = app.suggest(&t, "conr").await;
    assert_eq!(people["suggestions"][0]["type"], "user", "{people}");
    assert_eq!(people["suggestions"][0]["title"], "Conrad Al-Harbi");
    for q in ["صيا", "صيانه ال", "صيانة الض"] {
        assert_eq!(hit_ids(&app.suggest(&t, q).await), vec![arabic.clone()], "{q}");
    }
    // At most eight.
    for i in 0..9 {
        app.topic_with(&t, &format!("Conveyor line {i} audit"), "Weekly audit of the line.", "automation").await;
    }
    app.wait_for_index().await;
    assert_eq!(hit_ids(&app.suggest(&t, "conveyor").await).len(), 8);
}

#[tokio::test]
async fn snippets_escape_html_and_mark_the_matches() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("snippet@search.sa").await;
    let body = r#"Never paste <script>alert("x")</script> into the HMI; sanitize & review it."#;
    let id = id_of(&app.topic_with(&t, "Operator panel hygiene", body, "automation").await);
    app.wait_for_index().await;
    let v = app.search_q(&t, "sanitize").await;
    let snippet = hit(&v, &id)["snippet"].as_str().unwrap().to_owned();
    assert!(snippet.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "{snippet}");
    assert!(snippet.contains("<mark>sanitize</mark>") && snippet.contains("&amp; review"), "{snippet}");
    assert!(!snippet.contains("<script>"), "{snippet}");
    assert_eq!(snippet.matches("<mark>").count(), snippet.matches("</mark>").count());
    // A match in the title only: the body's opening, escaped.
    let v = app.search_q(&t, "hygiene").await;
    let snippet = hit(&v, &id)["snippet"].as_str().unwrap();
    assert!(snippet.starts_with("Never paste &lt;script&gt;") && !snippet.contains("<script>"), "{snippet}");
}

#[tokio::test]
async fn bad_queries_are_422_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("bad@search.sa").await;
    for q in ["", "   ", &"x".repeat(201)] {
        expect_invalid(app.search_raw(Some(&t), &[("q", q)]).await, &["q"]).await;
        expect_invalid(app.suggest_raw(Some(&t), q).await, &["q"]).await;
    }
    // No words at all: nothing to search for (a suggestion box just offers nothing).
    expect_invalid(app.search_raw(Some(&t), &[("q", "?!—…")]).await, &["q"]).await;
    assert_eq!(app.suggest(&t, "?!—…").await["suggestions"], json!([]));
    expect_invalid(app.search_raw(Some(&t), &[("q", "pump"), ("type", "gossip")]).await, &["type"]).await;
    expect_invalid(app.search_raw(Some(&t), &[("q", "pump"), ("offset", "1001")]).await, &["offset"]).await;
}

#[tokio::test]
async fn every_type_and_the_deepest_offset_answer_and_strangers_get_401() {
    let app = TestApp::spawn().await;
    let t = app.signed_in_token("strangers@search.sa").await;
    assert_eq!(app.search(&t, &[("q", "pump"), ("offset", "1000")]).await["total"], 0);
    for kind in ["all", "users", "organizations", "use_cases", "forum", "forums"] {
        assert_eq!(app.search(&t, &[("q", "pump"), ("type", kind)]).await["results"], json!([]));
    }
    let unauthenticated = StatusCode::UNAUTHORIZED;
    expect_error(app.search_raw(None, &[("q", "pump")]).await, unauthenticated, "unauthenticated").await;
    expect_error(app.suggest_raw(None, "pu").await, unauthenticated, "unauthenticated").await;
    expect_error(app.search_raw(Some("not-a-token"), &[("q", "pump")]).await, unauthenticated, "invalid_token").await;
    // A signed-out session searches no more.
    let other = app.login_token("strangers@search.sa").await;
    assert_eq!(app.logout(&other).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.search_raw(Some(&other), &[("q", "pump")]).await.status(), unauthenticated);
    assert_eq!(app.suggest_raw(Some(&other), "pu").await.status(), unauthenticated);
}
