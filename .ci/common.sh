# Sourced by the scripts in .ci: build parallelism, pip settings, a scratch
# directory, and step headers that show the seconds spent so far.
JOBS="${CI_JOBS:-2}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$JOBS}"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
STEP_START=$SECONDS

step() {
  printf '\n---- %s  [%ds]\n' "$*" "$((SECONDS - STEP_START))"
}

# WORK: the directory given (kept), or a fresh one removed on exit.
scratch_dir() {
  if [ -n "$1" ]; then
    WORK="$1"
    mkdir -p "$WORK"
  else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/wirtinger-ci.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
  fi
}
