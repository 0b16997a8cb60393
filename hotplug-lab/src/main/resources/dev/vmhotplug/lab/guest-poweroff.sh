#!/bin/sh
# Powers the lab guest off cleanly. Installed twice: as /etc/acpi/PWRF/00000080, which busybox acpid
# runs on an ACPI power button press (virsh shutdown, virDomainShutdown), and as /sbin/shutdown, which
# qemu-guest-agent runs for guest-shutdown (virDomainShutdownFlags with the agent mode).
echo "HPCMD poweroff by ${0##*/} $*" > /dev/console
sync
case " $* " in
  *" -r "*) reboot -f;;
  *) poweroff -f;;
esac
