#!/usr/bin/env bash
# Validates the Kubernetes manifests offline, as CI runs it:
#
#   deploy/kubernetes/validate.sh [DIR]      (DIR defaults to this script's directory)
#
# 1. installs kubernetes-validate (pinned in validate-requirements.txt) from PyPI into a venv
#    under ${TMPDIR:-/tmp}, reused while the pins are unchanged; the schemas ship inside the
#    package, so validation itself needs no network;
# 2. checks that kustomization.yaml lists every manifest in DIR and nothing else;
# 3. validates every document in strict mode (unknown fields are errors, and so is a kind or
#    apiVersion the schemas do not know) against each version in $KUBERNETES_VERSIONS;
# 4. checks what schemas cannot: no hard-coded namespace, the common label, TOML in ConfigMaps
#    that parses (alone, and clearance.toml with each other section file appended), and names
#    and selectors that refer to objects that exist (ConfigMap, PVC, volume claim templates,
#    the workloads' pod labels and ports, a StatefulSet's Service), with no workload selecting
#    another's pods;
# 5. renders the kustomization with `kubectl kustomize` when kubectl is installed.
#
# Exits non-zero when any check fails.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dir="$(cd "${1:-$here}" && pwd)"
requirements="$here/validate-requirements.txt"
# The oldest release still in common support on managed clusters, and the newest the
# validator bundles. Native gRPC probes need 1.27 or later.
versions="${KUBERNETES_VERSIONS:-1.31 1.37}"

pins="$(sha256sum "$requirements" | cut -c1-12)"
venv="${TMPDIR:-/tmp}/clearance-kubernetes-validate-$pins"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import kubernetes_validate' 2>/dev/null; then
    rm -rf "$venv"
    # Debian and Ubuntu ship venv (with ensurepip) separately.
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        else
            echo "validate.sh: python3 -m venv failed; install python3-venv" >&2
            exit 1
        fi
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
fi

"$venv/bin/python" - "$dir" $versions <<'PY'
import pathlib
import sys

import kubernetes_validate
import yaml

root = pathlib.Path(sys.argv[1])
versions = sys.argv[2:]
errors = []


def fail(message):
    errors.append(message)
    print("FAIL", message)


# The kustomization lists exactly the manifests beside it.
kustomization = yaml.safe_load((root / "kustomization.yaml").read_text())
listed = kustomization.get("resources") or []
present = sorted(p.name for p in root.glob("*.yaml") if p.name != "kustomization.yaml")
for name in sorted(set(present) - set(listed)):
    fail(f"kustomization.yaml: {name} is not listed in resources")
for name in sorted(set(listed) - set(present)):
    fail(f"kustomization.yaml: lists {name}, which does not exist")
if len(listed) != len(set(listed)):
    fail("kustomization.yaml: a resource is listed twice")

docs = []
for name in present:
    try:
        loaded = [d for d in yaml.safe_load_all((root / name).read_text()) if d]
    except yaml.YAMLError as e:
        fail(f"{name}: not YAML: {e}")
        continue
    if not loaded:
        fail(f"{name}: no documents")
    docs += [(name, d) for d in loaded]

for name, doc in docs:
    if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
        fail(f"{name}: a document without kind/apiVersion")
        continue
    what = f"{name}: {doc['kind']}/{doc.get('metadata', {}).get('name')}"
    for version in versions:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = ".".join(str(p) for p in e.path) or "(top level)"
            fail(f"{what} against {version}: {path}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            fail(f"{what}: {e.message}")
        except Exception as e:  # an unsupported version, a broken schema: never a pass
            fail(f"{what} against {version}: {type(e).__name__}: {e}")
    meta = doc.get("metadata") or {}
    if "namespace" in meta:
        fail(f"{what}: hard-codes namespace {meta['namespace']!r}")
    if (meta.get("labels") or {}).get("app.kubernetes.io/name") != "clearance":
        fail(f"{what}: lacks the label app.kubernetes.io/name: clearance")

# A service config embedded in a ConfigMap must at least be TOML (tomllib: Python 3.11+),
# and so must clearance.toml with each other section file appended, as the monitoring
# StatefulSet's init container appends monitoring.toml.
try:
    import tomllib
except ImportError:
    tomllib = None
for name, doc in docs:
    if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and tomllib:
        data = doc.get("data") or {}
        for key, text in data.items():
            if key.endswith(".toml"):
                try:
                    tomllib.loads(text)
                except tomllib.TOMLDecodeError as e:
                    fail(f"{name}: {key} is not valid TOML: {e}")
        base = data.get("clearance.toml")
        for key, text in data.items():
            if base is not None and key.endswith(".toml") and key != "clearance.toml":
                try:
                    tomllib.loads(base + "\n" + text)
                except tomllib.TOMLDecodeError as e:
                    fail(f"{name}: clearance.toml followed by {key} is not valid TOML: {e}")

# References between the objects, which no schema sees.
by_kind = {}
for name, doc in docs:
    if isinstance(doc, dict) and "kind" in doc:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc

# The workloads whose pods the Services, budgets and policies may select.
workloads = {}
for kind in ("Deployment", "StatefulSet"):
    for d in by_kind.get(kind, {}).values():
        workloads[f"{kind}/{d['metadata']['name']}"] = d


def pod_specs():
    for what, d in workloads.items():
        yield what, d["spec"]["template"]["spec"], d["spec"].get("volumeClaimTemplates", [])
    for c in by_kind.get("CronJob", {}).values():
        yield "CronJob/" + c["metadata"]["name"], c["spec"]["jobTemplate"]["spec"]["template"]["spec"], []


for owner, spec, claim_templates in pod_specs():
    for volume in spec.get("volumes", []):
        if "configMap" in volume and volume["configMap"]["name"] not in by_kind.get("ConfigMap", {}):
            fail(f"{owner}: volume {volume['name']} names a missing ConfigMap")
        pvc = volume.get("persistentVolumeClaim")
        if pvc and pvc["claimName"] not in by_kind.get("PersistentVolumeClaim", {}):
            fail(f"{owner}: volume {volume['name']} names a missing PersistentVolumeClaim")
    volumes = {v["name"] for v in spec.get("volumes", [])}
    claims = {t["metadata"]["name"] for t in claim_templates}
    for clash in sorted(volumes & claims):
        fail(f"{owner}: {clash} is both a volume and a volumeClaimTemplate")
    for c in spec.get("initContainers", []) + spec["containers"]:
        for mount in c.get("volumeMounts", []):
            if mount["name"] not in volumes | claims:
                fail(f"{owner}: container {c['name']} mounts undeclared volume {mount['name']}")

if not by_kind.get("Deployment"):
    fail("no Deployment")


def labels_of(workload):
    return workload["spec"]["template"]["metadata"]["labels"]


def selected(sel):
    """The workloads whose pods the label selector `sel` selects."""
    if not sel:
        return []
    return [w for w, d in workloads.items() if all(labels_of(d).get(k) == v for k, v in sel.items())]


for what, d in workloads.items():
    selector = d["spec"]["selector"]["matchLabels"]
    # Its own pods and no other workload's: two controllers must never fight over a pod.
    if selected(selector) != [what]:
        fail(f"{what}: selector {selector} selects the pods of {selected(selector)}")

for s in by_kind.get("Service", {}).values():
    what = f"Service/{s['metadata']['name']}"
    targets = selected(s["spec"].get("selector"))
    if not targets:
        fail(f"{what}: selector {s['spec'].get('selector')} selects no workload's pods")
    for target in targets:
        spec = workloads[target]["spec"]["template"]["spec"]
        ports = {p["name"] for c in spec["containers"] for p in c.get("ports", [])}
        for p in s["spec"]["ports"]:
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in ports:
                fail(f"{what}: targetPort {p['targetPort']} is no container port of {target}")
for kind in ("PodDisruptionBudget", "NetworkPolicy"):
    for o in by_kind.get(kind, {}).values():
        key = "podSelector" if kind == "NetworkPolicy" else "selector"
        if not selected(o["spec"][key].get("matchLabels")):
            fail(f"{kind}/{o['metadata']['name']}: selects no workload's pods")
for st in by_kind.get("StatefulSet", {}).values():
    what = f"StatefulSet/{st['metadata']['name']}"
    governing = by_kind.get("Service", {}).get(st["spec"].get("serviceName"))
    if governing is None:
        fail(f"{what}: serviceName {st['spec'].get('serviceName')!r} names no Service")
    elif what not in selected(governing["spec"].get("selector")):
        fail(f"{what}: its Service {st['spec']['serviceName']} does not select its pods")
for h in by_kind.get("HorizontalPodAutoscaler", {}).values():
    ref = h["spec"]["scaleTargetRef"]
    if f"{ref['kind']}/{ref['name']}" not in workloads:
        fail(f"HorizontalPodAutoscaler/{h['metadata']['name']}: scales a missing {ref['kind']}")

if errors:
    print(f"{len(errors)} problem(s) in {root}")
    sys.exit(1)
print(f"ok: {len(docs)} objects in {len(present)} files, strict schemas of Kubernetes "
      f"{', '.join(versions)} (kubernetes-validate {kubernetes_validate.__version__})")
PY

if command -v kubectl >/dev/null; then
    kubectl kustomize "$dir" >/dev/null
    echo "ok: kubectl kustomize renders $dir"
else
    echo "skipped: kubectl kustomize (kubectl not installed)"
fi
