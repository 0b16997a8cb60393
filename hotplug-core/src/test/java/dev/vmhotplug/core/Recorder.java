package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.CallInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Records the libvirt calls a client makes (operation names as the gateway reports them), except
 * those made while {@link #unrecorded(Runnable)} runs (a test standing in for the hypervisor).
 */
class Recorder implements CallInterceptor {
  final List<String> ops = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Boolean> muted = ThreadLocal.withInitial(() -> false);

  @Override
  public <T> T intercept(String op, String domain, Supplier<T> call) {
    if (!muted.get()) {
      ops.add(op);
    }
    return call.get();
  }

  /** Runs an action whose libvirt calls are not recorded. */
  void unrecorded(Runnable action) {
    boolean was = muted.get();
    muted.set(true);
    try {
      action.run();
    } finally {
      muted.set(was);
    }
  }

  /** The recorded calls that change something (setVcpus, attachDevice, detachDevice, defineXML). */
  List<String> changes() {
    List<String> out = new ArrayList<>();
    for (String op : ops) {
      if (op.startsWith("setVcpus") || op.startsWith("attachDevice") || op.startsWith("detachDevice")
          || op.equals("defineXML")) {
        out.add(op);
      }
    }
    return out;
  }

  void clear() {
    ops.clear();
  }
}
