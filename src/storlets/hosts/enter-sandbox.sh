#!/bin/bash
# Builds a storlet's sandbox and runs the storlet's host in it. Started by storlet-process.ts as
#   unshare --mount --net --pid --ipc --uts --fork --kill-child -- bash enter-sandbox.sh \
#     ROOT CODE HOSTS UID MEMORY_KB RUNTIME [ARGS...]
# i.e. already in fresh mount, network (only a loopback, down), PID, IPC and UTS namespaces. It
# mounts a tmpfs at ROOT (an empty directory) and in it: /usr (and the /bin, /lib… links) read-only,
# the dynamic loader's cache, /dev/null and friends, a private /proc, a small private /tmp, the
# storlet's code at /storlet and skybutler's host scripts at /host, both read-only; makes the root
# read-only, chroots there and drops to UID with no capabilities and no new privileges, under an
# address-space limit of MEMORY_KB. File descriptors 3 and up (control, events, output, inputs)
# pass through every exec. Nothing of the host's /home, /etc, /tmp, /work or /root is visible.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
root=$1 code=$2 hosts=$3 uid=$4 memory_kb=$5 runtime=$6
shift 6

mount --make-rprivate /
mount -t tmpfs -o size=1m,mode=0755,nosuid,nodev sandbox "$root"
mkdir -p "$root/usr" "$root/etc" "$root/dev" "$root/proc" "$root/tmp" "$root/storlet" "$root/host"
mount --bind -o ro,nosuid,nodev /usr "$root/usr"
for d in bin sbin lib lib32 lib64 libx32; do
  if [ -L "/$d" ]; then
    ln -s "$(readlink "/$d")" "$root/$d"
  elif [ -d "/$d" ]; then
    mkdir "$root/$d" && mount --bind -o ro,nosuid,nodev "/$d" "$root/$d"
  fi
done
for f in /etc/ld.so.cache /etc/localtime; do
  if [ -e "$f" ]; then touch "$root$f" && mount --bind -o ro "$f" "$root$f"; fi
done
for f in null zero random urandom; do
  touch "$root/dev/$f" && mount --bind "/dev/$f" "$root/dev/$f"
done
# the runtime may live outside /usr (nvm, /opt): its file alone is made visible
case "$runtime" in
  /usr/*) ;;
  *) mkdir -p "$root$(dirname "$runtime")" && touch "$root$runtime" && mount --bind -o ro "$runtime" "$root$runtime" ;;
esac
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o size=16m,mode=1777,nosuid,nodev sandbox-tmp "$root/tmp"
mount --bind -o ro,nosuid,nodev "$code" "$root/storlet"
mount --bind -o ro,nosuid,nodev,noexec "$hosts" "$root/host"
mount -o remount,bind,ro "$root"
cd "$root"
exec chroot "$root" /usr/bin/setpriv --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs \
  --inh-caps=-all --bounding-set=-all -- \
  /usr/bin/prlimit --as=$((memory_kb * 1024)) --core=0 -- \
  /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 "$runtime" "$@"
