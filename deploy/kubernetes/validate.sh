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
#    that parses, and names and selectors that refer to objects that exist (ConfigMap, PVC,
#    Deployment, pod labels);
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
    python3 -m venv "$venv"
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

# A service config embedded in a ConfigMap must at least be TOML (tomllib: Python 3.11+).
try:
    import tomllib
except ImportError:
    tomllib = None
for name, doc in docs:
    if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and tomllib:
        for key, text in (doc.get("data") or {}).items():
            if key.endswith(".toml"):
                try:
                    tomllib.loads(text)
                except tomllib.TOMLDecodeError as e:
                    fail(f"{name}: {key} is not valid TOML: {e}")

# References between the objects, which no schema sees.
by_kind = {}
for name, doc in docs:
    if isinstance(doc, dict) and "kind" in doc:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc


def pod_specs():
    for d in by_kind.get("Deployment", {}).values():
        yield "Deployment/" + d["metadata"]["name"], d["spec"]["template"]["spec"]
    for c in by_kind.get("CronJob", {}).values():
        yield "CronJob/" + c["metadata"]["name"], c["spec"]["jobTemplate"]["spec"]["template"]["spec"]


for owner, spec in pod_specs():
    for volume in spec.get("volumes", []):
        if "configMap" in volume and volume["configMap"]["name"] not in by_kind.get("ConfigMap", {}):
            fail(f"{owner}: volume {volume['name']} names a missing ConfigMap")
        pvc = volume.get("persistentVolumeClaim")
        if pvc and pvc["claimName"] not in by_kind.get("PersistentVolumeClaim", {}):
            fail(f"{owner}: volume {volume['name']} names a missing PersistentVolumeClaim")
    volumes = {v["name"] for v in spec.get("volumes", [])}
    for c in spec.get("initContainers", []) + spec["containers"]:
        for mount in c.get("volumeMounts", []):
            if mount["name"] not in volumes:
                fail(f"{owner}: container {c['name']} mounts undeclared volume {mount['name']}")

deployments = by_kind.get("Deployment", {})
if not deployments:
    fail("no Deployment")
for d in deployments.values():
    labels = d["spec"]["template"]["metadata"]["labels"]
    ports = {p["name"] for c in d["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
    selector = d["spec"]["selector"]["matchLabels"]
    if any(labels.get(k) != v for k, v in selector.items()):
        fail(f"Deployment/{d['metadata']['name']}: selector does not match its pod labels")

    def selects(sel, what):
        if not sel or any(labels.get(k) != v for k, v in sel.items()):
            fail(f"{what}: selector {sel} does not select the Deployment's pods")

    for s in by_kind.get("Service", {}).values():
        what = f"Service/{s['metadata']['name']}"
        selects(s["spec"].get("selector"), what)
        for p in s["spec"]["ports"]:
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in ports:
                fail(f"{what}: targetPort {p['targetPort']} is no container port")
    for kind in ("PodDisruptionBudget", "NetworkPolicy"):
        for o in by_kind.get(kind, {}).values():
            key = "podSelector" if kind == "NetworkPolicy" else "selector"
            selects(o["spec"][key].get("matchLabels"), f"{kind}/{o['metadata']['name']}")
for h in by_kind.get("HorizontalPodAutoscaler", {}).values():
    if h["spec"]["scaleTargetRef"]["name"] not in deployments:
        fail(f"HorizontalPodAutoscaler/{h['metadata']['name']}: scales a missing Deployment")

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
