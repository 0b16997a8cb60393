package com.example.consumer;

import dev.vmhotplug.core.GuestRefusedException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.xml.MemorySize;

/**
 * A user's own code that drives the SDK (what the consumer project's tests test with the test kit):
 * scales a domain's vCPUs and memory, live and persistently, and turns a guest that keeps its memory
 * into a plain answer instead of an exception.
 */
public final class Scaler {
  private final HotplugClient client;

  public Scaler(HotplugClient client) {
    this.client = client;
  }

  /** Sets the vCPU count live and persistently; returns the live count libvirt shows afterwards. */
  public int scaleVcpus(String domain, int vcpus) {
    VcpuResult r = client.domain(domain).vcpus().set(vcpus).live().config().apply();
    return r.after().currentLive().getAsInt();
  }

  /** Adds memory as DIMMs, live and persistently; returns the memory the running domain has now. */
  public MemorySize grow(String domain, MemorySize by) {
    MemoryResult r = client.domain(domain).memory().add(by).live().config().apply();
    return r.after().live().orElseThrow().memory();
  }

  /** Removes memory live and persistently; false when the guest would not release it. */
  public boolean shrink(String domain, MemorySize by) {
    try {
      client.domain(domain).memory().remove(by).live().config().apply();
      return true;
    } catch (GuestRefusedException e) {
      return false;
    }
  }
}
