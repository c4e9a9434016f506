#!/usr/bin/env bash
# Lints deploy/ offline (no Docker, no cluster, no network beyond Debian's packages): yamllint on the Kubernetes
# manifests, then tools/check_deploy.py, which checks them against the Kubernetes API's object schemas (Debian's
# python3-kubernetes models) and the Dockerfile and manifests against what `densenet serve` needs (non-root, port
# 8080 on every interface, the /v2/health/live and /v2/health/ready probes). hadolint and kubeconform are not
# packaged in Debian. Installs yamllint and python3-kubernetes with apt-get when they are missing (CI runs as root).
# Exit 0 when clean; otherwise one line per problem and exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v yamllint >/dev/null || ! /usr/bin/python3 -c 'import kubernetes, yaml' 2>/dev/null; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yamllint python3-kubernetes >/dev/null
fi

yamllint --strict -c deploy/.yamllint deploy/kubernetes
/usr/bin/python3 tools/check_deploy.py deploy
