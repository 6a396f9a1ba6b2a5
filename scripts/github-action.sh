#!/usr/bin/env bash
# The two steps of the iaclint GitHub Action (action.yml), kept out of the YAML so
# that they can be read, shellchecked and tested (tests/test_action.py):
#
#   github-action.sh install   virtual environment under $RUNNER_TEMP with iaclint
#                              from the action's own checkout; step output `python`
#   github-action.sh scan      one `iaclint scan` built from the INPUT_* variables;
#                              step outputs `exit-code` and `sarif-file`
#
# Inputs only ever become single array elements: nothing is eval'd or word-split, so
# a path with spaces stays one path and no input can run a command. Multi-value
# inputs (paths, args) take one item per line. Written for bash 3.2 (macOS) too.
set -euo pipefail

# Runs iaclint without the working directory on sys.path: `python -m linter.cli`
# would put the scanned repository first, and a `linter/` package there would be
# imported instead of iaclint (the README promises scanned code is never imported).
LAUNCHER='import sys; sys.path[:] = [p for p in sys.path if p not in ("", ".")]
from linter.cli import main; sys.exit(main(sys.argv[1:]))'

die() {
    echo "::error title=iaclint action::$*"
    exit 2
}

set_output() {  # NAME VALUE, in the multi-line form, so no value can add an output
    local delimiter="ghadelimiter_${RANDOM}${RANDOM}${RANDOM}"
    printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_OUTPUT"
}

lines() {  # each non-blank line of $1, trimmed, NUL-terminated
    local line
    while IFS= read -r line || [[ -n "$line" ]]; do
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line%"${line##*[![:space:]]}"}"
        if [[ -n "$line" ]]; then printf '%s\0' "$line"; fi
    done <<<"$1"
}

install() {
    local python
    if [[ -n "${IACLINT_ACTION_PYTHON:-}" ]]; then
        # An interpreter that already has iaclint: the action's own tests, offline.
        python=$IACLINT_ACTION_PYTHON
    else
        local base=${INPUT_PYTHON:-python3}
        local venv="$RUNNER_TEMP/iaclint-venv"
        if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            die "iaclint needs Python 3.10 or later and '$base' is not; add actions/setup-python before this action or set its 'python' input"
        fi
        "$base" -m venv "$venv"
        python="$venv/bin/python"
        if [[ ! -x "$python" ]]; then
            python="$venv/Scripts/python.exe"  # Windows
        fi
        "$python" -m pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"
    fi
    "$python" -c "$LAUNCHER" --version
    set_output python "$python"
}

scan() {
    local python=${IACLINT_PYTHON:-}
    if [[ -z "$python" ]]; then
        die "no interpreter from the install step"
    fi
    local -a cmd=(scan --format "${INPUT_FORMAT:-github}")
    case "${INPUT_SOFT_FAIL:-false}" in
        true | True | TRUE) cmd+=(--soft-fail) ;;
        false | False | FALSE | "") ;;
        *) die "soft-fail must be true or false, not '${INPUT_SOFT_FAIL}'" ;;
    esac
    if [[ -n "${INPUT_FAIL_ON:-}" ]]; then cmd+=(--fail-on "$INPUT_FAIL_ON"); fi
    if [[ -n "${INPUT_CONFIG:-}" ]]; then cmd+=(--config "$INPUT_CONFIG"); fi
    if [[ -n "${INPUT_BASELINE:-}" ]]; then cmd+=(--baseline "$INPUT_BASELINE"); fi
    if [[ -n "${INPUT_SARIF_FILE:-}" ]]; then cmd+=(--sarif-output "$INPUT_SARIF_FILE"); fi
    if [[ -n "${INPUT_SARIF_CATEGORY:-}" ]]; then
        cmd+=(--sarif-category "$INPUT_SARIF_CATEGORY")
    fi
    if [[ -n "${INPUT_NEW_SINCE:-}" ]]; then cmd+=(--new-since "$INPUT_NEW_SINCE"); fi
    local item
    while IFS= read -r -d '' item; do cmd+=("$item"); done < <(lines "${INPUT_ARGS:-}")
    cmd+=(--)  # a path that starts with '-' is still a path
    local -a paths=()
    while IFS= read -r -d '' item; do paths+=("$item"); done < <(lines "${INPUT_PATHS:-}")
    if [[ ${#paths[@]} -eq 0 ]]; then paths=(.); fi
    cmd+=("${paths[@]}")

    # %q: what runs, unambiguously, and never a line that starts with '::'.
    printf 'iaclint'
    printf ' %q' "${cmd[@]}"
    printf '\n'
    local code=0
    "$python" -c "$LAUNCHER" "${cmd[@]}" || code=$?
    set_output exit-code "$code"
    if [[ -n "${INPUT_SARIF_FILE:-}" && -f "$INPUT_SARIF_FILE" ]]; then
        set_output sarif-file "$INPUT_SARIF_FILE"
    fi
    exit "$code"
}

case "${1:-}" in
    install) install ;;
    scan) scan ;;
    *) die "usage: github-action.sh install|scan" ;;
esac
