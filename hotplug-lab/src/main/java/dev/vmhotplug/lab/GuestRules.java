package dev.vmhotplug.lab;

/** Which udev rules the lab guest carries in {@code /etc/udev/rules.d}. */
public enum GuestRules {
  /** No rules: udevd runs, but nothing onlines hot-added CPUs or memory (the guide's "before"). */
  NONE,
  /** The guide's two rules: CPUs {@code online=1}, memory blocks {@code state=online}. */
  STANDARD,
  /** Like STANDARD but memory blocks {@code state=online_movable}, so that DIMMs can be unplugged. */
  MOVABLE
}
