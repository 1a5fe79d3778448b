//! End-to-end tests of the `clearance` binary: `screen`, `batch` and `eval` run as a user runs
//! them, on the bundled sample list (config/sample.toml) and on small lists written into a
//! fresh temporary folder per test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// What one run of the binary produced.
struct Run {
    /// The command line, for assertion messages.
    args: String,
    success: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts the run succeeded and returns its stdout.
    fn ok(&self) -> &str {
        assert!(
            self.success,
            "`clearance {}` failed with exit code {:?}\nstderr:\n{}\nstdout:\n{}",
            self.args, self.code, self.stderr, self.stdout
        );
        &self.stdout
    }

    /// Asserts the run failed with a non-zero exit status, printed no decision, and wrote an
    /// error to stderr; returns stderr.
    fn failed(&self) -> &str {
        assert!(
            !self.success,
            "`clearance {}` should have failed but exited with {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        assert_ne!(
            self.code,
            Some(0),
            "`clearance {}`: a failure must not exit with status 0",
            self.args
        );
        assert!(
            !self.stdout.contains("decision"),
            "`clearance {}` failed but still printed a decision on stdout:\n{}",
            self.args,
            self.stdout
        );
        assert!(
            self.stderr.contains("error"),
            "`clearance {}` failed without an error message on stderr:\n{}",
            self.args,
            self.stderr
        );
        &self.stderr
    }

    /// Parses stdout as one JSON document.
    fn json(&self) -> Value {
        let out = self.ok();
        serde_json::from_str(out).unwrap_or_else(|e| {
            panic!(
                "`clearance {}`: stdout is not JSON ({e}):\n{out}",
                self.args
            )
        })
    }
}

/// Runs the binary with `args` in the folder `cwd`.
fn run_in<S: AsRef<str>>(cwd: &Path, args: &[S]) -> Run {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let output = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(&args)
        .current_dir(cwd)
        .output()
        .expect("the clearance binary runs");
    Run {
        args: args.join(" "),
        success: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs the binary with `args` in a fresh temporary folder, so that nothing depends on the
/// working directory the tests were started from.
fn run<S: AsRef<str>>(args: &[S]) -> Run {
    let dir = tempdir();
    run_in(dir.path(), args)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// A file of the repository, by its path from the crate root.
fn repo_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    assert!(path.is_file(), "{} is missing", path.display());
    path.display().to_string()
}

fn sample_config() -> String {
    repo_file("config/sample.toml")
}

/// Writes `content` to `name` inside `dir` and returns the path as a string.
fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path.display().to_string()
}

/// `screen --json` of `name` with extra arguments, parsed.
fn screen_json(extra: &[&str], name: &str) -> Value {
    let config = sample_config();
    let mut args = vec!["screen", "--config", &config, "--json"];
    args.extend_from_slice(extra);
    args.push(name);
    run(&args).json()
}

/// The hits of a `screen --json` result.
fn hits(result: &Value) -> &[Value] {
    result["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("`hits` is not an array: {result:#}"))
}

/// The hit on `entity_id`, if any.
fn hit<'a>(result: &'a Value, entity_id: &str) -> Option<&'a Value> {
    hits(result).iter().find(|h| h["entity_id"] == entity_id)
}

fn score(hit: &Value) -> f64 {
    hit["score"]
        .as_f64()
        .unwrap_or_else(|| panic!("hit without a numeric score: {hit:#}"))
}

/// The keys of a JSON object.
fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

const HUAWEI_SG: &str = "sample:el-huawei-cloud-singapore";

// ---------------------------------------------------------------------------------------------
// screen

#[test]
fn screen_denies_a_listed_company_and_names_the_entry() {
    let config = sample_config();
    let r = run(&[
        "screen",
        "--config",
        &config,
        "Huawei Cloud Singapore Pte. Ltd.",
    ]);
    let out = r.ok();
    let first = out.lines().next().unwrap_or("");
    assert_eq!(
        first, "decision: deny",
        "the first line states the decision:\n{out}"
    );
    assert!(
        out.contains(HUAWEI_SG),
        "the hit names the listed entry:\n{out}"
    );
    assert!(
        out.contains("snapshot: "),
        "the output names the snapshot it was screened against:\n{out}"
    );
    assert!(
        r.stderr.contains("loaded") && r.stderr.contains("1 datasets"),
        "stderr reports what was loaded:\n{}",
        r.stderr
    );
}

#[test]
fn screen_allows_an_unlisted_company() {
    let config = sample_config();
    let r = run(&["screen", "--config", &config, "Amazon Web Services, Inc."]);
    let out = r.ok();
    assert!(
        out.lines().any(|l| l == "decision: allow"),
        "an unlisted company is allowed:\n{out}"
    );
    assert!(
        !out.contains("sample:"),
        "an allowed party should show no hits:\n{out}"
    );
}

#[test]
fn screen_json_has_decision_hits_and_snapshot_version() {
    let result = screen_json(&[], "Huawei Cloud Singapore Pte. Ltd.");
    assert_eq!(result["decision"], "deny", "{result:#}");
    let version = result["snapshot_version"].as_str().unwrap_or("");
    assert!(
        !version.is_empty(),
        "snapshot_version is a non-empty string: {result:#}"
    );
    let top = hits(&result)
        .first()
        .unwrap_or_else(|| panic!("a denied party has at least one hit: {result:#}"));
    assert_eq!(top["entity_id"], HUAWEI_SG, "top hit: {top:#}");
    assert_eq!(top["dataset"], "sample", "top hit: {top:#}");
    assert_eq!(top["name"], "Huawei Cloud Singapore", "top hit: {top:#}");
    let s = score(top);
    assert!((0.95..=1.0).contains(&s), "a deny hit scores 0.95..1: {s}");

    let allowed = screen_json(&[], "Amazon Web Services, Inc.");
    assert_eq!(allowed["decision"], "allow", "{allowed:#}");
    assert!(hits(&allowed).is_empty(), "no hits: {allowed:#}");
    assert_eq!(
        allowed["snapshot_version"], version,
        "the same lists give the same snapshot version"
    );
}

#[test]
fn screen_type_and_country_flags_are_accepted_and_used() {
    let plain = screen_json(&[], "Huawei Cloud Singapore Pte. Ltd.");
    let plain_score = score(hit(&plain, HUAWEI_SG).expect("plain query hits Huawei SG"));

    // The right country, by code or by English name, keeps the match.
    for country in ["SG", "Singapore", "sg"] {
        let r = screen_json(
            &["--country", country, "--type", "org"],
            "Huawei Cloud Singapore Pte. Ltd.",
        );
        assert_eq!(r["decision"], "deny", "--country {country}: {r:#}");
        let h = hit(&r, HUAWEI_SG).unwrap_or_else(|| panic!("--country {country}: {r:#}"));
        assert!(
            score(h) >= plain_score,
            "--country {country}: a matching country must not lower the score ({} < {plain_score})",
            score(h)
        );
    }

    // A person cannot be an organisation: the hit remains but scores lower.
    let person = screen_json(&["--type", "person"], "Huawei Cloud Singapore Pte. Ltd.");
    let h = hit(&person, HUAWEI_SG).unwrap_or_else(|| panic!("--type person: {person:#}"));
    assert!(
        score(h) < plain_score,
        "--type person against an organisation entry should lower the score ({} vs {plain_score})",
        score(h)
    );

    // Both flags together on a listed person.
    let kim = screen_json(&["--type", "person", "--country", "KP"], "Kim Jong Un");
    assert_eq!(kim["decision"], "deny", "{kim:#}");
    assert!(
        hit(&kim, "sample:sdn-kim-jong-un").is_some(),
        "--type person --country KP finds the listed person: {kim:#}"
    );
}

#[test]
fn screen_identifier_finds_the_vessel_by_imo_number() {
    const VESSEL: &str = "sample:sdn-adrian-darya-1";
    // The name alone matches nothing, so the identifier is what finds the vessel.
    let by_name = screen_json(&["--type", "vessel"], "Unknown Tanker");
    assert!(
        hit(&by_name, VESSEL).is_none(),
        "control: the name alone should not find the vessel: {by_name:#}"
    );

    for identifier in ["imo:9116412", "IMO:9116412"] {
        let r = screen_json(
            &["--type", "vessel", "--identifier", identifier],
            "Unknown Tanker",
        );
        let top = hits(&r)
            .first()
            .unwrap_or_else(|| panic!("--identifier {identifier}: no hits: {r:#}"));
        assert_eq!(top["entity_id"], VESSEL, "--identifier {identifier}: {r:#}");
        assert_eq!(
            score(top),
            1.0,
            "--identifier {identifier}: an identical IMO number scores 1: {top:#}"
        );
        assert_eq!(r["decision"], "deny", "--identifier {identifier}: {r:#}");
    }
}

// ---------------------------------------------------------------------------------------------
// --source

const OWN_LIST: &str = concat!(
    r#"{"id": "acme", "name": "Acme Rocket Works", "aliases": ["Acme Rockets"], "kind": "organization", "countries": ["US"], "programs": ["own"]}"#,
    "\n",
    "\n",
    r#"{"id": "h1", "name": "Huawei Cloud Singapore", "kind": "organization", "countries": ["SG"]}"#,
    "\n",
);

#[test]
fn source_flag_alone_screens_against_an_own_list() {
    let dir = tempdir();
    let list = write(dir.path(), "own.jsonl", OWN_LIST);
    let source = format!("native:mylist={list}");

    let r = run(&["screen", "--source", &source, "--json", "Acme Rockets"]);
    let result = r.json();
    assert_eq!(result["decision"], "deny", "{result:#}");
    let top = &hits(&result)[0];
    assert_eq!(top["entity_id"], "mylist:acme", "{top:#}");
    assert_eq!(top["dataset"], "mylist", "{top:#}");
    assert_eq!(top["matched_name"], "Acme Rockets", "{top:#}");
    assert!(
        r.stderr.contains("2 entities"),
        "stderr reports the two entities of the list:\n{}",
        r.stderr
    );

    let clear = run(&["screen", "--source", &source, "Amazon Web Services, Inc."]);
    assert!(
        clear.ok().lines().any(|l| l == "decision: allow"),
        "a name not on the own list is allowed:\n{}",
        clear.stdout
    );

    // A relative path is taken from the working directory.
    let relative = run_in(
        dir.path(),
        &[
            "screen",
            "--source",
            "native:mylist=own.jsonl",
            "Acme Rockets",
        ],
    );
    assert!(
        relative.ok().contains("mylist:acme"),
        "relative --source path from the working directory:\n{}",
        relative.stdout
    );
}

#[test]
fn config_and_source_flag_combine() {
    let dir = tempdir();
    let list = write(dir.path(), "own.jsonl", OWN_LIST);
    let source = format!("native:mylist={list}");
    let config = sample_config();
    let r = run(&[
        "screen",
        "--config",
        &config,
        "--source",
        &source,
        "--json",
        "Huawei Cloud Singapore Pte. Ltd.",
    ]);
    let result = r.json();
    assert_eq!(result["decision"], "deny", "{result:#}");
    let datasets: BTreeSet<&str> = hits(&result)
        .iter()
        .filter_map(|h| h["dataset"].as_str())
        .collect();
    assert_eq!(
        datasets,
        BTreeSet::from(["mylist", "sample"]),
        "both lists hold Huawei Cloud Singapore: {result:#}"
    );
    assert!(hit(&result, HUAWEI_SG).is_some(), "{result:#}");
    assert!(hit(&result, "mylist:h1").is_some(), "{result:#}");
    assert!(
        r.stderr.contains("2 datasets"),
        "stderr reports both datasets:\n{}",
        r.stderr
    );

    // The own list's other entry is found too, with the sample list loaded alongside.
    let acme = run(&[
        "screen",
        "--config",
        &config,
        "--source",
        &source,
        "Acme Rocket Works",
    ]);
    assert!(acme.ok().contains("mylist:acme"), "{}", acme.stdout);
}

// ---------------------------------------------------------------------------------------------
// batch

#[test]
fn batch_writes_one_contract_line_per_row_in_input_order() {
    let dir = tempdir();
    let output = dir.path().join("out.jsonl");
    let input = repo_file("data/sample-parties.csv");
    let config = sample_config();
    let out_arg = output.display().to_string();
    let r = run(&[
        "batch", "--config", &config, "--input", &input, "--output", &out_arg,
    ]);
    r.ok();
    assert!(
        r.stderr.contains("names/s"),
        "stderr reports the throughput:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("screened 8 names"),
        "stderr reports how many names were screened:\n{}",
        r.stderr
    );
    assert!(output.is_file(), "{} was not written", output.display());
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &output)
        .collect();
    assert!(
        leftovers.is_empty(),
        "batch left files behind: {leftovers:?}"
    );

    let text = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("output line {} is not JSON ({e}): {l}", i + 1))
        })
        .collect();

    let ids: Vec<&str> = lines
        .iter()
        .map(|l| l["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        ids,
        ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"],
        "one line per input row, in input order"
    );

    let line_keys = BTreeSet::from(["id", "decision", "hits", "snapshot_version"]);
    let hit_keys = BTreeSet::from(["entity_id", "dataset", "name", "matched_name", "score"]);
    let version = lines[0]["snapshot_version"].as_str().unwrap_or("");
    assert!(!version.is_empty(), "snapshot_version: {}", lines[0]);
    for line in &lines {
        assert_eq!(keys(line), line_keys, "contract fields only: {line}");
        assert!(
            matches!(line["decision"].as_str(), Some("allow" | "review" | "deny")),
            "decision is allow, review or deny: {line}"
        );
        assert_eq!(
            line["snapshot_version"], version,
            "every line has the same snapshot: {line}"
        );
        for h in hits(line) {
            assert_eq!(keys(h), hit_keys, "hit fields: {line}");
            // List hits, and the policy's jurisdiction hits (a party in Cuba).
            let dataset = h["dataset"].as_str().unwrap_or("");
            assert!(matches!(dataset, "sample" | "policy"), "{line}");
            assert!(
                h["entity_id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with(&format!("{dataset}:"))),
                "{line}"
            );
            let s = score(h);
            assert!((0.0..=1.0).contains(&s), "score in 0..1: {line}");
        }
        if line["decision"] != "allow" {
            assert!(
                !hits(line).is_empty(),
                "a flagged row names its hits: {line}"
            );
        }
    }

    let by_id = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap();
    let p1 = by_id("p1");
    assert_eq!(p1["decision"], "deny", "{p1}");
    assert_eq!(p1["hits"][0]["entity_id"], HUAWEI_SG, "{p1}");
    let p3 = by_id("p3");
    assert_eq!(p3["decision"], "allow", "Amazon Web Services: {p3}");
    assert!(hits(p3).is_empty(), "{p3}");
    let p4 = by_id("p4");
    assert_eq!(p4["decision"], "deny", "Banco Nacional de Cuba: {p4}");
    assert_eq!(
        p4["hits"][0]["entity_id"], "sample:sdn-banco-nacional-de-cuba",
        "{p4}"
    );
    let p8 = by_id("p8");
    assert_eq!(p8["decision"], "allow", "Siemens AG: {p8}");
}

// ---------------------------------------------------------------------------------------------
// eval

/// Four match rows (one with a wrong expected key, so a miss) and four clear rows (one of them
/// a listed bank, so a false positive).
const LABELLED: &str = "\
id,name,country,type,expect,expect_key,kind
m1,Huawei Cloud Singapore Pte. Ltd.,SG,org,match,sample:el-huawei-cloud-singapore,legal_form
m2,Banco Nacional de Cuba,CU,org,match,sample:sdn-banco-nacional-de-cuba,exact
m3,Nicolas Maduro,VE,person,match,sample:sdn-nicolas-maduro,reorder
m4,Huawei Cloud Singapore,SG,org,match,sample:sdn-irgc,exact
c1,\"Amazon Web Services, Inc.\",US,org,clear,,clear
c2,Siemens AG,DE,org,clear,,clear
c3,Bank Melli Iran,IR,org,clear,,clear
c4,Deutsche Bahn AG,DE,org,clear,,clear
";

#[test]
fn eval_reports_recall_and_false_positive_rate() {
    let dir = tempdir();
    let input = write(dir.path(), "labelled.csv", LABELLED);
    let config = sample_config();
    let r = run(&["eval", "--config", &config, "--input", &input, "--misses"]);
    let out = r.ok();
    assert!(
        out.contains("rows 8:"),
        "the summary counts all rows:\n{out}"
    );
    assert!(
        out.contains("recall 0.750 (3/4)"),
        "three of four match rows are found (m4 expects the wrong entity):\n{out}"
    );
    assert!(
        out.contains("false-positive rate 0.250 (1/4)"),
        "one of four clear rows is flagged (c3, a listed bank):\n{out}"
    );
    let misses = out
        .split_once("misses:")
        .unwrap_or_else(|| panic!("--misses lists the misses:\n{out}"))
        .1;
    let missed: BTreeSet<&str> = misses
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        missed,
        BTreeSet::from(["m4", "c3"]),
        "the misses are exactly m4 and c3:\n{misses}"
    );

    let json = run(&["eval", "--config", &config, "--input", &input, "--json"]).json();
    let overall = &json["overall"];
    for (field, want) in [
        ("matches", 4),
        ("found", 3),
        ("wrong_entity", 1),
        ("clears", 4),
        ("false_positives", 1),
    ] {
        assert_eq!(overall[field], want, "overall.{field}: {overall:#}");
    }
    assert_eq!(json["by_kind"]["exact"]["matches"], 2, "{json:#}");
    assert_eq!(json["by_kind"]["exact"]["found"], 1, "{json:#}");
    assert_eq!(json["by_kind"]["clear"]["false_positives"], 1, "{json:#}");
}

// ---------------------------------------------------------------------------------------------
// errors

#[test]
fn missing_config_file_is_an_error_naming_the_file() {
    let dir = tempdir();
    let missing = dir.path().join("nope.toml").display().to_string();
    let r = run(&["screen", "--config", &missing, "Acme"]);
    let err = r.failed();
    assert!(
        err.contains("nope.toml") && err.contains("cannot read"),
        "names the missing file:\n{err}"
    );
}

#[test]
fn unknown_config_key_is_an_error_naming_the_key() {
    let dir = tempdir();
    let config = write(
        dir.path(),
        "typo.toml",
        "[[source]]\ndataset = \"sample\"\nformat = \"native\"\npath = \"x.jsonl\"\n\n\
         [policy]\nreview_treshold = 0.8\n",
    );
    let err = run(&["screen", "--config", &config, "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("typo.toml") && err.contains("review_treshold"),
        "names the file and the unknown key:\n{err}"
    );

    let config = write(
        dir.path(),
        "source-typo.toml",
        "[[source]]\ndataset = \"sample\"\nformat = \"native\"\npaht = \"x.jsonl\"\n",
    );
    let err = run(&["screen", "--config", &config, "Acme"])
        .failed()
        .to_string();
    assert!(err.contains("paht"), "names the unknown source key:\n{err}");
}

#[test]
fn malformed_source_flag_is_an_error_showing_the_expected_form() {
    let err = run(&["screen", "--source", "ofac-csv/x", "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("ofac-csv/x") && err.contains("FORMAT:DATASET=PATH"),
        "quotes the flag and the expected form:\n{err}"
    );

    let err = run(&["screen", "--source", "ofac-csv:sdn", "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("missing '='"),
        "a flag without '=' is named as such:\n{err}"
    );
}

#[test]
fn unknown_source_format_is_an_error_listing_the_known_ones() {
    let err = run(&["screen", "--source", "xml:foo=list.xml", "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("unknown list format") && err.contains("\"xml\""),
        "names the unknown format:\n{err}"
    );
    assert!(
        err.contains("native") && err.contains("ofac-csv"),
        "lists the known formats:\n{err}"
    );
}

#[test]
fn no_sources_at_all_is_an_error() {
    let err = run(&["screen", "Acme"]).failed().to_string();
    assert!(
        err.contains("no sources") && err.contains("--config") && err.contains("--source"),
        "says how to configure a source:\n{err}"
    );

    let dir = tempdir();
    let empty = write(
        dir.path(),
        "empty.toml",
        "[policy]\ndeny_threshold = 0.95\n",
    );
    let err = run(&["screen", "--config", &empty, "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("no sources"),
        "a config without sources is an error too:\n{err}"
    );
}

#[test]
fn same_dataset_twice_is_an_error() {
    let dir = tempdir();
    let list = write(dir.path(), "own.jsonl", OWN_LIST);
    let config = sample_config();
    let source = format!("native:sample={list}");
    let err = run(&["screen", "--config", &config, "--source", &source, "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("\"sample\"") && err.contains("twice"),
        "names the duplicated dataset:\n{err}"
    );
}

#[test]
fn bad_line_in_a_native_list_is_an_error_naming_file_and_line() {
    let dir = tempdir();
    let unknown_field = write(
        dir.path(),
        "typo.jsonl",
        "{\"id\": \"1\", \"name\": \"Acme\"}\n{\"id\": \"2\", \"nme\": \"Beta\"}\n",
    );
    let source = format!("native:mylist={unknown_field}");
    let err = run(&["screen", "--source", &source, "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("typo.jsonl:2") && err.contains("nme"),
        "names the file, the line and the field:\n{err}"
    );
    assert!(
        err.contains("mylist"),
        "names the dataset being loaded:\n{err}"
    );

    let not_json = write(
        dir.path(),
        "broken.jsonl",
        "{\"id\": \"1\", \"name\": \"Acme\"}\n\n{\"id\": \"2\", \"name\"\n",
    );
    let source = format!("native:mylist={not_json}");
    let err = run(&["screen", "--source", &source, "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("broken.jsonl:3"),
        "a line that is not JSON is named by its line, counting blank lines:\n{err}"
    );
}

#[test]
fn batch_input_without_name_column_is_an_error() {
    let dir = tempdir();
    let input = write(dir.path(), "parties.csv", "id,nom,country\n1,Acme,US\n");
    let output = dir.path().join("out.jsonl");
    let config = sample_config();
    let out_arg = output.display().to_string();
    let err = run(&[
        "batch", "--config", &config, "--input", &input, "--output", &out_arg,
    ])
    .failed()
    .to_string();
    assert!(
        err.contains("parties.csv") && err.contains("`name`"),
        "names the file and the missing column:\n{err}"
    );
    assert!(!output.exists(), "no output file after a bad input");
}

#[test]
fn batch_input_with_unknown_country_is_an_error_naming_the_line() {
    let dir = tempdir();
    let input = write(
        dir.path(),
        "parties.csv",
        "id,name,country\n1,Acme,US\n2,Beta,Singapore\n3,Gamma,Atlantis\n4,Delta,DE\n",
    );
    let output = dir.path().join("out.jsonl");
    let config = sample_config();
    let out_arg = output.display().to_string();
    let err = run(&[
        "batch", "--config", &config, "--input", &input, "--output", &out_arg,
    ])
    .failed()
    .to_string();
    assert!(
        err.contains("parties.csv:4") && err.contains("Atlantis"),
        "names the file, the line (4: header is line 1) and the value:\n{err}"
    );
    assert!(
        !output.exists(),
        "the whole input is validated first: no output file after a bad row"
    );
}

#[test]
fn unknown_type_is_an_error() {
    let config = sample_config();
    let err = run(&["screen", "--config", &config, "--type", "robot", "Acme"])
        .failed()
        .to_string();
    assert!(
        err.contains("--type") && err.contains("robot"),
        "names the flag and the value:\n{err}"
    );
    assert!(err.contains("person"), "lists the accepted types:\n{err}");

    let err = run(&[
        "screen",
        "--config",
        &config,
        "--country",
        "Atlantis",
        "Acme",
    ])
    .failed()
    .to_string();
    assert!(
        err.contains("--country") && err.contains("Atlantis"),
        "an unknown --country is an error too:\n{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// person facts, near misses, bounded input

#[test]
fn screen_dob_and_nationality_flags_confirm_or_contradict_a_person() {
    let same = screen_json(
        &["--dob", "1962-11-23", "--nationality", "Venezuela"],
        "Nicolas Maduro",
    );
    assert_eq!(same["decision"], "deny", "{same:#}");
    let text = hit(&same, "sample:sdn-nicolas-maduro").unwrap()["explanation"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("date of birth 1962-11-23 matches listed"),
        "{text}"
    );
    // Repeatable and `;`-separated; one agreeing nationality is enough.
    let other = screen_json(
        &[
            "--dob",
            "1990",
            "--nationality",
            "TR;DE",
            "--nationality",
            "VE",
        ],
        "Nicolas Maduro",
    );
    assert_eq!(other["decision"], "review", "{other:#}");
    let other = screen_json(&["--dob", "1990", "--nationality", "TR"], "Nicolas Maduro");
    assert_eq!(other["decision"], "allow", "{other:#}");

    let config = sample_config();
    for (flag, value) in [("--dob", "23 Nov 1962"), ("--nationality", "Atlantis")] {
        let err = run(&["screen", "--config", &config, flag, value, "Nicolas Maduro"])
            .failed()
            .to_string();
        assert!(err.contains(flag) && err.contains(value), "{err}");
    }
}

#[test]
fn screen_explain_lists_near_misses_with_why_they_fell_short() {
    // "Petrov" stands where a given name goes, so it is not taken for a middle name the list
    // leaves out: the listed Deripaska stays under the reporting floor.
    let config = sample_config();
    let out = run(&[
        "screen",
        "--config",
        &config,
        "--explain",
        "--dob",
        "1990",
        "Petrov Oleg Deripaskin",
    ])
    .ok()
    .to_string();
    assert!(out.starts_with("decision: allow"), "{out}");
    let (_, misses) = out
        .split_once("near misses (below the review threshold 0.85, down to 0.50):")
        .unwrap_or_else(|| panic!("no near-miss section:\n{out}"));
    assert!(misses.contains("sample:sdn-oleg-deripaska"), "{out}");
    assert!(
        misses.contains("fell short: query words not in the name: petrov")
            && misses.contains("deripaskin~deripaska")
            && misses.contains("date of birth 1990 disjoint from listed 1968-01-02 (x0.88)"),
        "{out}"
    );
    // Without --explain the screening is the same and no near misses are shown.
    let plain = run(&[
        "screen",
        "--config",
        &config,
        "--dob",
        "1990",
        "Petrov Oleg Deripaskin",
    ])
    .ok()
    .to_string();
    assert!(
        !plain.contains("near misses") && !plain.contains("deripaska"),
        "{plain}"
    );
    // JSON: the result and the near misses beside it.
    let json = run(&[
        "screen",
        "--config",
        &config,
        "--explain",
        "--json",
        "--dob",
        "1990",
        "Petrov Oleg Deripaskin",
    ])
    .json();
    assert_eq!(json["result"]["decision"], "allow");
    let misses = json["near_misses"].as_array().unwrap();
    assert_eq!(misses[0]["hit"]["entity_id"], "sample:sdn-oleg-deripaska");
    assert!(misses[0]["shortfall"].as_str().unwrap().contains("petrov"));
}

#[test]
fn a_name_over_512_characters_is_refused() {
    let config = sample_config();
    let long = "Acme ".repeat(103);
    let err = run(&["screen", "--config", &config, long.trim_end()])
        .failed()
        .to_string();
    assert!(err.contains("longer than 512 characters"), "{err}");
}

#[test]
fn batch_dob_and_nationality_columns() {
    let dir = tempdir();
    let input = write(
        dir.path(),
        "parties.csv",
        "id,name,type,dob,nationality\n\
         1,Nicolas Maduro,person,1962-11-23,Venezuela\n\
         2,Nicolas Maduro,person,1990,TR;DE\n",
    );
    let output = dir.path().join("out.jsonl");
    let config = sample_config();
    let out_arg = output.display().to_string();
    run(&[
        "batch", "--config", &config, "--input", &input, "--output", &out_arg,
    ])
    .ok();
    let lines: Vec<Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["decision"], "deny");
    assert_eq!(lines[1]["decision"], "allow");

    let bad = write(
        dir.path(),
        "bad.csv",
        "id,name,dob\n1,A,1962\n2,B,1962-02-30\n",
    );
    let err = run(&[
        "batch", "--config", &config, "--input", &bad, "--output", &out_arg,
    ])
    .failed()
    .to_string();
    assert!(
        err.contains("bad.csv:3") && err.contains("field `dob`"),
        "{err}"
    );
}

/// A 100 KB name is refused, naming its line, before anything is screened: no output file,
/// and the error does not repeat the name.
#[test]
fn batch_refuses_a_huge_name_before_screening() {
    let dir = tempdir();
    let huge = "x".repeat(100 * 1024);
    let input = write(
        dir.path(),
        "parties.csv",
        &format!("id,name\n1,Acme Trading\n2,{huge}\n3,Banco Nacional de Cuba\n"),
    );
    let output = dir.path().join("out.jsonl");
    let config = sample_config();
    let out_arg = output.display().to_string();
    let err = run(&[
        "batch", "--config", &config, "--input", &input, "--output", &out_arg,
    ])
    .failed()
    .to_string();
    assert!(
        err.contains("parties.csv:3") && err.contains("longer than 512 characters"),
        "{err}"
    );
    assert!(
        err.len() < 1000,
        "the error repeats the name: {} bytes",
        err.len()
    );
    assert!(!output.exists());
    assert!(!dir.path().join("out.jsonl.partial").exists());
}
