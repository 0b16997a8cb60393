package dev.vmhotplug.core;

import dev.vmhotplug.xml.internal.SafeText;

/** No domain with the given name or UUID exists on the connection; the message names the URI. */
public class DomainNotFoundException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /** The name or UUID that was looked up. */
  private final String domain;
  /** The libvirt URI that was searched. */
  private final String uri;

  /**
   * Creates the exception.
   *
   * @param domain the name or UUID that was looked up
   * @param uri the libvirt URI that was searched
   * @param cause the libvirt error, may be null
   */
  public DomainNotFoundException(String domain, String uri, Throwable cause) {
    super("no domain " + SafeText.quote(domain) + " on " + uri
        + ": check the name or UUID with `virsh -c " + uri + " list --all`"
        + " (and that this is the right connection URI)", cause);
    this.domain = domain;
    this.uri = uri;
  }

  /** {@return the name or UUID that was looked up} */
  public String domain() {
    return domain;
  }

  /** {@return the libvirt URI that was searched} */
  public String uri() {
    return uri;
  }
}
