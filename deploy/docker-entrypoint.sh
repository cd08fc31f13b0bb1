#!/bin/sh
# The image's entrypoint: `latchkey <command>`, with the master key kept on a volume.
#
# When LATCHKEY_MASTER_KEY_FILE names a file that does not exist yet, and no LATCHKEY_MASTER_KEY
# is given, a key is generated into it once (mode 0600), so the first `up` (or the first
# `docker compose run --rm latchkey secrets set NAME`) creates it and every later one reuses it.
# The key goes to a temp file first and is published with `ln`, which fails when the file exists:
# two replicas starting together never both generate, and neither reads a half-written key.
set -eu

if [ -z "${LATCHKEY_MASTER_KEY:-}" ] && [ -n "${LATCHKEY_MASTER_KEY_FILE:-}" ] && [ ! -e "$LATCHKEY_MASTER_KEY_FILE" ]; then
  case "${1:-start}" in
    start|secrets|connections)
      umask 077
      dir=$(dirname "$LATCHKEY_MASTER_KEY_FILE")
      tmp=$(mktemp "$dir/.master.key.XXXXXX")
      node /app/dist/cli.js keygen > "$tmp"
      if ln "$tmp" "$LATCHKEY_MASTER_KEY_FILE" 2>/dev/null; then
        echo "latchkey: generated a master key into $LATCHKEY_MASTER_KEY_FILE (back up that volume: losing the key loses every sealed secret)" >&2
      fi
      rm -f "$tmp"
      ;;
  esac
fi

exec node /app/dist/cli.js "$@"
