use clearance::engine::lists::{ListFormat, Source};
use clearance::engine::matching::{search, Query};
use clearance::engine::model::EntityKind;
use clearance::engine::screen::Snapshot;

#[test]
fn scratch() {
    let src = Source {
        dataset: "us_ofac_sdn".into(),
        format: ListFormat::OfacCsv,
        path: "../shared/eval/holdout/sdn".into(),
        skip_sdn_rows: None,
        download: None,
    };
    let snap = Snapshot::load(&[src], &Default::default()).unwrap();
    let qs: Vec<String> = std::env::var("Q")
        .unwrap()
        .split('|')
        .map(String::from)
        .collect();
    for q in qs {
        let query = Query {
            name: q.clone(),
            kind: Some(EntityKind::Organization),
            ..Default::default()
        };
        let hits = search(&snap.index, &query, 5, 0.0);
        println!("== {q}");
        for h in hits {
            println!("  {:.3} {}", h.score, h.explanation.text(h.score));
        }
    }
}
#[test]
fn sims() {
    for pair in std::env::var("P").unwrap().split(' ') {
        let (a, b) = pair.split_once('/').unwrap();
        let f = |w: &str| {
            (
                clearance::engine::normalize::translit_fold(w),
                clearance::engine::normalize::class_spelling(w),
                clearance::engine::normalize::phonetic_keys(w),
            )
        };
        println!(
            "S {a}/{b}: {} {:?} {:?}",
            clearance::engine::matching::score::token_similarity(a, b),
            f(a),
            f(b)
        );
    }
}
