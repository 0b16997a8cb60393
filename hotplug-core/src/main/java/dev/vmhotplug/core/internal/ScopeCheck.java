package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.xml.internal.SafeText;

/**
 * The first check of every change: the domain's state can take the scope asked (a live change
 * needs a running domain, a config change a persistent one). Pure; one wording for all operations.
 */
public final class ScopeCheck {

  private ScopeCheck() {}

  /**
   * Refuses a scope the domain's state cannot take.
   *
   * @param domain the domain name
   * @param scope the scope asked
   * @param running whether the domain runs (only read when the scope includes live)
   * @param persistent whether it has a persistent definition (only read when the scope includes config)
   * @param what what is changed, e.g. {@code "vCPUs"}, {@code "memory"}
   * @throws PreconditionException {@link Refusal#NOT_RUNNING} or {@link Refusal#NOT_PERSISTENT}
   */
  public static void check(String domain, Scope scope, boolean running, boolean persistent, String what) {
    if (scope.includesLive() && !running) {
      String q = SafeText.quote(domain);
      throw new PreconditionException(Refusal.NOT_RUNNING, "domain " + q + " is not running (it is shut off): a"
          + " live change of its " + what + " needs a running domain. Start it first (virsh start " + shell(domain)
          + "), or change only the persistent definition with .config() / --config (effective at the next boot)");
    }
    if (scope.includesConfig() && !persistent) {
      String q = SafeText.quote(domain);
      throw new PreconditionException(Refusal.NOT_PERSISTENT, "domain " + q + " is transient (it has no"
          + " persistent definition): a config change of its " + what + " has nothing to change. Use .live() only"
          + " / --live, or make it persistent first (virsh dumpxml " + shell(domain) + " > " + shell(domain)
          + ".xml; virsh define " + shell(domain) + ".xml)");
    }
  }

  /**
   * {@return a domain name as it may appear inside a suggested command: escaped and shortened, unquoted}
   *
   * @param domain the domain name
   */
  public static String shell(String domain) {
    return SafeText.escape(domain, SafeText.DEFAULT_MAX);
  }
}
