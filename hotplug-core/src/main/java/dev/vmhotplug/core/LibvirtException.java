package dev.vmhotplug.core;

/**
 * A libvirt call failed. Carries libvirt's error code (the {@code virErrorNumber} value),
 * its symbolic name and libvirt's own message; the libvirt-java exception is the cause.
 */
public class LibvirtException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /** libvirt's {@code virErrorNumber} value. */
  private final int errorCode;
  /** The symbolic name of the error code. */
  private final String errorName;
  /** libvirt's own message. */
  private final String libvirtMessage;

  /**
   * Creates the exception.
   *
   * @param message what the SDK was doing and what to do about it
   * @param errorCode libvirt's {@code virErrorNumber} value (e.g. 55 for VIR_ERR_OPERATION_INVALID)
   * @param errorName the symbolic name, e.g. {@code VIR_ERR_OPERATION_INVALID}
   * @param libvirtMessage libvirt's message as it reported it
   * @param cause the libvirt-java exception
   */
  public LibvirtException(String message, int errorCode, String errorName, String libvirtMessage,
      Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
    this.errorName = errorName;
    this.libvirtMessage = libvirtMessage;
  }

  /** {@return libvirt's {@code virErrorNumber} value} */
  public int errorCode() {
    return errorCode;
  }

  /** {@return the symbolic name of {@link #errorCode()}, e.g. {@code VIR_ERR_NO_DOMAIN}} */
  public String errorName() {
    return errorName;
  }

  /** {@return libvirt's own message} */
  public String libvirtMessage() {
    return libvirtMessage;
  }
}
