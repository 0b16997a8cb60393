package dev.vmhotplug.core;

import java.util.List;

/**
 * Answers what libvirt asks while authenticating a connection (SASL user name and password, a
 * realm, …): the SDK's replacement for libvirt-java's prompting {@code ConnectAuthDefault}. It is
 * called on the thread that opens the connection (the first connect and every reconnect), never
 * on the event loop thread, and must not block for long (the connect timeout runs).
 *
 * <p>Answer each request you can with {@link CredentialRequest#answer}; leave the others
 * unanswered: the connect then fails with a {@link ConnectionException} naming what the server
 * asked for. Never prompt a human from here in a service. {@link Credentials#password} covers
 * the common SASL case.
 */
@FunctionalInterface
public interface CredentialCallback {
  /**
   * Answers the requests of one authentication round.
   *
   * @param requests what libvirt asks, in its order
   */
  void answer(List<CredentialRequest> requests);
}
