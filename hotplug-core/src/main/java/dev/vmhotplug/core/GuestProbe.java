package dev.vmhotplug.core;

import dev.vmhotplug.guest.truth.GuestFacts;

/**
 * Service-provider interface: reads what the guest OS itself sees (CPUs online, memory blocks
 * online, MemTotal) so that a change can be verified inside the guest, not only in libvirt's XML.
 *
 * <p>The SDK ships {@link AgentGuestProbe} (QEMU guest agent). Callers can supply their own, e.g.
 * over SSH reading {@code /sys/devices/system/cpu/online}, {@code /sys/devices/system/memory/memory*\/state}
 * and {@code /sys/devices/system/node/node0/meminfo} and feeding them to hotplug-guest's parsers.
 *
 * <p>Implementations must be thread-safe; the SDK calls {@link #facts} repeatedly while it waits
 * and never concurrently for the same domain.
 */
@FunctionalInterface
public interface GuestProbe {

  /**
   * Reads the guest's current facts.
   *
   * @param domain the domain whose guest to ask
   * @return what the guest reports; facts it cannot read are left empty (or recorded with
   *     {@link GuestFacts.Builder#unavailable(String, String)})
   * @throws HotplugException when the guest cannot be asked at all (no agent, no network); the
   *     message should say how to make it reachable
   */
  GuestFacts facts(DomainHandle domain);
}
