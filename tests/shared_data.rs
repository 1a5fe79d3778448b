//! Acceptance tests over the real lists in ../shared/data (skipped with a notice when the
//! folder is absent; CI sets CLEARANCE_REQUIRE_SHARED_DATA=1 to make that a failure).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clearance::config::Config;
use clearance::model::NameKind;
use clearance::policy::Decision;
use clearance::screen::{Party, ScreenOptions, Snapshot};

/// The shipped config/shared-data.toml, pointed at wherever the shared data really is.
fn snapshot() -> Option<&'static Snapshot> {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    let dir = clearance::testing::shared_data()?;
    Some(SNAPSHOT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("config/shared-data.toml")).unwrap();
        let text = text.replace("../../shared/data", &dir.display().to_string());
        let config = Config::from_toml(&text, &root.join("config")).unwrap();
        Snapshot::load(&config).unwrap()
    }))
}

fn eval_set() -> PathBuf {
    clearance::testing::shared_data()
        .unwrap()
        .join("../eval/dev.csv")
}

fn screen(s: &Snapshot, name: &str) -> clearance::screen::Screening {
    let party = Party {
        name: name.into(),
        ..Party::default()
    };
    s.screen(&party, &ScreenOptions::default())
}

#[test]
fn dev_set_meets_the_recall_and_false_positive_floors() {
    let Some(s) = snapshot() else { return };
    let report = clearance::eval::run(s, &eval_set()).unwrap();
    println!("{}", report.summary());
    for m in &report.misses {
        println!("miss: {m:?}");
    }
    let o = &report.overall;
    assert!(o.recall().unwrap() >= 0.97, "recall {:?}", o.recall());
    assert!(
        o.false_positive_rate().unwrap() <= 0.007,
        "false-positive rate {:?}",
        o.false_positive_rate()
    );
    for (kind, t) in &report.by_kind {
        if let Some(r) = t.recall() {
            assert!(r >= 0.90, "recall on {kind} is {r}");
        }
    }
}

#[test]
fn cloud_providers_decide_as_expected() {
    let Some(s) = snapshot() else { return };
    let huawei = screen(s, "Huawei Cloud Singapore Pte. Ltd.");
    assert_ne!(huawei.decision, Decision::Allow);
    let top = &huawei.hits[0];
    assert_eq!(top.name, "Huawei Cloud Singapore");
    assert!(
        top.programs.iter().any(|p| p.contains("Entity List")),
        "{top:?}"
    );
    // The Entity List writes "Huawei Technologies Co., Ltd. (Huawei)": the name as a
    // counterparty writes it is an exact hit on that entry, so it denies.
    let parent = screen(s, "Huawei Technologies Co., Ltd.");
    assert_eq!(parent.decision, Decision::Deny);
    assert!(
        parent.hits.iter().any(|h| h.score >= 0.99
            && h.name == "Huawei Technologies Co., Ltd. (Huawei)"
            && h.decision == Decision::Deny),
        "{:?}",
        parent.hits
    );
    for name in [
        "Alibaba Cloud (Singapore) Private Limited",
        "Amazon Web Services, Inc.",
    ] {
        let r = screen(s, name);
        assert_eq!(r.decision, Decision::Allow, "{name}: {:?}", r.hits.first());
    }
}

#[test]
fn every_primary_name_finds_its_own_entity() {
    let Some(s) = snapshot() else { return };
    let mut failures = Vec::new();
    for e in s.index.entities() {
        let Some(primary) = e.names.iter().find(|n| n.kind == NameKind::Primary) else {
            continue;
        };
        let party = Party {
            name: primary.value.clone(),
            ..Party::default()
        };
        let options = ScreenOptions {
            max_hits: Some(50),
            ..ScreenOptions::default()
        };
        let r = s.screen(&party, &options);
        let own = r.hits.iter().find(|h| h.entity_id == e.id);
        if !own.is_some_and(|h| h.score >= 0.99) {
            failures.push(format!(
                "{} {:?} -> {:?}",
                e.id,
                primary.value,
                own.map(|h| h.score)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

#[test]
fn hidden_and_look_alike_characters_do_not_hide_a_listed_name() {
    let Some(s) = snapshot() else { return };
    for disguised in [
        // Cyrillic "о" (U+043E) inside the Latin word "Singapore".
        "Huawei Cloud Sing\u{43e}pore",
        // Zero-width joiner and zero-width space inside words.
        "Hua\u{200d}wei Cl\u{200b}oud Singapore",
        // Full-width letters and a soft hyphen.
        "\u{ff28}uawei Cloud Singa\u{ad}pore",
    ] {
        let r = screen(s, disguised);
        assert_ne!(r.decision, Decision::Allow, "{disguised:?} slipped through");
        assert_eq!(r.hits[0].name, "Huawei Cloud Singapore", "{disguised:?}");
    }
}

#[test]
fn scripts_transliterate_to_the_listed_latin_names() {
    let Some(s) = snapshot() else { return };
    // Cyrillic query for OFAC's "KOVALENKO, Andrey" (us_ofac_sdn:17761).
    let r = screen(s, "Коваленко Андрей");
    assert!(
        r.hits.iter().any(|h| h.entity_id == "us_ofac_sdn:17761"),
        "{:?}",
        r.hits.first()
    );
    assert_ne!(r.decision, Decision::Allow);
}
