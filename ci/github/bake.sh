#!/usr/bin/env bash
# The GitHub Action's work (ci/github/action.yml), and any CI job's: install aminate from npm, the host
# tools it lacks from the Debian mirror, bake, and hand the image's id and name to the next steps.
# Inputs come as INPUT_* variables; outputs go to $GITHUB_OUTPUT when set (GitHub), and are printed
# as `image-id=…` / `image-name=…` lines either way. Runs anywhere with bash, Node >= 20.19 and npm, as
# root or with passwordless sudo (GitHub's hosted runners have it).
set -euo pipefail

fail() {
  echo "aminate bake: $*" >&2
  exit 2
}

package=${INPUT_PACKAGE:-}
[ -n "$package" ] || fail "the input 'package' is required (a package name, name=version, or a .deb/.rpm path)"
environment=${INPUT_ENVIRONMENT:-ebsdirect_apt_linux}
version=${INPUT_VERSION:-latest}
[[ $version =~ ^[A-Za-z0-9._~^-]+$ ]] || fail "the input 'version' must be a version or dist-tag, not '$version'"
read -r -a packages <<<"${INPUT_PACKAGES:-@aminator/core-bin @aminator/volume-linux @aminator/os-debian @aminator/provisioner-apt @aminator/cloud-local @aminator/finalizer-local @aminator/cloud-ec2 @aminator/finalizer-ebs @aminator/cloud-ebsdirect @aminator/finalizer-ebsdirect}"
# Split on blanks only: no globbing, no expansion — each word one argument to aminate.
set -f
read -r -a extra <<<"${INPUT_ARGS:-}"
set +f

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo -E env "PATH=$PATH" "$@"
  fi
}

echo "::group::install aminate ($version)"
specs=()
for name in "${packages[@]}"; do specs+=("$name@$version"); done
npm install --global --no-fund --no-audit --no-update-notifier "${specs[@]}"
prefix=$(npm prefix --global)
aminate="$prefix/bin/aminate"
"$aminate" --version
echo "::endgroup::"

echo "::group::host tools"
read -r -a missing <<<"$("$aminate" host-tools --missing --packages)"
if [ "${#missing[@]}" -gt 0 ]; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "every host tool is installed"
fi
echo "::endgroup::"

events="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/aminate-bake-$$.jsonl"
args=()
[ -n "${INPUT_CONFIG:-}" ] && args+=(-c "$INPUT_CONFIG")
args+=(-e "$environment" --json bake)
[ -n "${INPUT_BASE_IMAGE:-}" ] && args+=(--base-image "$INPUT_BASE_IMAGE")
args+=("${extra[@]}" -- "$package")

status=0
as_root env CI=true "$aminate" "${args[@]}" >"$events" || status=$?
result=$(tail -n 1 "$events")
fields=$(node -e '
  const r = JSON.parse(process.argv[1] || "{}");
  if (r.status === "succeeded") console.log(`image-id=${r.image.id}\nimage-name=${r.image.name}`);
  else console.error(`aminate bake failed: ${r.error ? `${r.error.code}: ${r.error.message}` : "no result"}${(r.error?.suggestions ?? []).map((s) => `\n  - ${s}`).join("")}`);
' "$result")
echo "$fields"
echo "events=$events"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    [ -n "$fields" ] && echo "$fields"
    echo "events=$events"
  } >>"$GITHUB_OUTPUT"
fi
exit "$status"
