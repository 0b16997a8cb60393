/**
 * Guest-side knowledge for CPU and memory hotplug: which distributions online hot-added vCPUs and
 * memory, the udev rules that do it (generated, read and evaluated), and parsers for what a guest
 * reports. It depends on nothing but {@code java.base} and never talks to libvirt.
 *
 * <p>Every package is API; the module has no implementation package to hide.
 */
module dev.vmhotplug.guest {
  exports dev.vmhotplug.guest;
  exports dev.vmhotplug.guest.distro;
  exports dev.vmhotplug.guest.rules;
  exports dev.vmhotplug.guest.truth;
  exports dev.vmhotplug.guest.udev;
  exports dev.vmhotplug.guest.version;
}
