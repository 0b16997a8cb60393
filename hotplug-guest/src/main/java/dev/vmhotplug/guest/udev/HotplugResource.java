package dev.vmhotplug.guest.udev;

/** What was hot-added: a vCPU or a memory block (DIMM). */
public enum HotplugResource {
  /** A hot-added CPU: udev sees {@code add} for {@code SUBSYSTEM=="cpu"}; online means {@code online=1}. */
  CPU("cpu", "online", "CPU"),
  /** A hot-added memory block: {@code add} for {@code SUBSYSTEM=="memory"}; online means {@code state=online*}. */
  MEMORY("memory", "state", "memory");

  private final String subsystem;
  private final String attribute;
  private final String label;

  HotplugResource(String subsystem, String attribute, String label) {
    this.subsystem = subsystem;
    this.attribute = attribute;
    this.label = label;
  }

  /** {@return the udev subsystem of the device: {@code cpu} or {@code memory}} */
  public String subsystem() {
    return subsystem;
  }

  /** {@return the sysfs attribute that onlines it: {@code online} or {@code state}} */
  public String attribute() {
    return attribute;
  }

  /** {@return a word for messages: {@code CPU} or {@code memory}} */
  public String label() {
    return label;
  }

  /**
   * Whether writing {@code value} to {@link #attribute()} brings the device online.
   *
   * @param value the value a rule writes, e.g. {@code 1} or {@code online_movable}
   * @return whether writing {@code value} to {@link #attribute()} brings the device online
   */
  public boolean isOnlineValue(String value) {
    if (value == null) {
      return false;
    }
    String v = value.strip();
    return this == CPU ? v.equals("1") : v.startsWith("online");
  }
}
