#!/usr/bin/env bash
# Builds a libvirt Vagrant box of vagrant/pins.yml from Debian's packages alone (no box download):
# mmdebstrap of the pinned kernel's distribution with exactly the pinned kernel package, held;
# GRUB, systemd-networkd (DHCP on eth0, Vagrant configures the lab NIC), openssh-server, python3,
# the vagrant user with Vagrant's insecure key and password-less sudo, as Vagrant's box conventions
# require; and baked in, the packages the playbooks would install (ansible/roles/toolchain), so that
# provisioning needs no download. The playbooks still install all of it on a stock box.
#
#   sudo vagrant/build-box.sh [BOX] [--out DIR]       # BOX: a key of boxes in vagrant/pins.yml with build:
#   vagrant box add --name electrolab/debian13 DIR/electrolab-debian13.box
#
# Writes DIR/electrolab-BOX.box (default DIR: vagrant/boxes), a qcow2 disk with metadata.json.
# Needs root, mmdebstrap, qemu-utils, fdisk, e2fsprogs and loop devices; reaches only the archive
# line of the pinned kernel (apt's own state for it lives in the build directory, never the host's).
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
arguments=("$@")
out_dir="$repo/vagrant/boxes"
box_key=""
while (($#)); do
  case "$1" in
    --out) out_dir="$2"; shift 2 ;;
    --out=*) out_dir="${1#--out=}"; shift ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-box.sh: unknown option $1; usage: sudo vagrant/build-box.sh [BOX] [--out DIR]" >&2; exit 2 ;;
    *) box_key="$1"; shift ;;
  esac
done

fail() { echo "build-box.sh: $*" >&2; exit 3; }
[[ $(id -u) -eq 0 ]] || fail "needs root (mmdebstrap, loop devices, chroot): sudo vagrant/build-box.sh $box_key"
# The image's filesystem is mounted in a mount namespace of this script's own. Mounted in the host's,
# it is copied into every mount namespace made meanwhile (ip netns exec, a container start), where
# unmounting it here does not reach: it would never be unmounted cleanly, and the box would boot a
# filesystem with a dirty journal and stale blocks.
if [[ -z "${ELECTROLAB_BUILD_BOX_UNSHARED:-}" ]]; then
  ELECTROLAB_BUILD_BOX_UNSHARED=1 exec unshare --mount --propagation private "${BASH_SOURCE[0]}" "${arguments[@]}"
fi
for tool in mmdebstrap:mmdebstrap qemu-img:qemu-utils sfdisk:fdisk mkfs.ext4:e2fsprogs losetup:mount python3:python3; do
  command -v "${tool%%:*}" >/dev/null || fail "${tool%%:*} not found: apt-get install ${tool#*:}"
done
python3 -c 'import yaml' 2>/dev/null || fail "python3 cannot read YAML: apt-get install python3-yaml"

# What to build, from the one file of pins (and the toolchain role's package list, so that a box
# built here has what the role would install).
eval "$(python3 - "$repo" "$box_key" <<'EOF'
import shlex, sys, yaml
repo, key = sys.argv[1], sys.argv[2]
pins = yaml.safe_load(open(f"{repo}/vagrant/pins.yml"))
key = key or pins["vm_box"]
boxes = pins["boxes"]
if key not in boxes or "build" not in boxes[key]:
    built = ", ".join(k for k, b in boxes.items() if "build" in b)
    print(f"echo 'build-box.sh: {key} is not a box this script builds; use one of {built} (boxes with build: in vagrant/pins.yml)' >&2; exit 2")
    sys.exit()
box = boxes[key]
kernel = pins["kernels"][box["kernel"]]
if not kernel.get("archive") or not kernel.get("version"):
    print(f"echo 'build-box.sh: kernel {box['kernel']} has no archive or version in vagrant/pins.yml' >&2; exit 2")
    sys.exit()
uri, suite, *components = kernel["archive"].split()
toolchain = yaml.safe_load(open(f"{repo}/ansible/roles/toolchain/defaults/main.yml"))
values = {
    "box_key": key, "box_name": box["box"], "suite": suite, "archive_uri": uri,
    "components": ",".join(components), "kernel_package": kernel["package"], "kernel_version": kernel["version"],
    # Debian's bpftool is one package built from the kernel's source (the role adds it on Debian).
    "toolchain_packages": " ".join(toolchain["toolchain_common_packages"] + ["bpftool"]),
}
for name, value in values.items():
    print(f"{name}={shlex.quote(value)}")
EOF
)"

# Vagrant's insecure public key (its box conventions); `vagrant up` replaces it with a key of its own.
readonly insecure_key='ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8YVr+kz4TjGYe7gHzIw+niNltGEFHzD8+v1I2YJ6oXevct1YeS0o9HZyN1Q9qgCgzUFtdOKLv6IedplqoPkcmF0aYet2PkEDo3MlTBckFXPITAMzF8dJSIFo9D8HfdOV0IAdx4O7PtixWKn5y2hMNG0zQPyUecp4pzC6kivAIhyfHilFR61RGL+GPXQ2MWZWFYbAGjyiYJnAmCP3NOTd0jMZEnDkbUvxhMmBYSdETk1rRgm+R4LOzFUGaHqHDLKLX+FIPKcF96hrucXzcWyLbIbEgE98OHlnVYCzRdK8jlqm8tehUc9c9WhQ== vagrant insecure public key'
readonly disk_gb=8
# What a box needs beyond minbase: boot (kernel, GRUB, systemd), Vagrant (ssh, sudo), Ansible
# (python3, python3-apt for its apt and package_facts modules), and the lab's tools.
base_packages="systemd-sysv udev dbus grub-pc initramfs-tools openssh-server sudo python3 python3-apt iproute2 iputils-ping procps kmod less"
packages="$base_packages $toolchain_packages $kernel_package=$kernel_version"

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
work="$(mktemp -d "$out_dir/.build-$box_key.XXXXXX")"
mnt="$work/root"
loop=""
cleanup() {
  local mounted
  for mounted in dev/pts dev proc sys ""; do
    mountpoint -q "$mnt/$mounted" 2>/dev/null && umount "$mnt/$mounted"
  done
  [[ -n "$loop" ]] && losetup -d "$loop"
  rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
echo "build-box.sh: $box_name: $suite from $archive_uri with $kernel_package=$kernel_version (held)"
truncate -s "${disk_gb}G" "$work/disk.raw"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$work/disk.raw"
loop="$(losetup -P --show -f "$work/disk.raw")"
part="${loop}p1"
# Some kernels leave the partition scan of a new loop device to user space.
[[ -b "$part" ]] || partx -a "$loop" 2>/dev/null || true
[[ -b "$part" ]] || fail "no partition device $part after losetup -P and partx -a; check that loop devices can have partitions"
mkfs.ext4 -q -L electrolab-root "$part"
mkdir "$mnt"
mount "$part" "$mnt"
uuid="$(blkid -s UUID -o value "$part")"

# As a tarball, unpacked into the image: mmdebstrap's own mount namespaces then never hold the
# image's filesystem, which must be unmounted cleanly before it is packed.
mmdebstrap --quiet --mode=root --variant=minbase --format=tar --components="$components" \
  --aptopt='APT::Install-Recommends "false"' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/man/*' \
  --include="${packages// /,}" \
  "$suite" "$work/root.tar" "deb $archive_uri $suite ${components//,/ }"
tar -C "$mnt" --numeric-owner --xattrs --xattrs-include='*' -xpf "$work/root.tar"
rm "$work/root.tar"
echo "build-box.sh: root filesystem after $((SECONDS - started)) s"

cat >"$mnt/etc/fstab" <<EOF
UUID=$uuid / ext4 errors=remount-ro 0 1
EOF
echo "$box_key" >"$mnt/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$box_key" >"$mnt/etc/hosts"
cat >"$mnt/etc/apt/sources.list" <<EOF
deb $archive_uri $suite ${components//,/ }
deb $archive_uri $suite-updates ${components//,/ }
deb http://deb.debian.org/debian-security $suite-security ${components//,/ }
EOF
# Each VM made from the box gets its own machine id (and with it its own DHCP client id) and host keys.
: >"$mnt/etc/machine-id"
rm -f "$mnt/var/lib/dbus/machine-id" "$mnt"/etc/ssh/ssh_host_*
cat >"$mnt/etc/systemd/system/electrolab-ssh-host-keys.service" <<'EOF'
[Unit]
Description=Generate this machine's ssh host key (the box ships none)
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key

[Install]
WantedBy=multi-user.target
EOF
cat >"$mnt/etc/systemd/network/10-management.network" <<'EOF'
# The first NIC is Vagrant's management network (DHCP); Vagrant writes the lab NIC's own file.
[Match]
Name=eth0

[Network]
DHCP=ipv4
EOF
cat >"$mnt/etc/ssh/sshd_config.d/vagrant.conf" <<'EOF'
UseDNS no
# One host key, ed25519: an RSA key made at first boot takes minutes on an emulated VM.
HostKey /etc/ssh/ssh_host_ed25519_key
EOF
# eth0, eth1: the names Vagrant's network setup and 10-management.network expect. The serial
# console carries the boot log (virsh console, libvirt's console log).
# GRUB_DEFAULT, the apt settings and timers: as the kernel role leaves them, so that on this box it
# changes nothing (an update-grub alone takes half a minute on an emulated VM).
sed -i -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=1/' \
  -e "s|^GRUB_DEFAULT=.*|GRUB_DEFAULT=\"Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux ${kernel_package#linux-image-}\"|" \
  -e 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="console=tty0 console=ttyS0,115200n8 net.ifnames=0 biosdevname=0"/' \
  "$mnt/etc/default/grub"
printf 'GRUB_TERMINAL="console serial"\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' >>"$mnt/etc/default/grub"

cat >"$mnt/etc/apt/apt.conf.d/20auto-upgrades" <<'EOF'
// electrolab: the kernel and its tools are pinned; no unattended upgrades.
APT::Periodic::Update-Package-Lists "0";
APT::Periodic::Unattended-Upgrade "0";
EOF

for mounted in dev dev/pts proc sys; do mount --bind "/$mounted" "$mnt/$mounted"; done
chroot "$mnt" /bin/sh -eu <<EOF
systemctl enable --quiet systemd-networkd electrolab-ssh-host-keys ssh
systemctl disable --quiet apt-daily.timer apt-daily-upgrade.timer
useradd --create-home --shell /bin/bash --groups sudo vagrant
echo vagrant:vagrant | chpasswd
install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
echo '$insecure_key' >/home/vagrant/.ssh/authorized_keys
chown vagrant:vagrant /home/vagrant/.ssh/authorized_keys
chmod 0600 /home/vagrant/.ssh/authorized_keys
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
apt-mark hold $kernel_package >/dev/null
grub-install --target=i386-pc --modules='part_msdos ext2' $loop 2>&1 | grep -v '^Installation finished' || true
update-grub 2>/dev/null
apt-get clean
EOF
# Without udev here grub-mkconfig finds no /dev/disk/by-uuid and names the loop device; inside the
# VM (where update-grub runs again, e.g. in the kernel role) it writes the UUID itself.
sed -i "s|root=$part |root=UUID=$uuid |" "$mnt/boot/grub/grub.cfg"
grep -q "vmlinuz-${kernel_package#linux-image-} root=UUID=$uuid " "$mnt/boot/grub/grub.cfg" \
  || fail "GRUB's menu has no entry for ${kernel_package#linux-image-} on root=UUID=$uuid"
for mounted in dev/pts dev proc sys ""; do umount "$mnt/$mounted"; done
losetup -d "$loop"
loop=""
# What qemu-img packs is the file: check the filesystem in it, through a loop device of its own,
# once everything written through the first one has reached the file.
sync "$work/disk.raw"
loop="$(losetup -P -r --show -f "$work/disk.raw")"
[[ -b "${loop}p1" ]] || partx -a "$loop" 2>/dev/null || true
e2fsck -fn "${loop}p1" >"$work/e2fsck.log" 2>&1 || fail "the image's filesystem is not clean: $(tail -n 3 "$work/e2fsck.log" | tr '\n' ' ')"
tune2fs -l "${loop}p1" | grep -Eq '^Filesystem state: +clean$' || fail "the image's filesystem was not unmounted cleanly"
tune2fs -l "${loop}p1" | grep -q needs_recovery && fail "the image's filesystem has a journal to replay"
qemu-img convert -f raw -O qcow2 "$loop" "$work/box.img"
losetup -d "$loop"
loop=""
rm "$work/disk.raw"
printf '{"provider": "libvirt", "format": "qcow2", "virtual_size": %d}\n' "$disk_gb" >"$work/metadata.json"
cat >"$work/Vagrantfile" <<'EOF'
# Built by electrolab's vagrant/build-box.sh from Debian's packages.
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |lv|
    lv.disk_bus = "virtio"
  end
end
EOF
box_file="$out_dir/electrolab-$box_key.box"
tar -C "$work" -cf "$box_file.part" metadata.json Vagrantfile box.img
mv "$box_file.part" "$box_file"
echo "build-box.sh: wrote $box_file ($(du -h "$box_file" | cut -f1)) in $((SECONDS - started)) s; add it with:"
echo "  vagrant box add --name $box_name $box_file"
