package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PartXml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for QEMU and the guest's virtio_mem driver on libvirt's test driver, which keeps
 * virtio-mem devices in its definitions but has no {@code virDomainUpdateDeviceFlags}: it takes the
 * update calls (recording the XML sent), and serves the live XML with the device's {@code <requested>}
 * and a {@code <current>} that moves towards it by {@link #step} per read, stops at {@link #floor}
 * (a guest that cannot unplug the rest), or never moves ({@link #noDriver}) — the behaviours observed
 * on the VM lab (docs/lab-virtio-mem.md). The real path is proven by hotplug-lab's VirtioMemIT.
 *
 * <p>Domains of {@link #write(Path)}: {@code vmem} (running, persistent, type test, maxMemory 4 GiB
 * with 4 slots, 512 MiB in cell 0, one virtio-mem device on node 0 of 1 GiB, block 2 MiB, requested
 * 0), {@code vmem2} (the same with cells 0 and 1 and a device on each), {@code vmemoff} (like vmem,
 * shut off), {@code vmemga} (like vmem, with the guest agent channel).
 */
final class VirtioMemSim implements CallInterceptor {
  private static final Pattern REQUESTED = Pattern.compile("<requested unit='KiB'>(\\d+)</requested>");
  private static final Pattern CURRENT = Pattern.compile("<current unit='KiB'>(\\d+)</current>");

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> sent = new CopyOnWriteArrayList<>();
  /** Per live read, how far {@code <current>} moves towards the request. */
  volatile MemorySize step = MemorySize.ofMiB(128);
  /** {@code <current>} never goes below this on a shrink (ZONE_NORMAL memory). */
  volatile MemorySize floor = MemorySize.ZERO;
  /** {@code <current>} never moves (no driver in the guest). */
  volatile boolean noDriver;
  /** Fails the update call of this scope (LIVE or CONFIG) with a libvirt error. */
  volatile Scope failUpdate;
  /** Breaks the connection during the update call of this scope, after applying it. */
  volatile Scope loseAfterUpdate;

  private volatile Long liveRequested;
  private volatile Long configRequested;
  private volatile long current;

  @Override
  public synchronized <T> T intercept(String op, String domain, Supplier<T> call) {
    calls.add(op);
    if (op.startsWith("updateDevice(")) {
      Scope scope = Scope.valueOf(op.substring("updateDevice(".length(), op.length() - 1));
      if (scope == failUpdate) {
        String m = "internal error: unable to execute QEMU command 'qom-set': injected";
        throw new LibvirtException("libvirt " + op + " failed: " + m, 1, "VIR_ERR_INTERNAL_ERROR", m, null);
      }
      // the interceptor does not see the XML: the sim applies what the plan given to expect() says for
      // that scope (the operation sends exactly the plan's steps; their XML is checked by the planner
      // tests and accepted by libvirt in the lab)
      MemoryPlan.Step st = planned == null ? null : planned.steps().stream()
          .filter(x -> x.scopeIn(planned.scope()) == scope).findFirst().orElse(null);
      if (st != null) {
        update(st.xml(), scope);
      }
      if (scope == loseAfterUpdate) {
        throw new ConnectionLostException("test:///sim", "the connection was lost during " + op + " (injected)", null);
      }
      return null;
    }
    T result = call.get();
    if (op.equals("xml(live)") && result instanceof String s) {
      @SuppressWarnings("unchecked")
      T patched = (T) live(s);
      return patched;
    }
    if (op.startsWith("xml(inactive") && result instanceof String s && configRequested != null) {
      @SuppressWarnings("unchecked")
      T patched = (T) REQUESTED.matcher(s).replaceFirst("<requested unit='KiB'>" + configRequested + "</requested>");
      return patched;
    }
    return result;
  }

  private volatile MemoryPlan planned;

  /** The plan whose update steps the next update calls apply (the test plans first, then applies). */
  VirtioMemSim expect(MemoryPlan plan) {
    this.planned = plan;
    return this;
  }

  private synchronized void update(String xml, Scope scope) {
    sent.add(scope + " " + xml);
    long req = PartXml.fromXml(xml, MemoryDevice.class).requestedSize().orElseThrow().toKiB();
    if (scope == Scope.LIVE) {
      liveRequested = req;
    } else {
      configRequested = req;
    }
  }

  private synchronized String live(String xml) {
    Matcher m = REQUESTED.matcher(xml);
    if (!m.find()) {
      return xml;
    }
    long req = liveRequested != null ? liveRequested : Long.parseLong(m.group(1));
    if (liveRequested == null) {
      Matcher c = CURRENT.matcher(xml);
      if (c.find() && current == 0) {
        current = Long.parseLong(c.group(1));
      }
    }
    if (!noDriver && current != req) {
      long s = step.toKiB();
      if (current < req) {
        current = Math.min(req, current + s);
      } else {
        current = Math.max(Math.max(req, floor.toKiB()), current - s);
      }
    }
    String out = m.replaceFirst("<requested unit='KiB'>" + req + "</requested>");
    return CURRENT.matcher(out).replaceFirst("<current unit='KiB'>" + current + "</current>");
  }

  /** Starts the simulated device at this requested and current size (as if the guest had plugged it). */
  synchronized void startAt(MemorySize plugged) {
    liveRequested = plugged.toKiB();
    current = plugged.toKiB();
  }

  /**
   * Starts the simulated device mid-resize: the live {@code <requested>} at {@code requested} and
   * libvirt's {@code <current>} still at {@code current} (it lags the guest, which follows QEMU's
   * rate-limited size events).
   */
  synchronized void startAt(MemorySize requested, MemorySize current) {
    liveRequested = requested.toKiB();
    this.current = current.toKiB();
  }

  /** The live {@code <requested>} in KiB, or null before any update or start. */
  Long liveRequestedKiB() {
    return liveRequested;
  }

  /** The XML calls' operations without the reads. */
  List<String> changes() {
    return calls.stream().filter(c -> c.startsWith("updateDevice") || c.startsWith("attach")
        || c.startsWith("detach") || c.startsWith("setVcpus") || c.startsWith("qemuAgent")).toList();
  }

  static String write(Path dir) {
    StringBuilder sb = new StringBuilder("<?xml version='1.0'?>\n<node>\n");
    sb.append(domain("vmem", 1, "", ""));
    sb.append(domain("vmem2", 2, "", ""));
    sb.append(domain("vmemoff", 1, "    <test:runstate>5</test:runstate>\n", ""));
    sb.append(domain("vmemga", 1, "", "      <channel type='unix'><target type='virtio'"
        + " name='org.qemu.guest_agent.0'/></channel>\n"));
    sb.append("</node>\n");
    Path file = dir.resolve("vmem-node.xml");
    try {
      Files.writeString(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "test://" + file.toAbsolutePath();
  }

  private static String domain(String name, int nodes, String extra, String devices) {
    StringBuilder cells = new StringBuilder();
    StringBuilder vmems = new StringBuilder();
    for (int i = 0; i < nodes; i++) {
      cells.append("        <cell id='").append(i).append("' cpus='").append(i * 2).append('-').append(i * 2 + 1)
          .append("' memory='").append(524288 / nodes).append("' unit='KiB'/>\n");
      vmems.append("      <memory model='virtio-mem'>\n        <target>\n          <size unit='KiB'>1048576</size>\n")
          .append("          <node>").append(i).append("</node>\n          <block unit='KiB'>2048</block>\n")
          .append("          <requested unit='KiB'>0</requested>\n        </target>\n      </memory>\n");
    }
    return "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
        + "    <name>" + name + "</name>\n"
        + "    <maxMemory slots='4' unit='KiB'>4194304</maxMemory>\n"
        + "    <memory unit='KiB'>" + (524288 + nodes * 1048576L) + "</memory>\n"
        + "    <currentMemory unit='KiB'>524288</currentMemory>\n"
        + "    <vcpu placement='static' current='2'>4</vcpu>\n"
        + "    <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        + "    <cpu>\n      <numa>\n" + cells + "      </numa>\n    </cpu>\n"
        + "    <devices>\n" + devices + vmems + "    </devices>\n"
        + extra
        + "  </domain>\n";
  }
}
