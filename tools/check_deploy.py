#!/usr/bin/python3
"""Offline checks of deploy/: the Kubernetes manifests against the Kubernetes API's own object schemas, and the
Dockerfile and manifests against what `densenet serve` needs. Called by tools/lint-deploy.sh after yamllint.

No cluster and no network: the schemas are the typed models of Debian's python3-kubernetes (Kubernetes API 1.22:
autoscaling/v2 is checked against v2beta2, whose fields are the same for what the manifest uses). Each object is
walked field by field: an unknown field, a value of the wrong type or a missing required field is an error. KServe's
InferenceService has no schema here; its predictor is checked as KServe defines it, a pod spec plus KServe's own
fields, with each container a core v1 Container.

Usage: /usr/bin/python3 tools/check_deploy.py deploy   (exit 1 with one line per problem)
"""
import json
import re
import sys
from pathlib import Path

import yaml
from kubernetes import client

PORT = 8080
URLS = f"http://0.0.0.0:{PORT}"
LIVE, READY = "/v2/health/live", "/v2/health/ready"

MODELS = {
    ("apps/v1", "Deployment"): "V1Deployment",
    ("v1", "Service"): "V1Service",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "V2beta2HorizontalPodAutoscaler",
}
# KServe v1beta1 PredictorSpec's own fields besides the pod spec's (ComponentExtensionSpec and the model frameworks).
KSERVE_PREDICTOR = {"minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "containerConcurrency", "timeout",
                    "canaryTrafficPercent", "logger", "batcher", "labels", "annotations", "model"}

problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def check(value, type_name, where):
    """Checks value against the client's type name ('V1PodSpec', 'list[V1Container]', 'dict(str, str)', 'int', ...)."""
    if type_name.startswith("list["):
        if not isinstance(value, list):
            return problem(where, f"expected a list, got {type(value).__name__}")
        for i, item in enumerate(value):
            check(item, type_name[5:-1], f"{where}[{i}]")
    elif type_name.startswith("dict("):
        if not isinstance(value, dict):
            return problem(where, f"expected a map, got {type(value).__name__}")
        inner = re.match(r"dict\(([^,]*), (.*)\)", type_name).group(2)
        for key, item in value.items():
            check(item, inner, f"{where}.{key}")
    elif type_name in ("str", "int", "bool", "float", "object", "datetime"):
        expected = {"str": str, "int": int, "bool": bool, "float": (int, float), "datetime": str, "object": object}[type_name]
        if not isinstance(value, expected) or (type_name == "int" and isinstance(value, bool)):
            problem(where, f"expected {type_name}, got {json.dumps(value)}")
    else:
        model = getattr(client, type_name)
        if not isinstance(value, dict):
            return problem(where, f"expected an object ({type_name}), got {type(value).__name__}")
        by_json = {json_name: python_name for python_name, json_name in model.attribute_map.items()}
        for key, item in value.items():
            if key not in by_json:
                problem(where, f"unknown field '{key}' for {type_name}")
            else:
                check(item, model.openapi_types[by_json[key]], f"{where}.{key}")
        # The model's constructor refuses a missing required field (client-side validation).
        try:
            model(**{by_json[k]: v for k, v in value.items() if k in by_json})
        except ValueError as e:
            problem(where, str(e))


def container_port(container, port):
    """The number a probe's or service's port names (a number or a container port's name)."""
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in container.get("ports", []) if p.get("name") == port), None)


def check_container(container, where):
    args = container.get("args", [])
    if "--urls" not in args or args[args.index("--urls") + 1] != URLS:
        problem(where, f"args must bind every interface with --urls {URLS} (serve binds loopback by default)")
    for probe, path in (("livenessProbe", LIVE), ("readinessProbe", READY), ("startupProbe", READY)):
        if probe not in container:
            if probe != "startupProbe":
                problem(where, f"has no {probe}")
            continue
        get = container[probe].get("httpGet", {})
        if get.get("path") != path or container_port(container, get.get("port")) != PORT:
            problem(where, f"{probe} must GET {path} on port {PORT}")
    if PORT not in [p.get("containerPort") for p in container.get("ports", [])]:
        problem(where, f"does not declare container port {PORT}")


def check_manifest(path):
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    by_kind = {}
    for i, doc in enumerate(docs):
        where = f"{path}#{i} {doc.get('kind')}"
        api, kind = doc.get("apiVersion"), doc.get("kind")
        by_kind[kind] = doc
        if (api, kind) in MODELS:
            check(doc, MODELS[(api, kind)], where)
        elif (api, kind) == ("serving.kserve.io/v1beta1", "InferenceService"):
            check(doc.get("metadata"), "V1ObjectMeta", f"{where}.metadata")
            predictor = doc.get("spec", {}).get("predictor")
            if not isinstance(predictor, dict) or set(doc["spec"]) - {"predictor", "transformer", "explainer"}:
                problem(where, "spec must hold a predictor (and only KServe's components)")
                continue
            pod = {k: v for k, v in predictor.items() if k not in KSERVE_PREDICTOR}
            check(pod, "V1PodSpec", f"{where}.spec.predictor")
            containers = predictor.get("containers", [])
            if [c.get("name") for c in containers][:1] != ["kserve-container"]:
                problem(where, "the predictor's serving container must be named kserve-container")
        else:
            problem(where, f"no schema for {api} {kind}")
            continue
        for c, container in enumerate(pod_spec(doc).get("containers", [])):
            check_container(container, f"{where} container {c}")
    if "Deployment" in by_kind:
        spec = by_kind["Deployment"]["spec"]
        if not pod_spec(by_kind["Deployment"]).get("securityContext", {}).get("runAsNonRoot"):
            problem(path, "the Deployment's pods must set runAsNonRoot")
        labels = spec["template"]["metadata"]["labels"]
        if "Service" in by_kind:
            service = by_kind["Service"]["spec"]
            if any(labels.get(k) != v for k, v in service["selector"].items()):
                problem(path, "the Service's selector does not match the Deployment's pods")
            container = pod_spec(by_kind["Deployment"])["containers"][0]
            if any(container_port(container, p["targetPort"]) != PORT for p in service["ports"]):
                problem(path, f"the Service must target port {PORT}")
        if "HorizontalPodAutoscaler" in by_kind:
            target = by_kind["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
            if (target.get("kind"), target.get("name")) != ("Deployment", by_kind["Deployment"]["metadata"]["name"]):
                problem(path, "the HorizontalPodAutoscaler does not scale the Deployment")


def pod_spec(doc):
    spec = doc.get("spec", {})
    return spec.get("template", {}).get("spec") or spec.get("predictor") or {}


def check_dockerfile(path):
    # Instructions with their continuation lines joined, comments dropped.
    text = re.sub(r"\\\n", " ", "\n".join(l for l in path.read_text().splitlines() if not l.lstrip().startswith("#")))
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    stages = [i for i, l in enumerate(lines) if l.upper().startswith("FROM ")]
    for i in stages:
        image = lines[i].split()[1]
        if ":" not in image or image.endswith(":latest"):
            problem(path, f"base image '{image}' must name a version tag")
    final = lines[stages[-1]:]
    words = {l.split()[0].upper(): l.split(None, 1)[1] for l in final}
    if words.get("USER", "root").split(":")[0] in ("root", "0"):
        problem(path, "the final stage must run as a non-root USER")
    if str(PORT) not in words.get("EXPOSE", "").split():
        problem(path, f"the final stage must EXPOSE {PORT}")
    entrypoint, cmd = json.loads(words.get("ENTRYPOINT", "[]")), json.loads(words.get("CMD", "[]"))
    if entrypoint[-1:] != ["serve"] or cmd != ["--urls", URLS]:
        problem(path, f"must run densenet serve (exec form) with --urls {URLS} by default")


def main(folder):
    folder = Path(folder)
    check_dockerfile(folder / "Dockerfile")
    for manifest in sorted((folder / "kubernetes").glob("*.yaml")):
        check_manifest(manifest)
    for line in problems:
        print(line)
    print(f"deploy: {len(problems)} problem(s) in the Dockerfile and {len(list((folder / 'kubernetes').glob('*.yaml')))} manifests")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "deploy"))
