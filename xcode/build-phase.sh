#!/bin/sh
# memtier's Xcode build phase (docs/ci.md): fails the build when the generated Swift no longer
# matches the policy, or the policy is invalid, with one `file:line:column: error:` line per
# problem, the form Xcode's issue navigator lists. Extra arguments go to `memtier check`
# (for example --config "$SRCROOT/ios/tiers.yaml").
#
# Xcode runs a build phase with a minimal PATH (/usr/bin:/bin:/usr/sbin:/sbin), without the
# folders where Homebrew, nvm, Volta, asdf, mise or fnm put Node, so this script looks there
# itself. NODE_BINARY (set in the build phase, or exported by .xcode.env.local or .xcode.env in
# $SRCROOT, the convention React Native uses) wins over every guess.
set -u

here=$(cd "$(dirname "$0")" && pwd)
package=$(dirname "$here")
# The npm project that installed memtier: the folder holding node_modules/memtier.
project=$(dirname "$(dirname "$package")")
srcroot=${SRCROOT:-$project}

for env_file in "$srcroot/.xcode.env.local" "$srcroot/.xcode.env"; do
  if [ -z "${NODE_BINARY:-}" ] && [ -f "$env_file" ]; then
    # shellcheck disable=SC1090
    . "$env_file"
  fi
done

# The newest Node under an nvm-style versions folder whose version starts with $2 (any when empty).
newest_in() {
  [ -d "$1" ] || return 1
  found=$(ls -1 "$1" 2>/dev/null | grep "^v\{0,1\}${2#v}" | sed 's/^v//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
  [ -n "$found" ] || return 1
  for candidate in "$1/v$found/bin/node" "$1/$found/bin/node" "$1/v$found/installation/bin/node"; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

# The order: what the user chose (NODE_BINARY, or a PATH that has node), then the version managers'
# defaults (a user with one means its Node), then Homebrew's two prefixes.
find_node() {
  if [ -n "${NODE_BINARY:-}" ]; then
    if [ -x "$NODE_BINARY" ]; then echo "$NODE_BINARY"; return 0; fi
    command -v "$NODE_BINARY" && return 0
  fi
  command -v node 2>/dev/null && return 0
  nvm_dir=${NVM_DIR:-$HOME/.nvm}
  alias=$(cat "$nvm_dir/alias/default" 2>/dev/null || true)
  case "$alias" in
    "" | node | stable | lts/*) alias="" ;;
  esac
  newest_in "$nvm_dir/versions/node" "$alias" && return 0
  for candidate in "$HOME/.volta/bin/node" \
    "$HOME/Library/Application Support/fnm/aliases/default/bin/node" \
    "$HOME/.local/share/fnm/aliases/default/bin/node" \
    "$HOME/.asdf/shims/node" "$HOME/.local/share/mise/shims/node" \
    /opt/homebrew/bin/node /usr/local/bin/node; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

if ! node=$(find_node); then
  echo "error: memtier: no Node.js found for the build phase. Set NODE_BINARY in the build phase (or in $srcroot/.xcode.env.local), for example NODE_BINARY=\$(command -v node)" >&2
  exit 1
fi

cd "$project" || exit 1
# The V8 code cache would be written inside node_modules, which a sandboxed build phase may not
# write; the phase runs without it (slower by some tens of milliseconds, nothing else).
MEMTIER_NO_COMPILE_CACHE=1 "$node" "$package/bin/memtier.js" check --format xcode "$@" || exit $?

# The phase's declared output: Xcode skips the phase while its inputs are unchanged.
if [ -n "${DERIVED_FILE_DIR:-}" ]; then
  mkdir -p "$DERIVED_FILE_DIR" && : > "$DERIVED_FILE_DIR/memtier-check.stamp"
fi
