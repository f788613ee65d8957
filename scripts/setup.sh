#!/usr/bin/env bash
# Idempotent machine set-up for Utväg Hub on Debian 12 (Swift already installed).
# Installs only what is missing; fast when everything is present.
set -euo pipefail

APT_PACKAGES=(libzmq3-dev libxml2-dev zlib1g-dev pkg-config libsqlite3-dev postgresql chromium chromium-driver e2fsprogs mount iproute2 kmod)
mapfile -t PIP_PACKAGES < <(grep -v -e "^#" -e "^[[:space:]]*$" "$(dirname "$0")/requirements.txt")

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "setup: not root and sudo is missing; install as root: ${APT_PACKAGES[*]}" >&2
    fi
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v python3 >/dev/null 2>&1; then
    echo "setup: installing python3"
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-pip
fi

if ! python3 -c 'import zmq, selenium, pytest, aiosmtpd, icalendar, schemathesis' >/dev/null 2>&1; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        echo "setup: installing python3-pip"
        "${SUDO[@]}" apt-get update -q
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pip
    fi
    echo "setup: installing ${PIP_PACKAGES[*]} with pip"
    # Debian 12 marks the system Python as externally managed (PEP 668); fall back
    # to --break-system-packages only if pip refuses the plain install.
    piplog="$(mktemp)"
    if ! "${SUDO[@]}" python3 -m pip install --quiet "${PIP_PACKAGES[@]}" 2>"$piplog"; then
        if grep -qi 'externally-managed' "$piplog"; then
            "${SUDO[@]}" python3 -m pip install --quiet --break-system-packages "${PIP_PACKAGES[@]}"
        else
            cat "$piplog" >&2
            rm -f "$piplog"
            exit 1
        fi
    fi
    rm -f "$piplog"
    python3 -c 'import zmq, selenium, pytest, aiosmtpd, icalendar, schemathesis'
fi

# axe-core for the accessibility test: the PyPI package axe-playwright-python carries a current
# axe.min.js; the test injects it with Selenium, so Playwright itself (its dependency) is not needed.
AXE_PACKAGE="axe-playwright-python==0.1.8"
if ! python3 -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("axe_playwright_python") else 1)' 2>/dev/null; then
    echo "setup: installing $AXE_PACKAGE (without dependencies) with pip"
    "${SUDO[@]}" python3 -m pip install --quiet --no-deps "$AXE_PACKAGE" 2>/dev/null \
        || "${SUDO[@]}" python3 -m pip install --quiet --no-deps --break-system-packages "$AXE_PACKAGE"
fi

# A real FHIR R4 validator for the psychiatry adapter's resources: fhir.resources 6.5 (whose
# models are R4 4.0.1) needs pydantic 1, so it lives in its own virtual environment and
# does not disturb the system's Python packages.
FHIR_VENV="${HUB_FHIR_VENV:-$(cd "$(dirname "$0")/.." && pwd)/.build-venv-fhir}"
if ! "$FHIR_VENV/bin/python" -c 'import fhir.resources.capabilitystatement' >/dev/null 2>&1; then
    echo "setup: making $FHIR_VENV (fhir.resources 6.5.0, FHIR R4)"
    python3 -m venv "$FHIR_VENV"
    "$FHIR_VENV/bin/pip" install --quiet "fhir.resources==6.5.0" "pydantic>=1.10,<2"
    "$FHIR_VENV/bin/python" -c 'import fhir.resources.capabilitystatement'
fi

echo "setup: ok"
