package dev.vmhotplug.core.internal;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import java.lang.reflect.Field;
import org.libvirt.Connect;

/**
 * The SDK's own JNA mapping of the few libvirt functions libvirt-java 0.5.4 lacks or maps unsafely:
 * domain events by id ({@code virConnectDomainEventRegisterAny} with the device and memory events),
 * their deregistration, and what a callback needs to name the domain. Signatures follow libvirt
 * 9.0's {@code include/libvirt/libvirt-domain.h}.
 */
interface LibvirtNative extends com.sun.jna.Library {

  /** The mapping, loaded from the same {@code libvirt.so.0} libvirt-java uses. */
  LibvirtNative INSTANCE = Native.load("virt", LibvirtNative.class);

  /** VIR_DOMAIN_EVENT_ID_LIFECYCLE. */
  int EVENT_LIFECYCLE = 0;
  /** VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED. */
  int EVENT_DEVICE_REMOVED = 15;
  /** VIR_DOMAIN_EVENT_ID_DEVICE_ADDED. */
  int EVENT_DEVICE_ADDED = 19;
  /** VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED. */
  int EVENT_DEVICE_REMOVAL_FAILED = 22;
  /** VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE. */
  int EVENT_MEMORY_DEVICE_SIZE_CHANGE = 26;
  /** VIR_UUID_STRING_BUFLEN. */
  int UUID_STRING_BUFLEN = 37;

  /**
   * {@code int virConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom, int eventID,
   * virConnectDomainEventGenericCallback cb, void *opaque, virFreeCallback freecb)}.
   */
  int virConnectDomainEventRegisterAny(Pointer conn, Pointer dom, int eventID, Callback cb, Pointer opaque,
      Pointer freecb);

  /** {@code int virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)}. */
  int virConnectDomainEventDeregisterAny(Pointer conn, int callbackID);

  /** {@code int virDomainGetUUIDString(virDomainPtr domain, char *buf)}; buf holds 37 bytes. */
  int virDomainGetUUIDString(Pointer dom, byte[] buf);

  /** {@code const char *virDomainGetName(virDomainPtr domain)}: owned by the domain, not freed. */
  String virDomainGetName(Pointer dom);

  /** {@code virErrorPtr virGetLastError(void)}: this thread's last error, null when none. */
  org.libvirt.jna.virError virGetLastError();

  /**
   * virConnectDomainEventDeviceAddedCallback, ...DeviceRemovedCallback and
   * ...DeviceRemovalFailedCallback: {@code void (*)(virConnectPtr conn, virDomainPtr dom,
   * const char *devAlias, void *opaque)}.
   */
  interface DeviceCallback extends Callback {
    void invoke(Pointer conn, Pointer dom, String alias, Pointer opaque);
  }

  /**
   * virConnectDomainEventMemoryDeviceSizeChangeCallback: {@code void (*)(virConnectPtr conn,
   * virDomainPtr dom, const char *alias, unsigned long long size, void *opaque)}; size in KiB.
   */
  interface SizeChangeCallback extends Callback {
    void invoke(Pointer conn, Pointer dom, String alias, long sizeKiB, Pointer opaque);
  }

  /**
   * virConnectDomainEventCallback: {@code int (*)(virConnectPtr conn, virDomainPtr dom, int event,
   * int detail, void *opaque)}.
   */
  interface LifecycleCallback extends Callback {
    int invoke(Pointer conn, Pointer dom, int event, int detail, Pointer opaque);
  }

  /** Reads the native {@code virConnectPtr} of a libvirt-java connection (its protected field). */
  final class Pointers {
    private static final Field VCP;

    static {
      try {
        VCP = Connect.class.getDeclaredField("vcp");
        VCP.setAccessible(true);
      } catch (NoSuchFieldException e) {
        throw new ExceptionInInitializerError("libvirt-java changed: org.libvirt.Connect has no field vcp");
      }
    }

    private Pointers() {}

    /** @return the connection's pointer, or null when it was closed */
    static Pointer of(Connect c) {
      try {
        PointerType p = (PointerType) VCP.get(c);
        return p == null ? null : p.getPointer();
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read org.libvirt.Connect.vcp", e);
      }
    }

    /** @return the UUID (with dashes) of a domain pointer handed to a callback, or null */
    static String uuid(Pointer dom) {
      byte[] buf = new byte[UUID_STRING_BUFLEN];
      if (dom == null || INSTANCE.virDomainGetUUIDString(dom, buf) != 0) {
        return null;
      }
      int n = 0;
      while (n < buf.length && buf[n] != 0) {
        n++;
      }
      return new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** @return libvirt's last error on this thread as text, or a fallback */
    static String lastError(String fallback) {
      org.libvirt.jna.virError e = INSTANCE.virGetLastError();
      return e == null || e.message == null ? fallback : e.message;
    }
  }
}
