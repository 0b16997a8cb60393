package dev.vmhotplug.testkit;

import dev.vmhotplug.core.CloseReason;
import dev.vmhotplug.core.ConnectionLostException;
import dev.vmhotplug.core.DomainNotFoundException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.LibvirtException;
import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.core.internal.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A recording, fault-injecting, memory-device-emulating layer over the libvirt calls of a
 * {@link HotplugClient}, for testing your code that uses the SDK where the real libvirt cannot go
 * on demand.
 *
 * <pre>{@code
 * LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
 * try (HotplugClient client = seam.installOn(HotplugClient.builder()).connect(node.uri())) {
 *   MemoryResult r = client.domain("web").memory().add(MemorySize.ofMiB(256)).live().config().apply();
 *   assertThat(seam.changes()).extracting(RecordedCall::operation).containsExactly("attachDevice(LIVE_AND_CONFIG)");
 * }
 * seam.inject(Fault.on("attachDevice").libvirtError("VIR_ERR_INTERNAL_ERROR", "no free slot"));
 * }</pre>
 *
 * <p><b>Recording.</b> Every call the client makes to libvirt is recorded ({@link #calls()}):
 * operation, domain, whether it changes something, what it carried (the device XML of an attach,
 * detach or update, the vCPU count, the domain XML of a define, the agent command) and how it ended.
 *
 * <p><b>Faults.</b> {@link #inject(Fault)} fails the nth call, or the nth call of an operation, with
 * a libvirt error of your choice or a lost connection before or after the real call. The fault
 * enters the SDK where a real failure would, so your code sees the SDK exception the SDK documents
 * for it ({@link Fault}).
 *
 * <p><b>Memory devices.</b> libvirt's test driver cannot attach, detach or update memory devices.
 * With {@link #emulateMemoryDevices()} the seam takes those calls itself, checks them as libvirt
 * would, and shows their effect in every domain XML read afterwards (a DIMM with a slot and an
 * alias, {@code <memory>} and {@code <currentMemory>} grown; a virtio-mem device's
 * {@code <requested>} and {@code <current>}), so the SDK's planning, application, verification and
 * result handling run end to end and your code gets the same result types
 * ({@code MemoryResult}, {@code GuestRefusedException}, {@code PartialApplyException}, ...) the VM
 * lab gives. {@link MemoryGuest} picks how the emulated guest behaves.
 *
 * <p><b>What it proves, and what not.</b> The seam proves your code and the SDK's logic around the
 * libvirt calls: what is asked, in which order, with which XML, and what your code does with each
 * result and each failure. It does not prove that libvirt, QEMU and the guest accept the device or
 * bring the memory online: the emulation is the SDK's model of libvirt, not libvirt. The VM lab
 * ({@code hotplug-lab}, real QEMU guests) proves that. vCPU calls and every read go to the real
 * test driver.
 *
 * <p>Thread-safe. One seam may serve several clients: their calls are recorded together, and the
 * emulation keeps its state per domain name, so use one seam per client when emulating memory on the
 * test driver (whose state is per connection). Configuration methods return this seam;
 * {@link #emulateMemoryDevices(MemoryGuest)} and {@link #reset()} drop the emulated state.
 */
public final class LibvirtSeam {

  /** How the emulated guest behaves on memory device changes. */
  public enum MemoryGuest {
    /** Takes every DIMM and releases every DIMM at once; plugs every virtio-mem request at once. */
    COOPERATIVE,
    /**
     * Never releases a DIMM: libvirt accepts the live detach, the DIMM stays (memory onlined in
     * ZONE_NORMAL); the persistent definition loses it, as libvirt does. The SDK reports
     * {@code GuestRefusedException} when its verification times out.
     */
    KEEPS_DIMMS,
    /** Has no virtio-mem driver: {@code <requested>} changes, {@code <current>} never moves. */
    NO_VIRTIO_MEM_DRIVER
  }

  private final Object lock = new Object();
  private final List<RecordedCall> calls = new ArrayList<>();
  private final List<Fault> faults = new ArrayList<>();
  private final Map<Fault, Integer> matches = new HashMap<>();
  private final Map<Fault, Boolean> fired = new HashMap<>();
  private volatile MemoryEmulator emulator;
  private int count;

  private final CallInterceptor interceptor = new CallInterceptor() {
    @Override
    public <T> T intercept(String operation, String domain, Supplier<T> call) {
      return intercept(new Call("?", operation, domain, false, null), call);
    }

    @Override
    public <T> T intercept(Call call, Supplier<T> real) {
      return handle(call, real);
    }
  };

  private LibvirtSeam() {}

  /**
   * Creates a seam that records every call and changes nothing until told to.
   *
   * @return a new seam
   */
  public static LibvirtSeam create() {
    return new LibvirtSeam();
  }

  /**
   * Emulates memory devices with a {@link MemoryGuest#COOPERATIVE} guest.
   *
   * @return this seam
   */
  public LibvirtSeam emulateMemoryDevices() {
    return emulateMemoryDevices(MemoryGuest.COOPERATIVE);
  }

  /**
   * Emulates memory devices: attach, detach and update calls whose device is a {@code <memory>}
   * device are taken by the seam (libvirt is not called), checked as libvirt checks them, and shown
   * in every domain XML read afterwards. Any state emulated so far is dropped.
   *
   * @param guest how the emulated guest behaves
   * @return this seam
   * @throws NullPointerException if guest is null
   */
  public LibvirtSeam emulateMemoryDevices(MemoryGuest guest) {
    this.emulator = new MemoryEmulator(Objects.requireNonNull(guest, "guest"));
    return this;
  }

  /**
   * Adds a fault.
   *
   * @param fault the fault
   * @return this seam
   * @throws NullPointerException if fault is null
   */
  public LibvirtSeam inject(Fault fault) {
    Objects.requireNonNull(fault, "fault");
    synchronized (lock) {
      faults.add(fault);
      matches.put(fault, 0);
    }
    return this;
  }

  /**
   * Forgets the recorded calls, the faults and the emulated memory state (a fresh start, as
   * {@link HotplugTestDriver} does before each test); the emulation stays on with its guest.
   *
   * @return this seam
   */
  public LibvirtSeam reset() {
    synchronized (lock) {
      calls.clear();
      faults.clear();
      matches.clear();
      fired.clear();
      count = 0;
    }
    MemoryEmulator e = emulator;
    if (e != null) {
      emulator = new MemoryEmulator(e.guest());
    }
    return this;
  }

  /**
   * Puts this seam on the libvirt calls of the clients a builder makes.
   *
   * @param builder the client builder
   * @return the builder
   * @throws NullPointerException if builder is null
   * @throws IllegalStateException if the SDK on the class path is not the one this kit was built
   *     against (use the versions of one BOM)
   */
  public HotplugClient.Builder installOn(HotplugClient.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    return Instrumentation.interceptor(builder, interceptor);
  }

  /**
   * Returns every call recorded so far, in order.
   *
   * @return a snapshot
   */
  public List<RecordedCall> calls() {
    synchronized (lock) {
      return List.copyOf(calls);
    }
  }

  /**
   * Returns the recorded calls that change something (setVcpus, attach, detach, update, define,
   * agent commands, lifecycle), in order.
   *
   * @return a snapshot
   */
  public List<RecordedCall> changes() {
    return calls().stream().filter(RecordedCall::change).toList();
  }

  /**
   * Returns the recorded calls whose operation starts with a prefix.
   *
   * @param operationPrefix e.g. {@code "attachDevice"}
   * @return a snapshot
   * @throws NullPointerException if the prefix is null
   */
  public List<RecordedCall> calls(String operationPrefix) {
    Objects.requireNonNull(operationPrefix, "operationPrefix");
    return calls().stream().filter(c -> c.operation().startsWith(operationPrefix)).toList();
  }

  /**
   * Tells whether a fault has fired at least once.
   *
   * @param fault a fault given to {@link #inject(Fault)}
   * @return true once it failed a call
   */
  public boolean fired(Fault fault) {
    synchronized (lock) {
      return fired.getOrDefault(fault, false);
    }
  }

  private <T> T handle(CallInterceptor.Call call, Supplier<T> real) {
    int index;
    Fault fault = null;
    synchronized (lock) {
      index = ++count;
      for (Fault f : faults) {
        if (f.selector().matches(call.operation(), call.domain())) {
          int n = matches.merge(f, 1, Integer::sum);
          if (fault == null && f.selector().fires(index, n)) {
            fault = f;
          }
        }
      }
      if (fault != null) {
        fired.put(fault, true);
      }
    }
    if (fault != null && (fault.kind() == Fault.Kind.LIBVIRT_ERROR || fault.timing() == Fault.Timing.BEFORE_CALL)) {
      RuntimeException e = injected(call, fault);
      record(index, call, RecordedCall.Outcome.INJECTED, e);
      throw e;
    }
    MemoryEmulator emu = emulator;
    T result = null;
    RecordedCall.Outcome outcome;
    if (emu != null && isDeviceChange(call.operation()) && MemoryEmulator.isMemoryDevice(call.argument())) {
      try {
        emu.change(call.operation(), call.domain(), call.argument());
      } catch (MemoryEmulator.Refused r) {
        LibvirtException e = libvirtError(call, r.errorName, r.getMessage(), "refused by LibvirtSeam's emulation");
        record(index, call, RecordedCall.Outcome.EMULATION_REFUSED, e);
        throw e;
      }
      outcome = RecordedCall.Outcome.EMULATED;
    } else {
      try {
        result = real.get();
      } catch (RuntimeException e) {
        record(index, call, RecordedCall.Outcome.FAILED, e);
        throw e;
      }
      outcome = RecordedCall.Outcome.RETURNED;
      if (emu != null) {
        result = afterReal(emu, call, result);
      }
    }
    if (fault != null) {
      RuntimeException e = injected(call, fault);
      record(index, call, RecordedCall.Outcome.INJECTED, e);
      throw e;
    }
    record(index, call, outcome, null);
    return result;
  }

  @SuppressWarnings("unchecked")
  private static <T> T afterReal(MemoryEmulator emu, CallInterceptor.Call call, T result) {
    String op = call.operation();
    if (op.startsWith("xml(") && result instanceof String xml) {
      return (T) emu.read(op, call.domain(), xml);
    }
    if (op.equals("defineXML")) {
      emu.defined(call.argument());
    } else if (op.equals("create") || op.equals("destroy") || op.equals("shutdown")) {
      emu.lifecycle(op, call.domain());
    } else {
      emu.observe(op, call.domain(), result);
    }
    return result;
  }

  private static boolean isDeviceChange(String op) {
    return op.startsWith("attachDevice(") || op.startsWith("detachDevice(") || op.startsWith("updateDevice(");
  }

  private void record(int index, CallInterceptor.Call call, RecordedCall.Outcome outcome, RuntimeException e) {
    RecordedCall r = new RecordedCall(index, call.uri(), call.operation(), call.domain(), call.change(),
        call.optionalArgument(), outcome, Optional.ofNullable(e).map(Throwable::getMessage));
    synchronized (lock) {
      int at = calls.size();
      while (at > 0 && calls.get(at - 1).index() > index) {
        at--;
      }
      calls.add(at, r);
    }
  }

  private static RuntimeException injected(CallInterceptor.Call call, Fault fault) {
    if (fault.kind() == Fault.Kind.CONNECTION_LOST) {
      String m = "the connection to " + call.uri() + " was lost during " + call.operation()
          + (call.domain().equals("-") ? "" : " of domain '" + call.domain() + "'") + " (injected by LibvirtSeam, "
          + (fault.timing() == Fault.Timing.AFTER_CALL ? "after the call was made" : "before the call was made")
          + "): " + (call.change() ? "the outcome is unknown; read the domain back" : "reads are retried once");
      return new ConnectionLostException(call.uri(), m, null, CloseReason.IO_ERROR, call.operation(), call.change());
    }
    String name = fault.errorName().orElseThrow();
    if (name.equals("VIR_ERR_NO_DOMAIN")) {
      return new DomainNotFoundException(call.domain(), call.uri(), null);
    }
    return libvirtError(call, name, fault.message(), "injected by LibvirtSeam");
  }

  private static LibvirtException libvirtError(CallInterceptor.Call call, String name, String message, String by) {
    int code = dev.vmhotplug.testkit.internal.ErrorNames.code(name);
    String label = call.operation().equals("lookup") ? "look up domain"
        : call.operation().equals("defineXML") ? "define the domain" : call.operation();
    return new LibvirtException("libvirt " + label + " failed for domain '" + call.domain() + "' on " + call.uri()
        + ": " + message + " (" + name + "; " + by + ")", code, name, message, null);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "LibvirtSeam[" + calls.size() + " call(s), " + faults.size() + " fault(s)"
          + (emulator == null ? "" : ", emulating memory devices (" + emulator.guest() + ")") + "]";
    }
  }
}
