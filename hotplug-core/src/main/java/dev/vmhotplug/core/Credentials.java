package dev.vmhotplug.core;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A user name and password for libvirt's SASL authentication (for example
 * {@code auth_tcp = "sasl"} or {@code auth_tls = "sasl"} with SCRAM-SHA-256 or DIGEST-MD5 on the
 * host). Answers {@link CredentialType#AUTHNAME} and {@link CredentialType#USERNAME} with the user
 * name, {@link CredentialType#PASSPHRASE} with the password and {@link CredentialType#REALM} with
 * libvirt's default; anything else stays unanswered (the connect then says what was asked).
 *
 * <p>Immutable and thread-safe; the password is kept in a private array (it is needed again for
 * every reconnect) and never appears in {@link #toString()}, a message or a log.
 */
public final class Credentials implements CredentialCallback {
  private final String username;
  private final char[] password;

  private Credentials(String username, char[] password) {
    this.username = username;
    this.password = password;
  }

  /**
   * SASL user name and password.
   *
   * @param username the SASL user (as in {@code saslpasswd2 -a libvirt USER} on the host)
   * @param password the password; copied, so the caller may wipe its array afterwards
   * @return the credentials
   * @throws InvalidArgumentException if the user name is blank or contains a control character
   */
  public static Credentials password(String username, char[] password) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isBlank() || username.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "the SASL user name " + dev.vmhotplug.xml.internal.SafeText.quote(username)
          + " is blank or contains a control character: pass the name the host's SASL database knows"
          + " (sasldblistusers2 -f /etc/libvirt/passwd.db on the host lists them)");
    }
    return new Credentials(username, password.clone());
  }

  /** {@return the user name} */
  public String username() {
    return username;
  }

  @Override
  public void answer(List<CredentialRequest> requests) {
    for (CredentialRequest r : requests) {
      switch (r.type()) {
        case AUTHNAME:
        case USERNAME:
          r.answer(username);
          break;
        case PASSPHRASE:
          r.answer(password);
          break;
        case REALM:
          r.answer(r.defaultAnswer().orElse(""));
          break;
        default:
          break; // not ours: the connect fails and names it
      }
    }
  }

  /** Wipes the password (the credentials cannot authenticate afterwards). */
  public void wipe() {
    Arrays.fill(password, '\0');
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}
