package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.ConnectionException;
import dev.vmhotplug.core.DomainNotFoundException;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.LibvirtException;
import dev.vmhotplug.core.Scope;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error;
import org.libvirt.ErrorCallback;
import org.libvirt.MemoryStatistic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that talks to libvirt (libvirt-java 0.5.4 over JNA): every other class of the SDK
 * goes through here and sees only SDK types and exceptions.
 *
 * <p>Thread-safe: a libvirt connection may be used from several threads. libvirt's habit of
 * printing every error on stderr is switched off process-wide when this class loads (a no-op
 * {@code virSetErrorFunc} callback); errors reach callers only as exceptions.
 *
 * <p>Domain handles ({@link DomainRef}) are cached per UUID and freed when the gateway closes; a
 * wrapped connection is never closed by the gateway.
 */
public final class LibvirtGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtGateway.class);
  private static final Pattern UUID = Pattern.compile(
      "(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");
  private static final int XML_SECURE = 1; // VIR_DOMAIN_XML_SECURE
  private static final int XML_INACTIVE = 2; // VIR_DOMAIN_XML_INACTIVE
  private static final int AFFECT_LIVE = 1; // VIR_DOMAIN_AFFECT_LIVE (= VIR_DOMAIN_VCPU_LIVE)
  private static final int AFFECT_CONFIG = 2; // VIR_DOMAIN_AFFECT_CONFIG
  private static final int MEMORY_STAT_NR = 13;
  private static final String[] MEMORY_STAT_TAGS = {
    "swap_in", "swap_out", "major_fault", "minor_fault", "unused", "available", "actual", "rss",
    "usable", "last_update", "disk_caches", "hugetlb_pgalloc", "hugetlb_pgfail"
  };

  private static final String[] SET_VCPUS_OPS = {"setVcpus(LIVE)", "setVcpus(CONFIG)", "setVcpus(LIVE_AND_CONFIG)"};

  /** Kept strongly reachable: libvirt holds a native pointer to it. */
  private static final ErrorCallback SILENT = new ErrorCallback();
  private static final AtomicBoolean SILENCED = new AtomicBoolean();

  private final Connect connect;
  private final boolean owned;
  private final String uri;
  private final CallInterceptor interceptor;
  private final ConcurrentHashMap<String, DomainRef> refs = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** An opaque handle on one libvirt domain; only the gateway can use it. */
  public static final class DomainRef {
    private final Domain domain;
    private final String name;
    private final String uuid;

    private DomainRef(Domain domain, String name, String uuid) {
      this.domain = domain;
      this.name = name;
      this.uuid = uuid;
    }

    /** The domain's name when it was looked up. */
    public String name() {
      return name;
    }

    /** The domain's UUID (canonical form with dashes). */
    public String uuid() {
      return uuid;
    }

    @Override
    public String toString() {
      return name + " (" + uuid + ")";
    }
  }

  private LibvirtGateway(Connect connect, boolean owned, String uri, CallInterceptor interceptor) {
    this.connect = connect;
    this.owned = owned;
    this.uri = uri;
    this.interceptor = interceptor == null ? CallInterceptor.NONE : interceptor;
  }

  /** Switches libvirt's stderr error printing off (idempotent). */
  private static void silenceLibvirt() {
    if (SILENCED.compareAndSet(false, true)) {
      try {
        Connect.setErrorCallback(SILENT);
      } catch (org.libvirt.LibvirtException e) {
        SILENCED.set(false);
        LOG.debug("op=silence could not install the libvirt error callback: {}", e.getMessage());
      }
    }
  }

  /**
   * Opens a connection that the gateway owns (and closes).
   *
   * @param uri any libvirt URI ({@code qemu:///system}, {@code qemu+tcp://host/system}, {@code test:///default})
   * @param readOnly open with {@code VIR_CONNECT_RO}
   * @param interceptor sees every call, null for none
   * @return the gateway
   * @throws ConnectionException if the URI cannot be connected to or native libvirt is missing
   */
  public static LibvirtGateway open(String uri, boolean readOnly, CallInterceptor interceptor) {
    Objects.requireNonNull(uri, "uri");
    if (uri.isBlank()) {
      throw new ConnectionException(uri, "empty libvirt URI: pass one such as qemu:///system,"
          + " qemu+ssh://user@host/system or test:///default", null);
    }
    checkTestNodeFile(uri);
    try {
      silenceLibvirt();
      LOG.debug("op=connect uri={}", uri);
      Connect c = new Connect(uri, readOnly);
      return new LibvirtGateway(c, true, uri, interceptor);
    } catch (org.libvirt.LibvirtException e) {
      String msg = message(e);
      throw new ConnectionException(uri, "cannot connect to " + uri + ": " + msg
          + ". Check that the URI is right, that libvirtd (or virtqemud) is running and reachable,"
          + " and that you may use it (for qemu:///system: root or the libvirt group)", e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new ConnectionException(uri, "cannot load the native libvirt library to connect to " + uri
          + ": install it (Debian/Ubuntu: apt-get install libvirt0; Fedora: dnf install libvirt-libs)", e);
    }
  }

  /**
   * Refuses a test-driver URI whose node file is missing before libvirt sees it: libvirt would fail
   * with a bare "failed to parse xml document", and libxml2 inside it prints an I/O warning on
   * stderr that no libvirt error callback can silence.
   */
  private static void checkTestNodeFile(String uri) {
    if (!uri.startsWith("test:///") || uri.equals("test:///default") || uri.startsWith("test:///default?")) {
      return;
    }
    String path = uri.substring("test://".length());
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    java.nio.file.Path file = java.nio.file.Path.of(path);
    if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
      throw new ConnectionException(uri, "cannot connect to " + uri + ": the test driver's node file " + path
          + (java.nio.file.Files.exists(file) ? " is not a readable file" : " does not exist")
          + ". Give the absolute path of a node XML file (test:///ABSOLUTE/PATH/node.xml), or test:///default", null);
    }
  }

  /**
   * Wraps a connection the caller owns; {@link #close()} will not close it.
   *
   * @param connect an open libvirt-java connection
   * @param interceptor sees every call, null for none
   * @return the gateway
   * @throws ConnectionException if the connection is closed or unusable
   */
  public static LibvirtGateway wrap(Connect connect, CallInterceptor interceptor) {
    Objects.requireNonNull(connect, "connect");
    silenceLibvirt();
    try {
      return new LibvirtGateway(connect, false, connect.getURI(), interceptor);
    } catch (org.libvirt.LibvirtException e) {
      throw new ConnectionException("?", "the wrapped libvirt connection is not usable: " + message(e)
          + ". Pass an open org.libvirt.Connect", e);
    }
  }

  /** The URI of the connection. */
  public String uri() {
    return uri;
  }

  /** Whether the gateway opened (and will close) the connection. */
  public boolean ownsConnection() {
    return owned;
  }

  /**
   * Looks a domain up by name or UUID.
   *
   * @param nameOrUuid a name, or a UUID with or without dashes
   * @return a handle, shared per UUID
   * @throws DomainNotFoundException if no such domain exists (the message names the URI)
   * @throws LibvirtException if libvirt fails otherwise
   */
  public DomainRef lookup(String nameOrUuid) {
    Objects.requireNonNull(nameOrUuid, "nameOrUuid");
    ensureOpen();
    return call("lookup", nameOrUuid, () -> {
      Domain d = null;
      try {
        if (UUID.matcher(nameOrUuid).matches()) {
          try {
            d = connect.domainLookupByUUIDString(nameOrUuid);
          } catch (org.libvirt.LibvirtException e) {
            if (!isNoDomain(e)) {
              throw e;
            }
          }
        }
        if (d == null) {
          d = connect.domainLookupByName(nameOrUuid);
        }
        String uuid = d.getUUIDString();
        String name = d.getName();
        DomainRef fresh = new DomainRef(d, name, uuid);
        DomainRef existing = refs.putIfAbsent(uuid, fresh);
        if (existing != null && existing.name.equals(name)) {
          free(d);
          return existing;
        }
        if (existing != null) {
          refs.put(uuid, fresh); // renamed since: keep the fresh handle, free the old one
          free(existing.domain);
        }
        return fresh;
      } catch (org.libvirt.LibvirtException e) {
        if (d != null) {
          free(d);
        }
        if (isNoDomain(e)) {
          throw new DomainNotFoundException(nameOrUuid, uri, e);
        }
        throw translate(e, "look up domain", nameOrUuid);
      }
    });
  }

  /**
   * The domain's XML.
   *
   * @param ref the domain
   * @param inactive true for the persistent definition ({@code VIR_DOMAIN_XML_INACTIVE}), false for the live one
   * @return the XML (may contain secrets: never log it)
   * @throws DomainNotFoundException if the domain disappeared
   * @throws LibvirtException if libvirt fails
   */
  public String xml(DomainRef ref, boolean inactive) {
    return domainCall(inactive ? "xml(inactive)" : "xml(live)", ref,
        d -> d.getXMLDesc(inactive ? XML_INACTIVE : 0));
  }

  /**
   * The persistent definition with secrets included ({@code VIR_DOMAIN_XML_INACTIVE | _SECURE}),
   * for editing and redefining without losing passwords; needs a read-write connection.
   *
   * @param ref the domain
   * @return the XML (contains secrets: never log it)
   * @throws DomainNotFoundException if the domain disappeared
   * @throws LibvirtException if libvirt fails
   */
  public String xmlForRedefine(DomainRef ref) {
    return domainCall("xml(inactive,secure)", ref, d -> d.getXMLDesc(XML_INACTIVE | XML_SECURE));
  }

  /**
   * Whether the domain is running (or paused).
   *
   * @param ref the domain
   * @return true if active
   * @throws LibvirtException if libvirt fails
   */
  public boolean isActive(DomainRef ref) {
    return domainCall("isActive", ref, d -> d.isActive() == 1);
  }

  /**
   * Whether the domain has a persistent definition.
   *
   * @param ref the domain
   * @return true if persistent
   * @throws LibvirtException if libvirt fails
   */
  public boolean isPersistent(DomainRef ref) {
    return domainCall("isPersistent", ref, d -> d.isPersistent() == 1);
  }

  /**
   * {@code virDomainSetVcpusFlags} with {@code VIR_DOMAIN_AFFECT_LIVE} and/or {@code _CONFIG}.
   *
   * @param ref the domain
   * @param count the total number of vCPUs wanted
   * @param scope where to apply
   * @throws LibvirtException if libvirt refuses or fails
   */
  public void setVcpus(DomainRef ref, int count, Scope scope) {
    domainCall(SET_VCPUS_OPS[scope.ordinal()], ref, d -> {
      d.setVcpusFlags(count, flags(scope));
      return null;
    });
  }

  /**
   * {@code virDomainAttachDeviceFlags}.
   *
   * @param ref the domain
   * @param deviceXml the device XML
   * @param scope where to apply
   * @throws LibvirtException if libvirt refuses or fails
   */
  public void attachDevice(DomainRef ref, String deviceXml, Scope scope) {
    domainCall("attachDevice(" + scope + ")", ref, d -> {
      d.attachDeviceFlags(deviceXml, flags(scope));
      return null;
    });
  }

  /**
   * {@code virDomainDetachDeviceFlags}. For live detaches libvirt returns once the request is sent;
   * the guest completes it asynchronously.
   *
   * @param ref the domain
   * @param deviceXml the device XML (minimal form matching the device)
   * @param scope where to apply
   * @throws LibvirtException if libvirt refuses or fails
   */
  public void detachDevice(DomainRef ref, String deviceXml, Scope scope) {
    domainCall("detachDevice(" + scope + ")", ref, d -> {
      d.detachDeviceFlags(deviceXml, flags(scope));
      return null;
    });
  }

  /**
   * {@code virDomainMemoryStats}: the balloon statistics, tags named as virsh dommemstat names them
   * ({@code actual}, {@code rss}, {@code available}, …), values in KiB except counters.
   *
   * @param ref the domain
   * @return tag to value, in libvirt's order
   * @throws LibvirtException if libvirt fails
   */
  public Map<String, Long> memoryStats(DomainRef ref) {
    return domainCall("memoryStats", ref, d -> {
      MemoryStatistic[] stats = d.memoryStats(MEMORY_STAT_NR);
      Map<String, Long> out = new LinkedHashMap<>();
      if (stats != null) {
        for (MemoryStatistic s : stats) {
          int tag = s.getTag();
          String name = tag >= 0 && tag < MEMORY_STAT_TAGS.length ? MEMORY_STAT_TAGS[tag] : "tag_" + tag;
          out.put(name, s.getValue());
        }
      }
      return out;
    });
  }

  /**
   * Sends a command to the QEMU guest agent ({@code virDomainQemuAgentCommand}).
   *
   * @param ref the domain
   * @param json the command, e.g. {@code {"execute":"guest-get-vcpus"}}
   * @param timeoutSeconds how long the agent may take; -2 libvirt default, -1 block, 0 no wait
   * @return the agent's JSON reply
   * @throws LibvirtException if the agent is absent, unresponsive or refuses
   */
  public String qemuAgentCommand(DomainRef ref, String json, int timeoutSeconds) {
    return domainCall("qemuAgentCommand", ref, d -> d.qemuAgentCommand(json, timeoutSeconds, 0));
  }

  /**
   * Defines (or redefines) a persistent domain ({@code virDomainDefineXML}).
   *
   * @param domainXml the full domain XML
   * @throws LibvirtException if libvirt refuses the definition
   */
  public void defineXml(String domainXml) {
    ensureOpen();
    call("defineXML", "-", () -> {
      try {
        free(connect.domainDefineXML(domainXml));
        return null;
      } catch (org.libvirt.LibvirtException e) {
        throw translate(e, "define the domain", "-");
      }
    });
  }

  /**
   * Asks the guest to shut down (ACPI); returns before it is off.
   *
   * @param ref the domain
   * @throws LibvirtException if libvirt fails
   */
  public void shutdown(DomainRef ref) {
    domainCall("shutdown", ref, d -> {
      d.shutdown();
      return null;
    });
  }

  /**
   * Starts a defined domain.
   *
   * @param ref the domain
   * @throws LibvirtException if libvirt fails
   */
  public void create(DomainRef ref) {
    domainCall("create", ref, d -> d.create());
  }

  /**
   * Stops a domain at once (power off).
   *
   * @param ref the domain
   * @throws LibvirtException if libvirt fails
   */
  public void destroy(DomainRef ref) {
    domainCall("destroy", ref, d -> {
      d.destroy();
      return null;
    });
  }

  /**
   * Whether a libvirt failure of an unplug is a timeout: QEMU's driver reports
   * {@code VIR_ERR_OPERATION_TIMEOUT} "Timed out during operation: vcpu unplug request timed out.
   * Unplug result must be manually inspected in the domain" when the guest did not confirm within
   * libvirt's wait; the request was sent and may still complete.
   *
   * @param e an SDK libvirt exception
   * @return true for that error
   */
  public static boolean isUnplugTimeout(LibvirtException e) {
    String m = e.libvirtMessage();
    return "VIR_ERR_OPERATION_TIMEOUT".equals(e.errorName())
        || m != null && m.contains("unplug request timed out");
  }

  /** Frees the domain handles and closes the connection if the gateway opened it; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (DomainRef r : refs.values()) {
      free(r.domain);
    }
    refs.clear();
    if (owned) {
      try {
        LOG.debug("op=close uri={}", uri);
        connect.close();
      } catch (org.libvirt.LibvirtException e) {
        LOG.debug("op=close uri={} failed: {}", uri, message(e));
      }
    }
  }

  // ---------------------------------------------------------------- internals

  @FunctionalInterface
  private interface DomainFn<T> {
    T apply(Domain d) throws org.libvirt.LibvirtException;
  }

  private <T> T domainCall(String op, DomainRef ref, DomainFn<T> fn) {
    Objects.requireNonNull(ref, "ref");
    ensureOpen();
    return call(op, ref.name, () -> {
      try {
        return fn.apply(ref.domain);
      } catch (org.libvirt.LibvirtException e) {
        if (isNoDomain(e)) {
          throw new DomainNotFoundException(ref.name, uri, e);
        }
        throw translate(e, op, ref.name);
      }
    });
  }

  private <T> T call(String op, String domain, Supplier<T> real) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("domain={} op={}", domain, op);
    }
    return interceptor.intercept(op, domain, real);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new HotplugException("the HotplugClient for " + uri + " is closed: create a new one");
    }
  }

  private static int flags(Scope scope) {
    switch (scope) {
      case LIVE:
        return AFFECT_LIVE;
      case CONFIG:
        return AFFECT_CONFIG;
      default:
        return AFFECT_LIVE | AFFECT_CONFIG;
    }
  }

  private LibvirtException translate(org.libvirt.LibvirtException e, String op, String domain) {
    Error err = e.getError();
    int code = err == null || err.getCode() == null ? -1 : err.getCode().ordinal();
    String name = err == null || err.getCode() == null ? "UNKNOWN" : err.getCode().name();
    String msg = message(e);
    return new LibvirtException("libvirt " + op + " failed for domain '" + domain + "' on " + uri + ": "
        + msg + " (" + name + ")", code, name, msg, e);
  }

  private static boolean isNoDomain(org.libvirt.LibvirtException e) {
    Error err = e.getError();
    return err != null && err.getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
  }

  private static String message(org.libvirt.LibvirtException e) {
    Error err = e.getError();
    String m = err == null ? e.getMessage() : err.getMessage();
    return m == null ? "unknown libvirt error" : m;
  }

  private static void free(Domain d) {
    try {
      d.free();
    } catch (org.libvirt.LibvirtException e) {
      LOG.debug("op=free failed: {}", message(e));
    }
  }
}
