#!/usr/bin/env bash
# Install everything radiogenomics needs, idempotently and without a TTY.
#
#   1. Debian R packages (only the missing ones; apt-get update first),
#   2. a virtual environment at .venv,
#   3. torch==2.13.0 first (local CPU wheel), then the pinned dependencies
#      (requirements/constraints.txt), then pyradiomics 3.0.1 with
#      --no-build-isolation as a separate last step,
#   4. FMCIB's reference code with --no-deps (tests compare our encoder with it),
#   5. the package itself in editable mode.
#
# A stamp file records the hash of the inputs: a second run with nothing
# changed only checks the apt packages and returns in seconds.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV="$ROOT/.venv"

APT_PACKAGES=(
  r-base-core r-base-dev r-cran-rms r-cran-survival r-bioc-deseq2 r-bioc-limma
  r-cran-glmnet r-cran-proc r-cran-th.data r-bioc-org.hs.eg.db r-cran-maxstat
  r-cran-cmprsk r-cran-riskregression
  chromium chromium-driver libgl1 libglib2.0-0
)

log() { printf '[setup] %s\n' "$*"; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
  else
    SUDO=
  fi
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian R packages present"
fi

STAMP="$VENV/.radiogenomics-setup"
want="$(cat scripts/setup.sh requirements/requirements.in requirements/constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
  log "virtual environment up to date ($VENV)"
  exit 0
fi

[ -x "$VENV/bin/python" ] || { log "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
PIP=(pip_quiet install --quiet)
# pip warns about every machine-level find-links folder that does not exist; drop that noise
pip_quiet() { "$VENV/bin/python" -m pip "$@" 2> >(grep -v "^WARNING: Location '" >&2); }
"${PIP[@]}" --upgrade "pip==25.3" "setuptools==80.9.0" "wheel==0.45.1"
log "installing torch 2.13.0 (CPU wheel)"
"${PIP[@]}" "torch==2.13.0"
log "installing pinned dependencies"
"${PIP[@]}" -r requirements/requirements.in -c requirements/constraints.txt
log "installing pyradiomics 3.0.1 (--no-build-isolation)"
"${PIP[@]}" --no-build-isolation --no-deps "pyradiomics==3.0.1"
# FMCIB's reference code (tests/test_foundation.py compares against it). Its declared
# dependencies (wandb, google-cloud-storage, pinned scipy, ...) are not needed for the parts
# the tests run and would downgrade ours, hence --no-deps; its weights are never downloaded.
log "installing foundation-cancer-image-biomarker 1.0.0 (--no-deps, reference for tests)"
"${PIP[@]}" --no-deps "foundation-cancer-image-biomarker==1.0.0"
log "installing radiogenomics (editable)"
"${PIP[@]}" --no-deps --no-build-isolation -e .
echo "$want" > "$STAMP"
log "done: activate with 'source .venv/bin/activate'"
