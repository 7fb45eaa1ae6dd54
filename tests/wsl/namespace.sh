#!/usr/bin/env bash
# Runs a command on this Linux host as it would run under WSL 2, in a mount
# namespace of its own (nothing here is seen outside it):
#   - WSL's interop handler registered in binfmt_misc (what the collection
#     detects WSL by: /proc/sys/fs/binfmt_misc/WSLInterop);
#   - WSL's environment (WSL_DISTRO_NAME, WSLENV: what minikube detects WSL by,
#     and then forwards ports to 127.0.0.1 as it does on WSL);
#   - the Windows C: drive at /mnt/c, from DIR/c (DIR/c/Windows/System32/drivers/etc/hosts);
#   - /etc through an overlay whose changes land in DIR/etc-upper, so the
#     Linux hosts file the run edits is /etc/hosts as the resolver reads it,
#     and this machine's own /etc is never written.
# Usage (root): namespace.sh DIR COMMAND [ARG...]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR COMMAND [ARG...]" >&2; exit 2; }
dir=$(realpath "$1")
shift
if [ "${__WSL_NAMESPACE:-}" != "$dir" ]; then
  exec env __WSL_NAMESPACE="$dir" unshare --mount --propagation private -- "$0" "$dir" "$@"
fi
mkdir -p "$dir/interop" "$dir/etc-upper" "$dir/etc-work" "$dir/c"
# The handler's entry as WSL registers it (only its name is read here).
printf 'enabled\ninterpreter /init\nflags: PF\noffset 0\nmagic 4d5a\n' >"$dir/interop/WSLInterop"
mount --bind "$dir/interop" /proc/sys/fs/binfmt_misc
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/etc-upper,workdir=$dir/etc-work" /etc
mount -t tmpfs tmpfs /mnt
mkdir /mnt/c
mount --bind "$dir/c" /mnt/c
unset __WSL_NAMESPACE
export WSL_DISTRO_NAME=Debian WSLENV=WT_SESSION:WT_PROFILE_ID
exec "$@"
