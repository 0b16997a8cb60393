package dev.vmhotplug.core;

/**
 * What libvirt asks for while authenticating a connection (libvirt's {@code virConnectCredentialType};
 * SASL asks for {@link #AUTHNAME} and {@link #PASSPHRASE}, some mechanisms for {@link #REALM}).
 */
public enum CredentialType {
  /** Identity to act as (SASL authorization id); usually the same as {@link #AUTHNAME}. */
  USERNAME(1),
  /** Identity to authorize as (the SASL user name). */
  AUTHNAME(2),
  /** RFC 1766 language tag. */
  LANGUAGE(3),
  /** Client-supplied nonce. */
  CNONCE(4),
  /** The password (a secret: never logged or shown). */
  PASSPHRASE(5),
  /** Challenge response, echoed. */
  ECHOPROMPT(6),
  /** Challenge response, not echoed (a secret). */
  NOECHOPROMPT(7),
  /** Authentication realm. */
  REALM(8),
  /** Externally managed credential. */
  EXTERNAL(9);

  private final int code;

  CredentialType(int code) {
    this.code = code;
  }

  /** {@return libvirt's {@code VIR_CRED_*} value} */
  public int code() {
    return code;
  }

  /** {@return whether an answer of this type is a secret (never logged, never echoed in a message)} */
  public boolean isSecret() {
    return this == PASSPHRASE || this == NOECHOPROMPT;
  }

  /**
   * The type for a libvirt value.
   *
   * @param code a {@code VIR_CRED_*} value
   * @return the type, or null for an unknown value
   */
  public static CredentialType ofCode(int code) {
    for (CredentialType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
